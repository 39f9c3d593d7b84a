// The fan-out queue: work messages sent with the subscription as the session
// id (Service Bus hands a session to one receiver at a time, so each
// subscription's ARM budget is spent by one worker at a time), and a session
// consumer for processes that are not the Functions host (the CLI, tests).

import type {
  ServiceBusClient,
  ServiceBusMessage,
  ServiceBusSender,
  ServiceBusSessionReceiver,
} from "@azure/service-bus";
import type { WorkMessage, WorkQueue } from "../../app/work.js";

export function toWorkMessage(work: WorkMessage): ServiceBusMessage {
  return {
    // Deterministic: a timer that sends twice (a retry after a lost ack) is deduplicated.
    messageId: `${work.sweepId}:${work.subscriptionId}:${work.batch}`,
    sessionId: work.subscriptionId,
    subject: "sweep-work",
    contentType: "application/json",
    body: work,
    applicationProperties: {
      sweepId: work.sweepId,
      subscriptionId: work.subscriptionId,
      batch: work.batch,
      circuits: work.items.length,
    },
  };
}

export class ServiceBusWorkQueue implements WorkQueue {
  private sender: ServiceBusSender | null = null;

  constructor(
    private readonly client: ServiceBusClient,
    private readonly queue: string,
  ) {}

  async send(messages: WorkMessage[]): Promise<void> {
    this.sender ??= this.client.createSender(this.queue);
    const sender = this.sender;
    let batch = await sender.createMessageBatch();
    for (const work of messages) {
      const message = toWorkMessage(work);
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0) throw new Error(`work message ${message.messageId} is too large`);
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (!batch.tryAddMessage(message))
        throw new Error(`work message ${message.messageId} is too large`);
    }
    if (batch.count > 0) await sender.sendMessages(batch);
  }

  async close(): Promise<void> {
    await this.sender?.close();
    this.sender = null;
  }
}

/**
 * Takes the next free session, handles what it holds, completes each message
 * (abandons it when the handler throws, so it comes back), and lets the
 * session go. Returns the messages handled; 0 when no session was free.
 */
export async function drainOneSession(
  client: ServiceBusClient,
  queue: string,
  handle: (body: unknown) => Promise<void>,
  options: {
    abortSignal: AbortSignal;
    maxWaitTimeInMs?: number;
    onError?: (error: unknown) => void;
  },
): Promise<number> {
  let receiver: ServiceBusSessionReceiver;
  try {
    receiver = await client.acceptNextSession(queue, {
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: 0,
      abortSignal: options.abortSignal,
    });
  } catch {
    return 0; // no session free right now
  }
  let handled = 0;
  try {
    for (;;) {
      const messages = await receiver.receiveMessages(10, {
        maxWaitTimeInMs: options.maxWaitTimeInMs ?? 500,
        abortSignal: options.abortSignal,
      });
      if (messages.length === 0) return handled;
      for (const message of messages) {
        try {
          await handle(message.body);
          await receiver.completeMessage(message);
        } catch (error) {
          options.onError?.(error);
          await receiver.abandonMessage(message).catch(() => undefined);
        }
        handled += 1;
      }
    }
  } finally {
    await receiver.close().catch(() => undefined);
  }
}

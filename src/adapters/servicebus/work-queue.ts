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
import { realTime, type Timekeeper } from "../arm/token-bucket.js";
import { DeadlineSender } from "./deadline.js";
import { counted } from "../../core/text.js";

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
  private readonly line: DeadlineSender;

  constructor(
    /** A client of the queue's own: see DeadlineSender. */
    connect: () => ServiceBusClient,
    private readonly queue: string,
    /** SERVICEBUS_TIMEOUT_MS: one send, every batch and retry in it. */
    timeoutMs: number,
    /** What SERVICEBUS_TIMEOUT_MS runs on: real time unless a test moves it (the sweep's clock). */
    time?: Timekeeper,
  ) {
    this.line = new DeadlineSender(connect, queue, timeoutMs, time);
  }

  send(messages: WorkMessage[], options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    return this.line.send(
      `sending ${counted(messages.length, "work message")} to ${this.queue}`,
      options.abortSignal,
      (sender, abortSignal) => sendAll(sender, messages, abortSignal),
    );
  }

  close(): Promise<void> {
    return this.line.close();
  }
}

async function sendAll(
  sender: ServiceBusSender,
  messages: WorkMessage[],
  abortSignal: AbortSignal,
): Promise<void> {
  let batch = await sender.createMessageBatch({ abortSignal });
  for (const work of messages) {
    const message = toWorkMessage(work);
    if (batch.tryAddMessage(message)) continue;
    if (batch.count === 0) throw new Error(`work message ${message.messageId} is too large`);
    await sender.sendMessages(batch, { abortSignal });
    batch = await sender.createMessageBatch({ abortSignal });
    if (!batch.tryAddMessage(message))
      throw new Error(`work message ${message.messageId} is too large`);
  }
  if (batch.count > 0) await sender.sendMessages(batch, { abortSignal });
}

/**
 * The Functions host's default lock renewal bound (host.json sets the same):
 * the sweep worker stops its reads inside it, so one work batch fits.
 */
const HOST_LOCK_RENEWAL_MS = 5 * 60_000;

/**
 * Takes the next free session, handles what it holds, completes each message
 * (abandons it when the handler throws, so it comes back), and lets the
 * session go. Returns the messages handled; 0 when no session was free.
 * Once `maxHandleMs` has passed since the session was taken, the rest of it
 * is left for the next drain.
 */
export async function drainOneSession(
  client: ServiceBusClient,
  queue: string,
  handle: (body: unknown) => Promise<void>,
  options: {
    abortSignal: AbortSignal;
    maxWaitTimeInMs?: number;
    onError?: (error: unknown) => void;
    /** The longest one `handle` can take (default 5 minutes, as the Functions host renews). */
    maxHandleMs?: number;
    /** The clock `maxHandleMs` is counted on: the workers' (the sweep's), real time unless a test moves it. */
    time?: Pick<Timekeeper, "now">;
  },
): Promise<number> {
  const maxHandleMs = options.maxHandleMs ?? HOST_LOCK_RENEWAL_MS;
  const maxWaitTimeInMs = options.maxWaitTimeInMs ?? 500;
  let receiver: ServiceBusSessionReceiver;
  try {
    // A batch of deep reads can outlast the session lock; lost, the session
    // (and its subscription's ARM budget) would go to a second worker while
    // this one still reads. The SDK renews it for a fixed time from here,
    // however many messages follow, so messages are taken one at a time and
    // none after maxHandleMs: the last one taken ends within this bound.
    receiver = await client.acceptNextSession(queue, {
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: 2 * maxHandleMs + maxWaitTimeInMs,
      abortSignal: options.abortSignal,
    });
  } catch (error) {
    // No session free: the service times the accept out (or refuses one
    // another receiver locked). Nothing to take now; anything else is a fault
    // the caller must see, not an idle queue.
    // Read as ServiceBusError's `code`, without loading the SDK for its type guard.
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ServiceTimeout" || code === "SessionCannotBeLocked") return 0;
    if (options.abortSignal.aborted) return 0;
    throw new Error(`taking a session of ${queue} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const time = options.time ?? realTime;
  const takeUntil = time.now() + maxHandleMs;
  let handled = 0;
  try {
    for (;;) {
      if (time.now() > takeUntil) return handled;
      const messages = await receiver.receiveMessages(1, {
        maxWaitTimeInMs,
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

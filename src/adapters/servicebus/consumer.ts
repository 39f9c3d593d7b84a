// Reads alert events with the Service Bus SDK in peek-lock mode and hands each
// to the dispatcher with real settlement (complete / abandon / dead-letter with
// a reason). Used by `erwatch dispatch`, the demo and the end-to-end tests.
// Every call to Service Bus has SERVICEBUS_TIMEOUT_MS: left to the SDK's
// defaults a broker that stops answering holds a receive or a settlement for
// minutes, and the events behind it wait with it.

import type {
  ServiceBusClient,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSender,
} from "@azure/service-bus";
import type { Dispatcher } from "../../app/dispatch/dispatcher.js";
import type { Settlement } from "../../app/dispatch/ports.js";
import { deadLetterText } from "../../core/budget.js";
import type { Logger } from "../../logging.js";

/** Runs one call to Service Bus, failing it once its deadline has passed. */
export type Guard = <T>(doing: string, run: () => Promise<T>) => Promise<T>;

export function sdkSettlement(
  receiver: ServiceBusReceiver,
  requeue: Pick<ServiceBusSender, "sendMessages">,
  message: ServiceBusReceivedMessage,
  guard: Guard = (_, run) => run(),
): Settlement {
  const id = String(message.messageId ?? "");
  const complete = () => guard(`completing ${id}`, () => receiver.completeMessage(message));
  return {
    complete,
    abandon: () => guard(`abandoning ${id}`, () => receiver.abandonMessage(message)),
    deadLetter: (reason, description) => {
      const text = deadLetterText(reason, description);
      return guard(`dead-lettering ${id}`, () =>
        receiver.deadLetterMessage(message, {
          deadLetterReason: text.reason,
          deadLetterErrorDescription: text.description,
        }),
      );
    },
    // The copy first: if completing the original then fails, it comes back and
    // finds its receivers recorded, rather than being lost.
    reschedule: async (copy) => {
      await guard(`rescheduling ${id}`, () =>
        requeue.sendMessages({
          messageId: copy.messageId,
          body: copy.body,
          subject: copy.subject,
          contentType: copy.contentType ?? "application/json",
          applicationProperties:
            copy.applicationProperties as ServiceBusReceivedMessage["applicationProperties"],
          scheduledEnqueueTimeUtc: copy.at,
        }),
      );
      await complete();
    },
  };
}

export interface ConsumerOptions {
  entity: string;
  subscription: string | null;
  logger: Logger;
  /** Messages per receive call. */
  batchSize?: number;
  maxWaitTimeInMs?: number;
  /** The longest one dispatch of one message can take: posts, backoffs, Retry-After waits, storage calls. */
  longestDispatchMs: number;
  /** SERVICEBUS_TIMEOUT_MS: a receive beyond its wait, a settlement, a rescheduled copy. */
  timeoutMs: number;
}

/** The alert key of an event body (object or JSON text), or null: messages of one alert stay in order. */
function alertKeyOf(body: unknown): string | null {
  let value = body;
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      return null;
    }
  }
  const key = (value as { key?: unknown } | null)?.key;
  return typeof key === "string" ? key : null;
}

export class EventConsumer {
  private readonly receiver: ServiceBusReceiver;
  private readonly requeue: ServiceBusSender;
  /**
   * A call missed its deadline: the client is not trusted with the next ones
   * (a sender's given up while connecting is known to wedge, deadline.ts), so
   * whoever owns it drops it and connects afresh (reconnecting-consumer.ts).
   */
  wedged = false;

  constructor(
    client: ServiceBusClient,
    private readonly dispatcher: Dispatcher,
    private readonly options: ConsumerOptions,
  ) {
    this.requeue = client.createSender(options.entity);
    // One dispatch can outlast the entity's lock (1 minute in infra/), and a
    // batch is dispatched one message after another, the later ones waiting
    // locked: a lock that ran out would fail the settlement and redeliver an
    // event being delivered. The SDK renews each lock from its receipt until
    // the message is settled, for at most this long, so the last message of a
    // batch still holds its lock when its own dispatch ends.
    const receiveOptions = {
      receiveMode: "peekLock" as const,
      maxAutoLockRenewalDurationInMs: (options.batchSize ?? 10) * options.longestDispatchMs,
    };
    this.receiver = options.subscription
      ? client.createReceiver(options.entity, options.subscription, receiveOptions)
      : client.createReceiver(options.entity, receiveOptions);
  }

  private readonly guard: Guard = async (doing, run) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.missed(doing, undefined)), this.options.timeoutMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  private missed(doing: string, cause: unknown): Error {
    this.wedged = true;
    return new Error(
      `${doing} failed: Service Bus did not answer within ${this.options.timeoutMs} ms (SERVICEBUS_TIMEOUT_MS)`,
      { cause },
    );
  }

  /** Receives once and dispatches what arrived; returns how many messages were handled. */
  async drainOnce(signal: AbortSignal): Promise<number> {
    const maxWaitTimeInMs = this.options.maxWaitTimeInMs ?? 1_000;
    const deadline = AbortSignal.timeout(maxWaitTimeInMs + this.options.timeoutMs);
    let messages: ServiceBusReceivedMessage[];
    try {
      messages = await this.receiver.receiveMessages(this.options.batchSize ?? 10, {
        maxWaitTimeInMs,
        abortSignal: AbortSignal.any([signal, deadline]),
      });
    } catch (error) {
      if (!deadline.aborted || signal.aborted) throw error;
      throw this.missed(`receiving from ${this.options.entity}`, error);
    }
    // One alert's events in the order received; different alerts at once. In
    // turn, one receiver that never answers (three posts of RECEIVER_TIMEOUT_MS
    // and their backoff, some 33 s) held every later page of the batch behind
    // it: the tenth alert's PagerDuty page came five minutes late.
    const byAlert = new Map<string, ServiceBusReceivedMessage[]>();
    for (const message of messages) {
      const key = alertKeyOf(message.body) ?? `message ${String(message.messageId)}`;
      byAlert.set(key, [...(byAlert.get(key) ?? []), message]);
    }
    await Promise.all(
      [...byAlert.values()].map(async (inTurn) => {
        for (const message of inTurn) await this.handle(message, signal);
      }),
    );
    return messages.length;
  }

  /** Dispatches one message and settles it; a throw is abandoned for redelivery, never lost. */
  private async handle(message: ServiceBusReceivedMessage, signal: AbortSignal): Promise<void> {
    const settlement = sdkSettlement(this.receiver, this.requeue, message, this.guard);
    try {
      await this.dispatcher.dispatch(
        {
          messageId: String(message.messageId ?? ""),
          body: message.body,
          // The JS SDK passes the AMQP header through: 0 on the first delivery
          // (.NET, and so the Functions trigger metadata, add one).
          deliveryCount: (message.deliveryCount ?? 0) + 1,
          applicationProperties: { ...message.applicationProperties },
          subject: message.subject,
          contentType: message.contentType,
        },
        settlement,
        signal,
      );
    } catch (error) {
      // A bug or a storage outage: nothing is lost, the message comes back.
      this.options.logger.error(
        { err: error, messageId: message.messageId },
        "dispatch failed; abandoning the message for redelivery",
      );
      await settlement
        .abandon("dispatch failed")
        .catch((e: unknown) =>
          this.options.logger.error({ err: e }, "abandon failed; the lock will expire instead"),
        );
    }
  }

  /**
   * Closes both links, each waiting at most SERVICEBUS_TIMEOUT_MS. The SDK's
   * receiver.close() on a link that lost its connection unnoticed (a broker
   * restart between two receives) waits for ever, and so would a shutdown.
   * A close given up is logged; the client's own close ends the connection.
   */
  async close(): Promise<void> {
    const links = [
      ["receiver", this.receiver],
      ["sender", this.requeue],
    ] as const;
    for (const [kind, link] of links) {
      try {
        await this.guard(`closing the ${kind} of ${this.options.entity}`, () => link.close());
      } catch (error) {
        if (!this.wedged) throw error;
        this.options.logger.warn({ err: error }, "gave up closing a Service Bus link");
      }
    }
  }
}

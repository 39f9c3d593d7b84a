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
import type { Timekeeper } from "../arm/token-bucket.js";
import { DispatchFlow } from "./flow.js";

/**
 * Ten alerts dispatched side by side (the host runs up to 16,
 * maxConcurrentCalls in host.json): enough that a few receivers hanging leave
 * room for the next page, few enough that the locks of all of them are renewed
 * for a bounded time (below).
 */
export const MAX_IN_FLIGHT = 10;

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
  /**
   * Messages held at once (MAX_IN_FLIGHT by default): taken, locked, and not
   * yet settled. A receive takes only what fits.
   */
  maxInFlight?: number;
  maxWaitTimeInMs?: number;
  /** The longest one dispatch of one message can take: posts, backoffs, Retry-After waits, storage calls. */
  longestDispatchMs: number;
  /** SERVICEBUS_TIMEOUT_MS: a receive beyond its wait, a settlement, a rescheduled copy. */
  timeoutMs: number;
  /**
   * What SERVICEBUS_TIMEOUT_MS runs on: a test's clock, moved by hand. Left
   * out, real time, on timers that keep the process up while a call waits.
   */
  time?: Timekeeper;
}

/** Calls `fn` after `ms` on `time`, else on a real timer that keeps the process up; returns a cancel. */
function after(time: Timekeeper | undefined, ms: number, fn: () => void): () => void {
  if (time) return time.after(ms, fn);
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
}

/** A receive link and the messages taken on it not yet settled. */
interface ReceiveLink {
  receiver: ServiceBusReceiver;
  held: Set<Promise<void>>;
}

export class EventConsumer {
  private readonly requeue: ServiceBusSender;
  private readonly client: ServiceBusClient;
  private readonly receiveOptions: {
    receiveMode: "peekLock";
    maxAutoLockRenewalDurationInMs: number;
  };
  /** The link the next receive goes on; null until one is needed. */
  private current: ReceiveLink | null = null;
  /** Links retired with messages still held on them: each closes once they are settled. */
  private readonly retiring = new Set<Promise<void>>();
  /**
   * A call missed its deadline: the client is not trusted with the next ones
   * (a sender's given up while connecting is known to wedge, deadline.ts), so
   * whoever owns it drops it and connects afresh (reconnecting-consumer.ts).
   */
  wedged = false;

  /** This connection's messages not yet settled: its client is closed only after them. */
  private readonly mine = new Set<Promise<void>>();
  /** The receive in progress (or the last one, over): see settlementFor. */
  private receiving: Promise<unknown> = Promise.resolve();

  constructor(
    client: ServiceBusClient,
    private readonly dispatcher: Dispatcher,
    private readonly options: ConsumerOptions,
    /** Shared by the connections of one `erwatch dispatch`, so the bound and each alert's order span them. */
    private readonly flow = new DispatchFlow(options.maxInFlight ?? MAX_IN_FLIGHT),
  ) {
    this.client = client;
    this.requeue = client.createSender(options.entity);
    // One dispatch can outlast the entity's lock (1 minute in infra/), and a
    // message can wait locked behind earlier events of its alert: a lock that
    // ran out would fail the settlement and redeliver an event being
    // delivered. The SDK renews each lock from its receipt until the message
    // is settled, for at most this long. At most flow.max messages are held,
    // so at most flow.max - 1 are ahead of one in its turns at its receivers, and each
    // ends within the longest dispatch: the last still holds its lock when
    // its own dispatch ends.
    this.receiveOptions = {
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: this.flow.max * options.longestDispatchMs,
    };
  }

  /**
   * The link to receive on: the current one while nothing taken on it is
   * held, else a new one. A receive whose drain the broker does not answer
   * within max(200 ms, what is left of its wait) has the SDK close its link,
   * and the next receive on that receiver opens a new link under the same
   * name: a message still held from the old link is then settled on the dead
   * one (the SDK finds the receiver open again and settles on the message's
   * old delivery), the settlement times out, the lock is lost and the message
   * is delivered a second time. So a receiver that holds messages is not
   * received on again: it is retired, and closed once they are settled (a
   * link the SDK closed meanwhile stays closed, and the SDK settles its
   * messages by lock token through $management). At most flow.max links are
   * retired at once, each holding at least one message.
   */
  private receiveLink(): ReceiveLink {
    const link = this.current;
    if (link && link.held.size === 0) return link;
    if (link) this.retire(link);
    const receiver = this.options.subscription
      ? this.client.createReceiver(
          this.options.entity,
          this.options.subscription,
          this.receiveOptions,
        )
      : this.client.createReceiver(this.options.entity, this.receiveOptions);
    this.current = { receiver, held: new Set() };
    return this.current;
  }

  /** Closes `link` once the messages held on it are settled; not awaited but by close(). */
  private retire(link: ReceiveLink): void {
    const closing = (async () => {
      while (link.held.size > 0) await Promise.all(link.held);
      await this.closeLink("receiver", link.receiver);
    })().catch((error: unknown) =>
      this.options.logger.warn({ err: error }, "gave up closing a Service Bus link"),
    );
    this.retiring.add(closing);
    void closing.then(() => this.retiring.delete(closing));
  }

  private readonly guard: Guard = async (doing, run) => {
    let cancel = () => {};
    const deadline = new Promise<never>((_, reject) => {
      cancel = after(this.options.time, this.options.timeoutMs, () =>
        reject(this.missed(doing, undefined)),
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } finally {
      cancel();
    }
  };

  /** AbortSignal.timeout on the consumer's time: the same reason, and on real time the same unref'd timer. */
  private deadlineIn(ms: number): AbortSignal {
    const { time } = this.options;
    if (!time) return AbortSignal.timeout(ms);
    const controller = new AbortController();
    time.after(ms, () =>
      controller.abort(
        new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      ),
    );
    return controller.signal;
  }

  private missed(doing: string, cause: unknown): Error {
    this.wedged = true;
    return new Error(
      `${doing} failed: Service Bus did not answer within ${this.options.timeoutMs} ms (SERVICEBUS_TIMEOUT_MS)`,
      { cause },
    );
  }

  /**
   * Takes what Service Bus has, as much as fits in the flow (waiting first,
   * while it is full, for a message to be settled), and starts dispatching
   * it; returns how many messages it took. It does not wait for their
   * dispatch: a receiver that hangs, or a Teams channel asking for a minute
   * twice, held every later page for minutes while the whole batch was
   * awaited before the next receive.
   */
  async receive(signal: AbortSignal): Promise<number> {
    const room = await this.flow.room(signal);
    if (room === 0) return 0;
    const maxWaitTimeInMs = this.options.maxWaitTimeInMs ?? 1_000;
    const deadline = this.deadlineIn(maxWaitTimeInMs + this.options.timeoutMs);
    // Ctrl-C cuts a receive short only when nothing is held. A receive cut
    // short leaves its credit on the link (the SDK drains it only when its
    // wait ends), and a message then given back by a dispatch winding down
    // would be handed straight into that credit, locked where nobody takes
    // it until the connection closes or the lock runs out. Left to its wait
    // (at most maxWaitTimeInMs), it drains; what it took is given back
    // (handle), and what is given back meanwhile waits for it (settlementFor).
    const stop = this.flow.size > 0 ? deadline : AbortSignal.any([signal, deadline]);
    const link = this.receiveLink();
    let messages: ServiceBusReceivedMessage[];
    try {
      const receiving = link.receiver.receiveMessages(room, { maxWaitTimeInMs, abortSignal: stop });
      this.receiving = receiving.catch(() => undefined);
      messages = await receiving;
    } catch (error) {
      if (!deadline.aborted || signal.aborted) throw error;
      throw this.missed(`receiving from ${this.options.entity}`, error);
    }
    if (messages.length > 0)
      this.options.logger.debug(
        { messageIds: messages.map((m) => m.messageId), held: this.flow.size },
        "alert events taken from Service Bus",
      );
    // Each begins now: one alert's events keep their order at each receiver
    // (the dispatcher's turns, taken in the order dispatch is called, which
    // is this one: nothing is awaited before it), not as whole events. A
    // turn per alert made its PagerDuty escalation wait out Teams' Retry-After
    // on the open before it, up to DISPATCH_RETRY_MAX_WAIT_MS at 2 a.m.
    for (const message of messages) {
      const settled = this.flow.hold(() => this.handle(link.receiver, message, signal));
      this.mine.add(settled);
      link.held.add(settled);
      void settled.then(() => {
        this.mine.delete(settled);
        link.held.delete(settled);
      });
    }
    return messages.length;
  }

  /** Resolves once every message this connection took is settled. */
  async settled(): Promise<void> {
    while (this.mine.size > 0) await Promise.all(this.mine);
  }

  /**
   * Receives once and returns when what arrived is settled: a batch at a
   * time, for a caller that steps the queue (the test world, the bench).
   */
  async drainOnce(signal: AbortSignal): Promise<number> {
    const taken = await this.receive(signal);
    await this.settled();
    return taken;
  }

  /**
   * The message's settlement, except that after Ctrl-C it is given back only
   * once the receive in progress is over (see receive): given back while
   * that receive waits out its time, it would be handed straight into it.
   */
  private settlementFor(
    receiver: ServiceBusReceiver,
    message: ServiceBusReceivedMessage,
    signal: AbortSignal,
  ): Settlement {
    const settlement = sdkSettlement(receiver, this.requeue, message, this.guard);
    return {
      ...settlement,
      abandon: async (reason) => {
        if (signal.aborted) await this.receiving;
        return settlement.abandon(reason);
      },
    };
  }

  /** Dispatches one message and settles it on the receiver it came from; a throw is abandoned for redelivery, never lost. */
  private async handle(
    receiver: ServiceBusReceiver,
    message: ServiceBusReceivedMessage,
    signal: AbortSignal,
  ): Promise<void> {
    const settlement = this.settlementFor(receiver, message, signal);
    if (signal.aborted) {
      // Taken as Ctrl-C came: not begun.
      this.options.logger.info(
        { messageId: message.messageId },
        "stopping: the alert event goes back to Service Bus undispatched",
      );
      return this.giveBack(settlement, "stopping");
    }
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
          ...(message.enqueuedTimeUtc ? { enqueuedAt: message.enqueuedTimeUtc } : {}),
        },
        settlement,
        signal,
        true,
      );
    } catch (error) {
      // A bug or a storage outage: nothing is lost, the message comes back.
      this.options.logger.error(
        { err: error, messageId: message.messageId },
        "dispatch failed; abandoning the message for redelivery",
      );
      await this.giveBack(settlement, "dispatch failed");
    }
  }

  /** Abandons the message for redelivery; never throws (the flow needs every message settled or given up). */
  private async giveBack(settlement: Settlement, reason: string): Promise<void> {
    await settlement
      .abandon(reason)
      .catch((e: unknown) =>
        this.options.logger.error({ err: e }, "abandon failed; the lock will expire instead"),
      );
  }

  /**
   * Closes the links, each waiting at most SERVICEBUS_TIMEOUT_MS. The SDK's
   * receiver.close() on a link that lost its connection unnoticed (a broker
   * restart between two receives) waits for ever, and so would a shutdown.
   * A close given up is logged; the client's own close ends the connection.
   * Messages still being dispatched are settled first: closed under them,
   * each would come back only when its lock ran out.
   */
  async close(): Promise<void> {
    await this.settled();
    // Each retired link closes once its messages are settled: now, or already.
    while (this.retiring.size > 0) await Promise.all(this.retiring);
    const link = this.current;
    this.current = null;
    if (link) await this.closeLink("receiver", link.receiver, true);
    await this.closeLink("sender", this.requeue, true);
  }

  /** Closes one link within SERVICEBUS_TIMEOUT_MS; a close given up is logged, or thrown when `strict` and the client is trusted. */
  private async closeLink(
    kind: string,
    link: Pick<ServiceBusReceiver, "close">,
    strict = false,
  ): Promise<void> {
    try {
      await this.guard(`closing the ${kind} of ${this.options.entity}`, () => link.close());
    } catch (error) {
      if (strict && !this.wedged) throw error;
      this.options.logger.warn({ err: error }, "gave up closing a Service Bus link");
    }
  }
}

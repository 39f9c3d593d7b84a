// A small in-process AMQP 1.0 broker that the real @azure/service-bus client
// talks to on 127.0.0.1, so tests can publish and dispatch over the real wire
// without Docker or the Service Bus emulator. It implements what the SDK needs
// for send, batch send, peek-lock and receive-and-delete receive, complete,
// abandon, dead-letter, lock expiry and scheduled enqueue (a message sent with
// `scheduledEnqueueTimeUtc`), and sessions as far as a session receiver needs
// them: a receiver attaching with a session filter gets the session it named,
// or the next unlocked one, and only that session's messages (`group_id`).
// Locks run out as Service Bus's do: a message's after the lock duration, a
// session's (which holds its messages' locks too) likewise, when its link is
// detached with session-lock-lost and the session is free for another
// receiver. `$management` answers lock renewal (`com.microsoft:renew-lock`,
// `com.microsoft:renew-session-lock`) as Service Bus does, so the SDK's auto
// lock renewal works; its other operations (schedule by request, peek, session
// state) are answered with 501.

import { EventEmitter } from "node:events";
import type { Server, Socket } from "node:net";
import {
  Entity,
  entityKey,
  parseAddress,
  toBrokerMessage as view,
  type BrokerMessage,
  type StoredMessage,
} from "./model.js";
import {
  acceptAttach,
  acceptedOutcome,
  amqpLong,
  createContainer,
  creditLimit,
  dispositionOf,
  echoEveryDrain,
  incomingMessages,
  lockTokenTag,
  messageIdText,
  newLockToken,
  rejectedOutcome,
  replyLink,
  sendMessage,
  sessionAttach,
  settle,
  sourceAddress,
  targetAddress,
  timestampArray,
  type AmqpMessage,
  type Connection,
  type Delivery,
  type EventContext,
  type Sender,
} from "./wire.js";

export type { BrokerMessage } from "./model.js";

export interface StartBrokerOptions {
  /** 0 or undefined = free port; a fixed port is used to restart "the same" broker. */
  port?: number;
  /** Queues to create up front; sending to an unknown address auto-creates a queue. */
  queues?: string[];
  /** Topic name -> subscription names; receivable at `<topic>/Subscriptions/<sub>`. */
  topics?: Record<string, string[]>;
  duplicateDetectionWindowMs?: number;
  lockDurationMs?: number;
  maxDeliveryCount?: number;
  /** The clock scheduled enqueue times are compared with (tests run on simulated time). */
  clock?: () => number;
  /**
   * A stopped broker whose queues (waiting, scheduled, dead-lettered, and the
   * duplicate-detection history) this one takes over: Service Bus keeps its
   * messages through an outage. Messages locked when it stopped are not carried.
   */
  carryFrom?: AmqpBroker;
}

export interface AmqpBroker {
  readonly port: number;
  readonly connectionString: string;
  /** Messages waiting (not locked, not dead-lettered) on a queue or `<topic>/Subscriptions/<sub>`. */
  active(entity: string): BrokerMessage[];
  deadLettered(entity: string): BrokerMessage[];
  /** Messages of the entity handed out on a lock not yet settled, given up or expired. */
  locked(entity: string): number;
  /** Expires every message lock held on the entity now, as its lock duration running out would. */
  expireLocks(entity: string): number;
  /** Receive links attached to the entity now. */
  receiveLinks(entity: string): number;
  /** Messages accepted with a scheduled enqueue time that has not come yet. */
  scheduled(entity: string): (BrokerMessage & { scheduledFor: Date })[];
  /** Every message accepted for enqueue on the entity (after duplicate detection), in order. */
  accepted(entity: string): BrokerMessage[];
  /** Every message completed on the entity, in order; `deliveryCount` is how often it was handed out. */
  completed(entity: string): BrokerMessage[];
  duplicatesDropped(entity: string): number;
  /** Resolves when `entity` has dropped at least `count` duplicates; rejects after timeoutMs. */
  waitForDuplicates(entity: string, count: number, timeoutMs: number): Promise<void>;
  /** Message and session lock renewals granted on the entity. */
  lockRenewals(entity: string): number;
  /** Resolves when `entity` has at least `count` accepted messages; rejects after timeoutMs. */
  waitForAccepted(entity: string, count: number, timeoutMs: number): Promise<void>;
  /** Resolves when `entity` has granted at least `count` lock renewals; rejects after timeoutMs. */
  waitForLockRenewals(entity: string, count: number, timeoutMs: number): Promise<void>;
  /**
   * On: every connection, open or new, stays open and is answered nothing (a
   * black-holed network, a namespace that hangs); off: answered again, from
   * what was sent meanwhile.
   */
  hang(on: boolean): void;
  /**
   * Resolves once a hung connection holds bytes the broker has not read: the
   * client is waiting on it (an opening, a transfer). Rejects after timeoutMs.
   */
  waitForUnread(timeoutMs: number): Promise<void>;
  /**
   * Answers each drain `ms` late (a slow network); 0 answers at once again.
   * The SDK waits for a drain max(200 ms, what is left of the receive's wait),
   * then closes the link and opens it again on its next receive.
   */
  slowDrains(ms: number): void;
  /** Drains whose link was closed before their late answer was due (the client gave up on them). */
  drainsGivenUp(): number;
  /** Closes the listener and every open connection (clients see the broker go down). */
  stop(): Promise<void>;
}

const CBS_NODE = "$cbs";
// Standard tier's limit; the SDK sizes batches from the attach's max-message-size.
const MAX_MESSAGE_SIZE = 256 * 1024;
const LOCK_LOST = "com.microsoft:message-lock-lost";
const LOCK_LOST_TEXT =
  "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.";
const SESSION_LOCK_LOST = "com.microsoft:session-lock-lost";
const SESSION_LOCK_LOST_TEXT =
  "The session lock has expired on the MessageSession. Accept a new MessageSession.";
const RENEW_LOCK = "com.microsoft:renew-lock";
const RENEW_SESSION_LOCK = "com.microsoft:renew-session-lock";
const MANAGEMENT_SUFFIX = /\/\$management$/i;
const SESSION_FILTER = "com.microsoft:session-filter";
/** .NET ticks at the Unix epoch: Service Bus sends lock times as ticks. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

interface Lock {
  readonly message: StoredMessage;
  /** The delivery tag as hex: what the SDK sends back as the lock token. */
  readonly token: string;
  /** Runs the lock out; null when the message is held by its session's lock instead. */
  timer: NodeJS.Timeout | null;
}

/** A client receiver link attached to a queue, subscription or dead-letter sub-queue. */
interface Consumer {
  readonly sender: Sender;
  readonly entity: Entity;
  readonly peekLock: boolean;
  /** Delivery slots used against the client's credit limit: sends plus credit given up by drains. */
  issued: number;
  readonly locks: Map<Delivery, Lock>;
  /** A session receiver's session: only its messages are delivered to it. */
  readonly session: string | null;
  /** The session's lock, which also holds the locks of the messages delivered on it. */
  sessionLock: { until: number; timer: NodeJS.Timeout } | null;
}

/** What a `$management` request is answered with. */
interface Reply {
  status: number;
  description: string;
  condition?: string;
  body?: unknown;
}

class TestBroker implements AmqpBroker {
  port = 0;
  private readonly container = createContainer();
  private readonly entities = new Map<string, Entity>();
  private readonly consumers = new Map<Sender, Consumer>();
  /** `<entity>|<session>` → the receiver holding the session's lock. */
  private readonly sessionLocks = new Map<string, Consumer>();
  private readonly sockets = new Set<Socket>();
  private readonly events = new EventEmitter();
  private server: Server | undefined;
  private stopped = false;
  private hanging = false;
  private drainDelayMs = 0;
  private givenUpDrains = 0;
  private readonly windowMs: number;
  private readonly lockDurationMs: number;
  private readonly maxDeliveryCount: number;
  private readonly clock: () => number;

  constructor(options: StartBrokerOptions) {
    this.clock = options.clock ?? Date.now;
    this.windowMs = options.duplicateDetectionWindowMs ?? 10 * 60_000;
    this.lockDurationMs = options.lockDurationMs ?? 30_000;
    this.maxDeliveryCount = options.maxDeliveryCount ?? 10;
    this.events.setMaxListeners(0);
    if (options.carryFrom instanceof TestBroker)
      for (const [key, entity] of options.carryFrom.entities) this.entities.set(key, entity);
    for (const queue of options.queues ?? []) this.resolve(queue);
    for (const [topic, subscriptions] of Object.entries(options.topics ?? {})) {
      this.topic(topic);
      for (const name of subscriptions) this.subscription(topic, name);
    }
    this.handleEvents();
  }

  get connectionString(): string {
    return `Endpoint=sb://127.0.0.1:${this.port};SharedAccessKeyName=k;SharedAccessKey=dummy;UseDevelopmentEmulator=true`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // A modified outcome must arrive once, not again as "released".
      const server = this.container.listen({
        port,
        host: "127.0.0.1",
        treat_modified_as_released: false,
      } as Parameters<typeof this.container.listen>[0]);
      this.server = server;
      server.on("connection", (socket: Socket) => {
        this.sockets.add(socket);
        if (this.hanging) socket.pause();
        socket.once("close", () => this.sockets.delete(socket));
      });
      server.once("error", reject);
      server.once("listening", () => {
        server.off("error", reject);
        const address = server.address();
        if (typeof address === "object" && address) this.port = address.port;
        resolve();
      });
    });
  }

  active(entity: string): BrokerMessage[] {
    const found = this.find(entity);
    found?.releaseDue(this.clock());
    return (found?.ready ?? []).map(view);
  }

  scheduled(entity: string): (BrokerMessage & { scheduledFor: Date })[] {
    const found = this.find(entity);
    found?.releaseDue(this.clock());
    return (found?.scheduled ?? []).map((s) => ({
      ...view(s.stored),
      scheduledFor: new Date(s.at),
    }));
  }

  receiveLinks(entity: string): number {
    const found = this.find(entity);
    let n = 0;
    for (const consumer of this.consumers.values()) if (found && consumer.entity === found) n += 1;
    return n;
  }

  locked(entity: string): number {
    const found = this.find(entity);
    let n = 0;
    for (const consumer of this.consumers.values())
      if (found && consumer.entity === found) n += consumer.locks.size;
    return n;
  }

  /**
   * Expires every message lock held on `entity` now, as its lock duration
   * running out would: a test of redelivery does not race a short real lock
   * (the redelivered message's own lock ran out under load before it was settled).
   */
  expireLocks(entity: string): number {
    const found = this.find(entity);
    let n = 0;
    for (const consumer of this.consumers.values()) {
      if (!found || consumer.entity !== found) continue;
      for (const delivery of [...consumer.locks.keys()]) {
        this.expireLock(consumer, delivery);
        n += 1;
      }
    }
    return n;
  }

  deadLettered(entity: string): BrokerMessage[] {
    const found = this.find(entity);
    return ((found?.kind === "deadLetter" ? found : found?.deadLetter)?.ready ?? []).map(view);
  }

  accepted(entity: string): BrokerMessage[] {
    return [...(this.find(entity)?.acceptedLog ?? [])];
  }

  completed(entity: string): BrokerMessage[] {
    return [...(this.find(entity)?.completedLog ?? [])];
  }

  duplicatesDropped(entity: string): number {
    return this.find(entity)?.duplicates ?? 0;
  }

  lockRenewals(entity: string): number {
    return this.find(entity)?.lockRenewals ?? 0;
  }

  waitForAccepted(entity: string, count: number, timeoutMs: number): Promise<void> {
    return this.waitFor(
      "accepted",
      () => this.find(entity)?.acceptedLog.length ?? 0,
      count,
      timeoutMs,
      `accepted message(s) on ${entity}`,
    );
  }

  waitForDuplicates(entity: string, count: number, timeoutMs: number): Promise<void> {
    return this.waitFor(
      "duplicate",
      () => this.duplicatesDropped(entity),
      count,
      timeoutMs,
      `duplicate(s) dropped on ${entity}`,
    );
  }

  waitForLockRenewals(entity: string, count: number, timeoutMs: number): Promise<void> {
    return this.waitFor(
      "renewed",
      () => this.lockRenewals(entity),
      count,
      timeoutMs,
      `lock renewal(s) on ${entity}`,
    );
  }

  private waitFor(
    event: "accepted" | "renewed" | "duplicate",
    have: () => number,
    count: number,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    if (have() >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.events.off(event, check);
        this.events.off("stopped", onStop);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (have() >= count) done();
      };
      const onStop = () => done(new Error(`broker stopped while waiting for ${count} ${what}`));
      const timer = setTimeout(
        () => done(new Error(`waited ${timeoutMs} ms for ${count} ${what}; have ${have()}`)),
        timeoutMs,
      );
      this.events.on(event, check);
      this.events.once("stopped", onStop);
    });
  }

  hang(on: boolean): void {
    this.hanging = on;
    // Not read, so nothing is answered: the client's frames wait in the socket's buffers.
    for (const socket of this.sockets) {
      if (on) socket.pause();
      else socket.resume();
    }
  }

  async waitForUnread(timeoutMs: number): Promise<void> {
    // A paused socket still reads into its buffer, and says so by no event: looked at every 5 ms.
    const unread = () => [...this.sockets].some((socket) => socket.readableLength > 0);
    const until = Date.now() + timeoutMs;
    while (!unread()) {
      if (this.stopped) throw new Error("broker stopped while waiting for unread bytes");
      if (Date.now() > until)
        throw new Error(`waited ${timeoutMs} ms for a hung connection to hold unread bytes`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.events.emit("stopped");
    for (const consumer of this.consumers.values()) {
      for (const lock of consumer.locks.values()) clearTimeout(lock.timer ?? undefined);
      clearTimeout(consumer.sessionLock?.timer);
    }
    this.consumers.clear();
    this.sessionLocks.clear();
    // Destroying the sockets (rather than closing AMQP gracefully) is what a crash looks like.
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handleEvents(): void {
    const on = (event: string, handler: (context: EventContext) => void) =>
      this.container.on(event, (context: EventContext) => {
        if (!this.stopped) handler(context);
      });
    on("receiver_open", ({ receiver }) => receiver && acceptAttach(receiver, MAX_MESSAGE_SIZE));
    on("sender_open", ({ sender }) => sender && this.onConsumerAttach(sender));
    on("message", (context) => this.onMessage(context));
    on("sender_flow", ({ sender }) => sender && this.pumpFor(sender));
    on("sender_draining", ({ sender }) => sender && this.onDrain(sender));
    for (const outcome of ["accepted", "rejected", "modified", "released"]) {
      on(outcome, (context) => this.onDisposition(context));
    }
    on("sender_close", ({ sender }) => sender && this.dropConsumer(sender));
    on("connection_close", ({ connection }) => this.dropConnection(connection));
    on("disconnected", ({ connection }) => this.dropConnection(connection));
    // rhea re-emits unhandled link errors on the container; without a listener they would throw.
    this.container.on("error", () => undefined);
  }

  private onConsumerAttach(sender: Sender): void {
    acceptAttach(sender, MAX_MESSAGE_SIZE);
    echoEveryDrain(sender);
    const address = sourceAddress(sender) ?? "";
    if (address === CBS_NODE || address.endsWith("$management")) return;
    const entity = this.resolve(address);
    if (entity.kind === "topic") {
      sender.close({
        condition: "amqp:not-allowed",
        description: `${address} is a topic; receive from <topic>/Subscriptions/<name>`,
      });
      return;
    }
    const filter = sender.source?.filter as Record<string, unknown> | undefined;
    let session: string | null = null;
    if (filter && SESSION_FILTER in filter) {
      const wanted = filter[SESSION_FILTER];
      session = typeof wanted === "string" ? wanted : this.nextSession(entity);
      if (session === null || this.sessionLocks.has(this.sessionKey(entity, session))) {
        sender.close({
          condition: "com.microsoft:timeout",
          description: "no unlocked session with messages is available",
        });
        return;
      }
    }
    const consumer: Consumer = {
      sender,
      entity,
      peekLock: sender.snd_settle_mode !== 1,
      issued: 0,
      locks: new Map(),
      session,
      sessionLock: null,
    };
    if (session !== null) {
      const until = Date.now() + this.lockDurationMs;
      consumer.sessionLock = { until, timer: this.sessionLockTimer(consumer, until) };
      sessionAttach(sender, SESSION_FILTER, session, ticks(until));
      this.sessionLocks.set(this.sessionKey(entity, session), consumer);
    }
    this.consumers.set(sender, consumer);
    this.pump(entity);
  }

  private sessionLockTimer(consumer: Consumer, until: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.loseSession(consumer), until - Date.now());
    timer.unref();
    return timer;
  }

  /**
   * The session lock ran out: the session is free for another receiver, the
   * messages delivered on it come back, and the link is detached with
   * session-lock-lost, as Service Bus does.
   */
  private loseSession(consumer: Consumer): void {
    if (this.stopped || this.consumers.get(consumer.sender) !== consumer) return;
    this.dropConsumer(consumer.sender);
    consumer.sender.close({ condition: SESSION_LOCK_LOST, description: SESSION_LOCK_LOST_TEXT });
  }

  private sessionKey(entity: Entity, session: string): string {
    return `${entity.path}|${session}`.toLowerCase();
  }

  /** The session of the first waiting message that no receiver holds. */
  private nextSession(entity: Entity): string | null {
    entity.releaseDue(this.clock());
    for (const m of entity.ready) {
      const group = m.amqp.group_id;
      if (typeof group === "string" && !this.sessionLocks.has(this.sessionKey(entity, group)))
        return group;
    }
    return null;
  }

  private onMessage(context: EventContext): void {
    const { receiver } = context;
    if (!receiver) return;
    const address = targetAddress(receiver) ?? "";
    for (const message of incomingMessages(context)) {
      if (address === CBS_NODE) {
        // Any token is good enough for a test broker.
        this.reply(context.connection, address, message, { status: 202, description: "OK" });
      } else if (MANAGEMENT_SUFFIX.test(address)) {
        this.reply(context.connection, address, message, this.manage(address, message, context));
      } else {
        this.publish(address, message);
      }
    }
  }

  /** Answers a `$management` request on `<entity>/$management`. */
  private manage(address: string, request: AmqpMessage, context: EventContext): Reply {
    const operation = request.application_properties?.operation;
    const entity = this.find(address.replace(MANAGEMENT_SUFFIX, ""));
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (operation === RENEW_LOCK && entity) return this.renewLocks(entity, body["lock-tokens"]);
    if (operation === RENEW_SESSION_LOCK && entity) {
      const linkName = request.application_properties?.["associated-link-name"];
      return this.renewSessionLock(entity, body["session-id"], context.connection, linkName);
    }
    return {
      status: 501,
      description: `${String(operation)} is not supported by the test broker`,
    };
  }

  /** Every token must name a message still locked on the entity; each is locked for another lock duration. */
  private renewLocks(entity: Entity, tokens: unknown): Reply {
    const wanted = Array.isArray(tokens) ? tokens : [];
    const held = wanted.map((token) =>
      Buffer.isBuffer(token) ? this.findLock(entity, lockTokenTag(token)) : undefined,
    );
    if (wanted.length === 0 || held.some((found) => found === undefined)) {
      return { status: 410, condition: LOCK_LOST, description: LOCK_LOST_TEXT };
    }
    if (held.some((found) => !found?.lock.timer)) {
      return {
        status: 400,
        condition: "amqp:not-allowed",
        description:
          "a message received on a session is locked by its session; renew the session lock",
      };
    }
    const until = Date.now() + this.lockDurationMs;
    const expirations: Date[] = [];
    for (const found of held) {
      if (!found) continue;
      const { consumer, delivery, lock } = found;
      clearTimeout(lock.timer ?? undefined);
      lock.timer = this.lockTimer(consumer, delivery);
      expirations.push(new Date(until));
      entity.lockRenewals += 1;
    }
    this.events.emit("renewed");
    return {
      status: 200,
      description: "OK",
      body: { expirations: timestampArray(expirations) },
    };
  }

  /** Only the receiver holding the session (on the asking connection) can renew its lock. */
  private renewSessionLock(
    entity: Entity,
    session: unknown,
    connection: Connection,
    linkName: unknown,
  ): Reply {
    const holder =
      typeof session === "string"
        ? this.sessionLocks.get(this.sessionKey(entity, session))
        : undefined;
    const lock = holder?.sessionLock;
    if (
      !holder ||
      !lock ||
      holder.sender.connection !== connection ||
      (typeof linkName === "string" && holder.sender.name !== linkName)
    ) {
      return { status: 410, condition: SESSION_LOCK_LOST, description: SESSION_LOCK_LOST_TEXT };
    }
    clearTimeout(lock.timer);
    const until = Date.now() + this.lockDurationMs;
    holder.sessionLock = { until, timer: this.sessionLockTimer(holder, until) };
    entity.lockRenewals += 1;
    this.events.emit("renewed");
    return { status: 200, description: "OK", body: { expiration: new Date(until) } };
  }

  private findLock(
    entity: Entity,
    token: string,
  ): { consumer: Consumer; delivery: Delivery; lock: Lock } | undefined {
    for (const consumer of this.consumers.values()) {
      if (consumer.entity !== entity) continue;
      for (const [delivery, lock] of consumer.locks) {
        if (lock.token === token) return { consumer, delivery, lock };
      }
    }
    return undefined;
  }

  private reply(connection: Connection, node: string, request: AmqpMessage, reply: Reply): void {
    const link = replyLink(connection, node, request.reply_to);
    if (!link) return;
    const properties: Record<string, unknown> = {
      "status-code": reply.status,
      "status-description": reply.description,
      statusCode: reply.status,
      statusDescription: reply.description,
    };
    if (reply.condition !== undefined) properties["error-condition"] = reply.condition;
    sendMessage(link, {
      correlation_id: request.message_id,
      to: request.reply_to,
      application_properties: properties,
      body: reply.body ?? null,
    });
  }

  private publish(address: string, message: AmqpMessage): void {
    const target = this.resolve(address);
    if (!target.admit(messageIdText(message.message_id), Date.now(), this.windowMs)) {
      this.events.emit("duplicate");
      return;
    }
    const now = new Date(this.clock());
    target.accept(message, now);
    for (const subscription of target.subscriptions.values()) {
      subscription.accept({ ...message }, now);
      this.pump(subscription);
    }
    this.pump(target);
    this.events.emit("accepted");
  }

  private pumpFor(sender: Sender): void {
    const consumer = this.consumers.get(sender);
    if (consumer) this.pump(consumer.entity);
  }

  private pump(entity: Entity): void {
    entity.releaseDue(this.clock());
    for (const consumer of this.consumers.values()) {
      if (consumer.entity !== entity) continue;
      const mine = (m: StoredMessage) =>
        consumer.session === null || m.amqp.group_id === consumer.session;
      while (consumer.sender.is_open() && consumer.issued < creditLimit(consumer.sender)) {
        const next = entity.takeFirst(mine);
        if (!next) break;
        this.deliver(consumer, next);
      }
    }
  }

  slowDrains(ms: number): void {
    this.drainDelayMs = ms;
  }

  private onDrain(sender: Sender): void {
    if (this.drainDelayMs > 0) {
      const timer = setTimeout(() => this.drained(sender), this.drainDelayMs);
      timer.unref();
      return;
    }
    this.drained(sender);
  }

  drainsGivenUp(): number {
    return this.givenUpDrains;
  }

  private drained(sender: Sender): void {
    if (this.stopped) return;
    if (!sender.is_open()) {
      this.givenUpDrains += 1;
      return;
    }
    this.pumpFor(sender);
    const consumer = this.consumers.get(sender);
    // Whatever credit is left after delivering is given up: the drain response uses it all.
    if (consumer) consumer.issued = creditLimit(sender);
    sender.set_drained(true);
  }

  private deliver(consumer: Consumer, stored: StoredMessage): void {
    const previousDeliveries = stored.deliveries;
    stored.deliveries += 1;
    const annotations: Record<string, unknown> = {
      ...stored.amqp.message_annotations,
      "x-opt-sequence-number": amqpLong(stored.sequenceNumber),
      "x-opt-enqueued-time": stored.enqueuedAt,
    };
    // A session's messages are locked as long as the session is.
    const until = consumer.sessionLock?.until ?? Date.now() + this.lockDurationMs;
    if (consumer.peekLock) annotations["x-opt-locked-until"] = new Date(until);
    const token = newLockToken();
    const delivery = sendMessage(
      consumer.sender,
      {
        ...stored.amqp,
        delivery_count: previousDeliveries,
        first_acquirer: previousDeliveries === 0,
        message_annotations: annotations,
      },
      token,
    );
    consumer.issued += 1;
    // Receive-and-delete deliveries go out pre-settled: the message is gone.
    if (!consumer.peekLock) return;
    consumer.locks.set(delivery, {
      message: stored,
      token: token.toString("hex"),
      timer: consumer.sessionLock ? null : this.lockTimer(consumer, delivery),
    });
  }

  private lockTimer(consumer: Consumer, delivery: Delivery): NodeJS.Timeout {
    const timer = setTimeout(() => this.expireLock(consumer, delivery), this.lockDurationMs);
    timer.unref();
    return timer;
  }

  private takeLock(consumer: Consumer | undefined, delivery: Delivery): Lock | undefined {
    const lock = consumer?.locks.get(delivery);
    if (!consumer || !lock) return undefined;
    clearTimeout(lock.timer ?? undefined);
    consumer.locks.delete(delivery);
    return lock;
  }

  private expireLock(consumer: Consumer, delivery: Delivery): void {
    const lock = this.takeLock(consumer, delivery);
    if (lock && !this.stopped) this.giveBack(consumer.entity, lock.message);
  }

  private onDisposition({ sender, delivery }: EventContext): void {
    if (!sender || !delivery || delivery.settled) return;
    const consumer = this.consumers.get(sender);
    const lock = this.takeLock(consumer, delivery);
    if (!consumer || !lock) {
      settle(delivery, rejectedOutcome(LOCK_LOST, LOCK_LOST_TEXT));
      return;
    }
    const { entity } = consumer;
    const disposition = dispositionOf(delivery);
    switch (disposition.kind) {
      case "complete":
        entity.completedLog.push(view(lock.message));
        settle(delivery, acceptedOutcome());
        return;
      case "abandon":
        setProperties(lock.message, disposition.propertiesToModify);
        this.giveBack(entity, lock.message);
        settle(delivery, undefined);
        return;
      case "deadLetter":
        if (!entity.deadLetter) break;
        this.deadLetter(entity, lock.message, disposition.properties);
        // Echoing the rejected outcome would carry its error, which the SDK reads as a failure.
        settle(delivery, undefined);
        return;
      case "defer":
      case "reject":
        break;
    }
    entity.restore(lock.message);
    this.pump(entity);
    settle(
      delivery,
      rejectedOutcome("amqp:not-implemented", `${disposition.kind} is not supported here`),
    );
  }

  /** A message comes back from a receiver (abandon, lock expiry, link gone): redeliver or dead-letter. */
  private giveBack(entity: Entity, stored: StoredMessage): void {
    if (entity.deadLetter && stored.deliveries >= this.maxDeliveryCount) {
      this.deadLetter(entity, stored, {
        DeadLetterReason: "MaxDeliveryCountExceeded",
        DeadLetterErrorDescription: `Message could not be consumed after ${this.maxDeliveryCount} delivery attempts.`,
      });
      return;
    }
    entity.restore(stored);
    this.pump(entity);
  }

  private deadLetter(entity: Entity, stored: StoredMessage, properties: Record<string, unknown>) {
    const queue = entity.deadLetter;
    if (!queue) return;
    setProperties(stored, properties);
    stored.amqp = {
      ...stored.amqp,
      message_annotations: {
        ...stored.amqp.message_annotations,
        "x-opt-deadletter-source": entity.path,
      },
    };
    queue.restore(stored);
    this.pump(queue);
  }

  private dropConsumer(sender: Sender): void {
    const consumer = this.consumers.get(sender);
    if (!consumer) return;
    this.consumers.delete(sender);
    clearTimeout(consumer.sessionLock?.timer);
    consumer.sessionLock = null;
    if (consumer.session !== null) {
      const key = this.sessionKey(consumer.entity, consumer.session);
      if (this.sessionLocks.get(key) === consumer) this.sessionLocks.delete(key);
    }
    // The locks cannot be settled on another link (no $management here), so rather
    // than wait out the lock duration the messages come back as if abandoned.
    for (const delivery of [...consumer.locks.keys()]) this.expireLock(consumer, delivery);
  }

  private dropConnection(connection: Connection): void {
    for (const sender of [...this.consumers.keys()]) {
      if (sender.connection === connection) this.dropConsumer(sender);
    }
  }

  private find(address: string): Entity | undefined {
    const parsed = parseAddress(address);
    const base = this.entities.get(entityKey(parsed.base));
    if (!parsed.deadLetter) return base;
    return base?.deadLetter;
  }

  /** The entity at an address, creating a queue (or subscription) when it is unknown. */
  private resolve(address: string): Entity {
    const parsed = parseAddress(address);
    const base =
      this.entities.get(entityKey(parsed.base)) ??
      (parsed.subscription
        ? this.subscription(parsed.subscription.topic, parsed.subscription.name)
        : this.create(parsed.base, "queue"));
    return parsed.deadLetter ? (base.deadLetter ?? base) : base;
  }

  private topic(name: string): Entity {
    return this.entities.get(entityKey(name)) ?? this.create(name, "topic");
  }

  private subscription(topicName: string, name: string): Entity {
    const topic = this.topic(topicName);
    const path = `${topic.path}/Subscriptions/${name}`;
    const existing = this.entities.get(entityKey(path));
    if (existing) return existing;
    const subscription = this.create(path, "subscription");
    topic.subscriptions.set(entityKey(name), subscription);
    return subscription;
  }

  private create(path: string, kind: "queue" | "topic" | "subscription"): Entity {
    const entity = new Entity(path, kind);
    this.entities.set(entityKey(path), entity);
    return entity;
  }
}

/** A time as Service Bus sends lock times on a link attach: .NET ticks, as a long's 8 bytes. */
function ticks(at: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(EPOCH_TICKS + BigInt(at) * 10_000n);
  return bytes;
}

function setProperties(stored: StoredMessage, properties: Record<string, unknown>): void {
  const defined = Object.entries(properties).filter(([, value]) => value !== undefined);
  if (defined.length === 0) return;
  stored.amqp = {
    ...stored.amqp,
    application_properties: {
      ...stored.amqp.application_properties,
      ...Object.fromEntries(defined),
    },
  };
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<AmqpBroker> {
  const broker = new TestBroker(options);
  await broker.listen(options.port ?? 0);
  return broker;
}

// Entities (queues, topics, subscriptions, dead-letter sub-queues) and the
// messages they hold. No I/O here: the broker drives these from AMQP events.

import { decodeBody, messageIdText, type AmqpMessage } from "./wire.js";

export interface BrokerMessage {
  messageId: string | undefined;
  subject: string | undefined;
  body: unknown;
  applicationProperties: Record<string, unknown>;
  contentType: string | undefined;
  deliveryCount: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export type EntityKind = "queue" | "topic" | "subscription" | "deadLetter";

export interface StoredMessage {
  readonly sequenceNumber: number;
  readonly enqueuedAt: Date;
  amqp: AmqpMessage;
  /** How many times the message has been handed to a receiver. */
  deliveries: number;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function toBrokerMessage(stored: StoredMessage): BrokerMessage {
  const props = { ...stored.amqp.application_properties };
  const view: BrokerMessage = {
    messageId: messageIdText(stored.amqp.message_id),
    subject: text(stored.amqp.subject),
    body: decodeBody(stored.amqp.body),
    applicationProperties: props,
    contentType: text(stored.amqp.content_type),
    deliveryCount: stored.deliveries,
  };
  const reason = text(props.DeadLetterReason);
  const description = text(props.DeadLetterErrorDescription);
  if (reason !== undefined) view.deadLetterReason = reason;
  if (description !== undefined) view.deadLetterErrorDescription = description;
  return view;
}

/** `x-opt-scheduled-enqueue-time`, as the SDK sends `scheduledEnqueueTimeUtc`; null when not scheduled. */
function scheduledFor(amqp: AmqpMessage): number | null {
  const value = (amqp.message_annotations as Record<string, unknown> | undefined)?.[
    "x-opt-scheduled-enqueue-time"
  ];
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  return null;
}

export class Entity {
  /** Available messages in sequence order (not locked, not dead-lettered). */
  readonly ready: StoredMessage[] = [];
  /** Accepted with a scheduled enqueue time still in the future: not receivable yet. */
  readonly scheduled: { at: number; stored: StoredMessage }[] = [];
  readonly acceptedLog: BrokerMessage[] = [];
  /** Messages completed, as they were when completed (their delivery count included). */
  readonly completedLog: BrokerMessage[] = [];
  readonly deadLetter: Entity | undefined;
  /** Topics only: subscription name (lower case) -> subscription entity. */
  readonly subscriptions = new Map<string, Entity>();
  duplicates = 0;
  /** Message and session lock renewals granted. */
  lockRenewals = 0;
  private nextSequence = 1;
  private readonly seenIds = new Map<string, number>();

  constructor(
    readonly path: string,
    readonly kind: EntityKind,
  ) {
    this.deadLetter =
      kind === "queue" || kind === "subscription"
        ? new Entity(`${path}/$DeadLetterQueue`, "deadLetter")
        : undefined;
  }

  /** Duplicate detection by message id: false (and counted) when the id was seen within the window. */
  admit(messageId: string | undefined, now: number, windowMs: number): boolean {
    if (messageId === undefined) return true;
    const seen = this.seenIds.get(messageId);
    if (seen !== undefined && now - seen < windowMs) {
      this.duplicates += 1;
      return false;
    }
    this.seenIds.set(messageId, now);
    return true;
  }

  /**
   * Records a message as accepted; queues and subscriptions also make it
   * available, at once or at its scheduled enqueue time.
   */
  accept(amqp: AmqpMessage, now: Date): void {
    const stored: StoredMessage = {
      sequenceNumber: this.nextSequence++,
      enqueuedAt: now,
      amqp,
      deliveries: 0,
    };
    this.acceptedLog.push(toBrokerMessage(stored));
    if (this.kind === "topic") return;
    const at = scheduledFor(amqp);
    if (at !== null && at > now.getTime()) this.scheduled.push({ at, stored });
    else this.ready.push(stored);
  }

  /** Makes scheduled messages whose time has come available, in sequence order. */
  releaseDue(now: number): void {
    for (let i = this.scheduled.length - 1; i >= 0; i -= 1) {
      const entry = this.scheduled[i]!;
      if (entry.at > now) continue;
      this.scheduled.splice(i, 1);
      this.restore(entry.stored);
    }
  }

  /** Puts a message back (abandon, lock expiry) or moves one in (dead-lettering), keeping sequence order. */
  restore(stored: StoredMessage): void {
    const at = this.ready.findIndex((m) => m.sequenceNumber > stored.sequenceNumber);
    if (at === -1) this.ready.push(stored);
    else this.ready.splice(at, 0, stored);
  }

  takeNext(): StoredMessage | undefined {
    return this.ready.shift();
  }

  /** The first waiting message that `fits` (a session receiver takes only its session's). */
  takeFirst(fits: (m: StoredMessage) => boolean): StoredMessage | undefined {
    const i = this.ready.findIndex(fits);
    return i === -1 ? undefined : this.ready.splice(i, 1)[0];
  }
}

export interface ParsedAddress {
  /** The entity path without the dead-letter suffix, e.g. `alerts` or `events/Subscriptions/pager`. */
  base: string;
  deadLetter: boolean;
  subscription: { topic: string; name: string } | undefined;
}

/** Accepts the forms the SDK uses: `q`, `q/$DeadLetterQueue`, `t/Subscriptions/s[/$DeadLetterQueue]`, optionally behind `sb://host/`. */
export function parseAddress(raw: string): ParsedAddress {
  let path = raw.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").replace(/^\/+|\/+$/g, "");
  const deadLetter = /\/\$deadletterqueue$/i.test(path);
  if (deadLetter) path = path.replace(/\/\$deadletterqueue$/i, "");
  const match = /^(.+)\/subscriptions\/([^/]+)$/i.exec(path);
  const subscription = match?.[1] && match[2] ? { topic: match[1], name: match[2] } : undefined;
  return { base: path, deadLetter, subscription };
}

export function entityKey(path: string): string {
  return path.toLowerCase();
}

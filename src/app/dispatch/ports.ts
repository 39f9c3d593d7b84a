// What the dispatcher needs around a message: a way to settle it, and a
// record of which receivers have which event (so a redelivery skips them, two
// concurrent deliveries post once, and a stale event is never delivered:
// neither one older than an event the receiver heard, nor one older than an
// event whose post to it was started, heard or not).

export interface InboundMessage {
  messageId: string;
  body: unknown;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** The message's application properties, carried over to a rescheduled copy. */
  applicationProperties?: Record<string, unknown>;
  /**
   * The message's subject (the action, which topic subscriptions may filter
   * on) and content type, carried over to a rescheduled copy too: a copy
   * without them would never reach a subscription filtered on them.
   */
  subject?: string;
  contentType?: string;
  /**
   * When Service Bus took the message (the outbox's send, or a copy's
   * scheduled time): the published message's redeliveries count their retry
   * horizon from it, not from the event, which may have waited out a broker
   * outage in the outbox. Absent when the host does not say.
   */
  enqueuedAt?: Date;
}

/** A copy of the message to enqueue later, when a receiver asked to be left alone for a while. */
export interface Rescheduled {
  /** A new id: the broker's duplicate detection would drop a copy with the original's. */
  messageId: string;
  body: unknown;
  applicationProperties: Record<string, unknown>;
  subject?: string;
  contentType?: string;
  at: Date;
}

export interface Settlement {
  /** Done: every routed receiver has the event. */
  complete(): Promise<void>;
  /** Give the message back to Service Bus for a later delivery. */
  abandon(reason: string): Promise<void>;
  /** Park it with a reason a person can read; never retried. */
  deadLetter(reason: string, description: string): Promise<void>;
  /** Enqueue `copy` at its time, then settle this message as done (it is replaced by the copy). */
  reschedule(copy: Rescheduled, reason: string): Promise<void>;
}

export type ClaimResult =
  /** This delivery holds the (event, receiver) row and may post. */
  | { kind: "claimed" }
  /** The receiver already has the event. */
  | { kind: "delivered" }
  /** Another delivery of the same event is posting to this receiver right now. */
  | { kind: "busy"; until: Date };

export type LeaseResult =
  /**
   * This delivery holds the alert's lease for the receiver and may post.
   * `attempted`: the highest sequence of the alert whose post to the receiver
   * was started before this lease was taken (0: none).
   */
  | {
      kind: "claimed";
      attempted: number;
      /**
       * Until when the receiver asked to be left alone by the last post of the
       * alert it refused (a 429's pause, a Retry-After), as released with the
       * lease; absent when none was recorded.
       */
      pausedUntil?: Date;
    }
  /** Another delivery is posting an event of the alert to this receiver right now. */
  | { kind: "busy"; until: Date };

export interface DeliveryDetail {
  status: number;
  at: string;
  attempts: number;
  /** Why nothing was posted although the row says delivered (a stale event). */
  skipped?: string;
}

export interface DeliveryLog {
  /**
   * Takes the (event, receiver) row for `claimant` until `until`, unless the
   * receiver already has the event or a live claim of another delivery holds it.
   */
  claim(
    key: string,
    eventId: string,
    receiver: string,
    claimant: string,
    until: Date,
  ): Promise<ClaimResult>;
  /**
   * The receiver has the event. Also raises the highest sequence of the alert
   * key the receiver has heard, in the same write.
   */
  delivered(
    key: string,
    eventId: string,
    receiver: string,
    sequence: number,
    detail: DeliveryDetail,
  ): Promise<void>;
  /** Gives a claim up after a failed post, so the next delivery may try at once. */
  release(key: string, eventId: string, receiver: string, claimant: string): Promise<void>;
  /** The highest sequence of this alert key the receiver has heard (0: none). */
  lastSequence(key: string, receiver: string): Promise<number>;
  /**
   * Takes the alert key's posting lease for the receiver for `claimant` until
   * `until` (one event of an alert in flight to a receiver at a time), unless
   * a live lease of another delivery holds it, and records in the same write
   * that event `sequence` is about to be posted: the lease keeps the highest
   * sequence ever attempted, across releases and leases of other events.
   * Nothing may be posted when this throws: the attempt may not be recorded.
   */
  lease(
    key: string,
    receiver: string,
    claimant: string,
    until: Date,
    sequence: number,
  ): Promise<LeaseResult>;
  /**
   * Gives the lease up after the post; the highest attempted sequence stays,
   * and so does the latest pause the receiver asked for, `pausedUntil` when
   * it refused this post.
   */
  unlease(key: string, receiver: string, claimant: string, pausedUntil?: Date): Promise<void>;
  /** The highest sequence of this alert key whose post to the receiver was started (0: none). */
  attempted(key: string, receiver: string): Promise<number>;
}

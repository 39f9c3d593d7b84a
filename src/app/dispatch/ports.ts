// What the dispatcher needs around a message: a way to settle it, and a
// record of which receivers already have it (so a redelivery skips them).

export interface InboundMessage {
  messageId: string;
  body: unknown;
  /** 1 on the first delivery. */
  deliveryCount: number;
}

export interface Settlement {
  /** Done: every routed receiver has the event. */
  complete(): Promise<void>;
  /** Give the message back to Service Bus for a later delivery. */
  abandon(reason: string): Promise<void>;
  /** Park it with a reason a person can read; never retried. */
  deadLetter(reason: string, description: string): Promise<void>;
}

export interface DeliveryLog {
  delivered(messageId: string): Promise<Set<string>>;
  record(
    messageId: string,
    receiver: string,
    detail: { status: number; at: string; attempts: number },
  ): Promise<void>;
}

// The dispatcher owns this interface; each receiver folder under
// src/adapters/receivers/ implements it. A receiver only posts and reports the
// outcome: whether and when to retry is decided once, in the dispatcher.

import type { AlertEvent } from "../../core/alert-event.js";

export type ReceiverKind = "teams" | "pagerduty" | "webhook";

export type SendOutcome =
  /** `note`: how it was delivered, when not as asked (logged with the delivery). */
  | { ok: true; status: number; note?: string }
  | {
      ok: false;
      /** 408, 429, 5xx and network failures are retryable; every other 4xx is permanent. */
      retryable: boolean;
      /** HTTP status, or null when no response arrived (network error, timeout). */
      status: number | null;
      /** From the Retry-After header, when the receiver sent one. */
      retryAfterMs: number | null;
      /** Human-readable and free of secrets: it ends up in logs and dead-letter reasons. */
      reason: string;
    };

export interface Receiver {
  /** Unique name from configuration, e.g. "oncall-pagerduty". */
  readonly name: string;
  readonly kind: ReceiverKind;
  send(event: AlertEvent, options: { abortSignal: AbortSignal }): Promise<SendOutcome>;
}

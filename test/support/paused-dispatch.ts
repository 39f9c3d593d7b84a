// A dispatcher on a clock the test moves, for receivers that refuse a post
// and ask for a pause (dispatcher-alert-pause, dispatcher-late-page-pause):
// every wait inside a delivery passes on the clock, and no spread, so a bare
// 429's pause is exactly a minute.

import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { InboundMessage, Rescheduled } from "../../src/app/dispatch/ports.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { event, RETRY } from "./dispatch-event.js";
import { MemoryDeliveries } from "./memory-deliveries.js";
import { memoryLogger } from "./test-logger.js";

export const T0 = Date.parse("2026-11-22T02:30:00Z");

export const OPEN = event({
  occurredAt: "2026-11-22T02:30:00.000Z",
  firstSeen: "2026-11-22T02:30:00.000Z",
});

export const RESOLVE = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "resolve",
  previousSeverity: "Sev0",
  change: "Resolved after 1 min",
  resolution: "both paths up",
  occurredAt: "2026-11-22T02:30:20.000Z",
  firstSeen: "2026-11-22T02:30:00.000Z",
});

/** The escalation to Sev0 after the open, at `occurredAt`. */
export const escalation = (occurredAt: string): AlertEvent =>
  event({
    id: "erw-abc-2",
    sequence: 2,
    action: "escalate",
    previousSeverity: "Sev1",
    title: "Both paths down",
    occurredAt,
    firstSeen: "2026-11-22T02:30:00.000Z",
  });

export const THROTTLED: Extract<SendOutcome, { ok: false }> = {
  ok: false,
  retryable: true,
  status: 429,
  retryAfterMs: null,
  reason: "429 Too Many Requests",
};

/** A delivery waits at most 10 s: a refused minute reschedules the event. */
export const POLICY = { ...RETRY, maxWaitMs: 10_000 };

/** The dispatcher over `receivers`, its clock (`now.t`, from T0) and its log lines. */
export function pausedDispatch(
  receivers: (now: { t: number }) => Map<string, Receiver>,
  routing: Routing,
) {
  const now = { t: T0 };
  const { logger, lines } = memoryLogger();
  const dispatcher = createDispatcher({
    receivers: receivers(now),
    routing,
    deliveries: new MemoryDeliveries(() => new Date(now.t)),
    retry: POLICY,
    logger,
    now: () => new Date(now.t),
    sleep: async (ms) => void (now.t += ms),
    random: () => 0,
  });
  return { now, dispatcher, lines };
}

export const msg = (e: AlertEvent): InboundMessage => ({
  messageId: e.id,
  body: e,
  deliveryCount: 1,
});

/** A rescheduled copy as Service Bus hands it back. */
export const copyOf = (c: Rescheduled): InboundMessage => ({
  messageId: c.messageId,
  body: c.body,
  deliveryCount: 1,
  applicationProperties: c.applicationProperties,
  subject: c.subject,
  contentType: c.contentType,
});

export const signal = () => AbortSignal.timeout(10_000);

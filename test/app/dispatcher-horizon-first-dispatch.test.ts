// The retry horizon counts from when the dispatcher first had the event (or
// the event, if later). Counted from the event's occurredAt alone (found by a
// review), an event that waited in the outbox (a broker outage longer than
// DISPATCH_RETRY_HORIZON_MINUTES; on recovery the whole backlog leaves at once
// and PagerDuty throttles the storm) was parked on its first delivery when
// PagerDuty answered 429, even with `Retry-After: 1`, while a plain 503 still
// got the burst of DISPATCH_MAX_DELIVERIES redeliveries, and was parked at its
// end: the burst's redeliveries now count from when Service Bus took the
// message (its enqueued time), which a rescheduled copy then carries.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { Routing } from "../../src/core/routing.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] }],
};
// Decided 61 minutes ago; the broker was down until now.
const OPEN = event({ occurredAt: "2026-11-22T02:00:00.000Z" });
const NOW = new Date(Date.parse(OPEN.occurredAt) + RETRY.horizonMs + 60_000);

function dispatchWith(
  answer: SendOutcome,
  message: {
    applicationProperties?: Record<string, unknown>;
    at?: Date;
    deliveryCount?: number;
    enqueuedAt?: Date;
  } = {},
  settlement = recordingSettlement(),
) {
  const pd: Receiver = { name: "pd", kind: "pagerduty", send: async () => answer };
  const now = message.at ?? NOW;
  return createDispatcher({
    receivers: new Map([["pd", pd]]),
    routing: ROUTING,
    deliveries: new MemoryDeliveries(() => now),
    retry: RETRY,
    logger: memoryLogger().logger,
    now: () => now,
    sleep: async () => undefined,
    random: () => 0,
  }).dispatch(
    {
      messageId: OPEN.id,
      body: OPEN,
      deliveryCount: message.deliveryCount ?? 1,
      ...(message.enqueuedAt ? { enqueuedAt: message.enqueuedAt } : {}),
      ...(message.applicationProperties
        ? { applicationProperties: message.applicationProperties }
        : {}),
    },
    settlement.s,
    AbortSignal.timeout(10_000),
  );
}

const throttled: SendOutcome = {
  ok: false,
  retryable: true,
  status: 429,
  retryAfterMs: 1_000,
  reason: "429",
};

describe("the horizon still ends", () => {
  it("a copy carries when the dispatcher first had the event", async () => {
    const settlement = recordingSettlement();
    await dispatchWith(throttled, {}, settlement);
    expect(settlement.copies[0]?.applicationProperties).toMatchObject({
      erwatchFirstDispatchedAt: NOW.toISOString(),
    });
  });
  it("a copy a horizon after the dispatcher first had it is parked", async () => {
    const later = new Date(NOW.getTime() + RETRY.horizonMs + 60_000);
    const outcome = await dispatchWith(throttled, {
      at: later,
      applicationProperties: {
        erwatchRescheduled: 3,
        erwatchFirstDispatchedAt: NOW.toISOString(),
      },
    });
    expect(outcome).toMatchObject({ settled: "dead-letter" });
  });
});

describe("a page that waited in the outbox past the horizon", () => {
  it("a 503 on the first delivery gets redelivered (the burst)", async () => {
    expect(
      await dispatchWith({
        ok: false,
        retryable: true,
        status: 503,
        retryAfterMs: null,
        reason: "503",
      }),
    ).toMatchObject({ settled: "abandon" });
  });
  it("a 429 with Retry-After: 1 on the first delivery is not parked at once", async () => {
    expect(
      await dispatchWith({
        ok: false,
        retryable: true,
        status: 429,
        retryAfterMs: 1_000,
        reason: "429",
      }),
    ).not.toMatchObject({ settled: "dead-letter" });
  });
  it("a bare 429 (PagerDuty's throttle) on the first delivery is not parked at once", async () => {
    expect(
      await dispatchWith({
        ok: false,
        retryable: true,
        status: 429,
        retryAfterMs: null,
        reason: "429",
      }),
    ).not.toMatchObject({ settled: "dead-letter" });
  });
});

describe("the burst of redeliveries of a page that waited in the outbox past the horizon", () => {
  const unavailable: SendOutcome = {
    ok: false,
    retryable: true,
    status: 503,
    retryAfterMs: null,
    reason: "503",
  };
  const last = RETRY.maxDeliveries;
  it("counts from when Service Bus took it: rescheduled after the burst, not parked", async () => {
    const enqueuedAt = new Date(NOW.getTime() - 2 * 60_000);
    const settlement = recordingSettlement();
    const outcome = await dispatchWith(
      unavailable,
      { deliveryCount: last, enqueuedAt },
      settlement,
    );
    expect(outcome).toMatchObject({ settled: "rescheduled" });
    expect(settlement.copies[0]?.applicationProperties).toMatchObject({
      erwatchFirstDispatchedAt: enqueuedAt.toISOString(),
    });
  });
  it("when the host does not say when it was taken, the event's time still ends it", async () => {
    expect(await dispatchWith(unavailable, { deliveryCount: last })).toMatchObject({
      settled: "dead-letter",
    });
  });
  it("a time Service Bus gives that is ahead of now says nothing", async () => {
    const ahead = new Date(NOW.getTime() + 10 * 60_000);
    expect(
      await dispatchWith(unavailable, { deliveryCount: last, enqueuedAt: ahead }),
    ).toMatchObject({ settled: "dead-letter" });
  });
});

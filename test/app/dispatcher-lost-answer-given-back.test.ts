// A claim or a posting lease whose write landed while its answer did not come
// back in time (STORAGE_TIMEOUT_MS fired on a slow Table Storage) was held by
// a delivery that posted nothing and was gone: the event's redelivery found
// its own dead claim or lease "busy", and the page waited out the whole
// claim, rescheduled, while nothing was being posted. Given back, the
// redelivery pages at once. Injected at the exact call, on a fixed clock.

import { describe, expect, it } from "vitest";
import { StateStoreError } from "../../src/adapters/tables/errors.js";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { Routing } from "../../src/core/routing.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00Z");
const OPEN = event();
const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "page", match: {}, actionGroups: ["on-call"] }],
};

/** The memory log, whose first `which` call lands and then finds no answer in time. */
function landsUnanswered(inner: MemoryDeliveries, which: "claim" | "lease"): DeliveryLog {
  let failed = false;
  const once = async <T>(call: () => Promise<T>, doing: string): Promise<T> => {
    if (failed) return call();
    failed = true;
    await call();
    throw new StateStoreError(`${doing} failed: no answer within 2000 ms`);
  };
  return {
    claim: (...a) =>
      which === "claim" ? once(() => inner.claim(...a), "claiming") : inner.claim(...a),
    lease: (...a) =>
      which === "lease" ? once(() => inner.lease(...a), "taking the lease") : inner.lease(...a),
    delivered: (...a) => inner.delivered(...a),
    release: (...a) => inner.release(...a),
    lastSequence: (...a) => inner.lastSequence(...a),
    unlease: (...a) => inner.unlease(...a),
    attempted: (...a) => inner.attempted(...a),
  };
}

describe.each(["claim", "lease"] as const)("a %s whose answer was lost", (which) => {
  it("is given back, so the redelivery pages at once", async () => {
    const posts: string[] = [];
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => (posts.push(e.action), { ok: true, status: 202 }),
    };
    const { logger } = memoryLogger();
    const dispatcher = createDispatcher({
      receivers: new Map([["pd", pd]]),
      routing: ROUTING,
      deliveries: landsUnanswered(new MemoryDeliveries(() => NOW), which),
      retry: RETRY,
      logger,
      now: () => NOW,
      sleep: async () => {},
    });
    const first = await dispatcher.dispatch(
      { messageId: OPEN.id, body: OPEN, deliveryCount: 1 },
      recordingSettlement().s,
      AbortSignal.timeout(10_000),
    );
    expect(first.settled).toBe("abandon");
    expect(posts).toEqual([]);
    // Service Bus redelivers at once, on the same clock: not "busy" with its own dead hold.
    const again = await dispatcher.dispatch(
      { messageId: OPEN.id, body: OPEN, deliveryCount: 2 },
      recordingSettlement().s,
      AbortSignal.timeout(10_000),
    );
    expect(again).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(posts).toEqual(["open"]);
  });
});

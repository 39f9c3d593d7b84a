// Found by a review: a delivery-log call that fails before anything is posted (the
// posting lease's write, or the stale check's read) leaves the event's
// (event, receiver) claim behind. README "Delivery": such a failure "counts as
// a failure of that receiver like any delivery log error" (given back to
// Service Bus, redelivered at once). But the redelivery finds its own dead
// claim "busy" ("being posted to by another delivery") and the page waits out
// the whole claim (DISPATCH claimMs, 3 minutes with the defaults), although
// nothing was ever posted.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { Routing } from "../../src/core/routing.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00Z");
const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] }],
};
const OPEN = event();
const storageDown = () => Object.assign(new Error("503 ServerBusy"), { name: "StateStoreError" });

function world(fail: "lease" | "lastSequence") {
  const log = new MemoryDeliveries(() => NOW);
  let failures = 1;
  const blip = <T>(run: () => Promise<T>) =>
    failures > 0 ? ((failures -= 1), Promise.reject(storageDown())) : run();
  const faulty: DeliveryLog = {
    claim: (...a) => log.claim(...a),
    delivered: (...a) => log.delivered(...a),
    release: (...a) => log.release(...a),
    lastSequence: (...a) =>
      fail === "lastSequence" ? blip(() => log.lastSequence(...a)) : log.lastSequence(...a),
    lease: (...a) => (fail === "lease" ? blip(() => log.lease(...a)) : log.lease(...a)),
    unlease: (...a) => log.unlease(...a),
    attempted: (...a) => log.attempted(...a),
  };
  const heard: string[] = [];
  const pd: Receiver = {
    name: "pd",
    kind: "pagerduty",
    send: async (e) => (heard.push(e.action), { ok: true, status: 202 }),
  };
  const dispatcher = createDispatcher({
    receivers: new Map([["pd", pd]]),
    routing: ROUTING,
    deliveries: faulty,
    retry: RETRY,
    logger: memoryLogger().logger,
    now: () => NOW,
    sleep: async () => undefined,
  });
  const send = async (deliveryCount: number) => {
    const { s, log: settled } = recordingSettlement(true);
    const outcome = await dispatcher.dispatch(
      { messageId: OPEN.id, body: OPEN, deliveryCount },
      s,
      AbortSignal.timeout(10_000),
    );
    return { outcome, settled };
  };
  return { heard, send };
}

describe("one delivery-log failure before any post", () => {
  for (const fail of ["lease", "lastSequence"] as const) {
    it(`(${fail} fails once) does not hold the Sev0 for the claim's length on the redelivery`, async () => {
      const w = world(fail);
      const first = await w.send(1);
      expect(first.outcome.settled).toBe("abandon");
      expect(w.heard).toEqual([]);
      // Service Bus redelivers at once; storage answers again.
      const second = await w.send(2);
      expect(second.settled).toEqual(["complete"]);
      expect(w.heard).toEqual(["open"]);
    });
  }
});

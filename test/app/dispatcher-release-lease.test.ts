// A posting lease whose release fails (a storage blip after the page went
// out) was thrown from the delivery's `finally`: the page, delivered and
// recorded, counted as a storage failure and was given back to Service Bus,
// and the lease stayed held for the whole claim (3 minutes with the
// defaults), the alert's escalation at that receiver rescheduled till then.
// Now the release is asked twice, and one that still fails is logged: what
// was delivered stays delivered.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { Routing } from "../../src/core/routing.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00Z");
const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "page", match: {}, actionGroups: ["on-call"] }],
};
const OPEN = event({ severity: "Sev2", peakSeverity: "Sev2" });
const ESCALATE = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "escalate",
  severity: "Sev0",
  previousSeverity: "Sev2",
  peakSeverity: "Sev0",
});
const storageDown = () => Object.assign(new Error("503 ServerBusy"), { name: "StateStoreError" });

function world(unleaseFailures: number) {
  const log = new MemoryDeliveries(() => NOW);
  let failures = unleaseFailures;
  const deliveries: DeliveryLog = {
    claim: (...a) => log.claim(...a),
    delivered: (...a) => log.delivered(...a),
    release: (...a) => log.release(...a),
    lastSequence: (...a) => log.lastSequence(...a),
    lease: (...a) => log.lease(...a),
    unlease: (...a) =>
      failures > 0 ? ((failures -= 1), Promise.reject(storageDown())) : log.unlease(...a),
    attempted: (...a) => log.attempted(...a),
  };
  const heard: string[] = [];
  const pd: Receiver = {
    name: "pd",
    kind: "pagerduty",
    send: async (e) => (heard.push(e.action), { ok: true, status: 202 }),
  };
  const { logger, records } = memoryLogger();
  const dispatcher = createDispatcher({
    receivers: new Map([["pd", pd]]),
    routing: ROUTING,
    deliveries,
    retry: RETRY,
    logger,
    now: () => NOW,
    sleep: async () => undefined,
  });
  const send = async (e: typeof OPEN) => {
    const { s, log: settled } = recordingSettlement();
    await dispatcher.dispatch(
      { messageId: e.id, body: e, deliveryCount: 1 },
      s,
      AbortSignal.timeout(10_000),
    );
    return settled;
  };
  return { heard, send, records };
}

describe("a posting lease whose release fails", () => {
  it("once: the page stays delivered, and the escalation goes out at once", async () => {
    const w = world(1);
    expect(await w.send(OPEN)).toEqual(["complete"]);
    expect(await w.send(ESCALATE)).toEqual(["complete"]);
    expect(w.heard).toEqual(["open", "escalate"]);
    expect(w.records().filter((r) => Number(r.level) >= 40)).toEqual([]);
  });

  it("twice: the page stays delivered, and the lease left to run out is said", async () => {
    const w = world(2);
    expect(await w.send(OPEN)).toEqual(["complete"]);
    expect(w.heard).toEqual(["open"]);
    const warned = w.records().filter((r) => Number(r.level) >= 40);
    expect(warned.map((r) => r.msg)).toEqual([
      "could not release the posting lease; it runs out by itself, and the alert's next event for this receiver waits till then",
    ]);
    expect(warned[0]).toMatchObject({ receiver: "pd", leaseUntil: "2026-11-22T02:02:00.000Z" });
  });
});

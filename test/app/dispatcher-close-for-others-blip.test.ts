// Found by a review: a resolve "closes" the alert for receivers it is not routed to by
// taking their posting lease with the resolve's sequence, then writing a
// "delivered, unsent" record. The lease's write already raised `attempted`
// to the resolve. If the record's write fails (one storage blip), the
// redelivered resolve's toldOf reads attempted >= the episode's open, takes
// that receiver for one that was told of the alert, and posts it the resolve:
// an ITSM webhook that never heard the alert is sent a "Resolved" for it
// (dispatcher.ts's own comment: "rather than telling a receiver that never
// heard of the alert that it is over").

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:10:00Z");
const ROUTING: Routing = {
  actionGroups: [
    { name: "on-call", receivers: ["pd"] },
    { name: "tickets", receivers: ["itsm"] },
  ],
  routes: [
    { name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] },
    { name: "carrier-to-itsm", match: { owners: ["carrier"] }, actionGroups: ["tickets"] },
  ],
};
// Owner "you": the ITSM route never matches this alert.
const OPEN = event();
const RESOLVE = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });

describe("a resolve closing the alert for a receiver it is not routed to", () => {
  it("never posts the resolve there after the 'closed' record failed to write once", async () => {
    const log = new MemoryDeliveries(() => NOW);
    let blips = 0;
    const faulty: DeliveryLog = {
      claim: (...a) => log.claim(...a),
      delivered: async (key, eventId, receiver, sequence, detail) => {
        if (receiver === "itsm" && blips++ === 0)
          throw Object.assign(new Error("503 ServerBusy"), { name: "StateStoreError" });
        return log.delivered(key, eventId, receiver, sequence, detail);
      },
      release: (...a) => log.release(...a),
      lastSequence: (...a) => log.lastSequence(...a),
      lease: (...a) => log.lease(...a),
      unlease: (...a) => log.unlease(...a),
      attempted: (...a) => log.attempted(...a),
    };
    const heard: string[] = [];
    const receiver = (name: string, kind: Receiver["kind"]): Receiver => ({
      name,
      kind,
      send: async (e) => (heard.push(`${name} ${e.action}`), { ok: true, status: 202 }),
    });
    const dispatcher = createDispatcher({
      receivers: new Map([
        ["pd", receiver("pd", "pagerduty")],
        ["itsm", receiver("itsm", "webhook")],
      ]),
      routing: ROUTING,
      deliveries: faulty,
      retry: RETRY,
      logger: memoryLogger().logger,
      now: () => NOW,
      sleep: async () => undefined,
    });
    const send = (e: AlertEvent, deliveryCount: number) =>
      dispatcher.dispatch(
        { messageId: e.id, body: e, deliveryCount },
        recordingSettlement().s,
        AbortSignal.timeout(10_000),
      );
    expect(await send(OPEN, 1)).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(await send(RESOLVE, 1)).toMatchObject({ settled: "abandon" });
    await send(RESOLVE, 2);
    expect(heard).toEqual(["pd open", "pd resolve"]);
  });
});

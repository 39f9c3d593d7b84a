// A resolve that reaches the dispatcher before its open has been posted to a
// receiver its routes do not send resolves to (a route on `actions: [open]`,
// or one below the episode's peak): Service Bus keeps no order without
// sessions, and the Functions host dispatches a queue's messages side by side,
// so after a broker outage the outbox's open and resolve of one alert arrive
// together. The open posted after the resolve was settled would leave
// PagerDuty triggered for an alert that is over, with nothing left to
// resolve it.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00Z");
const OPEN = event();
const RESOLVE = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });

/** PagerDuty hears opens only; the resolve reaches it only because it heard the open. */
const OPENS_ONLY: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "opens", match: { actions: ["open"] }, actionGroups: ["on-call"] }],
};

const settlement = () => recordingSettlement();

const msg = (e: AlertEvent) => ({ messageId: e.id, body: e, deliveryCount: 1 });
const signal = () => AbortSignal.timeout(10_000);

function setup(pd: Receiver, deliveries: DeliveryLog) {
  const { logger, lines } = memoryLogger();
  const dispatcher = createDispatcher({
    receivers: new Map([["pd", pd]]),
    routing: OPENS_ONLY,
    deliveries,
    retry: RETRY,
    logger,
    now: () => NOW,
    sleep: async () => {},
  });
  return { dispatcher, lines };
}

describe("a resolve dispatched before its open reached a receiver", () => {
  it("never posts the open afterwards to a receiver its routes give no resolve", async () => {
    const heard: string[] = [];
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => (heard.push(e.action), { ok: true, status: 202 }),
    };
    const { dispatcher, lines } = setup(pd, new MemoryDeliveries(() => NOW));
    const resolved = await dispatcher.dispatch(msg(RESOLVE), settlement().s, signal());
    expect(resolved).toMatchObject({ settled: "complete" });
    const opened = await dispatcher.dispatch(msg(OPEN), settlement().s, signal());
    // Posted, the open would be PagerDuty's last word: triggered for good.
    expect(heard).toEqual([]);
    expect(opened).toMatchObject({ settled: "complete", skipped: ["pd"] });
    expect(lines().join("\n")).toContain("not delivered: stale");
  });

  it("sends the resolve after an open whose post began while the resolve was being routed", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let posting!: () => void;
    const openPosting = new Promise<void>((resolve) => (posting = resolve));
    const heard: string[] = [];
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => {
        heard.push(e.action);
        if (e.action === "open") {
          posting();
          await gate;
        }
        return { ok: true, status: 202 } satisfies SendOutcome;
      },
    };
    // The open's delivery takes PagerDuty's lease just after the resolve read
    // that PagerDuty had been sent nothing of the alert.
    let openDelivery: Promise<unknown> | undefined;
    const { dispatcher } = setup(pd, {
      claim: (...a) => deliveries.claim(...a),
      delivered: (...a) => deliveries.delivered(...a),
      release: (...a) => deliveries.release(...a),
      lastSequence: (...a) => deliveries.lastSequence(...a),
      lease: (...a) => deliveries.lease(...a),
      unlease: (...a) => deliveries.unlease(...a),
      attempted: async (...a) => {
        const read = await deliveries.attempted(...a);
        if (!openDelivery) {
          openDelivery = dispatcher.dispatch(msg(OPEN), settlement().s, signal());
          await openPosting;
        }
        return read;
      },
    });
    const first = await dispatcher.dispatch(msg(RESOLVE), settlement().s, signal());
    // Completed here, nothing would ever resolve what the open triggered.
    expect(first.settled).toBe("rescheduled");
    release();
    await openDelivery;
    const again = await dispatcher.dispatch(
      { ...msg(RESOLVE), messageId: "erw-abc-2~r1" },
      settlement().s,
      signal(),
    );
    expect(again).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(heard).toEqual(["open", "resolve"]);
  });
});

describe("a resolve closing its alert for receivers it is not routed to", () => {
  it("still tells no receiver that never heard of the alert, on a copy of the resolve either", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const posts: string[] = [];
    let pdDown = true;
    const receiver = (name: string, kind: Receiver["kind"]): Receiver => ({
      name,
      kind,
      send: async (e) => {
        posts.push(`${name} ${e.action}`);
        return name === "pd" && pdDown
          ? { ok: false, retryable: true, status: 503, retryAfterMs: null, reason: "503" }
          : { ok: true, status: 202 };
      },
    });
    const { logger } = memoryLogger();
    const dispatcher = createDispatcher({
      receivers: new Map([
        ["pd", receiver("pd", "pagerduty")],
        ["teams", receiver("teams", "teams")],
      ]),
      routing: {
        actionGroups: [
          { name: "on-call", receivers: ["pd"] },
          { name: "chat", receivers: ["teams"] },
        ],
        routes: [
          { name: "page", match: {}, actionGroups: ["on-call"] },
          { name: "other", match: { circuits: ["er-elsewhere"] }, actionGroups: ["chat"] },
        ],
      },
      deliveries,
      retry: RETRY,
      logger,
      now: () => NOW,
      sleep: async () => {},
    });
    await dispatcher.dispatch(msg(OPEN), settlement().s, signal());
    const first = await dispatcher.dispatch(msg(RESOLVE), settlement().s, signal());
    expect(first.settled).toBe("abandon");
    pdDown = false;
    const again = await dispatcher.dispatch(
      { ...msg(RESOLVE), deliveryCount: 2 },
      settlement().s,
      signal(),
    );
    expect(again).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(posts.filter((p) => p.startsWith("teams"))).toEqual([]);
  });
});

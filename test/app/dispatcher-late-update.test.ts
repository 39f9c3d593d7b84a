// A PagerDuty receiver that had an alert's open but not its escalation to
// Sev0 (given up: PagerDuty refusing it past the horizon, the delivery log
// hung) must not have its incident closed at the lower grade: the resolve is
// preceded by the update it missed, late, as a missed open is by the page.
// Only for a receiver the routes send every event to: one routed opens and
// resolves alone missed the rest by design.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { InboundMessage } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import {
  buildPagerDutyEvent,
  type PagerDutyEvent,
} from "../../src/adapters/receivers/pagerduty/payload.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T02:30:00Z");
const OPEN = event({ severity: "Sev1", peakSeverity: "Sev0", title: "One path down" });
const ESCALATE = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "escalate",
  severity: "Sev0",
  previousSeverity: "Sev1",
  title: "Both paths down",
  change: "Escalated: the secondary went down too",
  occurredAt: "2026-11-22T02:10:00.000Z",
});
const RESOLVE = event({
  id: "erw-abc-3",
  sequence: 3,
  action: "resolve",
  severity: "Sev0",
  previousSeverity: "Sev0",
  title: "Both paths down",
  change: "Resolved after 25 min",
  resolution: "both paths up",
  occurredAt: "2026-11-22T02:25:00.000Z",
});

const EVERY_EVENT: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "page", match: {}, actionGroups: ["on-call"] }],
};

function setup(routing: Routing = EVERY_EVENT) {
  const now = { t: T0 };
  const bodies: PagerDutyEvent[] = [];
  let refusing = (_e: AlertEvent) => false;
  const pd: Receiver = {
    name: "pd",
    kind: "pagerduty",
    send: async (e) => {
      if (refusing(e))
        return { ok: false, retryable: true, status: 503, retryAfterMs: null, reason: "503" };
      bodies.push(buildPagerDutyEvent(e, "routing-key"));
      return { ok: true, status: 202 };
    },
  };
  const { logger, lines } = memoryLogger();
  const dispatcher = createDispatcher({
    receivers: new Map([["pd", pd]]),
    routing,
    deliveries: new MemoryDeliveries(() => new Date(now.t)),
    retry: RETRY,
    logger,
    now: () => new Date(now.t),
    sleep: async () => {},
  });
  const dispatch = (e: AlertEvent, deliveryCount = 1) => {
    const message: InboundMessage = { messageId: e.id, body: e, deliveryCount };
    return dispatcher.dispatch(message, recordingSettlement().s, AbortSignal.timeout(10_000));
  };
  return {
    bodies,
    lines,
    dispatch,
    refuse: (which: (e: AlertEvent) => boolean) => (refusing = which),
  };
}

const actions = (bodies: PagerDutyEvent[]) =>
  bodies.map((b) =>
    b.event_action === "trigger"
      ? `trigger ${String(b.payload.custom_details.sequence)} ${b.payload.severity}`
      : "resolve",
  );

describe("a PagerDuty incident whose escalation to Sev0 was given up before its resolve", () => {
  it("is sent the escalation late, at Sev0, before the resolve, and never the escalation again", async () => {
    const w = setup();
    await w.dispatch(OPEN);
    // PagerDuty refuses the escalation through every delivery: it is parked.
    w.refuse((e) => e.action === "escalate");
    for (let d = 1; d <= RETRY.maxDeliveries; d += 1) await w.dispatch(ESCALATE, d);
    w.refuse(() => false);
    expect(await w.dispatch(RESOLVE)).toMatchObject({ settled: "complete", delivered: ["pd"] });
    // Without it, PagerDuty closed an incident it only ever had as Sev1 (error).
    expect(actions(w.bodies)).toEqual(["trigger 1 error", "trigger 2 critical", "resolve"]);
    const late = w.bodies[1] as Extract<PagerDutyEvent, { event_action: "trigger" }>;
    expect(late.payload.summary).toBe("er1: LATE, already resolved: Both paths down");
    expect(late.payload.custom_details.change).toContain("could not deliver this update (Sev0");
    expect(late.payload.custom_details.change).toContain("resolved at 2026-11-22 02:25 UTC");
    expect(w.lines().join("\n")).toContain("sent PagerDuty the update it never had");
    // The escalation's copy, coming after all: PagerDuty has it already.
    expect(await w.dispatch(ESCALATE)).toMatchObject({ settled: "complete", delivered: [] });
    expect(w.bodies).toHaveLength(3);
  });

  it("sends nothing late when PagerDuty had the escalation", async () => {
    const w = setup();
    for (const e of [OPEN, ESCALATE, RESOLVE]) await w.dispatch(e);
    expect(actions(w.bodies)).toEqual(["trigger 1 error", "trigger 2 critical", "resolve"]);
  });

  it("sends nothing late to a receiver routed only opens and resolves", async () => {
    const w = setup({
      ...EVERY_EVENT,
      routes: [
        { name: "page", match: { actions: ["open", "resolve"] }, actionGroups: ["on-call"] },
      ],
    });
    for (const e of [OPEN, ESCALATE, RESOLVE]) await w.dispatch(e);
    expect(actions(w.bodies)).toEqual(["trigger 1 error", "resolve"]);
  });
});

// The alert lifecycle over the real wire: the simulated estate read by the real
// ARM SDK, state in Azurite, events through the broker. Each timeline asserts
// the exact event sequence the broker accepted (the sweep publishes before it
// returns), with the clock injected.

import { describe, expect, it } from "vitest";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  restorePath,
  setPrefixes,
  type SimCircuit,
} from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");

const worlds = worldPerTest();

async function timeline(env: Record<string, string> = {}, prefixes?: number) {
  const bundle = healthyCircuit(prefixes === undefined ? {} : { prefixes });
  let now = new Date(T0);
  const w = await worlds.start({ estate: estateOf(bundle), now: () => now, env });
  return {
    circuit: bundle.circuit as SimCircuit,
    world: w,
    async at(minutes: number) {
      now = new Date(T0 + minutes * 60_000);
      return w.timerSweep();
    },
    /** What the broker accepted: action:family:severity per message, in order. */
    sent: () =>
      w.broker.accepted(ALERTS_QUEUE).map((m) => {
        const e = m.body as { action: string; family: string; severity: string };
        return `${e.action}:${e.family}:${e.severity}`;
      }),
  };
}

describe("lifecycle timelines over the simulated estate", () => {
  it("a 3-sweep 429 storm opens one monitoring-blind and never resolves the open outage", async () => {
    const t = await timeline();
    carrierDown(t.circuit, PRIVATE, "primary");
    carrierDown(t.circuit, PRIVATE, "secondary");
    await t.at(0);
    expect(t.sent()).toEqual(["open:path-down:Sev0"]);
    // Every ARM call throttled, the listing too: one monitoring-blind (the
    // subscription's), and the circuit's outage held, not resolved.
    t.world.estate.addFault({
      match: { operation: "*" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
    });
    // Healed underneath while erwatch is blind: it must not claim so.
    restorePath(t.circuit, PRIVATE, "primary");
    restorePath(t.circuit, PRIVATE, "secondary");
    for (const m of [5, 10, 15, 20]) await t.at(m);
    // Whoever holds the Sev0 hears once, over the wire, that erwatch lost sight of it,
    // in the sweep the subscription's blind alert opens (its third failed sweep),
    // not a sweep before it (it said "see its monitoring-blind alert" with none open).
    const held = ["open:path-down:Sev0", "open:monitoring-blind:Sev3", "repeat:path-down:Sev0"];
    expect(t.sent()).toEqual(held);
    const [, blind, notice] = t.world.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as { title: string; change: string; occurredAt: string });
    expect(blind!.title).toMatch(/throttled/);
    expect(notice!.occurredAt).toBe(blind!.occurredAt);
    expect(notice!.change).toMatch(/^Blind: erwatch has not been able to read/);
    t.world.estate.clearFaults();
    await t.at(25);
    await t.at(30);
    // Both resolve after their second good read, at 30, the outage first.
    expect(t.sent()).toEqual([...held, "resolve:path-down:Sev0", "resolve:monitoring-blind:Sev3"]);
  });

  it("a silence (announced carrier maintenance) sends nothing, then notifies when it ends", async () => {
    const t = await timeline({
      ERWATCH_SILENCES: JSON.stringify([
        {
          circuit: "er-circuit-prod",
          path: "secondary",
          start: new Date(T0).toISOString(),
          end: new Date(T0 + 30 * 60_000).toISOString(),
          comment: "carrier maintenance ticket 4711",
        },
      ]),
    });
    await t.at(0);
    carrierDown(t.circuit, PRIVATE, "secondary");
    for (const m of [5, 10, 15, 20, 25]) await t.at(m);
    expect(t.sent()).toEqual([]);
    await t.at(35);
    expect(t.sent()).toEqual(["open:path-down:Sev2"]);
  });

  it("nothing changing for hours sends only repeats at the interval", async () => {
    const t = await timeline();
    carrierDown(t.circuit, PRIVATE, "primary");
    carrierDown(t.circuit, PRIVATE, "secondary");
    for (let m = 0; m <= 9 * 60; m += 30) await t.at(m); // 9 h, a sweep every 30 min
    expect(t.sent()).toEqual([
      "open:path-down:Sev0",
      "repeat:path-down:Sev0", // 4 h
      "repeat:path-down:Sev0", // 8 h
    ]);
  });

  it("a flapping session raises one session-flapping alert instead of open/resolve churn", async () => {
    const t = await timeline();
    await t.at(0);
    for (let m = 1; m <= 12; m += 1) {
      if (m % 2 === 1) carrierDown(t.circuit, PRIVATE, "secondary");
      else restorePath(t.circuit, PRIVATE, "secondary");
      await t.at(m);
    }
    const sent = t.sent();
    expect(sent.filter((s) => s.startsWith("open:session-flapping"))).toHaveLength(1);
    expect(sent.filter((s) => s.includes("path-down"))).toEqual([]);
  });

  it("a receiver that heard an earlier episode of a key is not told the resolve of a later one it never heard", async () => {
    // Found by the lifecycle soak (test/fuzz/lifecycle.soak.test.ts). Standard
    // tier: 4,000 prefixes; PagerDuty hears Sev2 and worse (this world's routing).
    const t = await timeline({}, 2_500);
    const prefixes = (count: number) => {
      for (const path of ["primary", "secondary"] as const)
        setPrefixes(t.circuit, PRIVATE, path, count);
    };
    prefixes(4_100); // over the limit: Sev2, paged
    for (const m of [0, 5]) await t.at(m);
    prefixes(2_500);
    for (const m of [10, 15]) await t.at(m);
    prefixes(3_400); // near it again: Sev3, the channel's, not PagerDuty's
    for (const m of [20, 25]) await t.at(m);
    prefixes(2_500);
    for (const m of [30, 35]) await t.at(m);
    expect(t.sent()).toEqual([
      "open:route-limit:Sev2",
      "resolve:route-limit:Sev2",
      "open:route-limit:Sev3",
      "resolve:route-limit:Sev3",
    ]);
    await t.world.dispatchPending();
    // PagerDuty resolved the Sev2 incident at 15; the Sev3 episode was never its.
    const pd = t.world.pagerduty.requests.map(
      (r) => (r.body as { event_action: string }).event_action,
    );
    expect(pd).toEqual(["trigger", "resolve"]);
  });
});

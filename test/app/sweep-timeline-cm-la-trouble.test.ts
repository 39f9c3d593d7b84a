// Log Analytics ingesting a workspace late is no trouble for the plan: the
// real timer every 5 minutes on an injected clock, six circuits whose
// Connection Monitors all write to the estate's one workspace, ARM and Log
// Analytics on loopback, state in Azurite.
//
// erwatch started (or the circuits were added) while Log Analytics was late:
// their end-to-end rows were never read up, stayed UNKNOWN, and each was
// "trouble", read deep every sweep for the whole incident: twice the ARM
// long-running reads of the rotation (ARP and route summary per path), on
// the customer's subscription throttle, though no ARM read mends Log
// Analytics. Now they are read in their turn, as without the lag, and Log
// Analytics catching up is read within the rotation's age limit.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { DEFAULT_MAX_READ_AGE_MINUTES } from "../../src/core/sweep-plan.js";
import { healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

async function sixCircuits(lagMinutes: number | null): Promise<TimerWorld> {
  const bundles = Array.from({ length: 6 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  for (const b of bundles) withConnectionMonitor(b);
  const t = await timerWorld(worlds, T0, bundles);
  if (lagMinutes !== null)
    t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: lagMinutes };
  return t;
}

/** One sweep's deep reads: circuits and reasons, and the ARM long-running reads it sent. */
async function sweepCounted(t: TimerWorld, m: number) {
  const before = t.w.estate.requests.length;
  const result = await t.sweep(m);
  const sent = t.w.estate.requests.slice(before);
  return {
    result,
    deep: result.plan.deep.map((d) => `${d.name} ${d.reason}`).sort(),
    lro: sent.filter((r) => r.operation === "arpTable" || r.operation === "routeTablesSummary")
      .length,
  };
}

const e2eOf = (r: SweepResult) =>
  r.verdicts.map((v) => [v.name, v.peerings[0]!.paths.primary.endToEnd] as const);

describe("Log Analytics ingesting the workspace late since before the circuits were first read", () => {
  it("reads each circuit deep in its turn, as many deep reads and ARM long-running reads a sweep as without the lag, none for trouble", async () => {
    const fresh = await sixCircuits(null);
    const late = await sixCircuits(15);
    for (let m = 0; m <= 40; m += 5) {
      const a = await sweepCounted(fresh, m);
      const b = await sweepCounted(late, m);
      expect(b.deep, `minute ${m}`).toEqual(a.deep);
      expect(b.lro, `minute ${m}`).toBe(a.lro);
      if (m === 0) continue;
      // Six circuits, two sweeps a rotation: three a sweep, every one in its turn.
      expect(b.deep.length, `minute ${m}`).toBe(3);
      expect(b.deep.join("\n")).not.toMatch(/ trouble$/m);
      for (const [name, cell] of e2eOf(b.result))
        expect(`${name}: ${cell.status}: ${cell.detail}`).toMatch(
          /^er-circuit-\w: unknown: Log Analytics has ingested nothing in workspace law-network since \d\d:\d\d UTC \(15 min\)/,
        );
    }
    expect(late.sent()).toEqual([]);
  });

  it("once Log Analytics catches up, every circuit reads end to end up within the rotation's age limit", async () => {
    const t = await sixCircuits(15);
    for (let m = 0; m <= 20; m += 5) await t.sweep(m);
    t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: 3 };
    const up = new Map<string, number>();
    for (let m = 25; m <= 25 + DEFAULT_MAX_READ_AGE_MINUTES; m += 5)
      for (const [name, cell] of e2eOf(await t.sweep(m)))
        if (cell.status === "up" && !up.has(name)) up.set(name, m);
    expect([...up.keys()].sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `er-circuit-${String.fromCharCode(97 + i)}`),
    );
    for (const m of up.values()) expect(m - 25).toBeLessThan(DEFAULT_MAX_READ_AGE_MINUTES);
    expect(t.sent()).toEqual([]);
  });
});

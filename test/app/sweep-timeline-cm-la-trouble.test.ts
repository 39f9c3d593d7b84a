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
// Analytics catching up is read within the rotation's age limit. Read in its
// turn only, a workspace few circuits write to is said lagging in some sweeps
// only, and the erwatch-connection-monitor-lagging rule (three in 20 minutes)
// never fired: it counts them over a window the rotation always fills.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INGESTION_LAG_MESSAGE } from "../../src/app/ingestion-lag.js";
import type { SweepResult } from "../../src/app/sweep.js";
import { DEFAULT_MAX_READ_AGE_MINUTES } from "../../src/core/sweep-plan.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { isoMinutes } from "../support/iso-minutes.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { body, decl, INFRA, loadBicep } from "../infra/bicep.js";

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

/** The lagging rule as deployed: its window, the sweeps it needs, and how recent the latest must be. */
function laggingRule() {
  const alerts = loadBicep(join(INFRA, "app", "health-alerts.bicep"));
  const rule = body(alerts.s, decl(alerts, "resource", "connectionMonitorLagging")).text;
  const query = /^var connectionMonitorLaggingQuery = '''\n([\s\S]*?)'''/m.exec(alerts.s.text)![1]!;
  return {
    windowMinutes: isoMinutes(/windowSize: ('PT\w+')/.exec(rule)?.[1]),
    everyMinutes: isoMinutes(/evaluationFrequency: ('PT\w+')/.exec(rule)?.[1]),
    sweeps: Number(/operator: 'GreaterThanOrEqual'\s+threshold: (\d+)/.exec(rule)?.[1]),
    recentMinutes: Number(/\| where last > ago\((\d+)m\)/.exec(query)?.[1] ?? Infinity),
  };
}
type Rule = ReturnType<typeof laggingRule>;

/** Whether the rule, evaluated at minute `at`, fires on the lines (a sweep's id, its minute). */
const fires = (rule: Rule, lines: readonly { sweep: string; at: number }[], at: number) => {
  const inWindow = lines.filter((l) => l.at > at - rule.windowMinutes && l.at <= at);
  return (
    inWindow.some((l) => l.at > at - rule.recentMinutes) &&
    new Set(inWindow.map((l) => l.sweep)).size >= rule.sweeps
  );
};

describe("erwatch-connection-monitor-lagging while the rotation alone reads the workspace's circuits", () => {
  it("fires while Log Analytics lags for one circuit of six (read every other sweep), without a gap, and resolves once it catches up", async () => {
    const bundles = Array.from({ length: 6 }, (_, i) =>
      healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
    );
    withConnectionMonitor(bundles[0]!);
    let now = new Date(T0);
    const written: string[] = [];
    const w = await worlds.start({
      estate: estateOf(...bundles),
      now: () => now,
      logDestination: { write: (chunk: string) => (written.push(...chunk.split("\n")), true) },
    });
    const lines: { sweep: string; at: number }[] = [];
    const sweep = async (m: number) => {
      now = new Date(T0 + m * 60_000);
      const from = written.length;
      expect((await w.timerSweep()).errors).toEqual([]);
      for (const l of written.slice(from).filter((x) => x.includes(INGESTION_LAG_MESSAGE))) {
        const line = JSON.parse(l) as { sweepId: string; workspace: string };
        expect(line.workspace).toMatch(/law-network$/);
        // Traces land as the sweep records the circuit, within its window.
        lines.push({ sweep: line.sweepId, at: m + 0.5 });
      }
    };
    for (let m = 0; m <= 5; m += 5) await sweep(m);
    w.estate.state.monitor = { ...w.estate.state.monitor, logsDelayMinutes: 15 };
    for (let m = 10; m <= 70; m += 5) await sweep(m);
    w.estate.state.monitor = { ...w.estate.state.monitor, logsDelayMinutes: 3 };
    for (let m = 75; m <= 110; m += 5) await sweep(m);
    // Read in its turn only: some sweeps said nothing of the workspace.
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.length).toBeLessThan(13);
    const rule = laggingRule();
    const last = Math.max(...lines.map((l) => l.at));
    // Every phase of the rule's evaluations against the sweeps'.
    for (let phase = 0; phase < rule.everyMinutes; phase += 1) {
      const evaluations = Array.from({ length: 30 }, (_, i) => phase + i * rule.everyMinutes);
      const firing = evaluations.filter((at) => fires(rule, lines, at));
      expect(firing.length, `phase ${phase}`).toBeGreaterThan(0);
      // Open from the first firing to the last lagging line, without a gap.
      const open = evaluations.filter((at) => at >= firing[0]! && at <= last);
      expect(
        firing.filter((at) => at <= last),
        `phase ${phase}`,
      ).toEqual(open);
      // Resolved once fresh rows are in, within the recent part of the window and a sweep.
      expect(Math.max(...firing) - last).toBeLessThan(rule.recentMinutes + rule.everyMinutes);
    }
    // Three sweeps in 20 minutes, as it was, never fired on these lines.
    const before: Rule = { ...rule, windowMinutes: 20, recentMinutes: Infinity };
    expect(
      Array.from({ length: 150 }, (_, at) => at).filter((at) => fires(before, lines, at)),
    ).toEqual([]);
  });
});

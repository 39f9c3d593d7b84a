// A workspace whose Log Analytics query fails for many sweeps: the real timer
// every 5 minutes on an injected clock, six circuits whose Connection
// Monitors all write to the estate's one workspace, ARM and Log Analytics on
// loopback, state in Azurite.
//
// The query refused (403) from minute 15 made monitoring-blind go pending,
// then open, on every circuit: six Sev3 pages for one workspace, six
// resolves once it answered, and each alert not clear made its circuit
// "trouble", read deep every sweep: six deep reads a sweep instead of the
// rotation's three, fourteen ARM long-running reads instead of eight, for
// the whole incident, though no ARM read mends Log Analytics. Now the
// circuits are read in their turn as if the workspace answered, nothing
// pages, and each sweep says the workspace's failure in the log, which the
// erwatch-connection-monitor-query-failing rule turns into one alert for
// the workspace, resolved once the query answers again.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QUERY_FAILING_MESSAGE } from "../../src/app/query-failing.js";
import type { SweepResult } from "../../src/app/sweep.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restoreBoth,
  withConnectionMonitor,
  type CircuitBundle,
} from "../support/estate/index.js";
import type { FaultBehaviour } from "../support/estate/model.js";
import { isoMinutes } from "../support/iso-minutes.js";
import { ALERTS_QUEUE, type World } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { body, decl, INFRA, loadBicep } from "../infra/bicep.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const PRIVATE = "AzurePrivatePeering";
const worlds = worldPerTest();

const REFUSED: FaultBehaviour = {
  kind: "status",
  status: 403,
  code: "InsufficientAccessError",
  message: "The provided credentials have insufficient access to perform the requested operation",
};

interface Line {
  sweep: string;
  at: number;
  workspace: string;
  kind: string;
  circuitId: string;
}

/** Six circuits on one workspace, the timer every 5 minutes, and the query-failing lines it wrote. */
async function sixCircuits() {
  const bundles: CircuitBundle[] = Array.from({ length: 6 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  for (const b of bundles) withConnectionMonitor(b);
  let now = new Date(T0);
  const written: string[] = [];
  const w: World = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
    logDestination: { write: (chunk: string) => (written.push(...chunk.split("\n")), true) },
  });
  const lines: Line[] = [];
  /** One timer sweep at T0 + m: the circuits read deep (and why) and the ARM long-running reads sent. */
  const sweep = async (m: number) => {
    now = new Date(T0 + m * 60_000);
    const from = written.length;
    const before = w.estate.requests.length;
    const result: SweepResult = await w.timerSweep();
    expect(result.errors).toEqual([]);
    for (const l of written.slice(from).filter((x) => x.includes(QUERY_FAILING_MESSAGE))) {
      const line = JSON.parse(l) as Omit<Line, "sweep" | "at"> & { sweepId: string };
      lines.push({ ...line, sweep: line.sweepId, at: m + 0.5 });
    }
    const sent = w.estate.requests.slice(before);
    return {
      result,
      deep: result.plan.deep.map((d) => `${d.name} ${d.reason}`).sort(),
      lro: sent.filter((r) => r.operation === "arpTable" || r.operation === "routeTablesSummary")
        .length,
    };
  };
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  return { w, bundles, sweep, lines, sent };
}

/** The rule as deployed: its window, the sweeps it needs, how recent the latest must be. */
function queryFailingRule() {
  const alerts = loadBicep(join(INFRA, "app", "health-alerts.bicep"));
  const rule = body(alerts.s, decl(alerts, "resource", "connectionMonitorQueryFailing")).text;
  const query = /^var connectionMonitorQueryFailingQuery = '''\n([\s\S]*?)'''/m.exec(
    alerts.s.text,
  )![1]!;
  return {
    windowMinutes: isoMinutes(/windowSize: ('PT\w+')/.exec(rule)?.[1]),
    everyMinutes: isoMinutes(/evaluationFrequency: ('PT\w+')/.exec(rule)?.[1]),
    sweeps: Number(/operator: 'GreaterThanOrEqual'\s+threshold: (\d+)/.exec(rule)?.[1]),
    recentMinutes: Number(/\| where last > ago\((\d+)m\)/.exec(query)?.[1] ?? Infinity),
    needle: /message contains '"msg":"([^']+)'/.exec(query)?.[1],
  };
}
type Rule = ReturnType<typeof queryFailingRule>;

/** The workspaces (its dimension) the rule fires for at minute `at`. */
const firing = (rule: Rule, lines: readonly Line[], at: number): string[] => {
  const inWindow = lines.filter((l) => l.at > at - rule.windowMinutes && l.at <= at);
  const byWorkspace = new Map<string, Line[]>();
  for (const l of inWindow) {
    const key = l.workspace.toLowerCase();
    byWorkspace.set(key, [...(byWorkspace.get(key) ?? []), l]);
  }
  return [...byWorkspace.entries()]
    .filter(
      ([, ls]) =>
        ls.some((l) => l.at > at - rule.recentMinutes) &&
        new Set(ls.map((l) => l.sweep)).size >= rule.sweeps,
    )
    .map(([workspace]) => workspace);
};

describe("a workspace whose Log Analytics query fails (403) for 45 minutes, six circuits writing there", () => {
  it("reads each circuit deep in its turn, as many deep and ARM long-running reads a sweep as while it answers; nothing pages; one health alert for the workspace, resolved after", async () => {
    const answers = await sixCircuits();
    const refuses = await sixCircuits();
    const perSweep: { m: number; deep: number; lro: number }[] = [];
    for (let m = 0; m <= 90; m += 5) {
      if (m === 15)
        refuses.w.estate.addFault({ match: { operation: "queryLogs" }, behaviour: REFUSED });
      if (m === 60) refuses.w.estate.clearFaults();
      const a = await answers.sweep(m);
      const b = await refuses.sweep(m);
      expect(b.deep, `minute ${m}`).toEqual(a.deep);
      expect(b.lro, `minute ${m}`).toBe(a.lro);
      expect(b.deep.join("\n"), `minute ${m}`).not.toMatch(/ trouble$/m);
      perSweep.push({ m, deep: b.deep.length, lro: b.lro });
      if (m >= 15 && m < 60)
        for (const v of b.result.verdicts)
          expect(`${v.name}: ${v.peerings[0]!.paths.primary.endToEnd.detail}`).toMatch(
            /^er-circuit-(\w): Connection Monitor cm-er-circuit-\1 read failed in workspace law-network: forbidden, missing Microsoft\.OperationalInsights\/workspaces\/query\/read$/,
          );
    }
    // Six circuits, two sweeps a rotation: three a sweep after the first, failing or not.
    expect(perSweep.filter((s) => s.m > 0).map((s) => s.deep)).toEqual(
      perSweep.filter((s) => s.m > 0).map(() => 3),
    );
    // No monitoring-blind (nor anything else) paged for the workspace, on any circuit.
    expect(refuses.sent()).toEqual([]);
    expect(answers.sent()).toEqual([]);
    // Said for the one workspace in every sweep that read its circuits, by each circuit read.
    const lines = refuses.lines;
    expect(new Set(lines.map((l) => l.workspace.toLowerCase())).size).toBe(1);
    expect(lines[0]!.workspace).toMatch(/\/workspaces\/law-network$/);
    expect(new Set(lines.map((l) => l.kind))).toEqual(new Set(["forbidden"]));
    expect(Math.min(...lines.map((l) => l.at))).toBe(15.5);
    expect(Math.max(...lines.map((l) => l.at))).toBe(55.5);
    expect(new Set(lines.map((l) => l.sweep)).size).toBe(9);
    expect(new Set(lines.map((l) => l.circuitId)).size).toBe(6);
    // The rule as deployed, at every phase of its evaluations: one alert, for the workspace.
    const rule = queryFailingRule();
    expect(rule.needle).toBe(QUERY_FAILING_MESSAGE.split(";")[0]);
    for (let phase = 0; phase < rule.everyMinutes; phase += 1) {
      const evaluations = Array.from({ length: 30 }, (_, i) => phase + i * rule.everyMinutes);
      const fired = evaluations.filter((at) => firing(rule, lines, at).length > 0);
      for (const at of fired) expect(firing(rule, lines, at)).toHaveLength(1);
      // Three sweeps, as monitoring-blind waited for: not at the first failure.
      expect(fired[0]!, `phase ${phase}`).toBeGreaterThanOrEqual(25.5);
      expect(fired[0]!, `phase ${phase}`).toBeLessThan(25.5 + rule.everyMinutes);
      // Open without a gap while it fails, resolved within the recent part of the window after.
      expect(fired, `phase ${phase}`).toEqual(
        evaluations.filter((at) => at >= fired[0]! && at <= Math.max(...fired)),
      );
      expect(Math.max(...fired) - 55.5).toBeLessThan(rule.recentMinutes + rule.everyMinutes);
    }
    // Two worlds side by side, 19 sweeps each: past the default timeout on a busy machine.
  }, 180_000);

  it("the circuits' other layers still page, and a Connection Monitor read over ARM that fails is still each circuit's monitoring-blind and read every sweep", async () => {
    const t = await sixCircuits();
    for (let m = 0; m <= 10; m += 5) await t.sweep(m);
    t.w.estate.addFault({ match: { operation: "queryLogs" }, behaviour: REFUSED });
    for (let m = 15; m <= 25; m += 5) await t.sweep(m);
    // A carrier cuts both paths of one circuit while the workspace refuses the query.
    carrierDownBoth(t.bundles[2]!.circuit, PRIVATE);
    let m = 25;
    while (t.sent().length === 0 && m < 60) await t.sweep((m += 5));
    const paged = t.sent().filter((e) => e.action === "open");
    expect(paged.map((e) => e.circuit.name)).toEqual(["er-circuit-c"]);
    expect(paged[0]!.family).not.toBe("monitoring-blind");
    expect(paged[0]!.severity).toBe("Sev0");
    // Read every sweep while its alert is not clear, the others in their turn.
    for (const at of [m + 5, m + 10]) {
      const { deep } = await t.sweep(at);
      expect(deep.filter((d) => !/ (due|rotation)$/.test(d))).toEqual([
        expect.stringMatching(/^er-circuit-c (trouble|signal)$/),
      ]);
    }
    restoreBoth(t.bundles[2]!.circuit, PRIVATE);
    t.w.estate.clearFaults();
    for (const at of [m + 15, m + 20, m + 25, m + 30]) await t.sweep(at);
    expect(
      t
        .sent()
        .filter((e) => e.action === "resolve")
        .map((e) => e.circuit.name),
    ).toEqual(["er-circuit-c"]);
    // Network Watcher's listing of the monitors (ARM) failing: as before the change.
    t.w.estate.addFault({
      match: { operation: "listConnectionMonitors" },
      behaviour: { kind: "status", status: 500 },
    });
    const armFailing: string[][] = [];
    for (let at = m + 35; at <= m + 60; at += 5) armFailing.push((await t.sweep(at)).deep);
    const blind = t.sent().filter((e) => e.family === "monitoring-blind" && e.action === "open");
    expect(blind.map((e) => e.circuit.name).sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `er-circuit-${String.fromCharCode(97 + i)}`),
    );
    expect(armFailing.at(-1)!.filter((d) => d.endsWith(" trouble"))).toHaveLength(6);
  }, 120_000);
});

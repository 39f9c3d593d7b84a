// Global Reach throughput corroborates the control plane's Global Reach row:
// the newest throughput of each Connected connection in the row's detail, and
// a Connected connection that went quiet both ways after carrying traffic as a
// note. It never pages and never changes the row's status.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type {
  CircuitMetrics,
  DataPlaneReading,
  GlobalReachMetric,
  GlobalReachSeries,
  OddPoint,
} from "../../../src/core/dataplane/facts.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import type { GlobalReachConnection } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading, failed, peering } from "../../support/readings.js";
import { metrics, NOW } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const MINUTE = 60_000;
const DR = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits";
const KEY = {
  dr: "11111111-aaaa-4aaa-8aaa-000000000001",
  apac: "22222222-bbbb-4bbb-8bbb-000000000002",
};

const reach = (name: string, peer: "dr" | "apac", status = "Connected"): GlobalReachConnection => ({
  name,
  peerCircuitPeeringId: `${DR}/er-circuit-${peer}/peerings/AzurePrivatePeering`,
  status,
  direction: "outbound",
});

/** bits per second `ago` minutes before the newest point; null a gap. */
type Shape = (metric: GlobalReachMetric, ago: number) => number | null;
const steady =
  (inBps: number, outBps: number): Shape =>
  (metric) =>
    metric === "GlobalReachBitsInPerSecond" ? inBps : outBps;
const quietFor =
  (minutes: number, before: Shape = steady(12e6, 3e6)): Shape =>
  (metric, ago) =>
    ago < minutes ? 0 : before(metric, ago);

function grSeries(key: string, shape: Shape, lag = 2, minutes = 45): GlobalReachSeries[] {
  const end = NOW.getTime() - lag * MINUTE;
  return (["GlobalReachBitsInPerSecond", "GlobalReachBitsOutPerSecond"] as const).map((metric) => ({
    peerServiceKey: key,
    metric,
    points: Array.from({ length: minutes }, (_, i) => {
      const ago = minutes - 1 - i;
      return { at: new Date(end - ago * MINUTE).toISOString(), value: shape(metric, ago) };
    }),
  }));
}

function judge(
  connections: GlobalReachConnection[],
  globalReach: GlobalReachSeries[] | undefined,
  extra: Partial<DataPlaneReading> = {},
  odd: OddPoint[] = [],
) {
  const m: CircuitMetrics = {
    ...metrics(),
    ...(globalReach ? { globalReach } : {}),
    ...(odd.length > 0 ? { odd } : {}),
  };
  const reading = circuitReading({
    peerings: [peering({ globalReach: connections })],
    dataPlane: { metrics: { ok: true, value: m, readAt: NOW.toISOString() }, ...extra },
  });
  const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, NOW);
  const p = verdict.peerings[0]!;
  return {
    row: p.paths.primary.globalReach,
    secondary: p.paths.secondary.globalReach,
    notes: p.notes ?? [],
    codes: verdict.findings.map((f) => f.code),
    blind: verdict.findings
      .filter((f) => f.code === "monitoring-blind")
      .map((f) => ({ severity: f.severity, peering: f.peering, paths: f.paths, title: f.title })),
  };
}

describe("Global Reach throughput in the Global Reach row", () => {
  it.each<{
    name: string;
    connections: GlobalReachConnection[];
    series: GlobalReachSeries[] | undefined;
    keys?: Record<string, string>;
    status: string;
    detail: string;
    note: RegExp | null;
  }>([
    {
      name: "one Connected connection: every series is its own",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, steady(12e6, 3e6)),
      status: "up",
      detail: "gr-to-dr Connected · 12 Mbps in / 3 Mbps out",
      note: null,
    },
    {
      name: "two connections told apart by the peer circuits' service keys",
      connections: [reach("gr-to-dr", "dr"), reach("gr-to-apac", "apac")],
      series: [...grSeries(KEY.dr, steady(12e6, 3e6)), ...grSeries(KEY.apac, steady(5e5, 2e3))],
      keys: {
        [`${DR}/er-circuit-dr`.toLowerCase()]: KEY.dr,
        [`${DR}/er-circuit-apac`.toLowerCase()]: KEY.apac,
      },
      status: "up",
      detail:
        "gr-to-dr Connected · 12 Mbps in / 3 Mbps out; gr-to-apac Connected · 500 kbps in / 2 kbps out",
      note: null,
    },
    {
      name: "two connections and no service keys known: said, not guessed",
      connections: [reach("gr-to-dr", "dr"), reach("gr-to-apac", "apac")],
      series: [...grSeries(KEY.dr, steady(12e6, 3e6)), ...grSeries(KEY.apac, steady(5e5, 2e3))],
      status: "up",
      detail:
        "gr-to-dr Connected · peer circuit's service key unknown; gr-to-apac Connected · peer circuit's service key unknown",
      note: null,
    },
    {
      name: "one Disconnected: the row stays down, the Connected one shows its throughput",
      connections: [reach("gr-to-dr", "dr"), reach("gr-to-apac", "apac", "Disconnected")],
      series: grSeries(KEY.dr, steady(12e6, 3e6)),
      keys: { [`${DR}/er-circuit-dr`.toLowerCase()]: KEY.dr },
      status: "down",
      detail: "gr-to-apac Disconnected; gr-to-dr Connected · 12 Mbps in / 3 Mbps out",
      note: null,
    },
    {
      name: "Connected and quiet both ways for 20 min after carrying traffic: a note",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, quietFor(20)),
      status: "up",
      detail: "gr-to-dr Connected · 0 bps in / 0 bps out",
      note: /Global Reach gr-to-dr reads Connected but Azure Monitor shows ~0 bits both ways for 20 min \(last carried 01:38 UTC\).*not paged/,
    },
    {
      name: "quiet for 10 min: not sustained yet",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, quietFor(10)),
      status: "up",
      detail: "gr-to-dr Connected · 0 bps in / 0 bps out",
      note: null,
    },
    {
      name: "quiet one way only is traffic",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, (metric, ago) =>
        metric === "GlobalReachBitsInPerSecond" || ago >= 20 ? 4e6 : 0,
      ),
      status: "up",
      detail: "gr-to-dr Connected · 4 Mbps in / 0 bps out",
      note: null,
    },
    {
      name: "quiet for the whole look-back: never seen carrying, nothing to compare with",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, () => 0),
      status: "up",
      detail: "gr-to-dr Connected · 0 bps in / 0 bps out",
      note: null,
    },
    {
      // Said as the capacity row says it: "0 bps" would read as a judged quiet minute.
      name: "quiet with most of the window missing: not judged",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, (metric, ago) =>
        ago < 20 ? (ago % 3 === 0 ? 0 : null) : steady(12e6, 3e6)(metric, ago),
      ),
      status: "up",
      detail: "gr-to-dr Connected · throughput data for 5 of the last 15 minutes",
      note: null,
    },
    {
      name: "newest data too old: unknown throughput, no note",
      connections: [reach("gr-to-dr", "dr")],
      series: grSeries(KEY.dr, quietFor(20), 12),
      status: "up",
      detail: "gr-to-dr Connected · no throughput data since 01:48 UTC",
      note: null,
    },
    {
      name: "asked for, and Azure sent nothing",
      connections: [reach("gr-to-dr", "dr")],
      series: [],
      status: "up",
      detail: "gr-to-dr Connected · no throughput data",
      note: null,
    },
    {
      name: "not asked for (no Global Reach when the batch was planned): the control plane's row",
      connections: [reach("gr-to-dr", "dr")],
      series: undefined,
      status: "up",
      detail: "1 connected",
      note: null,
    },
  ])("$name", ({ connections, series, keys, status, detail, note }) => {
    const got = judge(connections, series, keys ? { peerServiceKeys: keys } : {});
    expect(got.row).toEqual({ status, detail });
    expect(got.secondary).toEqual(got.row);
    if (note) expect(got.notes.join("\n")).toMatch(note);
    else expect(got.notes.filter((n) => n.includes("Global Reach"))).toEqual([]);
    // Metrics never page on their own.
    expect(got.codes.filter((c) => c !== "global-reach-down")).toEqual([]);
  });

  it("a failed metrics read leaves the row's status to the control plane and says the throughput is unknown", () => {
    const reading = circuitReading({
      peerings: [peering({ globalReach: [reach("gr-to-dr", "dr")] })],
      dataPlane: { metrics: failed({ kind: "throttled" }) },
    });
    const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, NOW);
    expect(verdict.peerings[0]!.paths.primary.globalReach).toEqual({
      status: "up",
      detail: "gr-to-dr Connected · throughput unknown (metrics read failed)",
    });
  });

  it("a circuit without Global Reach keeps its row as it was", () => {
    const got = judge([], grSeries(KEY.dr, steady(12e6, 3e6)));
    expect(got.row).toEqual({ status: "n/a", detail: "none" });
  });
});

/**
 * `minutes` (ago from the newest point) of both Global Reach metrics toward
 * `key` that Azure Monitor sent as `value`: gaps in the series, as the reader
 * leaves them, and named in `odd`.
 */
function withOdd(key: string, value: number, minutes: (ago: number) => boolean, good: Shape) {
  const series = grSeries(key, (metric, ago) => (minutes(ago) ? null : good(metric, ago)));
  const odd: OddPoint[] = series.flatMap((s) =>
    [...s.points]
      .filter((_, i) => minutes(44 - i))
      .map((p) => ({
        metric: s.metric,
        peering: null,
        path: null,
        peerServiceKey: key,
        at: p.at,
        value: String(value),
        reason: value < 0 ? "negative bits/s" : "more bits/s than any ExpressRoute port carries",
      })),
  );
  return { series, odd };
}

describe("Global Reach values that cannot be: as a path's capacity row", () => {
  it("for the whole look-back: throughput unknown, and a monitoring-blind read naming each metric and the connection", () => {
    const { series, odd } = withOdd(KEY.dr, -5, () => true, steady(12e6, 3e6));
    const got = judge([reach("gr-to-dr", "dr")], series, {}, odd);
    // The row's status stays the control plane's: Connected is Connected.
    expect(got.row).toEqual({
      status: "up",
      detail:
        "gr-to-dr Connected · no throughput data; Azure Monitor sent values that cannot be (see notes)",
    });
    expect(got.notes.join("\n")).toMatch(/Azure Monitor sent GlobalReachBitsInPerSecond -5 at/);
    expect(got.blind).toEqual([
      {
        severity: "Sev3",
        peering: "AzurePrivatePeering",
        // Global Reach is the circuit's, not a path's.
        paths: [],
        title:
          "erwatch cannot understand what Azure answered for GlobalReachBitsInPerSecond of Global Reach gr-to-dr: -5 (negative bits/s), 14 minutes since 01:45 UTC; 1 more answer it cannot understand",
      },
    ]);
    expect(got.codes).toEqual(["monitoring-blind"]);
  });

  it("in the quiet window, leaving too few minutes to call it quiet: unknown and blind, never 'carried nothing'", () => {
    const { series, odd } = withOdd(KEY.dr, 1e30, (ago) => ago < 15 && ago % 2 === 1, quietFor(20));
    const got = judge([reach("gr-to-dr", "dr")], series, {}, odd);
    expect(got.row.detail).toBe(
      "gr-to-dr Connected · throughput data for 8 of the last 15 minutes; Azure Monitor sent values that cannot be (see notes)",
    );
    expect(got.notes.filter((n) => n.startsWith("Global Reach gr-to-dr"))).toEqual([]);
    expect(got.blind.map((b) => b.title)).toEqual([
      expect.stringContaining(
        "GlobalReachBitsInPerSecond of Global Reach gr-to-dr: 1e+30 (more bits/s than any ExpressRoute port carries)",
      ),
    ]);
  });

  it("one odd minute among good ones: a note only", () => {
    const { series, odd } = withOdd(KEY.dr, -5, (ago) => ago === 7, steady(12e6, 3e6));
    const got = judge([reach("gr-to-dr", "dr")], series, {}, odd);
    expect(got.row).toEqual({
      status: "up",
      detail: "gr-to-dr Connected · 12 Mbps in / 3 Mbps out",
    });
    expect(got.notes.join("\n")).toMatch(/GlobalReachBitsInPerSecond -5 at/);
    expect(got.blind).toEqual([]);
  });

  it("two connections: only the one whose own series are odd is unread", () => {
    const bad = withOdd(KEY.apac, -5, () => true, steady(5e5, 2e3));
    const got = judge(
      [reach("gr-to-dr", "dr"), reach("gr-to-apac", "apac")],
      [...grSeries(KEY.dr, steady(12e6, 3e6)), ...bad.series],
      {
        peerServiceKeys: {
          [`${DR}/er-circuit-dr`.toLowerCase()]: KEY.dr,
          [`${DR}/er-circuit-apac`.toLowerCase()]: KEY.apac,
        },
      },
      bad.odd,
    );
    expect(got.row.detail).toBe(
      "gr-to-dr Connected · 12 Mbps in / 3 Mbps out; gr-to-apac Connected · no throughput data; Azure Monitor sent values that cannot be (see notes)",
    );
    expect(got.blind.map((b) => b.title)).toEqual([
      expect.stringContaining("of Global Reach gr-to-apac: -5"),
    ]);
  });
});

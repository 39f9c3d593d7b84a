// A private peering that carries nothing (traffic-stopped Sev1), graded by
// whether a partner in its erwatch:pair carries the site's traffic: an
// active/passive pair's idle DR circuit is the site's traffic on its partner
// (Sev2), not traffic stopped. Only Azure Monitor's throughput flowing on the
// partner's private peering proves that; a partner quiet too is the site cut
// off, and one whose traffic is not known (not read, stale, a gap, only its
// control plane up) leaves the Sev1 as it was.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { CircuitMetrics } from "../../src/core/dataplane/facts.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../src/core/evaluate.js";
import type { Finding } from "../../src/core/model.js";
import {
  keptTraffic,
  partnerOfEvaluation,
  partnerOfSnapshot,
  type PairContext,
  type PartnerState,
  type SiteTraffic,
} from "../../src/core/pairs.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  circuitReading,
  failed,
  microsoftPeering,
  peering,
  type CircuitSpec,
} from "../support/readings.js";
import {
  combine,
  dp,
  e2e,
  metrics,
  NOW,
  quiet,
  test as e2eTest,
  type Shape,
} from "./dataplane/builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const MIN = 60_000;
/** SWEEP_MAX_READ_AGE_MINUTES (15) plus one 5-minute interval, as the sweep passes it. */
const MAX_AGE = 20 * MIN;
const BOTH = ["primary", "secondary"] as const;

const evaluate = (spec: CircuitSpec, pair: PairContext | null = null) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW, { pair });

/** The partner as the sweep tells the stopped circuit of it: judged in the same sweep. */
function partner(spec: CircuitSpec): PartnerState {
  const { verdict, snapshot } = evaluate(spec);
  return partnerOfEvaluation(verdict, snapshot);
}

const pairOf = (...states: PartnerState[]): PairContext => ({
  name: "site-ams",
  partners: states.map((s, i) => ({ id: `/c/er-ams-${i + 2}`, name: `er-ams-${i + 2}`, ...s })),
});

/** This circuit's private peering: both paths quiet for 20 minutes after carrying (Sev1). */
const STOPPED: CircuitSpec = { dataPlane: dp.metrics(metrics(quiet([...BOTH], 20))) };
const stopOf = (fs: Finding[]) => fs.filter((f) => f.code === "traffic-stopped");

const withMetrics = (m: CircuitMetrics, extra: Partial<CircuitSpec> = {}): CircuitSpec => ({
  dataPlane: dp.metrics(m),
  ...extra,
});
/** Bits both ways missing (no data) on every path but for the newest `kept` minutes. */
const gap =
  (kept: number): Shape =>
  (metric, _peering, _path, ago) =>
    metric.startsWith("Bits") && ago >= kept ? null : (undefined as unknown as null);

describe("the partner's traffic, as its own reading shows it", () => {
  const cases: { case: string; spec: CircuitSpec; traffic: SiteTraffic }[] = [
    {
      case: "throughput flowing on both private paths",
      spec: withMetrics(metrics()),
      traffic: "carrying",
    },
    {
      case: "flowing on the primary, the standby quiet by design",
      spec: withMetrics(metrics(quiet(["secondary"], 60)), {
        settings: { standbyPath: "secondary" },
      }),
      traffic: "carrying",
    },
    {
      case: "stopped on both paths (quiet 20 min after carrying)",
      spec: withMetrics(metrics(quiet([...BOTH], 20))),
      traffic: "quiet",
    },
    {
      case: "idle on both paths (never seen carrying)",
      spec: withMetrics(metrics(quiet([...BOTH], 60))),
      traffic: "quiet",
    },
    {
      case: "one path down, the other quiet",
      spec: withMetrics(metrics(quiet([...BOTH], 60)), {
        paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
      }),
      traffic: "quiet",
    },
    {
      case: "the control plane up, Azure Monitor not read",
      spec: {},
      traffic: "unknown",
    },
    {
      case: "the metrics read failed",
      spec: {
        dataPlane: { metrics: failed({ kind: "throttled" }) },
      },
      traffic: "unknown",
    },
    {
      case: "the metrics stale (newest point 30 minutes old)",
      spec: withMetrics(metrics(undefined, { lag: 30 })),
      traffic: "unknown",
    },
    {
      case: "a metrics gap (5 of the last 15 minutes, all quiet)",
      spec: withMetrics(metrics(combine(gap(5), quiet([...BOTH], 60)))),
      traffic: "unknown",
    },
    {
      case: "the circuit not read",
      spec: { circuit: failed({ kind: "throttled" }) },
      traffic: "unknown",
    },
  ];

  it.each(cases)("$case: $traffic", ({ spec, traffic }) => {
    const { verdict, snapshot } = evaluate(spec);
    expect(partnerOfEvaluation(verdict, snapshot).traffic).toBe(traffic);
    // The same from the snapshot a later sweep reads back (stored as JSON), while it is fresh.
    const stored = JSON.parse(JSON.stringify(snapshot)) as typeof snapshot;
    expect(partnerOfSnapshot(stored, NOW, MAX_AGE).traffic).toBe(traffic);
  });

  it("a snapshot older than the pair age bound proves nothing, however busy it was", () => {
    const { snapshot } = evaluate(withMetrics(metrics()));
    expect(partnerOfSnapshot(snapshot, new Date(NOW.getTime() + MAX_AGE), MAX_AGE)).toEqual({
      status: "carrying",
      traffic: "carrying",
    });
    expect(partnerOfSnapshot(snapshot, new Date(NOW.getTime() + MAX_AGE + MIN), MAX_AGE)).toEqual({
      status: "unknown",
      traffic: "unknown",
    });
    expect(partnerOfSnapshot(null, NOW, MAX_AGE)).toEqual({
      status: "unknown",
      traffic: "unknown",
    });
  });
});

describe("the traffic a snapshot keeps over readings that cannot say (review: a gap of two sweeps paged)", () => {
  const at = (m: number) => new Date(NOW.getTime() + m * 60_000);
  const flowing = { AzurePrivatePeering: { primary: "flowing", secondary: "quiet" } } as const;
  const unknown = { AzurePrivatePeering: { primary: "unknown", secondary: "unknown" } } as const;
  const stored = (over: Partial<Snapshot>): Snapshot =>
    ({
      circuitId: "c",
      circuitName: "c",
      takenAt: at(0).toISOString(),
      peerings: {},
      ...over,
    }) as Snapshot;

  it("keeps this reading's when it says, and the last that did when it cannot", () => {
    expect(keptTraffic(flowing, null, at(0))).toEqual({
      traffic: flowing,
      trafficAt: at(0).toISOString(),
    });
    const before = stored({ traffic: flowing, trafficAt: at(-5).toISOString() });
    expect(keptTraffic(unknown, before, at(0))).toEqual({
      traffic: flowing,
      trafficAt: at(-5).toISOString(),
    });
    expect(keptTraffic({}, before, at(0))).toEqual({
      traffic: flowing,
      trafficAt: at(-5).toISOString(),
    });
    // A snapshot kept before the time was: its own instant.
    expect(keptTraffic({}, stored({ traffic: flowing }), at(5))).toEqual({
      traffic: flowing,
      trafficAt: at(0).toISOString(),
    });
    expect(keptTraffic({}, null, at(0))).toEqual({});
  });

  it("ages a partner's kept traffic by when it was read, not by the snapshot", () => {
    const kept = stored({
      takenAt: at(20).toISOString(),
      traffic: flowing,
      trafficAt: at(0).toISOString(),
    });
    expect(partnerOfSnapshot(kept, at(20), 20 * 60_000).traffic).toBe("carrying");
    expect(partnerOfSnapshot(kept, at(21), 20 * 60_000).traffic).toBe("unknown");
  });
});

describe("a private peering that carries nothing, graded by its pair's traffic", () => {
  const rows: {
    case: string;
    partners: CircuitSpec[];
    severity: string;
    title: RegExp | null;
  }[] = [
    {
      case: "the partner carries traffic",
      partners: [withMetrics(metrics())],
      severity: "Sev2",
      title: / — site traffic holding on pair site-ams: er-ams-2 carrying$/,
    },
    {
      case: "one of two partners carries traffic, the other is quiet",
      partners: [withMetrics(metrics(quiet([...BOTH], 60))), withMetrics(metrics())],
      severity: "Sev2",
      title: / — site traffic holding on pair site-ams: er-ams-3 carrying$/,
    },
    {
      case: "the partner stopped too",
      partners: [withMetrics(metrics(quiet([...BOTH], 20)))],
      severity: "Sev1",
      title: / — both circuits of pair site-ams carry nothing: the site is cut off$/,
    },
    {
      case: "the partner idle (quiet, never seen carrying)",
      partners: [withMetrics(metrics(quiet([...BOTH], 60)))],
      severity: "Sev1",
      title: / — both circuits of pair site-ams carry nothing: the site is cut off$/,
    },
    {
      case: "two partners, both quiet",
      partners: [
        withMetrics(metrics(quiet([...BOTH], 60))),
        withMetrics(metrics(quiet([...BOTH], 20))),
      ],
      severity: "Sev1",
      title: / — all 3 circuits of pair site-ams carry nothing: the site is cut off$/,
    },
    {
      case: "the partner up on the control plane only (Azure Monitor not read)",
      partners: [{}],
      severity: "Sev1",
      title: null,
    },
    {
      case: "the partner's metrics stale",
      partners: [withMetrics(metrics(undefined, { lag: 30 }))],
      severity: "Sev1",
      title: null,
    },
    {
      case: "the partner's metrics with a gap",
      partners: [withMetrics(metrics(combine(gap(5), quiet([...BOTH], 60))))],
      severity: "Sev1",
      title: null,
    },
    {
      case: "the partner not read",
      partners: [{ circuit: failed({ kind: "throttled" }) }],
      severity: "Sev1",
      title: null,
    },
    {
      case: "one partner quiet, the other's traffic unknown",
      partners: [withMetrics(metrics(quiet([...BOTH], 60))), {}],
      severity: "Sev1",
      title: null,
    },
  ];

  it.each(rows)("$case: $severity", ({ partners, severity, title }) => {
    const alone = stopOf(evaluate(STOPPED).verdict.findings);
    expect(alone.map((f) => f.severity)).toEqual(["Sev1"]);
    const pair = pairOf(...partners.map(partner));
    const [graded] = stopOf(evaluate(STOPPED, pair).verdict.findings);
    expect(graded!.severity).toBe(severity);
    if (title === null) {
      // Unknown: the Sev1 stands as it was, its words too.
      expect(graded).toEqual(alone[0]);
      return;
    }
    expect(graded!.title.startsWith(alone[0]!.title)).toBe(true);
    expect(graded!.title).toMatch(title);
    expect(graded!.evidence.pair).toEqual({ name: "site-ams", partners: pair.partners });
  });

  it("tells the on-call the site is fine and what to check", () => {
    const [graded] = stopOf(
      evaluate(STOPPED, pairOf(partner(withMetrics(metrics())))).verdict.findings,
    );
    expect(graded).toMatchObject({ code: "traffic-stopped", severity: "Sev2", owner: "you" });
    expect(graded!.nextAction).toMatch(
      /^The site is fine: Azure Monitor shows its traffic flowing on er-ams-2/,
    );
    expect(graded!.nextAction).toMatch(/passive DR circuit/);
    expect(graded!.nextAction).toMatch(/lost a route it should carry/);
    expect(graded!.nextAction).toMatch(/Route advertisement, not connectivity/);
    expect(graded!.nextAction).not.toMatch(/Nothing carries this peering/);
    expect(graded!.evidence.pair).toMatchObject({
      partners: [{ name: "er-ams-2", status: "carrying", traffic: "carrying" }],
    });
  });

  it("a one-path stop beside a quiet path (nothing carries the peering) steps down too, without 'the failover did not happen'", () => {
    const spec = withMetrics(metrics(combine(quiet(["primary"], 20), quiet(["secondary"], 60))));
    const [alone] = stopOf(evaluate(spec).verdict.findings);
    expect(alone).toMatchObject({ severity: "Sev1", evidence: { nothingCarries: true } });
    const [graded] = stopOf(
      evaluate(spec, pairOf(partner(withMetrics(metrics())))).verdict.findings,
    );
    expect(graded!.severity).toBe("Sev2");
    expect(graded!.nextAction).not.toMatch(/failover onto this path did not happen/);
  });

  it("leaves a stop whose end-to-end tests fail (folded into it) at Sev1: the site is not fine", () => {
    const spec: CircuitSpec = {
      dataPlane: { ...STOPPED.dataPlane!, ...dp.e2e(e2e([e2eTest("Fail")])) },
    };
    const alone = evaluate(spec).verdict.findings;
    expect(stopOf(alone)).toMatchObject([{ severity: "Sev1", evidence: { endToEnd: {} } }]);
    expect(evaluate(spec, pairOf(partner(withMetrics(metrics())))).verdict.findings).toEqual(alone);
  });

  it("leaves a one-path stop beside a path that carries (Sev2) as it is", () => {
    const spec = withMetrics(metrics(quiet(["secondary"], 20)));
    const alone = evaluate(spec).verdict.findings;
    expect(stopOf(alone).map((f) => f.severity)).toEqual(["Sev2"]);
    for (const state of [withMetrics(metrics()), withMetrics(metrics(quiet([...BOTH], 60)))])
      expect(evaluate(spec, pairOf(partner(state))).verdict.findings).toEqual(alone);
  });

  it("leaves a stop on a peering other than the private one as it is", () => {
    const spec: CircuitSpec = {
      peerings: [peering(), microsoftPeering("Configured")],
      settings: { expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"] },
      dataPlane: dp.metrics(
        metrics(
          (metric, p, path, ago) =>
            p === "MicrosoftPeering"
              ? quiet([...BOTH], 20)(metric, p, path, ago)
              : (undefined as unknown as null),
          { peerings: ["AzurePrivatePeering", "MicrosoftPeering"] },
        ),
      ),
    };
    const alone = evaluate(spec).verdict.findings;
    expect(stopOf(alone).map((f) => `${f.peering} ${f.severity}`)).toEqual([
      "MicrosoftPeering Sev1",
    ]);
    expect(evaluate(spec, pairOf(partner(withMetrics(metrics())))).verdict.findings).toEqual(alone);
  });
});

// A stored time is any text to the row's check (a hand edit, a cut-off write,
// an older erwatch). Date.parse read "42" as the year 2042: a partner once
// seen carrying stayed "carrying" for ever, and a circuit losing both paths
// was graded Sev1 "site redundancy holding" (its traffic stop Sev2 "site
// traffic holding") for good. A time without its zone was read in the host's
// zone (fresh on a UTC host whatever it was).
describe("a partner whose stored read time is not a time proves nothing", () => {
  const ODD_TIMES: [string, unknown][] = [
    ["a number as text", "42"],
    ["a year alone", "2026"],
    ["a time without its zone", "2026-11-22T02:00:00"],
    ["empty", ""],
    ["a word", "yesterday"],
    ["a number", NOW.getTime()],
    ["null", null],
  ];
  /** A partner up and carrying, read at NOW, its times then edited. */
  const carryingPartner = (times: { takenAt?: unknown; trafficAt?: unknown }): Snapshot => {
    const { snapshot } = evaluate(withMetrics(metrics()));
    const s = JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown>;
    if ("takenAt" in times) s.takenAt = times.takenAt;
    if ("trafficAt" in times) s.trafficAt = times.trafficAt;
    else delete s.trafficAt; // kept before the time was: its takenAt
    return s as unknown as Snapshot;
  };
  const later = new Date(NOW.getTime() + 5 * MIN);
  const BOTH_DOWN: CircuitSpec = {
    paths: {
      AzurePrivatePeering: {
        primary: { arp: "empty", bgp: "Idle" },
        secondary: { arp: "empty", bgp: "Idle" },
      },
    },
  };
  const graded = (spec: CircuitSpec, partner: PartnerState) =>
    evaluate(spec, pairOf(partner))
      .verdict.findings.filter((f) => f.code === "arp-missing" || f.code === "traffic-stopped")
      .map((f) => `${f.code} ${f.severity}`);

  it("the same partner read at a time is carrying on both planes (the control case)", () => {
    const fresh = partnerOfSnapshot(
      carryingPartner({ takenAt: NOW.toISOString() }),
      later,
      MAX_AGE,
    );
    expect(fresh).toEqual({ status: "carrying", traffic: "carrying" });
    expect(graded(BOTH_DOWN, fresh)).toEqual(["arp-missing Sev1"]);
    expect(graded(STOPPED, fresh)).toEqual(["traffic-stopped Sev2"]);
  });

  it.each(ODD_TIMES)("taken at %s (%j): unknown on both planes, nothing graded down", (_, odd) => {
    const known = partnerOfSnapshot(carryingPartner({ takenAt: odd }), later, MAX_AGE);
    expect(known).toEqual({ status: "unknown", traffic: "unknown" });
    expect(graded(BOTH_DOWN, known)).toEqual(["arp-missing Sev0"]);
    expect(graded(STOPPED, known)).toEqual(["traffic-stopped Sev1"]);
  });

  it.each(ODD_TIMES)(
    "traffic read at %s (%j), taken now: its traffic unknown, its control plane read",
    (_, odd) => {
      const snapshot = carryingPartner({ takenAt: later.toISOString(), trafficAt: odd });
      const known = partnerOfSnapshot(snapshot, later, MAX_AGE);
      // null is "not kept" (as absent): the snapshot's own time.
      expect(known).toEqual({
        status: "carrying",
        traffic: odd === null ? "carrying" : "unknown",
      });
      if (odd !== null) expect(graded(STOPPED, known)).toEqual(["traffic-stopped Sev1"]);
    },
  );

  it("kept over readings that cannot say, an unreadable time stays unreadable: never fresh", () => {
    const previous = carryingPartner({ takenAt: NOW.toISOString(), trafficAt: "42" });
    const kept = keptTraffic({}, previous, later);
    const next = { ...previous, ...kept, takenAt: later.toISOString() } as Snapshot;
    expect(partnerOfSnapshot(next, later, MAX_AGE).traffic).toBe("unknown");
  });

  it("an instant with an offset is read as the instant it is", () => {
    const snapshot = carryingPartner({ takenAt: "2026-11-22T03:00:00+01:00" });
    expect(partnerOfSnapshot(snapshot, later, MAX_AGE)).toEqual({
      status: "carrying",
      traffic: "carrying",
    });
    expect(partnerOfSnapshot(snapshot, new Date(NOW.getTime() + MAX_AGE + MIN), MAX_AGE)).toEqual({
      status: "unknown",
      traffic: "unknown",
    });
  });
});

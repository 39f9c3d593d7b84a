// Azure Monitor corroborates the control plane and never pages on its own:
// traffic stopped needs an Established path with prefixes, Azure Monitor
// agreeing the session is up, and both directions at the floor for the whole
// window after the path carried traffic; saturation needs the share held for
// the whole window. Gaps and stale data say nothing.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { CircuitMetrics } from "../../../src/core/dataplane/facts.js";
import { withoutImpossibleThroughput } from "../../../src/core/dataplane/plausible.js";
import {
  loadDetail,
  nextCarryRun,
  type CarryReading,
  type CarryRun,
  type LinkLoad,
} from "../../../src/core/dataplane/metrics.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import type { PathName } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import type { Snapshot } from "../../../src/core/snapshot.js";
import {
  circuitReading,
  failed,
  microsoftPeering,
  neighbor,
  peering,
  type CircuitSpec,
} from "../../support/readings.js";
import { combine, dp, metrics, NOW, quiet, type Shape } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

const judge = (spec: CircuitSpec, previous: Snapshot | null = null) =>
  evaluateCircuit(circuitReading(spec), previous, [], [], POLICY, NOW);

const codes = (spec: CircuitSpec) =>
  judge(spec).verdict.findings.map((f) => `${f.code} ${f.severity} ${f.paths.join("+")}`);

const capacity = (spec: CircuitSpec, path: PathName = "primary") =>
  judge(spec).verdict.peerings[0]!.paths[path].capacity;

const bgpDip: Shape = (metric, _p, _path, ago) =>
  metric === "BgpAvailability" && ago < 20 ? 0 : (undefined as unknown as null);
const gap =
  (minutes: number): Shape =>
  (_m, _p, _path, ago) =>
    ago < minutes ? null : (undefined as unknown as null);
const load =
  (
    direction: "BitsInPerSecond" | "BitsOutPerSecond",
    bps: number,
    minutes: number,
    paths: PathName[] = ["primary"],
  ): Shape =>
  (metric, _p, path, ago) =>
    metric === direction && paths.includes(path) && ago < minutes
      ? bps
      : (undefined as unknown as null);

describe("traffic stopped: link up but carrying nothing", () => {
  it.each<{ name: string; shape: Shape; spec?: CircuitSpec; expected: string[] }>([
    { name: "healthy traffic", shape: () => undefined as unknown as null, expected: [] },
    {
      name: "both paths quiet for 20 min after carrying traffic",
      shape: quiet(["primary", "secondary"], 20),
      expected: ["traffic-stopped Sev1 primary+secondary"],
    },
    {
      name: "one path quiet for 20 min",
      shape: quiet(["secondary"], 20),
      expected: ["traffic-stopped Sev2 secondary"],
    },
    {
      // The working session proves layer 2 (the odd ARP table is a note): the path carries.
      name: "one path quiet for 20 min under an odd ARP table its session contradicts",
      shape: quiet(["secondary"], 20),
      spec: { paths: { AzurePrivatePeering: { secondary: { arp: "microsoft-only" } } } },
      expected: ["traffic-stopped Sev2 secondary"],
    },
    {
      // IPv4 Established beside an IPv6 session down: the path carries, and stopping is news.
      name: "one path quiet for 20 min while only its IPv6 session is down",
      shape: quiet(["secondary"], 20),
      spec: {
        paths: {
          AzurePrivatePeering: { secondary: { bgp: [neighbor("120"), neighbor("Active", 6)] } },
        },
      },
      expected: ["bgp-down Sev3 secondary", "traffic-stopped Sev2 secondary"],
    },
    {
      // Active/passive by design: after a failback the secondary goes quiet, and stays so for weeks.
      name: "the standby path (erwatch:standby-path) quiet while the other carries: idle by design",
      shape: quiet(["secondary"], 20),
      spec: { settings: { standbyPath: "secondary" } },
      expected: [],
    },
    {
      // Traffic failed over to the standby: the active path stopping is still news.
      name: "the active path quiet while the standby carries",
      shape: quiet(["primary"], 20),
      spec: { settings: { standbyPath: "secondary" } },
      expected: ["traffic-stopped Sev2 primary"],
    },
    {
      // Nothing flows at all: the standby's quiet counts.
      name: "both quiet with a standby path named",
      shape: quiet(["primary", "secondary"], 20),
      spec: { settings: { standbyPath: "secondary" } },
      expected: ["traffic-stopped Sev1 primary+secondary"],
    },
    {
      // Nothing carries the peering: the surviving path is up and moves nothing, as bad as both stopped.
      name: "one path quiet for 20 min while the other is down",
      shape: quiet(["primary", "secondary"], 20),
      spec: { paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } } },
      expected: ["bgp-down Sev2 primary", "traffic-stopped Sev1 secondary"],
    },
    {
      name: "one path quiet for 20 min beside one never seen carrying",
      shape: combine(quiet(["secondary"], 20), quiet(["primary"], 60)),
      expected: ["traffic-stopped Sev1 secondary"],
    },
    {
      // Active/passive, the active path down 10 min ago: traffic has a window to move onto the standby.
      name: "the standby quiet while the other path went down 10 min ago: failing over, not a stop",
      shape: combine(quiet(["primary"], 10), quiet(["secondary"], 40)),
      spec: {
        settings: { standbyPath: "secondary" },
        paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } },
      },
      expected: ["bgp-down Sev2 primary"],
    },
    {
      // The failover never happened: nothing carries the peering.
      name: "the standby still quiet a whole window after the other path went down",
      shape: combine(quiet(["primary"], 20), quiet(["secondary"], 40)),
      spec: {
        settings: { standbyPath: "secondary" },
        paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } },
      },
      expected: ["bgp-down Sev2 primary", "traffic-stopped Sev1 secondary"],
    },
    {
      name: "quiet for 10 min: not sustained yet",
      shape: quiet(["primary", "secondary"], 10),
      expected: [],
    },
    {
      name: "a trickle above the floor is traffic",
      shape: quiet(["primary", "secondary"], 20, 50_000),
      expected: [],
    },
    {
      name: "quiet with BgpAvailability dipping to 0 while ARM reads Established: a metrics dip",
      shape: combine(quiet(["primary", "secondary"], 20), bgpDip),
      expected: [],
    },
    {
      name: "a gap of 20 min is no data, not zero",
      shape: gap(20),
      expected: [],
    },
    {
      // 10 Gbps on a 1 Gbps circuit, which bursts to 2 Gbps at most: Azure Monitor's error.
      // As traffic it read "flowing" and hid the primary's stop for the whole window.
      name: "both paths quiet for 20 min under one impossible minute on the primary",
      shape: combine(
        (metric, _p, path, ago) =>
          metric === "BitsInPerSecond" && path === "primary" && ago === 5
            ? 10e9
            : (undefined as unknown as null),
        quiet(["primary", "secondary"], 20),
      ),
      expected: ["traffic-stopped Sev1 primary+secondary"],
    },
    {
      name: "quiet on a path whose session is down: the BGP layer explains it",
      shape: quiet(["primary"], 20),
      spec: { paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } } },
      expected: ["bgp-down Sev2 primary"],
    },
    {
      name: "quiet with 0 prefixes: route advertisement is already the finding",
      shape: quiet(["primary", "secondary"], 20),
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
      },
      expected: ["no-prefixes-received Sev0 primary+secondary"],
    },
  ])("$name", ({ shape, spec, expected }) => {
    expect(codes({ ...spec, dataPlane: dp.metrics(metrics(shape)) })).toEqual(expected);
  });

  it("shows the standby path's quiet as by design, naming the tag", () => {
    const cell = capacity(
      {
        settings: { standbyPath: "secondary" },
        dataPlane: dp.metrics(metrics(quiet(["secondary"], 20))),
      },
      "secondary",
    );
    expect(cell.status).toBe("up");
    expect(cell.detail).toMatch(
      /^standby by design \(erwatch:standby-path\): no traffic either way for \d+ min while the other path carries$/,
    );
  });

  it("says whether anything still carries the peering beside a one-path stop", () => {
    const title = (spec: CircuitSpec) =>
      judge(spec).verdict.findings.find((f) => f.code === "traffic-stopped")!.title;
    expect(title({ dataPlane: dp.metrics(metrics(quiet(["secondary"], 20))) })).toMatch(
      /secondary path of AzurePrivatePeering: .* \(the other path still carries traffic\)$/,
    );
    const otherDown = judge({
      paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } },
      dataPlane: dp.metrics(metrics(quiet(["primary", "secondary"], 20))),
    }).verdict.findings.find((f) => f.code === "traffic-stopped")!;
    expect(otherDown.title).toMatch(
      /~0 bits both ways while the primary path is down: nothing carries this peering's traffic$/,
    );
    expect(otherDown.nextAction).toMatch(/^Nothing carries this peering: the failover/);
    expect(
      title({
        dataPlane: dp.metrics(metrics(combine(quiet(["secondary"], 20), quiet(["primary"], 60)))),
      }),
    ).toMatch(
      /\(the primary path carries nothing either: nothing carries this peering's traffic\)$/,
    );
    const primaryGap: Shape = (_m, _p, path, ago) =>
      path === "primary" && ago < 30 ? null : (undefined as unknown as null);
    const unjudged = judge({
      dataPlane: dp.metrics(metrics(combine(primaryGap, quiet(["secondary"], 20)))),
    }).verdict.findings.find((f) => f.code === "traffic-stopped")!;
    expect(unjudged.severity).toBe("Sev2");
    expect(unjudged.title).toMatch(/\(the primary path's traffic could not be judged\)$/);
  });

  it("shows the standby failing over: by design until a window after the other path last carried", () => {
    const cell = capacity(
      {
        settings: { standbyPath: "secondary" },
        paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } },
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 10), quiet(["secondary"], 40)))),
      },
      "secondary",
    );
    expect(cell).toEqual({
      status: "up",
      detail:
        "standby by design (erwatch:standby-path): no traffic either way for 40 min; the other path last carried at 01:48 UTC, so traffic fails over to this one: a stop only if still quiet past 02:03 UTC",
    });
  });

  it("says what Azure Monitor's availability showed, and that it showed none when it reported none", () => {
    const said = (shape: Shape) => {
      const f = judge({ dataPlane: dp.metrics(metrics(shape)) }).verdict.findings.find(
        (x) => x.code === "traffic-stopped",
      )!;
      return f.evidence.azureMonitor as string;
    };
    const quietBoth = quiet(["primary", "secondary"], 20);
    expect(said(quietBoth)).toMatch(/^BgpAvailability reads up for the whole window/);
    const noAvailability: Shape = (metric, p, path, ago) =>
      metric === "BgpAvailability" ? null : quietBoth(metric, p, path, ago);
    expect(said(noAvailability)).toMatch(/^Azure Monitor reported no BgpAvailability/);
  });

  it("a path quiet for the whole window is only 'stopped' if it carried traffic before (snapshot memory)", () => {
    const allQuiet = dp.metrics(metrics(quiet(["primary", "secondary"], 60)));
    expect(codes({ dataPlane: allQuiet })).toEqual([]);
    const before = judge({ dataPlane: dp.metrics(metrics()) }).snapshot;
    expect(before.lastCarriedAt?.AzurePrivatePeering?.primary).toBe("2026-11-22T01:58:00.000Z");
    // An hour later the whole window is quiet: the memory says it carried traffic before.
    const anHourAgo = {
      ...before,
      lastCarriedAt: {
        AzurePrivatePeering: {
          primary: "2026-11-22T00:58:00.000Z",
          secondary: "2026-11-22T00:58:00.000Z",
        },
      },
    };
    const later = evaluateCircuit(
      circuitReading({ dataPlane: allQuiet }),
      anHourAgo,
      [],
      [],
      POLICY,
      NOW,
    );
    const stopped = later.verdict.findings.find((f) => f.code === "traffic-stopped")!;
    expect(stopped.severity).toBe("Sev1");
    expect(stopped.owner).toBe("you");
    expect(stopped.title).toContain("carrying nothing");
    // The memory survives the quiet sweep, so the alert does not resolve by forgetting.
    expect(later.snapshot.lastCarriedAt).toEqual(anHourAgo.lastCarriedAt);
    expect(stopped.evidence.paths).toMatchObject({
      primary: { lastCarriedAt: "2026-11-22T00:58:00.000Z", quietMinutes: 60 },
    });
  });

  it("a memory dated in the future (from a minute Azure Monitor dated 2099) is held to now, not kept until 2099", () => {
    const allQuiet = dp.metrics(metrics(quiet(["primary", "secondary"], 60)));
    const before = judge({ dataPlane: dp.metrics(metrics()) }).snapshot;
    const future = {
      ...before,
      lastCarriedAt: {
        AzurePrivatePeering: {
          primary: "2099-01-01T00:00:00.000Z",
          secondary: "2026-11-22T00:58:00.000Z",
        },
      },
    };
    const later = evaluateCircuit(
      circuitReading({ dataPlane: allQuiet }),
      future,
      [],
      [],
      POLICY,
      NOW,
    );
    // Kept, the primary would read "idle" (carried within the window) every sweep until 2099,
    // so a stop would never be found; held to now, it is found a window later.
    expect(later.snapshot.lastCarriedAt?.AzurePrivatePeering?.primary).toBe(NOW.toISOString());
    expect(later.snapshot.lastCarriedAt?.AzurePrivatePeering?.secondary).toBe(
      "2026-11-22T00:58:00.000Z",
    );
  });

  it("shows the stop in the capacity row and keeps the memory when the metrics read fails", () => {
    expect(capacity({ dataPlane: dp.metrics(metrics(quiet(["primary"], 20))) })).toEqual({
      status: "down",
      detail: "no traffic either way for 20 min (last carried 01:38 UTC)",
    });
    const blind = judge({
      dataPlane: {
        metrics: failed({ kind: "throttled", call: "Microsoft.Insights/metrics/read" }),
      },
    });
    expect(blind.verdict.peerings[0]!.paths.primary.capacity.status).toBe("unknown");
    expect(blind.verdict.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
  });

  it("notes a metrics dip under a healthy control plane on the peering, and pages nothing", () => {
    const verdict = judge({ dataPlane: dp.metrics(metrics(bgpDip)) }).verdict;
    expect(verdict.findings).toEqual([]);
    expect(verdict.peerings[0]!.notes?.join("\n")).toMatch(
      /BgpAvailability 0 % on the primary path .* while ARM reads it healthy: a metrics dip, not paged/,
    );
  });

  it("stale metrics (Azure more than 10 minutes behind) are unknown, never zero", () => {
    const cell = capacity({ dataPlane: dp.metrics(metrics(quiet(["primary"], 60), { lag: 12 })) });
    expect(cell.status).toBe("unknown");
  });
});

describe("a path's run of readings able to carry (traffic-stopped after an outage)", () => {
  const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
  const run = (since: string | null, down = false, stopped = false): CarryRun => ({
    since,
    down,
    stopped,
  });

  it.each<{
    name: string;
    previous: unknown;
    reading: CarryReading;
    stopped: boolean | null;
    expected: CarryRun | null;
  }>([
    {
      name: "nothing kept, unread",
      previous: null,
      reading: "unread",
      stopped: null,
      expected: null,
    },
    {
      name: "nothing kept (an older snapshot), carrying: a run from before runs were kept",
      previous: null,
      reading: "carrying",
      stopped: false,
      expected: run(null),
    },
    {
      name: "read down: the outage is marked, what it was before kept",
      previous: run(at(60), false, false),
      reading: "down",
      stopped: null,
      expected: run(null, true, false),
    },
    {
      name: "read down while stopped: the stop is kept through the outage",
      previous: run(at(60), false, true),
      reading: "down",
      stopped: null,
      expected: run(null, true, true),
    },
    {
      name: "back from the outage: a run begins at this reading",
      previous: run(null, true, false),
      reading: "carrying",
      stopped: false,
      expected: run(at(0)),
    },
    {
      name: "carrying on: the run's start is kept, the judgement taken",
      previous: run(at(20)),
      reading: "carrying",
      stopped: true,
      expected: run(at(20), false, true),
    },
    {
      name: "carrying, the metrics not judged (unread, a dip): the last judgement is kept",
      previous: run(at(20), false, true),
      reading: "carrying",
      stopped: null,
      expected: run(at(20), false, true),
    },
    {
      name: "unread in the middle of an outage: still the outage",
      previous: run(null, true, false),
      reading: "unread",
      stopped: null,
      expected: run(null, true, false),
    },
    {
      name: "a kept run of another shape is none",
      previous: { since: 5, down: "no" },
      reading: "carrying",
      stopped: false,
      expected: run(null),
    },
    {
      name: "a run's start dated in the future is held to now",
      previous: run("2099-01-01T00:00:00.000Z"),
      reading: "carrying",
      stopped: false,
      expected: run(at(0)),
    },
  ])("$name", ({ previous, reading, stopped, expected }) => {
    expect(nextCarryRun(previous, reading, stopped, NOW)).toEqual(expected);
  });

  /** Both paths quiet for the hour, having carried 61 min ago; `runs` as kept by the last sweep. */
  const quietAfter = (runs: unknown, shape: Shape = quiet(["primary", "secondary"], 60)) => {
    const before = judge({ dataPlane: dp.metrics(metrics()) }).snapshot;
    const previous = {
      ...before,
      lastCarriedAt: { AzurePrivatePeering: { primary: at(61), secondary: at(61) } },
      carryRuns: runs,
    } as Snapshot;
    return evaluateCircuit(
      circuitReading({ dataPlane: dp.metrics(metrics(shape)) }),
      previous,
      [],
      [],
      POLICY,
      NOW,
    );
  };
  const codesOf = (e: ReturnType<typeof quietAfter>) => e.verdict.findings.map((f) => f.code);
  const both = (r: CarryRun) => ({ AzurePrivatePeering: { primary: r, secondary: r } });

  it("back this sweep from an outage it was not stopped before: its quiet is the outage's", () => {
    const later = quietAfter(both(run(null, true, false)));
    expect(codesOf(later)).toEqual([]);
    expect(later.verdict.peerings[0]!.paths.primary.capacity).toEqual({
      status: "up",
      detail:
        "quiet since it came back from an outage at 02:00 UTC, which explains it; a stop only if still quiet past 02:15 UTC",
    });
    expect(later.snapshot.carryRuns?.AzurePrivatePeering?.primary).toEqual(run(NOW.toISOString()));
  });

  it("back a whole window ago and quiet since: a stop", () => {
    expect(codesOf(quietAfter(both(run(at(20)))))).toEqual(["traffic-stopped"]);
  });

  it("stopped before it went down: stopped still once back, its outage's availability dip no metrics dip", () => {
    const downThenBack = combine(quiet(["primary", "secondary"], 60), bgpDip);
    expect(codesOf(quietAfter(both(run(null, true, true)), downThenBack))).toEqual([
      "traffic-stopped",
    ]);
    // With no outage read, the same dip is Azure Monitor's alone: a note, not a stop.
    expect(codesOf(quietAfter(both(run(at(120))), downThenBack))).toEqual([]);
  });

  it.each([
    null,
    "x",
    5,
    [],
    { AzurePrivatePeering: null },
    { AzurePrivatePeering: "x" },
    { AzurePrivatePeering: { primary: 5, secondary: [] } },
    { AzurePrivatePeering: { primary: { since: {}, down: "yes", stopped: 1 } } },
  ])("kept runs that cannot be read (%j) are judged as none: the stop found as before", (runs) => {
    expect(codesOf(quietAfter(runs))).toEqual(["traffic-stopped"]);
  });

  it("a path quiet since it came back shows its link saturated by the peering beside it", () => {
    const two = ["AzurePrivatePeering", "MicrosoftPeering"];
    const shape: Shape = (metric, peering, path, ago) =>
      peering === "MicrosoftPeering"
        ? metric === "BitsInPerSecond" && path === "primary" && ago < 20
          ? 900e6
          : (undefined as unknown as null)
        : metric.startsWith("Bits")
          ? 0
          : (undefined as unknown as null);
    const spec = { peerings: [peering(), microsoftPeering("Configured")] };
    const before = judge({
      ...spec,
      dataPlane: dp.metrics(metrics(undefined, { peerings: two })),
    }).snapshot;
    const previous = {
      ...before,
      lastCarriedAt: { AzurePrivatePeering: { primary: at(61), secondary: at(61) } },
      carryRuns: both(run(null, true, false)),
    } as Snapshot;
    const later = evaluateCircuit(
      circuitReading({ ...spec, dataPlane: dp.metrics(metrics(shape, { peerings: two })) }),
      previous,
      [],
      [],
      POLICY,
      NOW,
    );
    expect(codesOf(later)).toEqual(["saturation"]);
    expect(later.verdict.peerings[0]!.paths.primary.capacity).toEqual({
      status: "warn",
      detail: "in ≥ 90% of 1 Gbps for 15 min",
    });
    expect(later.verdict.peerings[0]!.paths.secondary.capacity.detail).toMatch(
      /^quiet since it came back from an outage at 02:00 UTC/,
    );
  });

  it("the standby back from an outage, quiet while the other path carries: by design, no stop to wait for", () => {
    const later = evaluateCircuit(
      circuitReading({
        settings: { standbyPath: "secondary" },
        dataPlane: dp.metrics(metrics(quiet(["secondary"], 60))),
      }),
      {
        ...judge({ dataPlane: dp.metrics(metrics()) }).snapshot,
        lastCarriedAt: { AzurePrivatePeering: { primary: at(1), secondary: at(61) } },
        carryRuns: both(run(null, true, false)),
      } as Snapshot,
      [],
      [],
      POLICY,
      NOW,
    );
    expect(codesOf(later)).toEqual([]);
    expect(later.verdict.peerings[0]!.paths.secondary.capacity).toEqual({
      status: "up",
      detail:
        "standby by design (erwatch:standby-path): quiet since it came back from an outage at 02:00 UTC while the other path carries",
    });
  });

  it("a peering kept under another spelling is the same peering", () => {
    const runs = { azureprivatepeering: { primary: run(null, true), secondary: run(null, true) } };
    expect(codesOf(quietAfter(runs))).toEqual([]);
  });
});

describe("saturation: sustained throughput near the bandwidth, per direction", () => {
  it.each<{ name: string; shape: Shape; expected: string[]; cell?: string }>([
    {
      name: "inbound at 85 % of 1 Gbps for 15 min",
      shape: load("BitsInPerSecond", 850e6, 15),
      expected: ["saturation Sev3 primary"],
      cell: "in ≥ 85% of 1 Gbps for 15 min",
    },
    {
      name: "outbound at 90 % on both paths",
      shape: load("BitsOutPerSecond", 900e6, 20, ["primary", "secondary"]),
      expected: ["saturation Sev3 primary+secondary"],
    },
    { name: "85 % for 10 min: a burst", shape: load("BitsInPerSecond", 850e6, 10), expected: [] },
    { name: "75 %: busy, not saturated", shape: load("BitsInPerSecond", 750e6, 30), expected: [] },
    {
      name: "85 % with a third of the window missing: not judged",
      shape: combine(
        (_m, _p, _path, ago) => (ago % 3 === 0 ? null : (undefined as unknown as null)),
        load("BitsInPerSecond", 850e6, 15),
      ),
      expected: [],
    },
  ])("$name", ({ shape, expected, cell }) => {
    const spec = { dataPlane: dp.metrics(metrics(shape)) };
    expect(codes(spec)).toEqual(expected);
    if (cell) expect(capacity(spec)).toEqual({ status: "warn", detail: cell });
  });

  it("says what to do, whose it is, and that it is not an incident", () => {
    const f = judge({ dataPlane: dp.metrics(metrics(load("BitsInPerSecond", 850e6, 15))) }).verdict
      .findings[0]!;
    expect(f).toMatchObject({ layer: "capacity", owner: "you", peering: null });
    expect(f.title).toContain("capacity planning, not an incident");
    expect(f.nextAction).toMatch(/bandwidth/);
  });

  it("shows each path's share of the bandwidth in the capacity row", () => {
    expect(capacity({ dataPlane: dp.metrics(metrics()) })).toEqual({
      status: "up",
      detail: "in 30% · out 10% of 1 Gbps",
    });
  });

  it.each([
    { bandwidth: 1000, detail: "in 870 Mbps · out 90 Mbps of 1 Gbps" },
    // ARM left the bandwidth out: said, never read as "not saturated".
    {
      bandwidth: null,
      detail: "in 870 Mbps · out 90 Mbps; bandwidth not reported, saturation not judged",
    },
  ])("the capacity row with a bandwidth of $bandwidth Mbps", ({ bandwidth, detail }) => {
    const load: LinkLoad = {
      percent: { in: null, out: null },
      bps: { in: 870e6, out: 90e6 },
      saturated: [],
      floorPercent: {},
      at: NOW.getTime(),
      stale: false,
    };
    expect(loadDetail(load, bandwidth)).toBe(detail);
  });

  it("sums the peerings riding the same link: the bandwidth is the link's", () => {
    const both = { peerings: [peering(), microsoftPeering("Configured")] };
    const shape = load("BitsInPerSecond", 450e6, 20);
    const two = metrics(shape, { peerings: ["AzurePrivatePeering", "MicrosoftPeering"] });
    expect(codes({ ...both, dataPlane: dp.metrics(two) })).toEqual(["saturation Sev3 primary"]);
    expect(codes({ ...both, dataPlane: dp.metrics(metrics(shape)) })).toEqual([]);
  });
});

describe("Azure Monitor's agreement with a control-plane outage, in the evidence", () => {
  it.each<{ name: string; shape: Shape; agrees: boolean | null; words: RegExp }>([
    {
      name: "BgpAvailability 0 on the down path: agrees",
      shape: (m, _p, path, ago) =>
        m === "BgpAvailability" && path === "secondary" && ago < 5
          ? 0
          : (undefined as unknown as null),
      agrees: true,
      words: /^Azure Monitor agrees: BgpAvailability 0 % on the secondary path/,
    },
    {
      name: "still 100 (metrics are late): not yet",
      shape: () => undefined as unknown as null,
      agrees: false,
      words: /does not show it yet/,
    },
    {
      name: "no data: says so",
      shape: gap(60),
      agrees: null,
      words: /no recent data/,
    },
  ])("$name", ({ shape, agrees, words }) => {
    const f = judge({
      paths: { AzurePrivatePeering: { secondary: { bgp: "Active" } } },
      dataPlane: dp.metrics(metrics(shape)),
    }).verdict.findings.find((x) => x.code === "bgp-down")!;
    const view = f.evidence.azureMonitor as { agrees: boolean | null; detail: string };
    expect(view.agrees).toBe(agrees);
    expect(view.detail).toMatch(words);
    expect(f.severity).toBe("Sev2");
  });
});

describe("minutes Azure Monitor sends twice, or beyond what the circuit carries", () => {
  const dup = (m: CircuitMetrics): CircuitMetrics => ({
    ...m,
    // Every point of the primary's throughput sent twice, as a retried batch can.
    series: m.series.map((s) =>
      s.metric.startsWith("Bits") && s.path === "primary"
        ? { ...s, points: [...s.points].flatMap((p) => [p, p]) }
        : s,
    ),
  });

  it("a minute sent twice is that minute, not twice the traffic (it read 90 % of the link: saturation)", () => {
    // 450 Mbps of a 1,000 Mbps link: doubled it was 900 Mbps, past the 80 % saturation share.
    const shape = quiet(["primary"], 60, 450e6);
    expect(codes({ dataPlane: dp.metrics(dup(metrics(shape))) })).toEqual([]);
    expect(capacity({ dataPlane: dp.metrics(dup(metrics(shape))) }).detail).toMatch(
      /^in 45% · out 45% of 1 Gbps/,
    );
  });

  it("IPv4 and IPv6 series of one path still add up", () => {
    const m = metrics(quiet(["primary"], 60, 200e6));
    const v6 = m.series
      .filter((s) => s.metric.startsWith("Bits") && s.path === "primary")
      .map((s) => ({ ...s }));
    const both = { ...m, series: [...m.series, ...v6] };
    expect(capacity({ dataPlane: dp.metrics(both) }).detail).toMatch(/^in 40% · out 40% of 1 Gbps/);
  });

  it("a minute past twice the bandwidth is a named gap, never saturation", () => {
    const spike: Shape = (metric, _p, path) =>
      metric === "BitsInPerSecond" && path === "primary" ? 9e11 : (undefined as unknown as null);
    const judged = judge({ dataPlane: dp.metrics(metrics(spike)) }).verdict;
    expect(judged.findings.map((f) => f.code)).not.toContain("saturation");
    expect(judged.peerings[0]!.notes!.join("\n")).toMatch(
      /more than twice the circuit's 1,000 Mbps, which it cannot carry/,
    );
  });

  it.each([
    ["exactly twice the bandwidth: a burst it may carry", 2e9, false],
    ["just past twice the bandwidth", 2e9 + 1, true],
  ] as const)("%s", (_, bps, odd) => {
    const out = withoutImpossibleThroughput(metrics(quiet(["primary"], 1, bps)), 1000);
    expect((out.odd ?? []).length > 0).toBe(odd);
    expect(
      withoutImpossibleThroughput(metrics(quiet(["primary"], 1, bps)), null).odd,
    ).toBeUndefined();
  });
});

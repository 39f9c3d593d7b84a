import { describe, expect, it } from "vitest";
import type { CircuitMetrics, MetricSeries } from "../../../src/core/dataplane/facts.js";
import { DEFAULT_DATA_PLANE_POLICY } from "../../../src/core/dataplane/policy.js";
import {
  availabilityDips,
  dataPlaneSignal,
  dipWords,
  judgedThroughput,
  type SignalCircuit,
} from "../../../src/core/dataplane/signal.js";

const NOW = new Date("2026-12-01T03:00:00.000Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

function metrics(...series: Partial<MetricSeries>[]): CircuitMetrics {
  return {
    from: at(30),
    to: NOW.toISOString(),
    series: series.map((s) => ({
      metric: "BgpAvailability",
      peering: "AzurePrivatePeering",
      path: "primary",
      points: [],
      ...s,
    })),
  };
}

/** The lowest dip of the look-back in words, as the plan says it of a circuit never read deep. */
const lowestDip = (m: CircuitMetrics, now: Date, windowMinutes: number) =>
  dipWords(availabilityDips(m, now, windowMinutes));

describe("availabilityDips: which circuits Azure Monitor sends to a deep read", () => {
  it.each([
    { case: "all sessions at 100 %", points: [{ at: at(2), value: 100 }], want: null },
    { case: "no data (a gap is not a dip)", points: [{ at: at(2), value: null }], want: null },
    { case: "a dip before the window", points: [{ at: at(20), value: 0 }], want: null },
    { case: "NaN from the wire", points: [{ at: at(2), value: Number.NaN }], want: null },
    {
      case: "BGP down a minute ago",
      points: [{ at: at(1), value: 0 }],
      want: /BgpAvailability 0 % on AzurePrivatePeering primary/,
    },
    {
      case: "a partial dip inside the window",
      points: [
        { at: at(3), value: 100 },
        { at: at(2), value: 83.33 },
      ],
      want: /83\.3 %/,
    },
  ])("$case", ({ points, want }) => {
    const got = lowestDip(metrics({ points }), NOW, 8);
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatch(want);
  });

  it("names the worst of several sessions, ARP included, and ignores traffic", () => {
    const got = lowestDip(
      metrics(
        { points: [{ at: at(1), value: 50 }] },
        { metric: "ArpAvailability", path: "secondary", points: [{ at: at(1), value: 0 }] },
        { metric: "BitsInPerSecond", points: [{ at: at(1), value: 0 }] },
      ),
      NOW,
      8,
    );
    expect(got).toMatch(/ArpAvailability 0 % on AzurePrivatePeering secondary/);
  });
});

/** A path's throughput, minute by minute, `minutesAgo` → bits/s in and out; gaps where absent. */
function throughput(
  perMinute: (minutesAgo: number) => number | null,
  options: { path?: "primary" | "secondary"; peering?: string; span?: number } = {},
): Partial<MetricSeries>[] {
  const points = Array.from({ length: options.span ?? 45 }, (_, i) => 45 - i)
    .map((m) => ({ at: at(m), value: perMinute(m) }))
    .filter((p) => p.value !== null);
  return (["BitsInPerSecond", "BitsOutPerSecond"] as const).map((metric) => ({
    metric,
    path: options.path ?? "primary",
    peering: options.peering ?? "AzurePrivatePeering",
    points,
  }));
}

const CIRCUIT: SignalCircuit = { bandwidthMbps: 1000, peerings: ["AzurePrivatePeering"] };
/** Azure's delay: the newest minute is 2 minutes old. */
const delayed = (f: (m: number) => number | null) => (m: number) => (m < 2 ? null : f(m));

describe("dataPlaneSignal: what the data-plane families would alert on, from this sweep's batch", () => {
  it.each([
    { case: "carrying 240 Mbps", bps: delayed(() => 240e6), want: null },
    {
      case: "stopped 16 minutes after carrying",
      bps: delayed((m) => (m > 17 ? 240e6 : 0)),
      want: /^Azure Monitor: no traffic either way on AzurePrivatePeering primary for 16 min \(last carried 02:42 UTC\)$/,
    },
    {
      case: "quiet for 10 minutes (shorter than the 15-minute window)",
      bps: delayed((m) => (m > 11 ? 240e6 : 0)),
      want: null,
    },
    {
      case: "quiet for the whole look-back (never seen carrying: idle, e.g. a standby)",
      bps: delayed(() => 0),
      want: null,
    },
    {
      case: "under the 1 kbps floor is quiet",
      bps: delayed((m) => (m > 17 ? 240e6 : 800)),
      want: /no traffic either way on AzurePrivatePeering primary for 16 min/,
    },
    {
      case: "stale: the newest minute is 20 minutes old",
      bps: (m: number) => (m < 20 ? null : m > 36 ? 240e6 : 0),
      want: null,
    },
    {
      case: "a gap is not quiet: too little of the window has data",
      bps: delayed((m) => (m > 17 ? 240e6 : m % 2 === 0 ? 0 : null)),
      want: null,
    },
    {
      case: "870 Mbps of 1 Gbps for the whole window",
      bps: delayed((m) => (m > 20 ? 240e6 : 870e6)),
      want: /^Azure Monitor: primary in ≥ 87%, out ≥ 87% of 1 Gbps for 15 min$/,
    },
    {
      case: "870 Mbps for 10 minutes only",
      bps: delayed((m) => (m > 11 ? 240e6 : 870e6)),
      want: null,
    },
  ])("$case", ({ bps, want }) => {
    const got = dataPlaneSignal(
      metrics(...throughput(bps)),
      CIRCUIT,
      DEFAULT_DATA_PLANE_POLICY,
      NOW,
    );
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatch(want);
  });

  it("a stop whose window shows BgpAvailability down is a metrics dip, as the deep read judges it: no data-plane signal", () => {
    const got = dataPlaneSignal(
      metrics(...throughput(delayed((m) => (m > 17 ? 240e6 : 0))), {
        metric: "BgpAvailability",
        points: [{ at: at(10), value: 50 }],
      }),
      CIRCUIT,
      DEFAULT_DATA_PLANE_POLICY,
      NOW,
    );
    expect(got).toBeNull();
  });

  it("the standby path (erwatch:standby-path) going quiet while the other carries sends nothing deep; nothing flowing at all does", () => {
    const failback = metrics(
      ...throughput(
        delayed((m) => (m > 17 ? 240e6 : 0)),
        { path: "secondary" },
      ),
      ...throughput(
        delayed(() => 240e6),
        { path: "primary" },
      ),
    );
    const standby = { ...CIRCUIT, standbyPath: "secondary" as const };
    expect(dataPlaneSignal(failback, CIRCUIT, DEFAULT_DATA_PLANE_POLICY, NOW)).toMatch(
      /AzurePrivatePeering secondary/,
    );
    expect(dataPlaneSignal(failback, standby, DEFAULT_DATA_PLANE_POLICY, NOW)).toBeNull();
    const allQuiet = metrics(
      ...throughput(
        delayed((m) => (m > 17 ? 240e6 : 0)),
        { path: "secondary" },
      ),
      ...throughput(
        delayed((m) => (m > 17 ? 240e6 : 0)),
        { path: "primary" },
      ),
    );
    expect(dataPlaneSignal(allQuiet, standby, DEFAULT_DATA_PLANE_POLICY, NOW)).toMatch(
      /primary.*secondary/,
    );
  });

  it("the standby quiet beside an active path Azure Monitor says nothing of sends nothing deep: the deep read could not judge it either", () => {
    const activeUnseen = metrics(
      ...throughput(
        delayed((m) => (m > 17 ? 240e6 : 0)),
        { path: "secondary" },
      ),
      ...throughput(
        delayed((m) => (m > 40 ? 240e6 : null)),
        { path: "primary" },
      ),
    );
    const standby = { ...CIRCUIT, standbyPath: "secondary" as const };
    expect(dataPlaneSignal(activeUnseen, standby, DEFAULT_DATA_PLANE_POLICY, NOW)).toBeNull();
    // Untagged, the same quiet is a stop to read deep.
    expect(dataPlaneSignal(activeUnseen, CIRCUIT, DEFAULT_DATA_PLANE_POLICY, NOW)).toMatch(
      /AzurePrivatePeering secondary/,
    );
  });

  it("judges by the policy it is given: a 30-minute stop window and a 90 % saturation share", () => {
    const policy = {
      ...DEFAULT_DATA_PLANE_POLICY,
      trafficStopped: { minutes: 30, floorBps: 1000 },
      saturation: { percent: 90, minutes: 15 },
    };
    const stopped16 = metrics(...throughput(delayed((m) => (m > 17 ? 240e6 : 0))));
    const at87 = metrics(...throughput(delayed(() => 870e6)));
    expect(dataPlaneSignal(stopped16, CIRCUIT, policy, NOW)).toBeNull();
    expect(dataPlaneSignal(at87, CIRCUIT, policy, NOW)).toBeNull();
    const stopped31 = metrics(...throughput(delayed((m) => (m > 32 ? 240e6 : 0))));
    expect(dataPlaneSignal(stopped31, CIRCUIT, policy, NOW)).toMatch(/for 31 min/);
  });

  it("saturation is the link's: the peerings riding it add up, against the listed bandwidth; none without one", () => {
    const half = delayed(() => 440e6);
    const both = metrics(
      ...throughput(half),
      ...throughput(half, { peering: "AzureMicrosoftPeering" }),
    );
    const circuit = {
      bandwidthMbps: 1000,
      peerings: ["AzurePrivatePeering", "AzureMicrosoftPeering"],
    };
    expect(dataPlaneSignal(both, circuit, DEFAULT_DATA_PLANE_POLICY, NOW)).toMatch(
      /primary in ≥ 88%, out ≥ 88% of 1 Gbps/,
    );
    expect(
      dataPlaneSignal(both, { ...circuit, bandwidthMbps: null }, DEFAULT_DATA_PLANE_POLICY, NOW),
    ).toBeNull();
  });

  it("judges only the peerings a deep read would (Enabled in the listing); every peering Azure sent when the listing is unknown", () => {
    const stoppedOnMicrosoft = metrics(
      ...throughput(delayed(() => 240e6)),
      ...throughput(
        delayed((m) => (m > 17 ? 240e6 : 0)),
        { peering: "AzureMicrosoftPeering", path: "secondary" },
      ),
    );
    expect(dataPlaneSignal(stoppedOnMicrosoft, CIRCUIT, DEFAULT_DATA_PLANE_POLICY, NOW)).toBeNull();
    expect(
      dataPlaneSignal(
        stoppedOnMicrosoft,
        { ...CIRCUIT, peerings: null },
        DEFAULT_DATA_PLANE_POLICY,
        NOW,
      ),
    ).toMatch(
      /^Azure Monitor: no traffic either way on AzureMicrosoftPeering secondary for 16 min/,
    );
  });

  it("names every stopped path and a saturated one in one line", () => {
    const got = dataPlaneSignal(
      metrics(
        ...throughput(delayed((m) => (m > 17 ? 240e6 : 0))),
        ...throughput(
          delayed(() => 900e6),
          { path: "secondary" },
        ),
      ),
      CIRCUIT,
      DEFAULT_DATA_PLANE_POLICY,
      NOW,
    );
    expect(got).toBe(
      "Azure Monitor: no traffic either way on AzurePrivatePeering primary for 16 min (last carried 02:42 UTC); secondary in ≥ 90%, out ≥ 90% of 1 Gbps for 15 min",
    );
  });
});

describe("judgedThroughput: the paths whose capacity row the metrics can judge", () => {
  it.each([
    {
      case: "both paths carrying",
      series: [
        ...throughput(delayed(() => 240e6)),
        ...throughput(
          delayed(() => 1e6),
          { path: "secondary" },
        ),
      ],
      want: ["azureprivatepeering/primary", "azureprivatepeering/secondary"],
    },
    {
      case: "the secondary with no series",
      series: throughput(delayed(() => 240e6)),
      want: ["azureprivatepeering/primary"],
    },
    {
      case: "the primary's newest minute older than the data is taken as fresh",
      series: throughput((m) => (m < 40 ? null : 240e6)),
      want: [],
    },
  ])("$case", ({ series, want }) => {
    expect(judgedThroughput(metrics(...series), CIRCUIT, DEFAULT_DATA_PLANE_POLICY, NOW)).toEqual(
      want,
    );
  });

  it("a standby stopped beside an active path that cannot be judged is not judged either", () => {
    const m = metrics(
      ...throughput(
        delayed((m) => (m > 17 ? 240e6 : 0)),
        { path: "secondary" },
      ),
    );
    const standby = { ...CIRCUIT, standbyPath: "secondary" as const };
    expect(judgedThroughput(m, standby, DEFAULT_DATA_PLANE_POLICY, NOW)).toEqual([]);
  });

  it("a standby quiet for the whole look-back beside an active path that cannot be judged is not judged: the deep read may remember it carrying", () => {
    const m = metrics(
      ...throughput(
        delayed(() => 0),
        { path: "secondary" },
      ),
    );
    const standby = { ...CIRCUIT, standbyPath: "secondary" as const };
    expect(judgedThroughput(m, standby, DEFAULT_DATA_PLANE_POLICY, NOW)).toEqual([]);
    // Untagged, that quiet is idle, as the deep read judges it without memory of it carrying.
    expect(judgedThroughput(m, CIRCUIT, DEFAULT_DATA_PLANE_POLICY, NOW)).toEqual([
      "azureprivatepeering/secondary",
    ]);
  });
});

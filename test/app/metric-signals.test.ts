// The cheap signal judges Azure Monitor's batch as the deep read would: a
// minute of throughput the circuit cannot carry is no traffic, so it hides no
// stopped path from the tiered sweep's plan.

import { describe, expect, it } from "vitest";
import { metricSignals } from "../../src/app/metric-signals.js";
import type { CircuitTarget, DataPlaneReader } from "../../src/app/ports.js";
import type { CircuitMetrics, MetricPoint, MetricSeries } from "../../src/core/dataplane/facts.js";
import { DEFAULT_DATA_PLANE_POLICY } from "../../src/core/dataplane/policy.js";
import { dipWords } from "../../src/core/dataplane/signal.js";
import type { Reading } from "../../src/core/model.js";
import { circuitReading, CIRCUIT_ID, peering } from "../support/readings.js";

const NOW = new Date("2026-12-01T03:00:00.000Z");
const at = (ago: number) => new Date(NOW.getTime() - ago * 60_000).toISOString();

/** Both directions of the primary path: 240 Mbps until 17 minutes ago, then nothing, `spike` at 5 minutes ago. */
function stopped(spike: number | null): CircuitMetrics {
  const value = (ago: number) => (ago > 17 ? 240e6 : ago === 5 && spike !== null ? spike : 0);
  const series: MetricSeries[] = (["BitsInPerSecond", "BitsOutPerSecond"] as const).map(
    (metric) => ({
      metric,
      peering: "AzurePrivatePeering",
      path: "primary",
      points: Array.from({ length: 44 }, (_, i) => 45 - i).map((ago) => ({
        at: at(ago),
        value: value(ago),
      })),
    }),
  );
  return { from: at(45), to: NOW.toISOString(), series };
}

async function signalOf(
  metrics: CircuitMetrics,
  spec: Parameters<typeof circuitReading>[0] = {},
): Promise<string | undefined> {
  const reading = circuitReading(spec);
  if (!reading.circuit.ok) throw new Error("no facts");
  const target: CircuitTarget = {
    id: CIRCUIT_ID,
    name: "er-circuit-prod",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-hybrid-core",
    location: "westus",
    listed: {
      id: CIRCUIT_ID,
      name: "er-circuit-prod",
      location: "westus",
      tags: {},
      facts: reading.circuit.value,
      problems: [],
      readAt: NOW.toISOString(),
    },
  };
  const reader: DataPlaneReader = {
    readMetrics: async () =>
      new Map<string, Reading<CircuitMetrics>>([
        [CIRCUIT_ID.toLowerCase(), { ok: true, value: metrics, readAt: NOW.toISOString() }],
      ]),
    readEndToEnd: async () => undefined,
    readLearnedRoutes: async () => [],
  };
  const { troubled, dips } = await metricSignals(reader, 8, DEFAULT_DATA_PLANE_POLICY).read(
    [target],
    { abortSignal: new AbortController().signal, now: NOW },
  );
  // As the plan words it for a circuit never read deep (every dip is news).
  const key = CIRCUIT_ID.toLowerCase();
  const words = [dipWords(dips?.get(key) ?? []), troubled.get(key) ?? null].filter((w) => w);
  return words.length > 0 ? words.join("; ") : undefined;
}

describe("the cheap signal of a stopped path", () => {
  it("sends the circuit to a deep read", async () => {
    expect(await signalOf(stopped(null))).toMatch(
      /no traffic either way on AzurePrivatePeering primary/,
    );
  });

  it("still does under one minute of 10 Gbps on a 1 Gbps circuit (it read 'flowing')", async () => {
    expect(await signalOf(stopped(10e9))).toMatch(
      /no traffic either way on AzurePrivatePeering primary/,
    );
  });
});

describe("the cheap signal of an ExpressRoute Direct circuit past twice its bandwidth", () => {
  // 2.5 Gbps both ways on the primary of the fixture's 1 Gbps circuit: a Direct
  // circuit without rate limiting carries it (its port is 10 or 100 Gbps).
  const busy = (): CircuitMetrics => ({
    from: at(45),
    to: NOW.toISOString(),
    series: (["BitsInPerSecond", "BitsOutPerSecond"] as const).map((metric) => ({
      metric,
      peering: "AzurePrivatePeering",
      path: "primary",
      points: Array.from({ length: 44 }, (_, i) => ({ at: at(45 - i), value: 2.5e9 })),
    })),
  });

  it("sends it to a deep read for its saturation (the minutes read as gaps: no signal)", async () => {
    expect(await signalOf(busy(), { direct: true })).toMatch(
      /primary in ≥ 250%, out ≥ 250% of 1 Gbps for 15 min/,
    );
  });

  it("sends a provider circuit nowhere: past twice its bandwidth is Azure Monitor's error", async () => {
    expect(await signalOf(busy())).toBeUndefined();
  });
});

describe("the cheap signal of an availability dip", () => {
  /** BgpAvailability of `peering`'s primary at `value` for the last 44 minutes; the private peering's traffic flowing. */
  const availability = (peering: string, value: number): CircuitMetrics => ({
    from: at(45),
    to: NOW.toISOString(),
    series: [
      {
        metric: "BgpAvailability",
        peering,
        path: "primary",
        points: Array.from({ length: 44 }, (_, i) => ({ at: at(45 - i), value })),
      },
      ...(["BitsInPerSecond", "BitsOutPerSecond"] as const).flatMap((metric) =>
        (["primary", "secondary"] as const).map((path) => ({
          metric,
          peering: "AzurePrivatePeering",
          path,
          points: Array.from({ length: 44 }, (_, i) => ({ at: at(45 - i), value: 240e6 })),
        })),
      ),
    ],
  });
  const withMicrosoft = (state: string) => ({
    peerings: [
      peering(),
      peering({ name: "MicrosoftPeering", peeringType: "MicrosoftPeering", state }),
    ],
  });

  it("on an Enabled peering sends the circuit to a deep read", async () => {
    expect(await signalOf(availability("MicrosoftPeering", 0), withMicrosoft("Enabled"))).toMatch(
      /BgpAvailability 0 % on MicrosoftPeering primary/,
    );
  });

  it("on a peering whose state the listing leaves out sends the circuit deep: only Disabled is down by design", async () => {
    expect(
      await signalOf(availability("MicrosoftPeering", 0), {
        peerings: [
          peering(),
          {
            ...peering({ name: "MicrosoftPeering", peeringType: "MicrosoftPeering" }),
            state: null,
          },
        ],
      }),
    ).toMatch(/BgpAvailability 0 % on MicrosoftPeering primary/);
  });

  it("on a peering the listing shows Disabled says nothing: its session is down by design, and it sent the circuit deep every sweep", async () => {
    expect(
      await signalOf(availability("MicrosoftPeering", 0), withMicrosoft("Disabled")),
    ).toBeUndefined();
  });
});

describe("one circuit's metrics the signal code fails on", () => {
  const target = (name: string): CircuitTarget => {
    const reading = circuitReading();
    if (!reading.circuit.ok) throw new Error("no facts");
    const id = CIRCUIT_ID.replace("er-circuit-prod", name);
    return {
      id,
      name,
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      resourceGroup: "rg-hybrid-core",
      location: "westus",
      listed: {
        id,
        name,
        location: "westus",
        tags: {},
        facts: reading.circuit.value,
        problems: [],
        readAt: NOW.toISOString(),
      },
    };
  };
  /** `stopped(null)` with one more minute of its primary both ways: `at` and `value` as the reader handed them. */
  const withMinute = (at: unknown, value: unknown): CircuitMetrics => {
    const metrics = stopped(null);
    const extra = { at, value } as unknown as MetricPoint;
    return {
      ...metrics,
      series: metrics.series.map((s) => ({ ...s, points: [...s.points, extra] })),
    };
  };

  it("fails that circuit's read and sends it deep, named; the others still get their signals", async () => {
    const circuits = {
      "er-before": stopped(null),
      // A minute whose time is not one: the traffic judgement throws on it.
      "er-odd": withMinute("not a time", 0),
      // Values no metric can have (NaN, negative, Infinity, text): gaps, not a failure.
      "er-absurd": withMinute(at(3), "fast"),
      "er-negative": withMinute(at(3), -1),
      "er-nan": withMinute(at(3), Number.NaN),
      "er-infinite": withMinute(at(3), Number.POSITIVE_INFINITY),
      "er-after": stopped(null),
    };
    const targets = Object.keys(circuits).map(target);
    const reader: DataPlaneReader = {
      readMetrics: async () =>
        new Map(
          targets.map((t, i): [string, Reading<CircuitMetrics>] => [
            t.id.toLowerCase(),
            { ok: true, value: Object.values(circuits)[i]!, readAt: NOW.toISOString() },
          ]),
        ),
      readEndToEnd: async () => undefined,
      readLearnedRoutes: async () => [],
    };
    // Before: the whole read threw (RangeError: Invalid time value), and the
    // cheap tier was given up for every circuit.
    const { troubled, metrics } = await metricSignals(reader, 8, DEFAULT_DATA_PLANE_POLICY).read(
      targets,
      { abortSignal: new AbortController().signal, now: NOW },
    );
    const key = (name: string) => targets.find((t) => t.name === name)!.id.toLowerCase();
    for (const name of [
      "er-before",
      "er-absurd",
      "er-negative",
      "er-nan",
      "er-infinite",
      "er-after",
    ])
      expect(troubled.get(key(name)), name).toMatch(
        /no traffic either way on AzurePrivatePeering primary/,
      );
    expect(troubled.get(key("er-odd"))).toMatch(
      /erwatch could not judge its Azure Monitor metrics \(Invalid time value\)/,
    );
    expect(metrics?.get(key("er-odd"))).toMatchObject({
      ok: false,
      error: {
        kind: "internal",
        target: "metrics of er-odd",
        message: "erwatch could not judge the metrics of er-odd: Invalid time value",
      },
    });
    expect(metrics?.get(key("er-after"))?.ok).toBe(true);
  });
});

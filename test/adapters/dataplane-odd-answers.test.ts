// Odd-but-real Azure Monitor answers fed through the real SDK clients against
// the loopback estate (an adversarial review's probes). A minute dated before
// the query's start (a .NET default 0001-01-01) made a path that never carried
// "stopped" for a billion minutes, and, remembered as last carried, paged it
// every sweep; a 400 refusing every batch call was asked again once per circuit.

import { describe, expect, it } from "vitest";
import type { CircuitReading } from "../../src/core/model.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitId } from "../support/estate/ids.js";
import {
  editWire,
  estateOf,
  healthyCircuit,
  metricsDip,
  setTraffic,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf, metricsOf } = readersPerTest(NOW);

const judge = (reading: CircuitReading) =>
  evaluateCircuit(
    reading,
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  );

/** A healthy circuit whose secondary carries nothing by design (all traffic preferred over the primary), never tagged. */
function quietSecondary({ yearOne }: { yearOne: boolean }) {
  const bundle = healthyCircuit();
  bundle.circuit.peerings[0]!.paths.secondary.traffic = { inBps: 0, outBps: 0 };
  // One minute of the secondary's series comes back with a default timestamp,
  // its value intact (the throughput call: value[0] BitsIn, value[1] BitsOut).
  if (yearOne)
    for (const m of [0, 1])
      editWire(
        bundle.circuit,
        {
          read: "metrics",
          field: `value[${m}].timeseries[1].data[0].timeStamp`,
          value: "0001-01-01T00:00:00Z",
        },
        { read: "metrics", field: `value[${m}].timeseries[1].data[0].average`, value: 5e6 },
      );
  return bundle;
}

/** One sweep of `bundle` through the real SDK clients, judged against `previous`. */
async function sweep(
  bundle: ReturnType<typeof healthyCircuit>,
  previous: Parameters<typeof evaluateCircuit>[1] = null,
  state = estateOf(bundle),
) {
  const { reader, dataPlane } = await readersOn(state);
  const id = circuitId(bundle.circuit);
  const got = await metricsOf(dataPlane, bundle.circuit);
  expect(got.ok).toBe(true);
  const reading = await readingOf(reader, id);
  return evaluateCircuit(
    { ...reading, dataPlane: { metrics: got } },
    previous,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  );
}

const stops = (result: Awaited<ReturnType<typeof sweep>>) =>
  result.verdict.findings
    .filter((f) => f.code === "traffic-stopped")
    .map((f) => `${f.severity} ${f.title}`);

describe("metric points outside the window asked for", () => {
  it("a minute dated before the query's start (a default 0001-01-01 timestamp) does not make a never-carrying path 'stopped'", async () => {
    // Before the fix: a Sev2 "Link up but carrying nothing on the secondary path",
    // "last carried 00:00 UTC", quiet for ~1e9 minutes.
    expect(stops(await sweep(quietSecondary({ yearOne: true })))).toEqual([]);
  });

  it("…nor is remembered as 'last carried', which paged the stop every later sweep", async () => {
    const first = await sweep(quietSecondary({ yearOne: true }));
    expect(first.snapshot.lastCarriedAt?.["AzurePrivatePeering"]?.secondary ?? null).toBeNull();
    // The clean answer of the next sweep: the secondary never carried in it.
    expect(stops(await sweep(quietSecondary({ yearOne: false }), first.snapshot))).toEqual([]);
  });
});

/**
 * The primary carried nothing either way since 01:35 while the secondary
 * carries; `future`: one minute of both directions dated `future` carrying 5 Mbit/s.
 */
function primaryQuiet(future: string | null) {
  const bundle = healthyCircuit();
  const state = estateOf(bundle);
  state.monitor = { metricsDelayMinutes: 2 };
  metricsDip(state, {
    circuit: bundle.circuit.name,
    path: "primary",
    metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
    from: "2026-11-22T01:35:00.000Z",
    to: "2026-11-22T02:10:00.000Z",
    value: 0,
  });
  // The throughput call's primary series (value[0] BitsIn, value[1] BitsOut) gets one more minute.
  if (future)
    for (const m of [0, 1])
      editWire(bundle.circuit, {
        read: "metrics",
        field: `value[${m}].timeseries[0].data[45]`,
        value: { timeStamp: future, average: 5e6 },
      });
  return { bundle, state };
}

describe("a minute dated after the query's end", () => {
  it("is left out however little after: one dated 02:06 for a query ending 02:00 read the stopped primary 'flowing' and paged nothing", async () => {
    const quiet = primaryQuiet(null);
    expect(stops(await sweep(quiet.bundle, null, quiet.state))).toEqual([
      "Sev2 Link up but carrying nothing on the primary path of AzurePrivatePeering: BGP Established with prefixes, ~0 bits both ways (the other path still carries traffic)",
    ]);
    // Azure answers the timespan asked, aligned to the minute: a later minute is none of it.
    // Before: kept (up to 10 minutes late was taken for clock skew), the capacity row read
    // "in 0.5% · out 0.5%", no finding, and 02:06 was remembered as the last carried.
    const odd = primaryQuiet("2026-11-22T02:06:00Z");
    const result = await sweep(odd.bundle, null, odd.state);
    expect(stops(result)).toEqual(stops(await sweep(quiet.bundle, null, quiet.state)));
    expect(result.snapshot.lastCarriedAt?.["AzurePrivatePeering"]?.primary).toBe(
      "2026-11-22T01:34:00.000Z",
    );
    expect(result.verdict.peerings[0]!.notes?.join("\n")).toMatch(
      /BitsInPerSecond 5000000 for the primary path at 02:06 UTC: dated after the query's end/,
    );
  });
});

describe("a 'last carried' kept from such a minute before it was dropped", () => {
  it("is no carry: a snapshot remembering year 1 pages no stop", async () => {
    const first = await sweep(quietSecondary({ yearOne: false }));
    expect(stops(first)).toEqual([]);
    // What an erwatch before the fix kept: the secondary "carried" on 0001-01-01.
    const kept = {
      ...first.snapshot,
      lastCarriedAt: {
        ...first.snapshot.lastCarriedAt,
        AzurePrivatePeering: {
          ...first.snapshot.lastCarriedAt?.["AzurePrivatePeering"],
          secondary: "0001-01-01T00:00:00.000Z",
        },
      },
    } as typeof first.snapshot;
    expect(stops(await sweep(quietSecondary({ yearOne: false }), kept))).toEqual([]);
  });
});

describe("an answer at another grain than the minute asked for", () => {
  it("fails the circuit's read naming the grain: at five minutes a stopped primary was UNKNOWN every sweep and nobody was told", async () => {
    const { bundle, state } = primaryQuiet(null);
    // Every call's entry as Azure sends PT5M: one point per five minutes (01:15, 01:20, …).
    const dropped = Array.from({ length: 45 }, (_, i) => 44 - i).filter((i) => i % 5 !== 0);
    editWire(
      bundle.circuit,
      { read: "metrics", field: "interval", value: "PT5M" },
      ...[0, 1].flatMap((m) =>
        [0, 1].flatMap((ts) =>
          dropped.map((i) => ({
            read: "metrics" as const,
            field: `value[${m}].timeseries[${ts}].data[${i}]`,
            remove: true,
          })),
        ),
      ),
    );
    const { reader, dataPlane } = await readersOn(state);
    const id = circuitId(bundle.circuit);
    const got = await metricsOf(dataPlane, bundle.circuit);
    // Before: read as minutes, the primary "throughput data for 3 of the last 15 minutes",
    // no finding and no failed read, so no monitoring-blind however long it lasted.
    expect(got).toMatchObject({
      ok: false,
      error: { kind: "malformed", call: "Microsoft.Insights/metrics/read" },
    });
    expect(got.ok ? "" : got.error.message).toMatch(
      /answered one point per PT5M, not one per minute \(PT1M\) as asked/,
    );
    const { verdict } = judge({ ...(await readingOf(reader, id)), dataPlane: { metrics: got } });
    expect(verdict.failedReads.map((f) => f.call)).toContain("Microsoft.Insights/metrics/read");
  });

  it("PT60S is the minute", async () => {
    const bundle = healthyCircuit();
    editWire(bundle.circuit, { read: "metrics", field: "interval", value: "PT60S" });
    const result = await sweep(bundle);
    expect(result.verdict.peerings[0]!.paths.primary.capacity.status).toBe("up");
  });
});

/**
 * One more point in each call's first series (the private peering's primary:
 * BgpAvailability, BitsInPerSecond) dated 01:50, a minute the series already
 * holds, carrying `value`.
 */
function minuteSentTwice(bundle: ReturnType<typeof healthyCircuit>, value: number) {
  editWire(bundle.circuit, {
    read: "metrics",
    field: "value[0].timeseries[0].data[45]",
    value: { timeStamp: "2026-11-22T01:50:00Z", average: value },
  });
  return bundle;
}

describe("a minute a series sends twice", () => {
  it("with different values fails the circuit's read naming the minute and both: 100 and 0 read as a 50 % dip that never was", async () => {
    const bundle = minuteSentTwice(healthyCircuit(), 0);
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const got = await metricsOf(dataPlane, bundle.circuit);
    // Before: read, the minute the mean of both, BgpAvailability 50 % at 01:50.
    expect(got).toMatchObject({
      ok: false,
      error: { kind: "malformed", call: "Microsoft.Insights/metrics/read" },
    });
    expect(got.ok ? "" : got.error.message).toMatch(
      /BgpAvailability AzurePrivatePeering primary: the minute 01:50 UTC sent twice \(100 and 0\)/,
    );
    const { verdict } = judge({
      ...(await readingOf(reader, circuitId(bundle.circuit))),
      dataPlane: { metrics: got },
    });
    expect(verdict.peerings[0]!.paths.primary.capacity.status).toBe("unknown");
    expect(verdict.failedReads.map((f) => f.call)).toContain("Microsoft.Insights/metrics/read");
  });

  it("with the same value is that minute once", async () => {
    // 100 bits/s in on the primary: the duplicate is the minute's own value in both calls.
    const bundle = healthyCircuit();
    setTraffic(bundle.circuit, "AzurePrivatePeering", "primary", { inBps: 100, outBps: 90e6 });
    const { dataPlane } = await readersOn(estateOf(minuteSentTwice(bundle, 100)));
    const got = await metricsOf(dataPlane, bundle.circuit);
    if (!got.ok) throw new Error(got.error.message);
    const bgp = got.value.series.find(
      (s) => s.metric === "BgpAvailability" && s.path === "primary",
    )!;
    const minutes = [...bgp.points].map((p) => p.at);
    expect(minutes.filter((at) => at === "2026-11-22T01:50:00.000Z")).toHaveLength(1);
    expect(new Set(minutes).size).toBe(minutes.length);
  });
});

/**
 * er-a and er-b asked for in one batch, and Azure answering er-b's entry
 * under er-a's id: er-a answered twice, er-b not at all. er-a judged.
 */
async function answeredTwice(a: ReturnType<typeof healthyCircuit>) {
  const b = healthyCircuit({ name: "er-b" });
  editWire(b.circuit, { read: "metrics", field: "resourceid", value: circuitId(a.circuit) });
  const { reader, dataPlane } = await readersOn(estateOf(a, b));
  const ids = [a, b].map((x) => circuitId(x.circuit));
  const got = await dataPlane.readMetrics(
    ids.map((id) => ({ id, subscriptionId: a.circuit.subscriptionId, region: "westeurope" })),
    options(),
  );
  const metrics = got.get(ids[0]!.toLowerCase())!;
  const reading = await readingOf(reader, ids[0]!);
  return { metrics, verdict: judge({ ...reading, dataPlane: { metrics } }).verdict };
}

describe("an answer that holds a circuit twice", () => {
  it("the same entry twice is read once: its traffic is not doubled", async () => {
    const { metrics, verdict } = await answeredTwice(healthyCircuit({ name: "er-a" }));
    expect(metrics.ok).toBe(true);
    // Before: "in 48% · out 18%", both entries' series summed per minute.
    expect(verdict.peerings[0]!.paths.primary.capacity).toEqual({
      status: "up",
      detail: "in 24% · out 9% of 1 Gbps",
    });
  });

  it("two different entries fail the circuit's read (UNKNOWN, named): another's traffic no longer hides its stopped primary", async () => {
    const a = healthyCircuit({ name: "er-a" });
    setTraffic(a.circuit, "AzurePrivatePeering", "primary", { inBps: 0, outBps: 0 });
    const { metrics, verdict } = await answeredTwice(a);
    expect(metrics).toMatchObject({
      ok: false,
      error: { kind: "malformed", call: "Microsoft.Insights/metrics/read" },
    });
    expect(metrics.ok ? "" : metrics.error.message).toMatch(
      /Azure Monitor's answer has 2 different entries for this circuit/,
    );
    // Before: the other entry's 240 Mbps summed in, "up: in 24% · out 9%".
    expect(verdict.peerings[0]!.paths.primary.capacity.status).toBe("unknown");
    expect(verdict.failedReads.map((f) => f.call)).toContain("Microsoft.Insights/metrics/read");
  });
});

// Sound (these pass): odd-but-real answers erwatch already takes as meant.
describe("odd answers taken as meant", () => {
  it("metrics: the answer's resource id and dimension values in another case, minutes reversed and sent twice", async () => {
    const bundle = healthyCircuit();
    const id = circuitId(bundle.circuit);
    editWire(
      bundle.circuit,
      { read: "metrics", field: "resourceid", value: id.toUpperCase() },
      ...[0, 1].flatMap((m) => [
        {
          read: "metrics" as const,
          field: `value[${m}].timeseries[0].metadatavalues[0].value`,
          value: "AZURE_PRIVATE_PEERING",
        },
        {
          read: "metrics" as const,
          field: `value[${m}].timeseries[0].metadatavalues[1].value`,
          value: "PRIMARY-ipv4",
        },
      ]),
    );
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const got = await metricsOf(dataPlane, bundle.circuit);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    // Reverse and duplicate every series' minutes, as a merge upstream might.
    const shuffled = {
      ...got.value,
      series: got.value.series.map((s) => {
        const pts = [...s.points].reverse();
        return { ...s, points: [...pts, ...pts] };
      }),
    };
    const reading = await readingOf(reader, id);
    const { verdict } = judge({ ...reading, dataPlane: { metrics: { ...got, value: shuffled } } });
    const paths = verdict.peerings[0]!.paths;
    expect([paths.primary.capacity.status, paths.secondary.capacity.status]).toEqual(["up", "up"]);
    expect(paths.primary.capacity.detail).toMatch(/in 24% · out 9% of 1 Gbps/);
    expect(verdict.findings).toEqual([]);
  });
});

describe("a series that says no path erwatch knows", () => {
  it("beside series that do, is only left out: the circuit's read stands", async () => {
    const bundle = healthyCircuit();
    editWire(bundle.circuit, {
      read: "metrics",
      field: "value[0].timeseries[1].metadatavalues[1].value",
      value: "Tertiary",
    });
    const result = await sweep(bundle);
    const paths = result.verdict.peerings[0]!.paths;
    expect(paths.primary.capacity.status).toBe("up");
    // BitsIn of the secondary is the one left out: its throughput is not known, and nothing pages.
    expect(paths.secondary.capacity.status).toBe("unknown");
    expect(result.verdict.findings).toEqual([]);
  });
});

describe("a refusal of the whole batch", () => {
  it("a 400 Azure Monitor gives every call (a filter or api-version it no longer takes) costs one call per call, not one per circuit", async () => {
    const bundles = Array.from({ length: 20 }, (_, i) => healthyCircuit({ name: `er-${i}` }));
    const { estate, dataPlane } = await readersOn(estateOf(...bundles));
    estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "status", status: 400, code: "BadRequest" },
    });
    const got = await dataPlane.readMetrics(
      bundles.map((b) => ({
        id: circuitId(b.circuit),
        subscriptionId: b.circuit.subscriptionId,
        region: "westeurope",
      })),
      options(),
    );
    expect([...got.values()].every((r) => !r.ok)).toBe(true);
    const calls = estate.requests.filter((r) => r.operation === "metricsBatch").length;
    // One chunk, two calls (availability, throughput); the availability call then asked for
    // one circuit alone to tell a refusal of all from one circuit's malformed entry, and the
    // throughput call not again (every reading of the chunk has failed by then). Before:
    // 2 + 2 × 20, one per circuit per call, each refused the same way: 50× per chunk across
    // an estate, on the four Monitor slots Log Analytics shares.
    expect(calls).toBe(3);
  });
});

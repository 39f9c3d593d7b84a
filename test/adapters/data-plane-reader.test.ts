// The data-plane reader against the simulated estate through the real
// clients: how many calls a set of circuits costs, the regional endpoint,
// Azure's rules for a batch (50 resources, one region, dimensions every metric
// has), the display names the client reports, RBAC failures named, Connection
// Monitor discovery and the two ways a workspace is addressed.

import { MetricsClient } from "@azure/monitor-query-metrics";
import { describe, expect, it, vi } from "vitest";
import { parseMonitor } from "../../src/adapters/arm/wire/network-watcher.js";
import { CIRCUIT_NAMESPACE } from "../../src/adapters/monitor/metrics.js";
import { PackedPoints } from "../../src/core/dataplane/points.js";
import type { DataPlaneReader } from "../../src/app/ports.js";
import { REQUIRED_ACTIONS } from "../../src/adapters/arm/operations.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { loadReadConfig } from "../../src/runtime/config.js";
import { buildReaders } from "../../src/runtime/read.js";
import { circuitId } from "../support/estate/ids.js";
import {
  MAX_DELAY_MS,
  editWire,
  estateOf,
  healthyCircuit,
  metricsDip,
  passingTest,
  startEstate,
  withConnectionMonitor,
  type CircuitBundle,
  type EstateState,
  type WireEdit,
} from "../support/estate/index.js";
import { workspaceGuid } from "../support/estate/monitor-answers.js";
import { readersPerTest } from "../support/data-plane-readers.js";
import { estateAccess, staticCredential } from "../support/estate-access.js";
import { manualTime } from "../support/manual-time.js";
import { runToDeadlines } from "../support/monitor-deadlines.js";
import { skippingTime } from "../support/skipping-time.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf, metricsOf, closeAfter } = readersPerTest(NOW);

/** One circuit's metrics reading in westeurope, which must have worked. */
async function oneCircuitMetrics(state: EstateState, circuit: CircuitBundle["circuit"]) {
  const { dataPlane } = await readersOn(state);
  const id = circuitId(circuit);
  const got = (
    await dataPlane.readMetrics(
      [{ id, subscriptionId: circuit.subscriptionId, region: "westeurope" }],
      options(),
    )
  ).get(id.toLowerCase())!;
  if (!got.ok) throw new Error("expected a reading");
  return got;
}

describe("Azure Monitor metrics, in batches", () => {
  it("asks for a token with the ARM scope's /.default, which client-credential flows require", async () => {
    // The SDK takes an `audience` as the scope verbatim: the bare URL, which a
    // service principal or workload identity is refused (AADSTS1002012). The
    // scope is ARM's, here following ARM_ENDPOINT to the estate.
    const bundle = healthyCircuit({ name: "er-scope" });
    const estate = await startEstate(estateOf(bundle));
    closeAfter(estate);
    const access = estateAccess(estate, {});
    const scopes: string[] = [];
    const { dataPlane } = buildReaders(loadReadConfig(access.env, { scope: false }), {
      credential: {
        getToken: async (scope, opts) => {
          scopes.push(...[scope].flat());
          return access.credential.getToken(scope, opts);
        },
      },
      armClientOptions: access.armClientOptions,
      now: () => NOW,
    });
    const got = await (dataPlane as DataPlaneReader).readMetrics(
      [
        {
          id: circuitId(bundle.circuit),
          subscriptionId: bundle.circuit.subscriptionId,
          region: "westeurope",
        },
      ],
      options(),
    );
    expect([...got.values()].every((r) => r.ok)).toBe(true);
    expect(scopes.length).toBeGreaterThan(0);
    expect(new Set(scopes)).toEqual(new Set([`${estate.url}/.default`]));
  });

  it("120 circuits in one region and 1 in another: 3 + 1 chunks, two calls each, on each region's endpoint", async () => {
    const bundles = [
      ...Array.from({ length: 120 }, (_, i) => healthyCircuit({ name: `er-${i}` })),
      healthyCircuit({ name: "er-us", location: "eastus" }),
    ];
    const { estate, dataPlane } = await readersOn(estateOf(...bundles));
    const targets = bundles.map((b) => ({
      id: circuitId(b.circuit),
      subscriptionId: b.circuit.subscriptionId,
      region: b.circuit.location,
    }));
    const got = await dataPlane.readMetrics(targets, options());
    expect(got.size).toBe(121);
    expect([...got.values()].every((r) => r.ok)).toBe(true);
    const calls = estate.requests.filter((r) => r.operation === "metricsBatch");
    expect(calls).toHaveLength(8);
    expect(calls.filter((c) => c.path.startsWith("/metrics/eastus/"))).toHaveLength(2);
    expect(calls.every((c) => c.query["api-version"] === "2024-02-01" && c.status === 200)).toBe(
      true,
    );
    expect(new Set(calls.map((c) => c.query.filter))).toEqual(
      new Set(["PeeringType eq '*' and Peer eq '*'", "PeeringType eq '*' and DeviceRole eq '*'"]),
    );
    // Display names ("BGP Availability") are matched to the metrics they are.
    const one = got.get(targets[0]!.id.toLowerCase())!;
    if (!one.ok) throw new Error("expected a reading");
    expect(
      [...new Set(one.value.series.map((s) => `${s.metric} ${s.peering} ${s.path}`))].sort(),
    ).toEqual([
      "ArpAvailability AzurePrivatePeering primary",
      "ArpAvailability AzurePrivatePeering secondary",
      "BgpAvailability AzurePrivatePeering primary",
      "BgpAvailability AzurePrivatePeering secondary",
      "BitsInPerSecond AzurePrivatePeering primary",
      "BitsInPerSecond AzurePrivatePeering secondary",
      "BitsOutPerSecond AzurePrivatePeering primary",
      "BitsOutPerSecond AzurePrivatePeering secondary",
    ]);
  });

  it("the newest point is 1 to 3 minutes behind the window's end; later minutes have no value", async () => {
    const bundle = healthyCircuit();
    const state = estateOf(bundle);
    state.monitor = { metricsDelayMinutes: 3 };
    const got = await oneCircuitMetrics(state, bundle.circuit);
    // Packed, not an object per minute: a large sweep holds these between its tiers.
    expect(got.value.series[0]!.points).toBeInstanceOf(PackedPoints);
    const points = [...got.value.series[0]!.points];
    const withValue = points.filter((p) => p.value !== null).map((p) => p.at);
    expect(withValue.at(-1)).toBe("2026-11-22T01:57:00.000Z");
    expect(points.filter((p) => p.value === null).map((p) => p.at)).toEqual([
      "2026-11-22T01:58:00.000Z",
      "2026-11-22T01:59:00.000Z",
    ]);
  });

  it("a minute whose timestamp is not a time is left out, never judged, and never breaks the series", async () => {
    const bundle = healthyCircuit();
    const state = estateOf(bundle);
    state.monitor = {
      metricsDelayMinutes: 3,
      metricOverrides: [
        {
          circuit: bundle.circuit.name,
          from: "2026-11-22T01:50:00.000Z",
          to: "2026-11-22T01:52:00.000Z",
          value: "odd-time",
        },
      ],
    };
    const got = await oneCircuitMetrics(state, bundle.circuit);
    for (const series of got.value.series) {
      const points = [...series.points];
      expect(points.map((p) => p.at)).not.toContain("2026-11-22T01:50:00.000Z");
      expect(points.map((p) => p.at)).not.toContain("2026-11-22T01:51:00.000Z");
      // The readable minutes are all there, and none of them is the odd minutes' 0.
      expect(points.map((p) => p.at)).toContain("2026-11-22T01:52:00.000Z");
      expect(points.some((p) => p.value === 0)).toBe(false);
    }
  });

  it("one call cannot split availability by Peer and throughput by DeviceRole: why there are two", async () => {
    const bundle = healthyCircuit();
    const { estate } = await readersOn(estateOf(bundle));
    const client = new MetricsClient(`${estate.url}/metrics/westeurope`, staticCredential, {
      tlsOptions: { ca: estate.ca },
      retryOptions: { maxRetries: 0 },
    });
    const error = await client
      .queryResources(
        [circuitId(bundle.circuit)],
        ["BgpAvailability", "BitsInPerSecond"],
        CIRCUIT_NAMESPACE,
        {
          filter: "PeeringType eq '*' and Peer eq '*' and DeviceRole eq '*'",
        },
      )
      .then(
        () => null,
        (e: { statusCode?: number; message: string }) => e,
      );
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(
      /Dimension 'DeviceRole' is not valid for metric 'BgpAvailability'/,
    );
  });

  it("a role without Microsoft.Insights/metrics/read: every circuit of the batch is UNKNOWN naming it", async () => {
    const bundle = healthyCircuit();
    const { estate, dataPlane } = await readersOn(estateOf(bundle));
    estate.grant(REQUIRED_ACTIONS.filter((a) => a !== "Microsoft.Insights/metrics/read"));
    const got = await metricsOf(dataPlane, bundle.circuit);
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "forbidden",
        missingPermission: "Microsoft.Insights/metrics/read",
        statusCode: 403,
      },
    });
  });

  it("a metric Azure Monitor could not give for one circuit fails that circuit only, never the others of its batch", async () => {
    const odd = healthyCircuit({ name: "er-odd" });
    const fine = healthyCircuit({ name: "er-fine" });
    // Azure answers the batch 200, with an error on one resource's metric (a
    // circuit deleted after the listing, a metric not yet there for a new one).
    editWire(odd.circuit, {
      read: "metrics",
      field: "value[0].errorCode",
      value: "ResourceNotFound",
    });
    editWire(odd.circuit, {
      read: "metrics",
      field: "value[0].errorMessage",
      value: "The resource was not found.",
    });
    const { dataPlane } = await readersOn(estateOf(odd, fine));
    const [oddId, fineId] = [odd, fine].map((b) => circuitId(b.circuit));
    const got = await dataPlane.readMetrics(
      [oddId!, fineId!].map((id) => ({
        id,
        subscriptionId: odd.circuit.subscriptionId,
        region: "westeurope",
      })),
      options(),
    );
    // Not found (a "ResourceNotFound" is no DNS failure), and not the batch's others.
    expect(got.get(oddId!.toLowerCase())).toMatchObject({
      ok: false,
      error: { kind: "not-found", call: "Microsoft.Insights/metrics/read" },
    });
    const failed = got.get(oddId!.toLowerCase())!;
    expect(failed.ok ? "" : failed.error.message).toMatch(/ResourceNotFound/);
    const other = got.get(fineId!.toLowerCase())!;
    expect(other.ok).toBe(true);
    expect(other.ok && other.value.series.length).toBeGreaterThan(0);
  });

  it.each([
    [
      "a metric without timeseries, with its error",
      [
        { read: "metrics", field: "value[0].timeseries", remove: true },
        { read: "metrics", field: "value[0].errorCode", value: "ResourceNotFound" },
      ],
      "malformed",
      /metrics of 1 circuit/,
    ],
    [
      "a metric whose timeseries is null",
      [{ read: "metrics", field: "value[0].timeseries", value: null }],
      "malformed",
      /metrics of 1 circuit/,
    ],
    [
      "an entry without its metrics",
      [{ read: "metrics", field: "value", remove: true }],
      "malformed",
      /metrics of 1 circuit/,
    ],
    [
      "a metric without a name",
      [{ read: "metrics", field: "value[0].name", remove: true }],
      "malformed",
      /metrics of 1 circuit/,
    ],
    [
      // Read as no data before: its capacity row UNKNOWN every sweep, no monitoring-blind.
      "an entry without a metric asked for",
      [{ read: "metrics", field: "value[1]", remove: true }],
      "malformed",
      /ArpAvailability: not in Azure Monitor's answer for this circuit/,
    ],
    [
      "an entry without any metric",
      [{ read: "metrics", field: "value", value: [] }],
      "malformed",
      /BgpAvailability: not in Azure Monitor's answer for this circuit/,
    ],
    [
      // Left out series by series before: no data, UNKNOWN every sweep, no monitoring-blind.
      "every series with a dimension renamed (DeviceRole and Peer to Role)",
      [0, 1].flatMap((m) =>
        [0, 1].map((ts) => ({
          read: "metrics",
          field: `value[${m}].timeseries[${ts}].metadatavalues[1].name`,
          value: { value: "Role", localizedValue: "Role" },
        })),
      ),
      "malformed",
      /BgpAvailability: no series says which peering and path it is \(PeeringType=Private, Role=Primary-IPv4\)/,
    ],
    [
      "an answer that leaves the circuit out",
      [{ read: "metrics", field: "resourceid", value: "/subscriptions/x/elsewhere" }],
      "malformed",
      /no entry for this circuit/,
    ],
  ] as const)(
    "one circuit's entry that cannot be read (%s) fails that circuit only, never the others of its batch",
    async (_, edits, kind, message) => {
      const odd = healthyCircuit({ name: "er-odd" });
      const fine = [healthyCircuit({ name: "er-fine-1" }), healthyCircuit({ name: "er-fine-2" })];
      editWire(odd.circuit, ...(edits as unknown as WireEdit[]));
      const { estate, dataPlane } = await readersOn(estateOf(odd, ...fine));
      const ids = [odd, ...fine].map((b) => circuitId(b.circuit));
      const got = await dataPlane.readMetrics(
        ids.map((id) => ({ id, subscriptionId: odd.circuit.subscriptionId, region: "westeurope" })),
        options(),
      );
      const failed = got.get(ids[0]!.toLowerCase())!;
      expect(failed).toMatchObject({
        ok: false,
        error: { kind, call: "Microsoft.Insights/metrics/read" },
      });
      expect(failed.ok ? "" : failed.error.message).toMatch(message);
      for (const id of ids.slice(1)) {
        const other = got.get(id.toLowerCase())!;
        expect(other.ok, id).toBe(true);
        expect(other.ok && other.value.series.length, id).toBeGreaterThan(0);
      }
      // Two calls for the batch; after an answer the SDK could not take, its halves.
      const calls = estate.requests.filter((r) => r.operation === "metricsBatch").length;
      expect(calls).toBeLessThanOrEqual(2 + 2 * ids.length);
    },
  );

  /** 50 circuits of one subscription and region (one chunk), those at `bad` with an entry the SDK cannot take. */
  async function chunkWithBadEntries(bad: number[]) {
    const bundles = Array.from({ length: 50 }, (_, i) => healthyCircuit({ name: `er-${i}` }));
    // Both calls of the chunk (availability, throughput) carry the bad entry.
    for (const i of bad)
      editWire(bundles[i]!.circuit, { read: "metrics", field: "value[0].name", remove: true });
    const { estate, dataPlane } = await readersOn(estateOf(...bundles));
    const ids = bundles.map((b) => circuitId(b.circuit));
    const got = await dataPlane.readMetrics(
      ids.map((id) => ({
        id,
        subscriptionId: bundles[0]!.circuit.subscriptionId,
        region: "westeurope",
      })),
      options(),
    );
    const failed = ids.flatMap((id, i) => {
      const r = got.get(id.toLowerCase())!;
      return r.ok ? [] : [{ i, error: r.error }];
    });
    const read = ids.filter((id) => {
      const r = got.get(id.toLowerCase())!;
      return r.ok && r.value.series.length > 0;
    });
    const calls = estate.requests.filter((r) => r.operation === "metricsBatch").length;
    return { failed, read, calls };
  }

  it.each([0, 1, 24, 37, 49])(
    "one entry the SDK cannot take among 50 (circuit %i) costs the chunk at most 14 calls, not 102: its halves are asked, and the other 49 read",
    async (bad) => {
      const { failed, read, calls } = await chunkWithBadEntries([bad]);
      expect(failed.map((f) => f.i)).toEqual([bad]);
      expect(failed[0]!.error).toMatchObject({
        kind: "malformed",
        call: "Microsoft.Insights/metrics/read",
        target: "metrics of 1 circuit in westeurope",
      });
      expect(read).toHaveLength(49);
      // Two calls, then the availability call's halves down to the bad circuit
      // alone (7 or 8), then the throughput of the 49 others in one.
      expect(calls).toBeLessThanOrEqual(14);
    },
  );

  it("two bad entries among 50: each fails alone, the other 48 read, in far fewer calls than one per circuit", async () => {
    const { failed, read, calls } = await chunkWithBadEntries([3, 40]);
    expect(failed.map((f) => f.i)).toEqual([3, 40]);
    expect(failed.map((f) => f.error.target)).toEqual([
      "metrics of 1 circuit in westeurope",
      "metrics of 1 circuit in westeurope",
    ]);
    expect(read).toHaveLength(48);
    expect(calls).toBeLessThanOrEqual(26);
  });

  it("every entry bad (Azure Monitor's answers changed shape): every circuit fails, in no more calls than asking each alone", async () => {
    const { failed, read, calls } = await chunkWithBadEntries(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(failed).toHaveLength(50);
    expect(failed.every((f) => f.error.kind === "malformed")).toBe(true);
    expect(read).toEqual([]);
    expect(calls).toBeLessThanOrEqual(2 + 2 * 50);
  });

  it("bad entries in several chunks are looked for in all of them at once, within the four Monitor slots", async () => {
    // 4 chunks of 50; chunks 0, 1 and 3 each with one entry the SDK cannot take.
    const bundles = Array.from({ length: 200 }, (_, i) => healthyCircuit({ name: `er-${i}` }));
    const bad = [3, 60, 170];
    for (const i of bad)
      editWire(bundles[i]!.circuit, { read: "metrics", field: "value[0].name", remove: true });
    const ids = bundles.map((b) => circuitId(b.circuit));
    const chunkOf = new Map(ids.map((id, i) => [id.toLowerCase(), Math.floor(i / 50)]));
    const { dataPlane } = await readersOn(estateOf(...bundles));
    // Every call counted while it runs; a split's call (fewer than 50 circuits)
    // is held until a split's call of another chunk runs beside it, or 5 s have passed.
    const running = new Map<number, number>();
    const splitting = new Map<number, number>();
    let most = 0;
    let calls = 0;
    const overlapped = { seen: false, open: () => {} };
    const together = new Promise<void>((resolve) => (overlapped.open = resolve));
    const bound = setTimeout(overlapped.open, 5_000);
    const queryResources = MetricsClient.prototype.queryResources;
    const spy = vi
      .spyOn(MetricsClient.prototype, "queryResources")
      .mockImplementation(async function (this: MetricsClient, ...args) {
        const chunk = chunkOf.get(args[0][0]!.toLowerCase())!;
        const split = args[0].length < 50;
        calls += 1;
        running.set(chunk, (running.get(chunk) ?? 0) + 1);
        const inFlight = [...running.values()].reduce((a, b) => a + b, 0);
        most = Math.max(most, inFlight);
        if (split) splitting.set(chunk, (splitting.get(chunk) ?? 0) + 1);
        try {
          if (split) {
            const others = [...splitting].filter(([c, n]) => c !== chunk && n > 0);
            if (others.length > 0) {
              overlapped.seen = true;
              overlapped.open();
            }
            await together;
          }
          return await queryResources.apply(this, args);
        } finally {
          running.set(chunk, running.get(chunk)! - 1);
          if (split) splitting.set(chunk, splitting.get(chunk)! - 1);
        }
      });
    try {
      const got = await dataPlane.readMetrics(
        ids.map((id) => ({
          id,
          subscriptionId: bundles[0]!.circuit.subscriptionId,
          region: "westeurope",
        })),
        options(),
      );
      const failed = ids.flatMap((id, i) => (got.get(id.toLowerCase())!.ok ? [] : [i]));
      expect(failed).toEqual(bad);
    } finally {
      spy.mockRestore();
      clearTimeout(bound);
    }
    expect(overlapped.seen).toBe(true);
    expect(most).toBeLessThanOrEqual(4);
    // Each bad chunk as it costs alone (at most 14), each good one its two calls.
    expect(calls).toBeLessThanOrEqual(3 * 14 + 2);
  });

  it("every entry bad: the throughput is not split again for circuits whose availability has already failed", async () => {
    // The availability's split spends its calls (one per circuit) and leaves
    // the rest failed with the call: their readings have failed, as the ones
    // found alone have, and asking their throughput costs a second 50.
    const { failed, calls } = await chunkWithBadEntries(Array.from({ length: 50 }, (_, i) => i));
    expect(failed).toHaveLength(50);
    expect(calls).toBeLessThanOrEqual(2 + 50);
  });

  it("availability throttled and a throughput entry bad: the throughput is not split for circuits whose reading has already failed", async () => {
    const bundles = Array.from({ length: 50 }, (_, i) => healthyCircuit({ name: `er-${i}` }));
    editWire(bundles[7]!.circuit, { read: "metrics", field: "value[0].name", remove: true });
    const { estate, dataPlane } = await readersOn(estateOf(...bundles));
    estate.addFault({
      match: { operation: "metricsBatch", metric: "BgpAvailability" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 0 },
    });
    const ids = bundles.map((b) => circuitId(b.circuit));
    const got = await dataPlane.readMetrics(
      ids.map((id) => ({
        id,
        subscriptionId: bundles[0]!.circuit.subscriptionId,
        region: "westeurope",
      })),
      options(),
    );
    for (const id of ids)
      expect(got.get(id.toLowerCase()), id).toMatchObject({
        ok: false,
        error: { kind: "throttled" },
      });
    const throughputCalls = estate.requests.filter(
      (r) => r.operation === "metricsBatch" && /BitsInPerSecond/i.test(JSON.stringify(r.query)),
    );
    // The whole call, asked beside the availability's: no half after the 429.
    expect(throughputCalls).toHaveLength(1);
  });

  it("a 429 from Azure Monitor is throttled, not a verdict", async () => {
    const bundle = healthyCircuit();
    const { estate, dataPlane } = await readersOn(estateOf(bundle));
    estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 0 },
    });
    const got = await metricsOf(dataPlane, bundle.circuit);
    expect(got).toMatchObject({
      ok: false,
      error: { kind: "throttled", call: "Microsoft.Insights/metrics/read" },
    });
  });

  it("a 429 asking for longer than erwatch waits (Retry-After 120 s) is throttled at once, not waited out to the call's deadline", async () => {
    const bundle = healthyCircuit();
    // The SDK's retries on, as in production; the deadline short, so the old wait ends soon.
    const { estate, dataPlane } = await readersOn(estateOf(bundle), {
      ARM_MAX_RETRIES: "2",
      ARM_TIMEOUT_MS: "2000",
    });
    estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 120 },
    });
    const got = await metricsOf(dataPlane, bundle.circuit);
    // Before: the SDK slept the 120 s, the call held a Monitor slot to its deadline and
    // failed as a timeout ("Azure did not answer in time"), which a deep read asks again.
    expect(got).toMatchObject({
      ok: false,
      error: { kind: "throttled", call: "Microsoft.Insights/metrics/read", statusCode: 429 },
    });
    expect(estate.requests.filter((r) => r.operation === "metricsBatch")).toHaveLength(2);
  });

  it("a 429 asking for a short wait is still waited out and asked again", async () => {
    const bundle = healthyCircuit();
    const { estate, dataPlane } = await readersOn(estateOf(bundle), { ARM_MAX_RETRIES: "2" });
    estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 0 },
      times: 2,
    });
    const got = await metricsOf(dataPlane, bundle.circuit);
    expect(got.ok).toBe(true);
  });

  /** One circuit's metrics whose first BgpAvailability batch answers `status` asking 1 s, its waits skipped. */
  async function throttledBgp(status: number) {
    const bundle = healthyCircuit();
    const { time, waits } = skippingTime((ms) => ms === 1_000);
    const { estate, dataPlane } = await readersOn(
      estateOf(bundle),
      { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    estate.addFault({
      match: { operation: "metricsBatch", metric: "BgpAvailability" },
      behaviour: { kind: "status", status, retryAfterSeconds: 1 },
      times: 1,
    });
    const got = await metricsOf(dataPlane, bundle.circuit);
    const asked = estate.requests.filter(
      (r) => r.operation === "metricsBatch" && /BgpAvailability/i.test(JSON.stringify(r.query)),
    );
    return { got, waits, asked };
  }

  it("a 429 asking for 1 s is waited out by the Monitor call, its slot given back, not slept in the SDK", async () => {
    const { got, waits, asked } = await throttledBgp(429);
    expect(got.ok).toBe(true);
    // Before: the SDK slept the second holding one of the four Monitor slots; no wait was the call's.
    expect(waits).toEqual([1_000]);
    expect(asked.map((r) => r.status)).toEqual([429, 200]);
  });

  it("a 503 asking for 1 s through the real client is waited out by the Monitor call too, not retried on the SDK's backoff in its slot", async () => {
    const { got, waits, asked } = await throttledBgp(503);
    expect(got.ok).toBe(true);
    expect(waits).toEqual([1_000]);
    expect(asked.map((r) => r.status)).toEqual([503, 200]);
  });
});

describe("Global Reach throughput", () => {
  it("a third call for the circuits with Global Reach only, split by the peer circuit's service key", async () => {
    const hub = healthyCircuit({ name: "er-hub" });
    const dr = healthyCircuit({ name: "er-dr" });
    const plain = healthyCircuit({ name: "er-plain" });
    const reach = (from: typeof hub, to: typeof hub, status = "Connected") =>
      from.circuit.peerings[0]!.globalReach.push({
        name: `gr-${from.circuit.name}-${to.circuit.name}`,
        peerCircuitPeeringId: `${circuitId(to.circuit)}/peerings/AzurePrivatePeering`,
        status,
      });
    reach(hub, dr);
    dr.circuit.peerings[0]!.peerConnections.push({
      name: "gr-er-hub-er-dr",
      peerCircuitPeeringId: `${circuitId(hub.circuit)}/peerings/AzurePrivatePeering`,
      status: "Connected",
      traffic: { inBps: 3e6, outBps: 12e6 },
    });
    const { estate, dataPlane } = await readersOn(estateOf(hub, dr, plain));
    const targets = [hub, dr, plain].map((b) => ({
      id: circuitId(b.circuit),
      subscriptionId: b.circuit.subscriptionId,
      region: b.circuit.location,
      ...(b === plain ? {} : { globalReach: true }),
    }));
    const got = await dataPlane.readMetrics(targets, options());
    const calls = estate.requests.filter((r) => r.operation === "metricsBatch");
    expect(calls.map((c) => c.query.filter).sort()).toEqual([
      "PeeredCircuitSKey eq '*'",
      "PeeringType eq '*' and DeviceRole eq '*'",
      "PeeringType eq '*' and Peer eq '*'",
    ]);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    const value = (b: typeof hub) => {
      const r = got.get(circuitId(b.circuit).toLowerCase())!;
      if (!r.ok) throw new Error("expected a reading");
      return r.value;
    };
    // Display names ("Global Reach Bits In Per Second") are matched to the metrics they are.
    const hubReach = value(hub).globalReach!;
    expect(hubReach.map((s) => `${s.metric} ${s.peerServiceKey}`).sort()).toEqual([
      `GlobalReachBitsInPerSecond ${dr.circuit.serviceKey}`,
      `GlobalReachBitsOutPerSecond ${dr.circuit.serviceKey}`,
    ]);
    const newest = (metric: string) =>
      [...hubReach.find((s) => s.metric === metric)!.points].filter((p) => p.value !== null).at(-1)!
        .value;
    expect([newest("GlobalReachBitsInPerSecond"), newest("GlobalReachBitsOutPerSecond")]).toEqual([
      12e6, 3e6,
    ]);
    expect(value(dr).globalReach!.map((s) => s.peerServiceKey)).toEqual([
      hub.circuit.serviceKey,
      hub.circuit.serviceKey,
    ]);
    expect(value(plain).globalReach).toBeUndefined();
    expect(value(plain).series.length).toBeGreaterThan(0);
  });

  it("the Global Reach call failing leaves Global Reach throughput unknown, never the paths' availability and capacity", async () => {
    const hub = healthyCircuit({ name: "er-hub" });
    const dr = healthyCircuit({ name: "er-dr" });
    hub.circuit.peerings[0]!.globalReach.push({
      name: "gr-hub-dr",
      peerCircuitPeeringId: `${circuitId(dr.circuit)}/peerings/AzurePrivatePeering`,
      status: "Connected",
    });
    const { estate, reader, dataPlane } = await readersOn(estateOf(hub, dr));
    // A cloud or a moment where the Global Reach metrics cannot be had.
    estate.addFault({
      match: { operation: "metricsBatch", metric: "GlobalReachBitsInPerSecond" },
      behaviour: { kind: "status", status: 503, code: "ServiceUnavailable" },
    });
    const id = circuitId(hub.circuit);
    const got = (
      await dataPlane.readMetrics(
        [
          {
            id,
            subscriptionId: hub.circuit.subscriptionId,
            region: "westeurope",
            globalReach: true,
          },
        ],
        options(),
      )
    ).get(id.toLowerCase())!;
    if (!got.ok) throw new Error(`the circuit's own metrics failed with it: ${got.error.kind}`);
    expect(got.value.series.length).toBeGreaterThan(0);
    expect(got.value.globalReach).toBeUndefined();
    expect(got.value.globalReachFailed).toMatchObject({ statusCode: 503 });
    const reading = await readingOf(reader, id);
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { metrics: got } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    const paths = verdict.peerings[0]!.paths;
    // Judged: a stopped path would page; before, both rows read unknown for as long as it failed.
    expect([paths.primary.capacity.status, paths.secondary.capacity.status]).toEqual(["up", "up"]);
    expect(paths.primary.globalReach.detail).toMatch(
      /gr-hub-dr Connected · throughput unknown \(Global Reach metrics read failed: /,
    );
    // Said: erwatch cannot see the Global Reach throughput, naming the call.
    const blind = verdict.findings.filter((f) => f.code === "monitoring-blind");
    expect(blind).toHaveLength(1);
    expect(blind[0]!.severity).toBe("Sev3");
  });

  it("a value a Global Reach metric cannot have is named with the peer circuit's service key: which connection cannot be read", async () => {
    const hub = healthyCircuit({ name: "er-hub" });
    const peers = [healthyCircuit({ name: "er-dr" }), healthyCircuit({ name: "er-apac" })];
    for (const peer of peers)
      hub.circuit.peerings[0]!.globalReach.push({
        name: `gr-${peer.circuit.name}`,
        peerCircuitPeeringId: `${circuitId(peer.circuit)}/peerings/AzurePrivatePeering`,
        status: "Connected",
        traffic: { inBps: 1e6, outBps: 1e6 },
      });
    const state = estateOf(hub, ...peers);
    metricsDip(state, {
      circuit: "er-hub",
      metrics: ["GlobalReachBitsOutPerSecond"],
      from: new Date(NOW.getTime() - 10 * 60_000).toISOString(),
      to: new Date(NOW.getTime() - 9 * 60_000).toISOString(),
      value: -5,
    });
    const { dataPlane } = await readersOn(state);
    const id = circuitId(hub.circuit);
    const got = (
      await dataPlane.readMetrics(
        [
          {
            id,
            subscriptionId: hub.circuit.subscriptionId,
            region: "westeurope",
            globalReach: true,
          },
        ],
        options(),
      )
    ).get(id.toLowerCase())!;
    if (!got.ok) throw new Error("expected a reading");
    expect(
      (got.value.odd ?? [])
        .map((o) => `${o.metric} ${o.peerServiceKey} ${o.value} ${o.reason}`)
        .sort(),
    ).toEqual(
      peers
        .map((p) => `GlobalReachBitsOutPerSecond ${p.circuit.serviceKey} -5 negative bits/s`)
        .sort(),
    );
  });

  it("circuits without Global Reach cost nothing extra", async () => {
    const bundle = healthyCircuit();
    const { estate, dataPlane } = await readersOn(estateOf(bundle));
    const id = circuitId(bundle.circuit);
    await dataPlane.readMetrics(
      [{ id, subscriptionId: bundle.circuit.subscriptionId, region: "westeurope" }],
      options(),
    );
    expect(estate.requests.filter((r) => r.operation === "metricsBatch")).toHaveLength(2);
  });

  it("a Global Reach metric cannot be split by PeeringType: why it is a call of its own", async () => {
    const bundle = healthyCircuit();
    const { estate } = await readersOn(estateOf(bundle));
    const client = new MetricsClient(`${estate.url}/metrics/westeurope`, staticCredential, {
      tlsOptions: { ca: estate.ca },
      retryOptions: { maxRetries: 0 },
    });
    const error = await client
      .queryResources(
        [circuitId(bundle.circuit)],
        ["BitsInPerSecond", "GlobalReachBitsInPerSecond"],
        CIRCUIT_NAMESPACE,
        { filter: "PeeringType eq '*' and DeviceRole eq '*'" },
      )
      .then(
        () => null,
        (e: { statusCode?: number; message: string }) => e,
      );
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(
      /Dimension 'PeeringType' is not valid for metric 'GlobalReachBitsInPerSecond'/,
    );
  });
});

describe("Connection Monitor", () => {
  it("finds the monitor testing the VNet behind the circuit's gateway, not another circuit's", async () => {
    const mine = healthyCircuit();
    const other = healthyCircuit({ name: "er-other" });
    withConnectionMonitor(mine);
    withConnectionMonitor(other);
    const { estate, reader, dataPlane } = await readersOn(estateOf(mine, other));
    const reading = await readingOf(reader, circuitId(mine.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({ ok: true });
    if (!got?.ok) throw new Error("expected a reading");
    expect(got.value.monitors.map((m) => m.name)).toEqual(["cm-er-circuit-prod"]);
    expect(got.value.tests).toEqual([
      expect.objectContaining({
        result: "Pass",
        testGroup: "onprem-to-vnet",
        test: "tcp-443",
        destination: "vm-app-01:443",
        // The endpoints' addresses: they tell the family a test runs over when its names do not.
        sourceAddress: "10.16.0.10",
        destinationAddress: null,
        checksFailedPercent: 0,
      }),
    ]);
    const query = estate.requests.find((r) => r.operation === "queryLogs")!;
    expect(query.path).toBe(
      "/loganalytics/v1/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-network/query",
    );
  });

  it("tags naming the monitor and the workspace GUID: the monitor is looked up in its Network Watcher, its results read with queryWorkspace on /v1/workspaces/<id>/query", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle);
    const guid = workspaceGuid(monitor.workspaceResourceId);
    bundle.circuit.tags = { "erwatch:connection-monitor": monitor.name, "erwatch:workspace": guid };
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    estate.requests.splice(0);
    const got = await dataPlane.readEndToEnd(reading, options());
    if (!got?.ok) throw new Error("expected a reading");
    // Found, so read by its id and its definition known; the workspace is the tag's.
    expect(got.value.monitors).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(
          /NetworkWatcher_westeurope\/connectionMonitors\/cm-er-circuit-prod$/,
        ),
        name: monitor.name,
        workspace: guid,
        how: "tagged",
        testGroups: [
          {
            name: "onprem-to-vnet",
            testConfigurations: ["tcp-443"],
            sources: ["onprem-app-01"],
            destinations: ["vm-app-01"],
          },
        ],
      }),
    ]);
    expect(got.value.tests.map((t) => t.result)).toEqual(["Pass"]);
    expect(estate.requests.map((r) => r.operation).sort()).toEqual([
      "listConnectionMonitors",
      "listNetworkWatchers",
      "queryLogs",
    ]);
    expect(estate.requests.find((r) => r.operation === "queryLogs")!.path).toBe(
      `/loganalytics/v1/workspaces/${guid}/query`,
    );
  });

  it("a monitor tagged by name alone is the circuit's own, not one of that name in another region's Network Watcher", async () => {
    const west = healthyCircuit({ name: "er-west" });
    const east = healthyCircuit({ name: "er-east", location: "eastus" });
    const mine = withConnectionMonitor(west);
    const theirs = withConnectionMonitor(east, [passingTest({ result: "Fail", checksFailed: 20 })]);
    mine.name = "cm-er";
    theirs.name = "cm-er";
    const guid = workspaceGuid(mine.workspaceResourceId);
    west.circuit.tags = { "erwatch:connection-monitor": "cm-er", "erwatch:workspace": guid };
    const { reader, dataPlane } = await readersOn(estateOf(west, east));
    const reading = await readingOf(reader, circuitId(west.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    if (!got?.ok) throw new Error(`expected a reading: ${JSON.stringify(got)}`);
    // The query matches both by name; east's Fail is not west's.
    expect(got.value.tests.map((t) => `${t.monitor} ${t.result}`)).toEqual(["cm-er Pass"]);
  });

  it("a row erwatch cannot read is an Indeterminate test that says why; the monitor's other tests are judged", async () => {
    const bundle = healthyCircuit();
    const failing = (test: string) =>
      passingTest({ test, result: "Fail", checksFailed: 20, checksTotal: 20 });
    withConnectionMonitor(bundle, [
      failing("tcp-443"),
      failing("tcp-1433"),
      passingTest({ test: "icmp", result: null as unknown as string }),
    ]);
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    if (!got?.ok) throw new Error(`expected a reading: ${JSON.stringify(got)}`);
    expect(got.value.tests.map((t) => `${t.test} ${t.result}`)).toEqual([
      "tcp-443 Fail",
      "tcp-1433 Fail",
      "icmp Indeterminate",
    ]);
    expect(got.value.tests[2]!.reason).toMatch(
      /^erwatch cannot read rows\[2\] of the result: TestResult is missing$/,
    );
    // Judged: every test that ran failed, so the circuit's end to end is Fail (Sev1), not blind.
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
    expect(verdict.findings.map((f) => f.code)).not.toContain("monitoring-blind");
  });

  it("a test removed from the monitor 10 minutes ago keeps its last Fail in Log Analytics: the monitor's definition says it is gone, and it is not judged", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle, [
      passingTest(),
      passingTest({ test: "tcp-8443", result: "Fail", checksFailed: 20, removedMinutesAgo: 10 }),
    ]);
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    if (!got?.ok) throw new Error(`expected a reading: ${JSON.stringify(got)}`);
    expect(got.value.monitors.map((m) => m.testGroups)).toEqual([
      [
        {
          name: "onprem-to-vnet",
          testConfigurations: ["tcp-443"],
          sources: ["onprem-app-01"],
          destinations: ["vm-app-01"],
        },
      ],
    ]);
    // Log Analytics still answers with the removed test's last row.
    expect(got.value.tests.map((t) => `${t.test} ${t.result}`)).toEqual([
      "tcp-443 Pass",
      "tcp-8443 Fail",
    ]);
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.findings).toEqual([]);
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toMatchObject({ status: "up" });
  });

  const READABLE = {
    name: "onprem-to-vnet",
    testConfigurations: ["tcp-443"],
    sources: ["onprem"],
    destinations: ["vm"],
  };
  it.each<{
    name: string;
    testGroups: unknown;
    expected: unknown;
    unread?: { name: string | null; problem: string }[];
  }>([
    {
      name: "a disabled test group is not defined",
      testGroups: [
        { ...READABLE, disable: false },
        {
          name: "paused",
          disable: true,
          testConfigurations: ["tcp-22"],
          sources: ["onprem"],
          destinations: ["vm"],
        },
      ],
      expected: [READABLE],
    },
    { name: "test groups left out: not known", testGroups: undefined, expected: null },
    {
      name: "test groups not a list: not known, the monitor still found",
      testGroups: READABLE,
      expected: null,
    },
    ...[
      [null, "testGroups[1] is null, not an object", null],
      [
        { name: "to-hub", testConfigurations: "icmp", sources: ["onprem"], destinations: ["vm"] },
        'testGroups[1].testConfigurations is "icmp", not a list',
        "to-hub",
      ],
      [
        { name: "to-hub", sources: ["onprem"], destinations: ["vm"] },
        "testGroups[1].testConfigurations is missing",
        "to-hub",
      ],
      [
        { testConfigurations: ["icmp"], sources: ["onprem"], destinations: ["vm"] },
        "testGroups[1].name is missing",
        null,
      ],
      // Sources and destinations are required by the REST contract: without
      // destinations a destination no row was of read "passes", without
      // sources an agent that stopped sending was never named.
      ...(
        [
          ["left out", undefined, "is missing"],
          ["null", null, "is null, not a list"],
          ["empty", "", "is empty, not a list"],
          ["blank", " ", "is empty, not a list"],
          ["a number", 7, "is a number, not a list"],
          ["an object", {}, "is an object, not a list"],
          ["a list with a number", [7], "[0] is a number, not a string"],
        ] as const
      ).flatMap(([, value, said]) =>
        (["sources", "destinations"] as const).map((field) => [
          Object.fromEntries(
            Object.entries({
              name: "to-hub",
              testConfigurations: ["icmp"],
              sources: ["onprem"],
              destinations: ["vm"],
              [field]: value,
            }).filter(([, v]) => v !== undefined),
          ),
          `testGroups[1].${field}${said.startsWith("[") ? "" : " "}${said}`,
          "to-hub",
        ]),
      ),
    ].map(([group, problem, name]) => ({
      unread: [{ name: name as string | null, problem: problem as string }],
      name: `one group erwatch cannot read (${String(problem)}): the readable ones kept, that one named`,
      testGroups: [READABLE, group],
      expected: [READABLE],
    })),
  ])("the monitor's definition: $name", ({ testGroups, expected, unread }) => {
    const body = {
      id: "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/connectionMonitors/cm",
      name: "cm",
      endpoints: [{ name: "vm", resourceId: "/subscriptions/s/vnet" }],
      ...(testGroups ? { testGroups } : {}),
    };
    expect(parseMonitor(body)).toMatchObject({
      endpointResourceIds: ["/subscriptions/s/vnet"],
      testGroups: expected,
      unreadGroups: unread ?? [],
    });
  });

  // A partial answer may be incorrect as a whole (Kusto may flush the stream
  // on a partial failure), and the latest row of a test among partial rows
  // may be an older one: a Fail there is not the test failing now.
  it("a partial answer (PartialError beside the rows): UNKNOWN naming it, no test judged, not even a failing one", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle, [passingTest({ result: "Fail", checksFailed: 20 })]);
    const state = estateOf(bundle);
    state.monitor = {
      logsPartialError: { code: "LimitsExceeded", message: "Query exceeded resource limits." },
    };
    const { reader, dataPlane } = await readersOn(state);
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: false,
      error: {
        call: "Microsoft.OperationalInsights/workspaces/query/read",
        kind: "server-error",
        message: "partial result: There were some errors when processing your query.",
        // The workspace asked, whole: its failing is said once for it, not per circuit.
        workspace: expect.stringMatching(
          /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/law-network$/i,
        ),
      },
    });
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.peerings[0]!.paths.primary.endToEnd.status).toBe("unknown");
    // Its workspace's health alert, not the circuit's monitoring-blind (core/dataplane/log-analytics.ts).
    expect(verdict.findings.map((f) => f.code)).toEqual([]);
  });

  it("without query access on the workspace: UNKNOWN naming the Log Analytics action", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    estate.grant(REQUIRED_ACTIONS);
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "forbidden",
        missingPermission: "Microsoft.OperationalInsights/workspaces/query/read",
      },
    });
  });

  it("Log Analytics' 429 asking for longer than erwatch waits is throttled at once, not waited out to the call's deadline", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle), {
      ARM_MAX_RETRIES: "2",
      ARM_TIMEOUT_MS: "2000",
    });
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 120 },
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
  });

  /**
   * One circuit's end-to-end read whose first Log Analytics query answers 429
   * asking `seconds`, a wait that long skipped unless told none is (`skipped`).
   */
  async function throttledEndToEnd(seconds: number, skipped = true) {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { time, waits } = skippingTime((ms) => skipped && ms === seconds * 1_000);
    const { estate, reader, dataPlane } = await readersOn(
      estateOf(bundle),
      { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: seconds },
      times: 1,
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    return { estate, waits, got: await dataPlane.readEndToEnd(reading, options()) };
  }

  it("Log Analytics' 429 asking for 20 s, within the call's deadline (30 s), is waited out and asked again", async () => {
    const { estate, waits, got } = await throttledEndToEnd(20);
    // Before: failed at once as throttled, though Log Analytics would answer in 20 s.
    expect(got?.ok).toBe(true);
    expect(waits).toEqual([20_000]);
    const queries = estate.requests.filter((r) => r.operation === "queryLogs");
    expect(queries.map((r) => r.status)).toEqual([429, ...queries.slice(1).map(() => 200)]);
  });

  it("Log Analytics' 429 asking for longer than the call's deadline has left fails at once, unwaited", async () => {
    // Not skipped: 30 s is the call's deadline too, which must be held.
    const { waits, got } = await throttledEndToEnd(30, false);
    expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    expect(waits).toEqual([]);
  });

  it("a workspace that did not answer is asked once a sweep, not once a circuit; the next sweep asks again", async () => {
    const first = healthyCircuit();
    const second = healthyCircuit({ name: "er-second" });
    withConnectionMonitor(first);
    withConnectionMonitor(second);
    // The query let go of at its deadline on the Monitor's clock, moved by hand: no real wait.
    const time = manualTime();
    const { estate, reader, dataPlane } = await readersOn(
      estateOf(first, second),
      { ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    const readings = [
      await readingOf(reader, circuitId(first.circuit)),
      await readingOf(reader, circuitId(second.circuit)),
    ];
    // Held past the test: only the deadline lets go of it.
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "slow", delayMs: MAX_DELAY_MS },
    });
    const queries = () => estate.requests.filter((r) => r.operation === "queryLogs").length;
    const sweep = options();
    const got = [];
    for (const reading of readings)
      got.push(
        (await runToDeadlines(dataPlane.readEndToEnd(reading, sweep), time, estate, 30_000)).value,
      );
    const timedOut = {
      ok: false,
      error: {
        kind: "timeout",
        call: "Microsoft.OperationalInsights/workspaces/query/read",
        target: "Connection Monitor results in workspace law-network",
      },
    };
    expect(got).toMatchObject([timedOut, timedOut]);
    expect(queries()).toBe(1);
    // A new sweep, a new session: the workspace is asked again.
    const again = await runToDeadlines(
      dataPlane.readEndToEnd(readings[1]!, options()),
      time,
      estate,
      30_000,
    );
    expect(again).toMatchObject({ value: timedOut, moves: 1 });
    expect(queries()).toBe(2);
  });

  it("one workspace spelt two ways by two monitors is queried once, under its first spelling", async () => {
    const bundle = healthyCircuit();
    const first = withConnectionMonitor(bundle);
    const second = withConnectionMonitor(bundle, [passingTest({ test: "icmp" })]);
    second.name = `${first.name}-icmp`;
    second.workspaceResourceId = first.workspaceResourceId.toUpperCase();
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    if (!got?.ok) throw new Error(`expected the tests, got ${JSON.stringify(got)}`);
    expect(got.value.tests.map((t) => t.test).sort()).toEqual(["icmp", "tcp-443"]);
    const queries = estate.requests.filter((r) => r.operation === "queryLogs");
    expect(queries).toHaveLength(1);
    expect(decodeURIComponent(queries[0]!.path)).toContain(first.workspaceResourceId);
  });

  it("ERWATCH_DATA_PLANE=metrics reads no Connection Monitor at all", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle), {
      ERWATCH_DATA_PLANE: "metrics",
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    expect(await dataPlane.readEndToEnd(reading, options())).toBeUndefined();
    expect(
      estate.requests.some(
        (r) => r.operation === "listNetworkWatchers" || r.operation === "queryLogs",
      ),
    ).toBe(false);
  });

  it("a gateway's learned routes come back through the long-running POST", async () => {
    const bundle = healthyCircuit();
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const [routes] = await dataPlane.readLearnedRoutes(reading, options());
    expect(routes?.gatewayId).toMatch(/virtualNetworkGateways\/ergw-er-circuit-prod$/);
    if (!routes?.routes.ok) throw new Error("expected routes");
    expect(routes.routes.value).toHaveLength(121); // its VNet + 120 on-premises prefixes
    expect(routes.routes.value[1]).toMatchObject({ origin: "EBgp", network: "10.16.0.0/24" });
  });

  it("a connection whose gateway id names no gateway fails that gateway's learned routes as malformed, asking Azure nothing for it", async () => {
    const bundle = healthyCircuit();
    const [connection] = bundle.connections;
    bundle.connections.push({
      ...connection!,
      name: `${connection!.name}-odd`,
      gatewayId: "ergw-odd",
    });
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const routes = await dataPlane.readLearnedRoutes(reading, options());
    expect(routes.map((r) => r.gatewayId)).toEqual([connection!.gatewayId, "ergw-odd"]);
    expect(routes[0]!.routes.ok).toBe(true);
    expect(routes[1]!.routes).toMatchObject({
      ok: false,
      error: {
        kind: "malformed",
        target: "learned routes of gateway ergw-odd",
        message: expect.stringContaining("ergw-odd is not a gateway id"),
      },
    });
    expect(estate.requests.filter((r) => r.operation === "learnedRoutes")).toHaveLength(1);
  });

  it("one gateway spelt two ways by two connections is read once (one long-running POST), as first spelt", async () => {
    const bundle = healthyCircuit();
    const [connection] = bundle.connections;
    bundle.connections.push({
      ...connection!,
      name: `${connection!.name}-2`,
      gatewayId: connection!.gatewayId.toUpperCase(),
    });
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    if (!reading.gateway.ok) throw new Error("expected the connections");
    expect(reading.gateway.value).toHaveLength(2);
    const routes = await dataPlane.readLearnedRoutes(reading, options());
    expect(routes.map((r) => r.gatewayId)).toEqual([connection!.gatewayId]);
    expect(routes[0]!.routes.ok).toBe(true);
    expect(estate.requests.filter((r) => r.operation === "learnedRoutes")).toHaveLength(1);
  });
});

// erwatch's own health on real wire: the real timer function sweeps the
// simulated estate (ARM throttling one circuit's ARP reads, one circuit
// ignored), publishes to the loopback broker, and the dispatcher delivers to
// the recording receivers (then one refuses, so an event is dead-lettered).
// The metrics come out of an in-memory OpenTelemetry meter, as Application
// Insights would receive them.

import type { Attributes } from "@opentelemetry/api";
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type CollectionResult,
} from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS, otelTelemetry } from "../../src/adapters/telemetry/otel.js";
import { NO_TELEMETRY } from "../../src/app/telemetry.js";
import { loadStatusConfig } from "../../src/runtime/config.js";
import { startTelemetry } from "../../src/runtime/telemetry.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { carrierDown, estateOf, healthyCircuit } from "../support/estate/index.js";
import { startWorld, type World } from "../support/world.js";

class InMemoryReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Point {
  attributes: Attributes;
  value: number;
  count?: number;
}

function points(collected: CollectionResult, name: string): Point[] {
  const out: Point[] = [];
  for (const scope of collected.resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const p of metric.dataPoints as { attributes: Attributes; value: unknown }[]) {
        if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const h = p.value as { count: number; sum?: number };
          out.push({ attributes: p.attributes, value: h.sum ?? 0, count: h.count });
        } else out.push({ attributes: p.attributes, value: p.value as number });
      }
    }
  return out;
}
const total = (ps: Point[]) => ps.reduce((n, p) => n + p.value, 0);
const count = (ps: Point[]) => ps.reduce((n, p) => n + (p.count ?? 0), 0);

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
let clock = new Date(T0);

let azurite: Azurite;
let world: World;
const reader = new InMemoryReader();
const provider = new MeterProvider({ readers: [reader] });

beforeAll(async () => {
  azurite = await startAzurite();
  const down = healthyCircuit({ name: "er-circuit-prod" });
  carrierDown(down.circuit, "AzurePrivatePeering", "primary");
  carrierDown(down.circuit, "AzurePrivatePeering", "secondary");
  world = await startWorld({
    estate: estateOf(
      down,
      healthyCircuit({ name: "er-circuit-dr" }),
      healthyCircuit({ name: "er-circuit-lab" }),
      healthyCircuit({ name: "er-circuit-old", tags: { "erwatch:ignore": "true" } }),
    ),
    azurite,
    now: () => clock,
    telemetry: otelTelemetry(provider.getMeter("erwatch-test")),
  });
  world.estate.addFault({
    match: { operation: "routeTablesSummary", circuit: "er-circuit-dr" },
    behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
  });
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
  await provider.shutdown();
});

describe("metrics emitted on a sweep", () => {
  let collected: CollectionResult;

  beforeAll(async () => {
    const first = await world.timerSweep();
    expect(first.events.map((e) => `${e.action} ${e.severity} ${e.circuit.name}`)).toEqual([
      "open Sev0 er-circuit-prod",
    ]);
    expect(await world.dispatchPending()).toBe(1);
    // A second outage, and PagerDuty refuses it for good: dead-lettered.
    carrierDown(
      world.estate.state.circuits.find((c) => c.name === "er-circuit-lab")!,
      "AzurePrivatePeering",
      "primary",
    );
    carrierDown(
      world.estate.state.circuits.find((c) => c.name === "er-circuit-lab")!,
      "AzurePrivatePeering",
      "secondary",
    );
    world.pagerduty.respondWith(400, { body: '{"status":"invalid event"}' });
    // The next tick at the product's cadence.
    clock = new Date(T0 + 5 * 60_000);
    const second = await world.timerSweep();
    expect(second.events.map((e) => `${e.action} ${e.circuit.name}`)).toEqual([
      "open er-circuit-lab",
    ]);
    expect(await world.dispatchPending()).toBe(1);
    collected = await reader.collect();
  }, 60_000);

  it("sweep duration and circuits read and skipped", () => {
    const durations = points(collected, METRICS.sweepDuration);
    expect(count(durations)).toBe(2);
    expect(durations[0]!.attributes).toEqual({ scope: "all" });
    expect(total(points(collected, METRICS.circuitsRead))).toBe(6);
    const skipped = points(collected, METRICS.circuitsSkipped);
    expect(total(skipped.filter((p) => p.attributes.reason === "ignored"))).toBe(2);
    expect(total(skipped.filter((p) => p.attributes.reason === "failed"))).toBe(0);
  });

  it("ARM calls by status, 429s counted even though the read then failed as throttled", () => {
    const requests = points(collected, METRICS.armRequests);
    const byStatus = (status: number) =>
      total(requests.filter((p) => p.attributes["http.response.status_code"] === status));
    expect(byStatus(200)).toBeGreaterThan(10);
    expect(byStatus(429)).toBe(4); // two paths, two sweeps, no SDK retry (ARM_MAX_RETRIES=0)
    expect(total(points(collected, METRICS.armThrottled))).toBe(4);
  });

  it("failed reads by kind and RBAC operation", () => {
    expect(points(collected, METRICS.readsFailed)).toEqual([
      {
        attributes: {
          kind: "throttled",
          call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
        },
        value: 4,
      },
    ]);
  });

  it("open alerts by severity after the last sweep", () => {
    const open = points(collected, METRICS.openAlerts);
    const bySeverity = Object.fromEntries(open.map((p) => [p.attributes.severity, p.value]));
    expect(bySeverity).toEqual({ Sev0: 2, Sev1: 0, Sev2: 0, Sev3: 0, Sev4: 0 });
  });

  it("event publish and delivery latency, and dead letters by reason", () => {
    const published = points(collected, METRICS.publishLatency);
    expect(count(published)).toBe(2);
    expect(published.every((p) => p.attributes.action === "open")).toBe(true);
    expect(count(points(collected, METRICS.deliveryLatency))).toBe(1);
    expect(points(collected, METRICS.deadLetters)).toEqual([
      { attributes: { reason: "ReceiverRejected" }, value: 1 },
    ]);
  });
});

describe("the exporter", () => {
  it("is not started, nor even loaded, without APPLICATIONINSIGHTS_CONNECTION_STRING", async () => {
    const config = loadStatusConfig({ ERWATCH_STORAGE: azurite.connectionString });
    expect(config.telemetry).toEqual({ connectionString: null, entra: false, entraClientId: null });
    expect(await startTelemetry(config)).toEqual({ telemetry: NO_TELEMETRY, failure: null });
  });

  it("reads Entra ID authentication as infra/ sets it, and names a malformed setting", () => {
    const config = loadStatusConfig({
      ERWATCH_STORAGE: azurite.connectionString,
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
        "ClientId=11111111-1111-1111-1111-111111111111;Authorization=AAD",
    });
    expect(config.telemetry).toMatchObject({
      entra: true,
      entraClientId: "11111111-1111-1111-1111-111111111111",
    });
    // Malformed, it is left out and named: the page runs and exports no metrics.
    const malformed = loadStatusConfig({
      ERWATCH_STORAGE: azurite.connectionString,
      APPLICATIONINSIGHTS_CONNECTION_STRING: "not a connection string",
    });
    expect(malformed.telemetry.connectionString).toBeNull();
    expect(malformed.ignoredSettings).toEqual([
      expect.stringMatching(/^APPLICATIONINSIGHTS_CONNECTION_STRING: .*no metrics/),
    ]);
  });

  // What the exporter refuses, it refuses on every invocation: said at start
  // instead, left out and named with the other settings left out (a tuning
  // number out of range among them), never stopping the start.
  it.each([
    [
      "an endpoint without a key",
      "IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
      /InstrumentationKey=<guid>/,
    ],
    [
      "a key that is not a GUID",
      "InstrumentationKey=not-a-guid;IngestionEndpoint=https://x.in.applicationinsights.azure.com/",
      /InstrumentationKey that is not a GUID/,
    ],
    [
      "an endpoint that is not a URL",
      "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=westeurope",
      /IngestionEndpoint that is not an http\(s\) URL/,
    ],
  ])("leaves out %s at start, named with the other settings left out", (_, value, words) => {
    const config = loadStatusConfig({
      ERWATCH_STORAGE: azurite.connectionString,
      APPLICATIONINSIGHTS_CONNECTION_STRING: value,
      STORAGE_TIMEOUT_MS: "5",
    });
    expect(config.telemetry.connectionString).toBeNull();
    expect(config.ignoredSettings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^APPLICATIONINSIGHTS_CONNECTION_STRING: .*${words.source}`),
        ),
        expect.stringMatching(/^STORAGE_TIMEOUT_MS: .*default 10000 applies/),
      ]),
    );
  });

  it("accepts a key alone, in any case and order", () => {
    const config = loadStatusConfig({
      ERWATCH_STORAGE: azurite.connectionString,
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        " instrumentationkey = 00000000-0000-0000-0000-00000000ABCD ",
    });
    expect(config.telemetry.connectionString).not.toBeNull();
  });
});

// Two circuits on one VNet gateway (the common HA design) and one Connection
// Monitor into that VNet, found for both: an NSG fault past the circuits fails
// its tests on each. Over the real wire at the product's cadence, in one
// process and fanned out (each circuit in its own worker's batch), the fault
// pages once, from the circuit that sorts first, and resolves once; a
// silence on that circuit, or an outage of its own that explains the tests
// there, lets the other page for itself.

import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  setTestResults,
  withConnectionMonitor,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { startTableFaultProxy, type TableRequest } from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const PRIVATE = "AzurePrivatePeering";

const worlds = worldPerTest();

/** er-a and er-b at two locations, both wired to er-a's gateway; the monitor tests its VNet. */
async function gatewayWorld(
  fanOut: boolean,
  env: Record<string, string> = {},
  tags: Record<string, string> = {},
) {
  const a = healthyCircuit({ name: "er-a", tags });
  const b = healthyCircuit({ name: "er-b", peeringLocation: "London", gateway: "none", tags });
  b.connections.push({
    ...a.connections[0]!,
    name: "conn-er-b",
    circuitId: circuitId(b.circuit),
  });
  const monitor = withConnectionMonitor(a);
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(a, b),
    now: () => now,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      // Every circuit read every sweep: the end-to-end results of both are read each time.
      SWEEP_MAX_READ_AGE_MINUTES: "5",
      ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "1" } : {}),
      ...env,
    },
  });
  if (fanOut) await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const round = async (k: number) => {
    now = new Date(T0 + k * 5 * MIN);
    if (!fanOut) {
      expect((await w.timerSweep()).errors).toEqual([]);
      return;
    }
    await fan.timer(k);
    await fan.drain();
    expect(w.broker.active(QUEUE)).toEqual([]);
    expect(fan.errors).toEqual([]);
  };
  const rounds = async (from: number, to: number) => {
    for (let k = from; k <= to; k += 1) await round(k);
  };
  const endToEnd = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.family === "end-to-end")
      .map(
        (e) =>
          `${e.action} ${e.severity} ${e.circuit.name}@${(Date.parse(e.occurredAt) - T0) / (5 * MIN)}`,
      );
  return { w, a: a.circuit as SimCircuit, monitor, rounds, endToEnd };
}

for (const fanOut of [false, true]) {
  const mode = fanOut ? "fan-out" : "one process";

  it(`${mode}: a Connection Monitor failing past two circuits on one gateway pages once, and resolves once`, async () => {
    const { monitor, rounds, endToEnd } = await gatewayWorld(fanOut);
    await rounds(0, 0);
    setTestResults(monitor, "Fail");
    await rounds(1, 6);
    expect(endToEnd()).toEqual(["open Sev1 er-a@2"]);
    setTestResults(monitor, "Pass");
    await rounds(7, 10);
    expect(endToEnd()).toEqual(["open Sev1 er-a@2", "resolve Sev1 er-a@8"]);
  }, 120_000);

  it(`${mode}: with er-a's own outage explaining the tests there, er-b's redundancy failing pages from er-b`, async () => {
    const { a, monitor, rounds, endToEnd } = await gatewayWorld(fanOut);
    await rounds(0, 0);
    carrierDownBoth(a, PRIVATE);
    setTestResults(monitor, "Fail");
    await rounds(1, 4);
    expect(endToEnd()).toEqual(["open Sev1 er-b@2"]);
  }, 120_000);
}

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: the circuit sorting first waiting longer (its own openAfter) does not delay the other's page, and is then held by it`, async () => {
    const policy = { circuits: { "er-a": { openAfter: { Sev1: 4 } } } };
    const { monitor, rounds, endToEnd } = await gatewayWorld(fanOut, {
      ERWATCH_ALERT_POLICY: JSON.stringify(policy),
    });
    await rounds(0, 0);
    setTestResults(monitor, "Fail");
    await rounds(1, 8);
    expect(endToEnd()).toEqual(["open Sev1 er-b@2"]);
    setTestResults(monitor, "Pass");
    await rounds(9, 12);
    expect(endToEnd()).toEqual(["open Sev1 er-b@2", "resolve Sev1 er-b@10"]);
  }, 120_000);

it("a silence on the circuit that would speak for the monitor lets the other page", async () => {
  const silence = {
    id: "er-a-window",
    circuit: circuitId(healthyCircuit({ name: "er-a" }).circuit),
    start: new Date(T0).toISOString(),
    end: new Date(T0 + 6 * 60 * MIN).toISOString(),
    comment: "carrier maintenance on er-a",
  };
  const { monitor, rounds, endToEnd } = await gatewayWorld(false, {
    ERWATCH_SILENCES: JSON.stringify([silence]),
  });
  await rounds(0, 0);
  setTestResults(monitor, "Fail");
  await rounds(1, 4);
  expect(endToEnd()).toEqual(["open Sev1 er-b@2"]);
}, 120_000);

it("a sweep lists the stored snapshots once for pairs and shared monitors together, besides its plan's", async () => {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const scans: TableRequest[] = [];
  proxy.rule = (request) => {
    // Every snapshot in full: the scan each reader of other circuits made on its own.
    const whole = /\?\$filter=RowKey eq 'snapshot'/.test(request.text);
    if (request.table.endsWith("Snapshots") && request.operation === "query" && whole)
      scans.push(request);
    return null;
  };
  const { monitor, rounds, endToEnd } = await gatewayWorld(
    false,
    { ERWATCH_STORAGE: proxy.connectionString },
    { "erwatch:pair": "site-ams" },
  );
  await rounds(0, 0);
  setTestResults(monitor, "Fail");
  await rounds(1, 1);
  scans.length = 0;
  await rounds(2, 2);
  expect(endToEnd()).toEqual(["open Sev1 er-a@2"]);
  // The plan's listing, and one for the deep reads' pairs and shared monitors.
  expect(scans).toHaveLength(2);
  await proxy.close();
}, 120_000);

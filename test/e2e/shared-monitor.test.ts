// Two circuits on one VNet gateway (the common HA design) and one Connection
// Monitor into that VNet, found for both: an NSG fault past the circuits fails
// its tests on each. Over the real wire at the product's cadence, in one
// process and fanned out (each circuit in its own worker's batch), the fault
// pages once, from the circuit that sorts first, and resolves once; a
// silence on that circuit, or an outage of its own that explains the tests
// there, lets the other page for itself.

import { expect, it } from "vitest";
import { carrierDownBoth, healthyCircuit, setTestResults } from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { startTableFaultProxy, type TableRequest } from "../support/table-fault-proxy.js";
import { worldPerTest } from "../support/world-per-test.js";
import { gatewayWorld as sharedGatewayWorld } from "../support/gateway-world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const PRIVATE = "AzurePrivatePeering";

const worlds = worldPerTest();

const gatewayWorld = (
  fanOut: boolean,
  env: Record<string, string> = {},
  tags: Record<string, string> = {},
) => sharedGatewayWorld(worlds, fanOut, env, tags);

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

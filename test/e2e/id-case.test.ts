// Azure spells one resource's id and names in more than one case: the listing
// one way, a gateway connection's peer id another, the peering, the provider
// and the peering location in whatever case the last write left. Through the
// real SDK against the simulated estate, at the product's cadence (a timer
// sweep every 5 minutes on an injected clock), a circuit ARM starts spelling
// another way mid-outage is still one circuit: one alert, one page, one
// resolve carrying its layer table, one snapshot; circuits at one place
// spelled differently (in case, or with a doubled or non-breaking space) are
// one place; and a Connection Monitor is the circuit's, and its test one test,
// whatever case its ids come in.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDownBoth,
  healthyCircuit,
  passingTest,
  restoreBoth,
  setProviderState,
  setTestResults,
  withConnectionMonitor,
  type SimCircuit,
} from "../support/estate/index.js";
import { monitorId } from "../support/estate/network-answers.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

const said = (events: AlertEvent[]) => events.map((e) => `${e.action}:${e.family}:${e.severity}`);

describe("one circuit, whatever case ARM spells it in", () => {
  it("its id, peering, provider and location in another case mid-outage: still one alert, paged once, resolved once with its layer table", async () => {
    const bundle = healthyCircuit({ name: "ER-Circuit-Prod", resourceGroup: "RG-Hybrid-Core" });
    const c = bundle.circuit;
    const t = await timerWorld(worlds, T0, [bundle]);
    await t.sweepUntil(0, 5);
    carrierDownBoth(c, "AzurePrivatePeering");
    await t.sweepUntil(10, 30);
    expect(said(t.sent())).toEqual(["open:path-down:Sev0"]);
    const opened = t.sent()[0]!;
    expect(opened.layerTable?.name).toBe("AzurePrivatePeering");

    // ARM now answers in lower case, and the gateway connection names its peer so too.
    c.name = "er-circuit-prod";
    c.resourceGroup = "rg-hybrid-core";
    c.peerings[0]!.name = "azureprivatepeering";
    c.serviceProviderName = "EQUINIX";
    c.peeringLocation = "amsterdam";
    bundle.connections[0]!.circuitId = bundle.connections[0]!.circuitId.toLowerCase();
    const after = await t.sweep(35);
    const verdict = after.verdicts[0]!;
    expect(verdict.peerings.map((p) => p.name)).toEqual(["azureprivatepeering"]);
    // The connection still joins the circuit: no gateway finding, only the outage.
    expect(verdict.findings.map((f) => f.code)).not.toContain("gateway-not-connected");
    expect(verdict.peerings[0]!.paths.primary.gateway?.status).not.toBe("down");
    await t.sweepUntil(40, 60);
    expect(said(t.sent())).toEqual(["open:path-down:Sev0"]);

    restoreBoth(c, "azureprivatepeering");
    await t.sweepUntil(65, 90);
    expect(said(t.sent())).toEqual(["open:path-down:Sev0", "resolve:path-down:Sev0"]);
    const resolved = t.sent()[1]!;
    expect(resolved.key).toBe(opened.key);
    expect(resolved.sequence).toBeGreaterThan(opened.sequence);
    // The resolve shows the layers as read now (Teams draws its card from them).
    expect(resolved.layerTable?.name).toBe("azureprivatepeering");
    expect(resolved.layerTable?.paths.primary.bgp.status).toBe("up");
    // Storage kept one partition for it, under the spelling it first had.
    expect(await t.w.runtime.store.listCircuitIds()).toEqual([opened.circuit.id]);
    const alerts = await t.w.runtime.store.listAlerts();
    expect(alerts.filter((a) => a.value.family === "path-down")).toHaveLength(1);
  });

  it("three circuits at one provider and location spelt in three cases are one place: one fleet alert", async () => {
    const bundles = [
      healthyCircuit({
        name: "er-ams-a",
        serviceProviderName: "Equinix",
        peeringLocation: "Amsterdam",
      }),
      healthyCircuit({
        name: "er-ams-b",
        serviceProviderName: "EQUINIX",
        peeringLocation: "AMSTERDAM",
      }),
      healthyCircuit({
        name: "er-ams-c",
        serviceProviderName: "equinix ",
        peeringLocation: " amsterdam",
      }),
    ];
    const t = await timerWorld(worlds, T0, bundles);
    await t.sweepUntil(0, 0);
    for (const b of bundles) setProviderState(b.circuit as SimCircuit, "NotProvisioned");
    await t.sweepUntil(5, 30);
    const fleet = t.sent().filter((e) => e.family === "fleet");
    expect(said(fleet)).toEqual(["open:fleet:Sev0"]);
    for (const name of ["er-ams-a", "er-ams-b", "er-ams-c"])
      expect(fleet[0]!.title).toContain(name);
    expect(t.sent().filter((e) => e.family !== "fleet")).toEqual([]);
  });

  it("three circuits at one place spelt with a doubled and a non-breaking space are one place: one fleet alert", async () => {
    const bundles = [
      healthyCircuit({ name: "er-sv-a", peeringLocation: "Silicon Valley" }),
      healthyCircuit({ name: "er-sv-b", peeringLocation: "Silicon  Valley" }),
      healthyCircuit({
        name: "er-sv-c",
        serviceProviderName: "Equinix\u00a0",
        peeringLocation: "Silicon\u00a0Valley",
      }),
    ];
    const t = await timerWorld(worlds, T0, bundles);
    await t.sweepUntil(0, 0);
    for (const b of bundles) setProviderState(b.circuit as SimCircuit, "NotProvisioned");
    await t.sweepUntil(5, 30);
    const fleet = t.sent().filter((e) => e.family === "fleet");
    expect(said(fleet)).toEqual(["open:fleet:Sev0"]);
    for (const name of ["er-sv-a", "er-sv-b", "er-sv-c"]) expect(fleet[0]!.title).toContain(name);
    expect(t.sent().filter((e) => e.family !== "fleet")).toEqual([]);
  });

  it("a Connection Monitor whose endpoint names the circuit's VNet in another case tests that circuit", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle);
    const vnet = monitor.endpoints.find((e) => e.resourceId)!;
    vnet.resourceId = `${vnet.resourceId!.toUpperCase()}/subnets/snet-app`;
    const t = await timerWorld(worlds, T0, [bundle]);
    const first = await t.sweep(0);
    expect(first.verdicts[0]!.peerings[0]!.paths.primary.endToEnd).toMatchObject({
      status: "up",
      detail: expect.stringMatching(/^1 test passes/),
    });
    setTestResults(monitor, "Fail");
    const failing = await t.sweep(5);
    expect(failing.verdicts[0]!.peerings[0]!.paths.primary.endToEnd.status).toBe("down");
  });

  it("one test's rows under its monitor's id in two cases: judged on the newest, not an old Fail beside the Pass as a Warning", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle);
    const t = await timerWorld(worlds, T0, [bundle]);
    const before = await t.sweep(0);
    expect(before.verdicts[0]!.peerings[0]!.paths.primary.endToEnd.status).toBe("up");
    // Rows of ten minutes ago, when the test failed, hold its monitor's id in lower case.
    monitor.tests.push(
      passingTest({
        result: "Fail",
        checksFailed: 20,
        roundTripMs: null,
        removedMinutesAgo: 10,
        monitorIdInLogs: monitorId(monitor).toLowerCase(),
      }),
    );
    const after = await t.sweep(5);
    expect(after.verdicts[0]!.peerings[0]!.paths.primary.endToEnd).toMatchObject({
      status: "up",
      detail: expect.stringMatching(/^1 test passes/),
    });
  });
});

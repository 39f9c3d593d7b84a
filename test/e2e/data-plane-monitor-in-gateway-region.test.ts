// Users saw a circuit whose gateway, VNet and Connection Monitor are in
// another region than the circuit (common: a Standard circuit serves its
// geopolitical region, Premium anywhere; the portal creates the monitor in
// the connection's region) read end to end "n/a: no Connection Monitor tests
// this circuit" while every test of its gateway's VNet failed: no page, no
// UNKNOWN. erwatch searched only the Network Watcher of the circuit's own
// region and subscription. Now the Network Watchers of its gateways' regions
// (in the gateways' subscriptions) are searched too, each listed once per
// sweep; a tagged name found there is read, and one that several of those
// regions have fails naming them. Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { createReadSession } from "../../src/app/ports.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { EndToEndFacts } from "../../src/core/dataplane/facts.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { CircuitReading, Reading } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitId, virtualNetworkGatewayId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  WORKSPACE_ID,
  withConnectionMonitor,
  type CircuitBundle,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);
const FAILING = passingTest({ result: "Fail", checksFailed: 20, checksTotal: 20 });

/** The circuit stays in westeurope; its gateway and connection move to `region`. */
function gatewayIn(bundle: CircuitBundle, region: string) {
  for (const g of bundle.vnetGateways ?? []) g.location = region;
  for (const c of bundle.connections) c.location = region;
}

function verdictOf(reading: CircuitReading, got: Reading<EndToEndFacts> | undefined) {
  return evaluateCircuit(
    { ...reading, dataPlane: { endToEnd: got! } },
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  ).verdict;
}

describe("a Connection Monitor in the region of the circuit's gateway, not the circuit's", () => {
  it("is found for the circuit whose gateway VNet it tests, and its Fail pages", async () => {
    const bundle = healthyCircuit(); // westeurope
    gatewayIn(bundle, "northeurope");
    withConnectionMonitor(bundle, [FAILING]).location = "northeurope";
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    const verdict = verdictOf(reading, got);
    expect(got).toMatchObject({
      ok: true,
      value: {
        monitors: [
          { how: "discovered", id: expect.stringMatching(/NetworkWatcher_northeurope\//) },
        ],
      },
    });
    expect(verdict.peerings[0]!.paths.primary.endToEnd.status).toBe("down");
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
  });

  it("lists each extra region's monitors once per sweep, however many circuits reach it", async () => {
    const a = healthyCircuit({ name: "er-a" });
    const b = healthyCircuit({ name: "er-b" });
    for (const bundle of [a, b]) {
      gatewayIn(bundle, "northeurope");
      withConnectionMonitor(bundle, [FAILING]).location = "northeurope";
    }
    const { estate, reader, dataPlane } = await readersOn(estateOf(a, b));
    const readings = [
      await readingOf(reader, circuitId(a.circuit)),
      await readingOf(reader, circuitId(b.circuit)),
    ];
    estate.requests.splice(0);
    const session = createReadSession();
    for (const reading of readings) {
      const got = await dataPlane.readEndToEnd(reading, { ...options(), session });
      expect(got).toMatchObject({ ok: true, value: { monitors: [{ how: "discovered" }] } });
    }
    const listings = estate.requests
      .filter((r) => r.operation === "listConnectionMonitors")
      .map((r) => /networkWatchers\/([^/]+)/i.exec(r.path)?.[1]);
    expect(listings.sort()).toEqual(["NetworkWatcher_northeurope", "NetworkWatcher_westeurope"]);
    expect(estate.requests.filter((r) => r.operation === "listNetworkWatchers")).toHaveLength(1);
  });

  it("is found in the gateway's subscription when that is not the circuit's", async () => {
    const OTHER = "00000000-0000-0000-0000-0000000000b2";
    const bundle = healthyCircuit();
    const gateway = bundle.vnetGateways![0]!;
    gateway.subscriptionId = OTHER;
    gateway.location = "northeurope";
    gateway.vnetId = gateway.vnetId.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${OTHER}`);
    for (const c of bundle.connections) {
      c.subscriptionId = OTHER;
      c.location = "northeurope";
      c.gatewayId = virtualNetworkGatewayId(OTHER, gateway.resourceGroup, gateway.name);
    }
    const monitor = withConnectionMonitor(bundle, [FAILING]);
    monitor.subscriptionId = OTHER;
    monitor.location = "northeurope";
    const { reader, dataPlane } = await readersOn(estateOf(bundle), {
      ERWATCH_SUBSCRIPTIONS: `${bundle.circuit.subscriptionId},${OTHER}`,
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: true,
      value: { monitors: [{ id: expect.stringContaining(`/subscriptions/${OTHER}/`) }] },
    });
    expect(verdictOf(reading, got).findings.map((f) => f.code)).toContain("e2e-fail");
  });
});

describe("a tagged monitor name and the gateways' regions", () => {
  it("a name only the gateway's region has is read", async () => {
    const bundle = healthyCircuit();
    gatewayIn(bundle, "northeurope");
    const monitor = withConnectionMonitor(bundle, [FAILING]);
    monitor.location = "northeurope";
    bundle.circuit.tags = { "erwatch:connection-monitor": monitor.name };
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({ ok: true, value: { monitors: [{ how: "tagged" }] } });
    expect(got!.ok && got!.value.unread).toBeUndefined();
    expect(verdictOf(reading, got).findings.map((f) => f.code)).toContain("e2e-fail");
  });

  it("a name the circuit's own region has too is taken from the circuit's region", async () => {
    const bundle = healthyCircuit();
    gatewayIn(bundle, "northeurope");
    withConnectionMonitor(bundle, [FAILING]).location = "northeurope";
    const home = withConnectionMonitor(bundle, [passingTest()]);
    bundle.circuit.tags = { "erwatch:connection-monitor": home.name };
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: true,
      value: { monitors: [{ id: expect.stringMatching(/NetworkWatcher_westeurope\//) }] },
    });
  });

  it("a name that two of its gateways' regions have is neither: the read fails naming both", async () => {
    const bundle = healthyCircuit();
    gatewayIn(bundle, "northeurope");
    const second = { ...bundle.vnetGateways![0]!, name: "ergw-second", location: "swedencentral" };
    bundle.vnetGateways!.push(second);
    bundle.connections.push({
      ...bundle.connections[0]!,
      name: "conn-second",
      location: "swedencentral",
      gatewayId: virtualNetworkGatewayId(second.subscriptionId, second.resourceGroup, second.name),
    });
    withConnectionMonitor(bundle, [FAILING]).location = "northeurope";
    const other = withConnectionMonitor(bundle, [passingTest()]);
    other.location = "swedencentral";
    bundle.circuit.tags = { "erwatch:connection-monitor": other.name };
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: false,
      error: {
        target: `connection monitor ${other.name} named by the circuit's erwatch:connection-monitor tag`,
        message: expect.stringMatching(
          /gateways' regions have 2 monitors of that name and its own region none: tag the circuit with the resource id of the one that tests it \(.*NetworkWatcher_northeurope/,
        ),
      },
    });
  });
});

// A circuit connected through Virtual WAN: its gateway is the hub's
// ExpressRoute gateway, whose region the wiring read already gives (Resource
// Graph's row, or the gateways' listing when that query fails). A monitor
// the tag names that only the hub region's Network Watcher has read "not
// found" though it was there. erwatch does not read which VNets a hub
// connects, so a monitor there is not discovered: it is named by tag.
describe("a tagged monitor in the region of the circuit's vWAN hub", () => {
  function vwanCircuitWithMonitor(): CircuitBundle {
    const bundle = healthyCircuit({ gateway: "vwan" }); // westeurope
    bundle.vwanGateways[0]!.location = "northeurope";
    const c = bundle.circuit;
    bundle.connectionMonitors = [
      {
        subscriptionId: c.subscriptionId,
        location: "northeurope",
        name: "cm-hub-spokes",
        endpoints: [
          { name: "onprem-app-01", type: "ExternalAddress", address: "10.16.0.10" },
          {
            name: "vm-app-01",
            type: "AzureVNet",
            resourceId: `/subscriptions/${c.subscriptionId}/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke-01`,
          },
        ],
        workspaceResourceId: WORKSPACE_ID,
        tests: [FAILING],
      },
    ];
    c.tags = { "erwatch:connection-monitor": "cm-hub-spokes" };
    return bundle;
  }

  it.each([
    ["the Resource Graph row", false],
    ["the ExpressRoute gateways' listing (Resource Graph failing)", true],
  ])("is read, its hub's region from %s, and its Fail pages", async (_from, graphFails) => {
    const bundle = vwanCircuitWithMonitor();
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    if (graphFails)
      estate.addFault({
        match: { operation: "queryResourceGraph" },
        behaviour: { kind: "status", status: 403 },
      });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    expect(reading.gateway).toMatchObject({
      ok: true,
      value: [{ kind: "vwan", hubRegion: "northeurope" }],
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: true,
      value: {
        monitors: [{ how: "tagged", id: expect.stringMatching(/NetworkWatcher_northeurope\//) }],
      },
    });
    expect(verdictOf(reading, got).findings.map((f) => f.code)).toContain("e2e-fail");
  });

  it("one the hub's region does not have either is a failed read naming both Network Watchers", async () => {
    const bundle = vwanCircuitWithMonitor();
    bundle.circuit.tags = { "erwatch:connection-monitor": "cm-hub-spokes-old" };
    const { reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "not-found",
        message: expect.stringMatching(
          /^the Network Watchers of westeurope in subscription \S+ and of its gateways' regions \(northeurope in subscription \S+\) have no Connection Monitor of that name.*it has cm-hub-spokes /,
        ),
      },
    });
  });
});

// One item of a shared listing that @azure/arm-network cannot take costs that
// item alone. The SDK turns a page into models in one go: one gateway
// connection, or one Connection Monitor, with a null where its deserialiser
// expects an object throws a TypeError for the page, and the listing is
// shared by every circuit of its resource group, region or subscription (a
// vWAN gateway). An item erwatch's own parser cannot read costs only the
// circuits it might concern. Each odd body is sent on the wire by the
// estate, read through the REAL SDK, and judged by the CLI's public JSON
// report.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report, ReportCircuit } from "../../src/app/report.js";
import {
  editConnectionWire,
  estateOf,
  healthyCircuit,
  startEstate,
  withConnectionMonitor,
  type EstateState,
  type SimulatedEstate,
  type WireEdit,
} from "../support/estate/index.js";
import { byName, SUB, sweepReport } from "../support/estate-cli.js";

const NAMES = ["er-ams", "er-fra", "er-lon"];
const GET_CONNECTION = "Microsoft.Network/connections/read";

/** Three circuits in one resource group and region: each its gateway connection and its Connection Monitor. */
function estateOfThree(): EstateState {
  return estateOf(
    ...NAMES.map((name) => {
      const bundle = healthyCircuit({ name });
      withConnectionMonitor(bundle);
      return bundle;
    }),
  );
}

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(estateOfThree());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = estateOfThree();
  estate.clearFaults();
});

const primary = (c: ReportCircuit) => c.peerings[0]!.paths.primary;
const others = (odd: string) => NAMES.filter((n) => n !== odd);

/** Every circuit's gateway row UNKNOWN for the vWAN read, named, never "not connected". */
function everyGatewayUnknown(report: Report, message: unknown): void {
  for (const name of NAMES) {
    const c = byName(report, name);
    expect(primary(c).gateway.status, name).toBe("unknown");
    expect(
      c.findings.map((f) => f.code),
      name,
    ).toEqual(["monitoring-blind"]);
    expect(c.failedReads, name).toContainEqual(
      expect.objectContaining({ kind: "malformed", call: ER_GATEWAYS, target: GATEWAYS, message }),
    );
  }
}

describe("a gateway connection the SDK cannot take, read per resource group", () => {
  // The per-group listing is the fallback of the Resource Graph query.
  const graphFailing = () =>
    estate.addFault({
      match: { operation: "queryResourceGraph" },
      behaviour: { kind: "status", status: 503 },
    });

  it("a null among its IPsec policies: its GET is read as ARM sent it, and every circuit of the group is judged", async () => {
    graphFailing();
    editConnectionWire(estate.state, "er-ams", {
      field: "properties.ipsecPolicies",
      value: [null],
    });
    const { report } = await sweepReport(estate);
    for (const name of NAMES) {
      const c = byName(report, name);
      expect(primary(c).gateway, name).toEqual({ status: "up", detail: "1 connected" });
      expect(c.failedReads.map((f) => `${f.kind} ${f.call}`)).toEqual([
        "server-error Microsoft.ResourceGraph/resources/read",
      ]);
    }
  });

  it.each([["its gateway null", { field: "properties.virtualNetworkGateway1", value: null }]] as [
    string,
    Omit<WireEdit, "read">,
  ][])(
    "%s: only its circuit's gateway row is UNKNOWN; the group's other circuits are still judged",
    async (_what, edit) => {
      graphFailing();
      editConnectionWire(estate.state, "er-ams", edit);
      const { report } = await sweepReport(estate);
      for (const name of others("er-ams")) {
        const c = byName(report, name);
        expect(primary(c).gateway.status, name).toBe("up");
        expect(c.failedReads.map((f) => `${f.kind} ${f.call}`)).toEqual([
          "server-error Microsoft.ResourceGraph/resources/read",
        ]);
      }
      const odd = byName(report, "er-ams");
      expect(primary(odd).gateway.status).toBe("unknown");
      // Not read as "no connection": UNKNOWN, never gateway-not-connected, nothing pages.
      expect(odd.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
      // Named by its own GET; its monitor is found through its gateway, so end to end says the same.
      expect(odd.failedReads).toContainEqual(
        expect.objectContaining({
          kind: "malformed",
          call: GET_CONNECTION,
          target: "gateway connection conn-er-ams",
        }),
      );
      // The group's listing itself no longer fails for anyone.
      const listingFailed = (c: ReportCircuit) =>
        c.failedReads.some((f) => f.target === "gateway connections in rg-hybrid-core");
      expect(report.circuits.filter(listingFailed).map((c) => c.name)).toEqual([]);
    },
  );
});

describe("a Connection Monitor the SDK cannot take", () => {
  it.each([
    ["a null among its test configurations", "properties.testConfigurations[0]", null, null],
    [
      "a test group's configurations null",
      "properties.testGroups[0].testConfigurations",
      null,
      // erwatch reads that group no better than the SDK: named, its test's rows still judged.
      "connection monitor cm-er-ams: testGroups[0].testConfigurations is null, not a list",
    ],
  ])(
    "%s: every circuit of the region is still judged end to end",
    async (_what, field, value, blind) => {
      const monitor = estate.state.connectionMonitors!.find((m) => m.name === "cm-er-ams")!;
      monitor.wire = [{ read: "monitor", field, value }];
      const { report } = await sweepReport(estate);
      for (const name of NAMES) {
        const c = byName(report, name);
        expect(primary(c).endToEnd, name).toMatchObject({
          status: "up",
          detail: expect.stringMatching(/^1 test passes/),
        });
        const named = name === "er-ams" && blind !== null;
        expect(
          c.failedReads.map((f) => f.message),
          name,
        ).toEqual(named ? [blind] : []);
        expect(
          c.findings.map((f) => f.code),
          name,
        ).toEqual(named ? ["monitoring-blind"] : []);
      }
    },
  );
});

describe("a Connection Monitor erwatch's own parser cannot read", () => {
  const LISTING = "Microsoft.Network/networkWatchers/connectionMonitors/read";
  // er-lon's tag names its monitor (no workspace tag: it is still looked up in
  // the region's listing); er-ams and er-fra discover theirs by their VNets.
  it.each([
    [
      "its workspace output null",
      "cm-er-ams",
      { field: "properties.outputs[0]", value: null },
      ["er-ams"],
    ],
    ["its name left out", "cm-er-ams", { field: "name", remove: true }, ["er-ams"]],
    ["its location a number", "cm-er-ams", { field: "location", value: 5 }, ["er-ams"]],
    // An endpoint that cannot be read might be in any VNet: every circuit that
    // discovers its monitors is UNKNOWN, never healthy; the one that names its own is not.
    [
      "a null among its endpoints",
      "cm-er-ams",
      { field: "properties.endpoints[0]", value: null },
      ["er-ams", "er-fra"],
    ],
    [
      "an endpoint's resource id a number",
      "cm-er-ams",
      { field: "properties.endpoints[1].resourceId", value: 5 },
      ["er-ams", "er-fra"],
    ],
    [
      "its endpoints an object",
      "cm-er-ams",
      { field: "properties.endpoints", value: {} },
      ["er-ams", "er-fra"],
    ],
    // The monitor a tag names is that circuit's alone: its endpoints are elsewhere.
    [
      "the named monitor's workspace output null",
      "cm-er-lon",
      { field: "properties.outputs[0]", value: null },
      ["er-lon"],
    ],
  ] as [string, string, Omit<WireEdit, "read">, string[]][])(
    "%s (%s): only the circuits it might test read end to end UNKNOWN, named",
    async (_what, odd, edit, blind) => {
      estate.state.circuits.find((c) => c.name === "er-lon")!.tags["erwatch:connection-monitor"] =
        "cm-er-lon";
      const monitor = estate.state.connectionMonitors!.find((m) => m.name === odd)!;
      monitor.wire = [{ read: "monitor", ...edit }];
      const { report } = await sweepReport(estate);
      for (const name of NAMES.filter((n) => !blind.includes(n))) {
        const c = byName(report, name);
        expect(primary(c).endToEnd, name).toMatchObject({
          status: "up",
          detail: expect.stringMatching(/^1 test passes/),
        });
        expect(c.failedReads, name).toEqual([]);
        expect(c.findings, name).toEqual([]);
      }
      for (const name of blind) {
        const c = byName(report, name);
        expect(primary(c).endToEnd.status, name).toBe("unknown");
        expect(primary(c).gateway.status, name).toBe("up");
        expect(
          c.findings.map((f) => f.code),
          name,
        ).toEqual(["monitoring-blind"]);
        // Named: the monitor, not the region's listing.
        expect(c.failedReads, name).toEqual([
          expect.objectContaining({
            kind: "malformed",
            call: LISTING,
            target: `connection monitor ${odd} of NetworkWatcher_westeurope`,
          }),
        ]);
      }
    },
  );
});

/** The same three circuits, each wired to its own vWAN hub's ExpressRoute gateway. */
function vwanEstateOfThree(): EstateState {
  return estateOf(...NAMES.map((name) => healthyCircuit({ name, gateway: "vwan" })));
}

/** The subscription's vWAN gateways are listed when the Resource Graph query has failed. */
function graphFails(): void {
  estate.addFault({
    match: { operation: "queryResourceGraph" },
    behaviour: { kind: "status", status: 503 },
  });
}

const GATEWAYS = `ExpressRoute gateways in subscription ${SUB}`;
const ER_GATEWAYS = "Microsoft.Network/expressRouteGateways/read";

describe("a vWAN ExpressRoute connection whose circuit peering cannot be read", () => {
  it.each([
    [
      "its circuit peering null",
      "properties.expressRouteConnections[0].properties.expressRouteCircuitPeering",
    ],
    ["its properties null", "properties.expressRouteConnections[0].properties"],
  ])(
    "%s: it might be any circuit's, so every circuit's gateway row is UNKNOWN, none 'not connected'",
    async (_what, field) => {
      estate.state = vwanEstateOfThree();
      graphFails();
      const gateway = estate.state.vwanGateways.find((g) => g.name === "ergw-hub-er-ams")!;
      gateway.wire = [{ read: "vwanGateway", field, value: null }];
      everyGatewayUnknown(
        (await sweepReport(estate)).report,
        expect.stringContaining("value[0].expressRouteConnections[0].expressRouteCircuitPeering"),
      );
    },
  );
});

describe("a vWAN ExpressRoute gateway the SDK cannot take", () => {
  // A null route table id: erwatch reads nothing of a connection's routing,
  // the SDK's model code trips on it for the whole response.
  const NULL_ROUTE_TABLE =
    "properties.expressRouteConnections[0].properties.routingConfiguration.propagatedRouteTables.ids[0]";
  it.each(["ergw-hub-er-ams", "ergw-hub-er-lon"])(
    "a null among its connection's route table ids (%s): every circuit's connection is still read from what ARM sent",
    async (odd) => {
      estate.state = vwanEstateOfThree();
      graphFails();
      const gateway = estate.state.vwanGateways.find((g) => g.name === odd)!;
      gateway.wire = [{ read: "vwanGateway", field: NULL_ROUTE_TABLE, value: null }];
      const { report } = await sweepReport(estate);
      for (const name of NAMES) {
        const c = byName(report, name);
        // Up: each connection's peering and provisioning state read under both levels of properties.
        expect(primary(c).gateway.status, name).toBe("up");
        expect(
          c.failedReads.map((f) => `${f.kind} ${f.call}`),
          name,
        ).toEqual(["server-error Microsoft.ResourceGraph/resources/read"]);
      }
    },
  );

  it.each([
    [
      "a null among its connections",
      "properties.expressRouteConnections[1]",
      null,
      "value[0].expressRouteConnections[1] is null",
    ],
    [
      "its connections sent as an object",
      "properties.expressRouteConnections",
      {},
      "value[0].expressRouteConnections is an object, not a list",
    ],
    [
      // The SDK takes it, as a gateway with no connections at all.
      "its properties null",
      "properties",
      null,
      "value[0].properties is missing",
    ],
  ])(
    "%s: it might hold any circuit's connection, so every gateway row is UNKNOWN, named by the field, none 'not connected'",
    async (_what, field, value, said) => {
      estate.state = vwanEstateOfThree();
      graphFails();
      const gateway = estate.state.vwanGateways.find((g) => g.name === "ergw-hub-er-ams")!;
      gateway.wire = [{ read: "vwanGateway", field, value }];
      everyGatewayUnknown((await sweepReport(estate)).report, `${GATEWAYS}: ${said}`);
    },
  );
});

// A monitor testing a circuit whose outputs name no Log Analytics workspace:
// its results cannot be read, and the circuit read "no Connection Monitor"
// (end to end n/a) without a word.
describe("a Connection Monitor that writes to no workspace erwatch knows", () => {
  const LISTING = "Microsoft.Network/networkWatchers/connectionMonitors/read";
  it.each([
    ["its outputs empty", "cm-er-ams", { field: "properties.outputs", value: [] }, "er-ams"],
    ["its outputs left out", "cm-er-ams", { field: "properties.outputs", remove: true }, "er-ams"],
    [
      "the named monitor's outputs empty",
      "cm-er-lon",
      { field: "properties.outputs", value: [] },
      "er-lon",
    ],
  ] as [string, string, Omit<WireEdit, "read">, string][])(
    "%s (%s): its circuit reads end to end UNKNOWN, named; the others are judged",
    async (_what, odd, edit, blind) => {
      estate.state.circuits.find((c) => c.name === "er-lon")!.tags["erwatch:connection-monitor"] =
        "cm-er-lon";
      const monitor = estate.state.connectionMonitors!.find((m) => m.name === odd)!;
      monitor.wire = [{ read: "monitor", ...edit }];
      const { report } = await sweepReport(estate);
      for (const name of NAMES.filter((n) => n !== blind)) {
        const c = byName(report, name);
        expect(primary(c).endToEnd.status, name).toBe("up");
        expect(c.failedReads, name).toEqual([]);
      }
      const c = byName(report, blind);
      expect(primary(c).endToEnd.status).toBe("unknown");
      expect(c.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          call: LISTING,
          target: `connection monitor ${odd}`,
          message: expect.stringMatching(
            /no Log Analytics workspace.*add a workspace output to the monitor, or tag the circuit erwatch:workspace/,
          ),
        }),
      ]);
    },
  );
});

// A second monitor testing the same circuit that writes to no workspace is
// no reason to stop reading the one that does: its Fail is the circuit's
// end-to-end Sev1, and it must not be hidden behind UNKNOWN.
describe("a circuit tested by a monitor erwatch reads and one that writes to no workspace", () => {
  it.each([
    ["discovered", false],
    ["named by erwatch:connection-monitor", true],
  ])("%s: the readable monitor's Fail still pages", async (_how, tagged) => {
    const bundle = estate.state.connectionMonitors!.find((m) => m.name === "cm-er-ams")!;
    bundle.tests = bundle.tests.map((t) => ({
      ...t,
      result: "Fail",
      checksFailed: t.checksTotal,
    }));
    estate.state.connectionMonitors!.push({
      ...bundle,
      name: "cm-er-ams-adhoc",
      tests: [],
      wire: [{ read: "monitor", field: "properties.outputs", value: [] }],
    });
    if (tagged)
      estate.state.circuits.find((c) => c.name === "er-ams")!.tags["erwatch:connection-monitor"] =
        "cm-er-ams,cm-er-ams-adhoc";
    const { report } = await sweepReport(estate);
    const c = byName(report, "er-ams");
    expect(primary(c).endToEnd.status).toBe("down");
    expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
  });
});

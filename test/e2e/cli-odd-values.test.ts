// A bad value in one circuit never silences it and never pages falsely. Each
// odd value is sent on the wire by the estate, read through the REAL SDK, and
// judged by the CLI's public JSON report: values ARM may leave out or send in
// another case are understood or UNKNOWN (never a guessed DOWN), and values
// that cannot be understood make exactly their layer UNKNOWN with a blind
// finding naming the call and the field, while every other circuit of the
// sweep is still reported.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  editConnectionWire,
  editWire,
  setBgpState,
  startEstate,
  wholeCatalog,
  type SimCircuit,
  type SimulatedEstate,
  type WireEdit,
} from "../support/estate/index.js";
import {
  byName,
  circuitId,
  cliOn,
  diagnoseReport,
  summary,
  sweepReport,
} from "../support/estate-cli.js";

const PRIVATE = "AzurePrivatePeering";
const GET_CIRCUIT = "Microsoft.Network/expressRouteCircuits/read";
const ARP = "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read";
const SUMMARY = "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read";

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = wholeCatalog();
});

function circuit(name: string): SimCircuit {
  const found = estate.state.circuits.find((c) => c.name === name);
  if (!found) throw new Error(`no circuit ${name} in the estate`);
  return found;
}

const circuitField = (field: string, value?: unknown): WireEdit =>
  value === undefined
    ? { read: "circuit", field, remove: true }
    : { read: "circuit", field, value };
const PEERING = "properties.peerings[0].properties";

const paging = (c: ReportCircuit) =>
  c.findings.filter((f) => ["Sev0", "Sev1", "Sev2"].includes(f.severity)).map((f) => f.code);
const rows = (c: ReportCircuit, peering = PRIVATE) => {
  const found = c.peerings.find((p) => p.name === peering);
  if (!found) throw new Error(`${c.name} has no ${peering} in the report`);
  return found.paths;
};

describe("values ARM may leave out, null, or send in another case never page", () => {
  it.each([
    ["left out", undefined],
    ["null", null],
  ])(
    "serviceProviderProvisioningState %s: provider UNKNOWN, no provider finding, the field named",
    async (_how, value) => {
      editWire(
        circuit("healthy"),
        circuitField("properties.serviceProviderProvisioningState", value),
      );
      const c = await diagnoseReport(estate, "healthy");
      expect(paging(c)).toEqual([]);
      expect(c.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
      for (const path of ["primary", "secondary"] as const) {
        expect(rows(c)[path].provider.status).toBe("unknown");
        expect(rows(c)[path].bgp.status).toBe("up");
        expect(rows(c)[path].routes.status).toBe("up");
      }
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          call: GET_CIRCUIT,
          message: expect.stringMatching(/serviceProviderProvisioningState is missing/),
        }),
      ]);
    },
  );

  it('"provisioned" in lower case is Provisioned', async () => {
    editWire(
      circuit("healthy"),
      circuitField("properties.serviceProviderProvisioningState", "provisioned"),
    );
    const c = await diagnoseReport(estate, "healthy");
    expect(c.findings).toEqual([]);
    expect(c.failedReads).toEqual([]);
    expect(rows(c).primary.provider.status).toBe("up");
  });

  it("a peering state left out: that peering UNKNOWN, not Disabled, and nothing pages", async () => {
    editWire(circuit("healthy"), circuitField(`${PEERING}.state`));
    const c = await diagnoseReport(estate, "healthy");
    expect(paging(c)).toEqual([]);
    expect(c.findings.map((f) => f.code)).not.toContain("peering-disabled");
    expect(rows(c).primary.peering.status).toBe("unknown");
    expect(rows(c).secondary.peering.status).toBe("unknown");
    expect(c.failedReads).toEqual([
      expect.objectContaining({
        kind: "malformed",
        call: GET_CIRCUIT,
        message: expect.stringMatching(/peerings\[0\]\.state is missing/),
      }),
    ]);
  });

  it('"enabled" in lower case is Enabled', async () => {
    editWire(circuit("healthy"), circuitField(`${PEERING}.state`, "enabled"));
    const c = await diagnoseReport(estate, "healthy");
    expect(c.findings).toEqual([]);
    expect(rows(c).primary.peering.status).toBe("up");
  });

  it("a peerings array left out: the peering layer UNKNOWN, never 'expected peering missing'", async () => {
    editWire(circuit("healthy"), circuitField("properties.peerings"));
    const c = await diagnoseReport(estate, "healthy");
    expect(paging(c)).toEqual([]);
    expect(c.findings.map((f) => f.code)).not.toContain("peering-missing");
    expect(rows(c).primary.peering.status).toBe("unknown");
    expect(c.failedReads).toEqual([
      expect.objectContaining({
        kind: "malformed",
        message: expect.stringMatching(/peerings is missing/),
      }),
    ]);
  });

  it("Global Reach and gateway statuses in lower case are understood", async () => {
    editWire(
      circuit("global-reach-down"),
      circuitField(`${PEERING}.connections[1].properties.circuitConnectionStatus`, "connected"),
    );
    editConnectionWire(estate.state, "healthy", {
      field: "properties.connectionStatus",
      value: "connected",
    });
    const reach = await diagnoseReport(estate, "global-reach-down");
    expect(reach.findings).toEqual([]);
    expect(rows(reach).primary.globalReach.status).toBe("up");
    const wired = await diagnoseReport(estate, "healthy");
    expect(wired.findings).toEqual([]);
    expect(rows(wired).primary.gateway.status).toBe("up");
  });

  it("numbers given as text are numbers", async () => {
    editWire(
      circuit("healthy"),
      circuitField(`${PEERING}.vlanId`, "200"),
      circuitField(`${PEERING}.peerASN`, "65010"),
      circuitField("properties.serviceProviderProperties.bandwidthInMbps", "1000"),
    );
    const c = await diagnoseReport(estate, "healthy");
    expect(c.findings).toEqual([]);
    expect(rows(c).primary.peering.detail).toBe("Enabled, VLAN 200, peer AS 65010");
  });

  it('a neighbor\'s v given as the text "6" is IPv6, held against the IPv6 route limit', async () => {
    for (const path of ["primary", "secondary"] as const) {
      editWire(
        circuit("healthy"),
        { read: "routeTablesSummary", path, field: "value[0].v", value: "6" },
        { read: "routeTablesSummary", path, field: "value[0].statePfxRcd", value: "99" },
      );
    }
    const c = await diagnoseReport(estate, "healthy");
    expect(c.failedReads).toEqual([]);
    expect(summary(c)).toEqual([`prefix-limit-near Sev2 you ${PRIVATE} primary+secondary`]);
    // 99 of the IPv6 limit of 100; as IPv4 it would be 99 of 4,000 and nothing to say.
    expect(rows(c).primary.routes).toEqual({ status: "warn", detail: "99/100 prefixes (99%)" });
  });

  it("a private peering typed only by its name in lower case is still private: near its route limit on Standard, Premium is offered", async () => {
    editWire(
      circuit("prefix-critical"),
      circuitField("properties.peerings[0].name", "azureprivatepeering"),
      circuitField(`${PEERING}.peeringType`),
    );
    const c = await diagnoseReport(estate, "prefix-critical");
    const near = c.findings.find((f) => f.code === "prefix-limit-near");
    expect(near?.nextAction).toContain("Premium raises the private IPv4 limit to 10,000");
  });

  it("tag values that are null, numbers or booleans are carried as text", async () => {
    editWire(
      circuit("gateway-missing"),
      circuitField("tags", { owner: null, "cost-center": 4711, "erwatch:expect-gateway": false }),
    );
    const { report } = await sweepReport(estate);
    const c = byName(report, "gateway-missing");
    expect(c.settings.expectGateway).toBe(false);
    expect(c.findings).toEqual([]);
    expect(report.errors).toEqual([]);
  });
});

describe("values that cannot be understood: that layer UNKNOWN, the blind finding names call and field", () => {
  const arp = (path: "primary" | "secondary", field: string, value: unknown): WireEdit => ({
    read: "arpTable",
    peering: PRIVATE,
    path,
    field,
    value,
  });
  const bgp = (path: "primary" | "secondary", field: string, value: unknown): WireEdit => ({
    read: "routeTablesSummary",
    peering: PRIVATE,
    path,
    field,
    value,
  });

  const cases: {
    name: string;
    edit: WireEdit;
    call: string;
    message: RegExp;
    unknown: ("provider" | "bgp" | "routes")[];
  }[] = [
    {
      name: "a numeric ARP interface",
      edit: arp("primary", "value[0].interface", 7),
      call: ARP,
      message: /^ARP table AzurePrivatePeering\/primary: value\[0\]\.interface is a number/,
      unknown: ["provider"],
    },
    {
      name: "an object MAC",
      edit: arp("primary", "value[1].macAddress", { oui: "5c5eab" }),
      call: ARP,
      message: /^ARP table AzurePrivatePeering\/primary: value\[1\]\.macAddress is an object/,
      unknown: ["provider"],
    },
    ...["Established", "1e3", "", "99999999999999999999"].map((value) => ({
      name: `statePfxRcd ${JSON.stringify(value)}`,
      edit: bgp("primary", "value[0].statePfxRcd", value),
      call: SUMMARY,
      message: /^route table summary AzurePrivatePeering\/primary: value\[0\]\.statePfxRcd /,
      unknown: ["bgp", "routes"] as ("bgp" | "routes")[],
    })),
    {
      name: 'an empty on-prem MAC ("" is neither a MAC nor "Incomplete")',
      edit: arp("primary", "value[0].macAddress", ""),
      call: ARP,
      message: /^ARP table AzurePrivatePeering\/primary: value\[0\]\.macAddress is empty/,
      unknown: ["provider"],
    },
    {
      name: 'a neighbor with v: "seven"',
      edit: bgp("primary", "value[0].v", "seven"),
      call: SUMMARY,
      message: /^route table summary AzurePrivatePeering\/primary: value\[0\]\.v /,
      unknown: ["bgp", "routes"],
    },
  ];

  it.each(cases)("$name", async ({ edit, call, message, unknown }) => {
    editWire(circuit("healthy"), edit);
    const c = await diagnoseReport(estate, "healthy");
    expect(c.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    const blind = c.findings[0]!;
    expect(blind.paths).toEqual(["primary"]);
    expect(blind.evidence).toMatchObject({
      failedReads: [{ call, kind: "malformed", message: expect.stringMatching(message) }],
    });
    expect(c.failedReads).toEqual([
      expect.objectContaining({ kind: "malformed", call, message: expect.stringMatching(message) }),
    ]);
    for (const layer of unknown) expect(rows(c).primary[layer].status).toBe("unknown");
    // The other path is read and judged as usual.
    for (const layer of ["provider", "bgp", "routes"] as const)
      expect(rows(c).secondary[layer].status).toBe("up");
  });

  it("an empty on-prem MAC under a session that is down is no carrier fault: layer 2 UNKNOWN, the session's own alert, no carrier ticket", async () => {
    editWire(circuit("healthy"), arp("primary", "value[0].macAddress", ""));
    setBgpState(circuit("healthy"), PRIVATE, "primary", "Idle");
    const c = await diagnoseReport(estate, "healthy");
    expect(c.findings.map((f) => f.owner)).not.toContain("carrier");
    expect(c.findings.map((f) => f.code)).not.toContain("arp-missing");
    expect(rows(c).primary.provider.status).toBe("unknown");
    expect(c.failedReads).toEqual([
      expect.objectContaining({
        kind: "malformed",
        call: ARP,
        message: expect.stringMatching(/value\[0\]\.macAddress is empty/),
      }),
    ]);
  });

  it("VLAN 0, peer AS 0 and a bandwidth of 0 are not the running configuration: no config-drift against the baseline, each field named", async () => {
    editWire(
      circuit("healthy"),
      circuitField(`${PEERING}.vlanId`, 0),
      circuitField(`${PEERING}.peerASN`, 0),
      circuitField("properties.serviceProviderProperties.bandwidthInMbps", 0),
    );
    const baseline = {
      healthy: {
        bandwidthInMbps: 1000,
        peerings: { [PRIVATE]: { vlanId: 200, peerASN: 65010 } },
      },
    };
    const ran = await cliOn(estate, ["diagnose", circuitId("healthy"), "--output", "json"], {
      env: { ERWATCH_BASELINE: JSON.stringify(baseline) },
    });
    const c = (JSON.parse(ran.stdout) as { circuits: ReportCircuit[] }).circuits[0]!;
    expect(c.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(rows(c).primary.peering).toEqual({ status: "up", detail: "Enabled, VLAN ?, peer AS ?" });
    expect(c.failedReads.map((f) => `${f.kind} ${f.call} ${f.message}`).sort()).toEqual(
      [
        "peerings[0].peerASN is 0, not an AS number (1–4294967295)",
        "peerings[0].vlanId is 0, not a VLAN id (1–4094)",
        "serviceProviderProperties.bandwidthInMbps is 0, not a bandwidth",
      ].map((named) => `malformed ${GET_CIRCUIT} circuit healthy: ${named}`),
    );
  });

  it("in a whole sweep: each odd circuit is blind on its own field, and every other circuit is still reported", async () => {
    // A sweep reads ARP where the sessions do not prove layer 2, and on its
    // subscription's witness: "healthy", listed first.
    editWire(circuit("healthy"), arp("primary", "value[0].interface", 7));
    editWire(circuit("dns-impostor"), bgp("secondary", "value[0].statePfxRcd", "1e3"));
    editWire(circuit("nsg-impostor"), bgp("primary", "value[0].statePfxRcd", "Established"));
    editWire(circuit("asymmetric-routing"), bgp("secondary", "value[0].v", "seven"));
    editWire(circuit("vwan-healthy"), circuitField("properties.serviceProviderProvisioningState"));
    const { report, code } = await sweepReport(estate);
    expect(code).toBe(1);
    expect(report.errors).toEqual([]);
    const catalog = wholeCatalog()
      .circuits.map((c) => c.name)
      .filter((n) => n !== "ignored");
    expect(report.circuits.map((c) => c.name).sort()).toEqual(catalog.sort());
    for (const name of [
      "healthy",
      "dns-impostor",
      "nsg-impostor",
      "asymmetric-routing",
      "vwan-healthy",
    ]) {
      const c = byName(report, name);
      expect(
        c.findings.map((f) => `${f.code} ${f.severity}`),
        name,
      ).toEqual(["monitoring-blind Sev3"]);
      expect(c.failedReads, name).toHaveLength(1);
    }
    expect(byName(report, "healthy").failedReads[0]!.message).toMatch(
      /^ARP table AzurePrivatePeering\/primary: value\[0\]\.interface is a number/,
    );
    expect(byName(report, "dns-impostor").failedReads[0]!.message).toMatch(
      /^route table summary AzurePrivatePeering\/secondary: value\[0\]\.statePfxRcd /,
    );
    expect(summary(byName(report, "carrier-down-both"))).toEqual([
      `arp-missing Sev0 carrier ${PRIVATE} primary+secondary`,
    ]);
    expect(summary(byName(report, "bgp-idle-both"))).toEqual([
      `bgp-down Sev0 you ${PRIVATE} primary+secondary`,
    ]);
  });
  it.each([
    ["a null among its peerings", circuitField("properties.peerings[0]", null)],
    ["its peerings an object", circuitField("properties.peerings", { AzurePrivatePeering: {} })],
    [
      "a null among a peering's Global Reach connections",
      circuitField(`${PEERING}.connections`, [null]),
    ],
  ])(
    "one circuit whose body the SDK cannot take (%s) is read as ARM sent it, the odd entry named: the listing's other circuits are still judged",
    async (_what, edit) => {
      // The SDK turns a listing page into models in one go; an item it cannot
      // take failed the page, and with it the whole subscription's listing.
      editWire(circuit("healthy"), edit);
      const { report } = await sweepReport(estate);
      expect(report.discoveryFailures).toEqual([]);
      const catalog = wholeCatalog()
        .circuits.map((c) => c.name)
        .filter((n) => n !== "ignored");
      expect(report.circuits.map((c) => c.name).sort()).toEqual(catalog.sort());
      const odd = byName(report, "healthy");
      expect(paging(odd)).toEqual([]);
      expect(odd.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
      expect(odd.failedReads).toEqual([
        expect.objectContaining({ kind: "malformed", call: GET_CIRCUIT }),
      ]);
      expect(summary(byName(report, "carrier-down-both"))).toEqual([
        `arp-missing Sev0 carrier ${PRIVATE} primary+secondary`,
      ]);
      expect(byName(report, "vwan-healthy").findings).toEqual([]);
    },
  );
});

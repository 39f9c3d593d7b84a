// Global Reach statuses as ARM may send them, read through the REAL SDK and
// judged by the CLI's public JSON report: a status in another case is
// understood, one left out or not understood is UNKNOWN and named (never a
// page), a status that is not Connected pages global-reach-down, IPv6 Global
// Reach is judged apart from IPv4, and one circuit's odd connection never
// silences the sweep's other circuits.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  editWire,
  startEstate,
  wholeCatalog,
  type SimCircuit,
  type SimulatedEstate,
  type WireEdit,
} from "../support/estate/index.js";
import {
  byName,
  circuitId,
  diagnoseReport,
  SUB,
  summary,
  sweepReport,
} from "../support/estate-cli.js";

const PRIVATE = "AzurePrivatePeering";
/** A peering row of a circuit whose peering list could not be read whole. */
const UNREADABLE = { status: "unknown", detail: "a peering listed could not be read" } as const;
const GET_CIRCUIT = "Microsoft.Network/expressRouteCircuits/read";
/** global-reach-down: [0] gr-to-er-circuit-dr Connected, [1] gr-to-er-circuit-apac Disconnected. */
const CIRCUIT = "global-reach-down";
const DR = "properties.peerings[0].properties.connections[0].properties";
const APAC = "properties.peerings[0].properties.connections[1].properties";

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

const set = (field: string, value: unknown): WireEdit => ({ read: "circuit", field, value });
const drop = (field: string): WireEdit => ({ read: "circuit", field, remove: true });
/** Both connections Connected but for what the case changes. */
const apacConnected = set(`${APAC}.circuitConnectionStatus`, "Connected");
const v6 = (status: unknown): WireEdit =>
  set(`${DR}.ipv6CircuitConnectionConfig`, {
    addressPrefix: "fd00:0:0:1::/125",
    ...(status === undefined ? {} : { circuitConnectionStatus: status }),
  });

const reachRow = (c: ReportCircuit) => {
  const p = c.peerings.find((x) => x.name === PRIVATE);
  if (!p) throw new Error(`${c.name} has no ${PRIVATE}`);
  return p.paths;
};

const CONNECTIONS = "properties.peerings[0].properties.connections";
const peerOf = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-hybrid-dr/providers/Microsoft.Network/expressRouteCircuits/${name}/peerings/${PRIVATE}`;
/** A Global Reach connection as ARM sends it. */
const reach = (
  key: "connections" | "peeredConnections",
  name: string,
  peer: string,
  status: string,
) => ({
  id: `${circuitId(CIRCUIT)}/peerings/${PRIVATE}/${key === "connections" ? "connections" : "peerConnections"}/${name}`,
  name,
  properties: {
    peerExpressRouteCircuitPeering: { id: peerOf(peer) },
    circuitConnectionStatus: status,
    ...(key === "peeredConnections" ? { connectionName: name } : {}),
  },
});

interface Case {
  name: string;
  edits: WireEdit[];
  /** The Global Reach row on both paths. */
  row: "up" | "down" | "warn" | "unknown" | "n/a";
  /** Every finding of the circuit, `code severity owner`. */
  findings: string[];
  /** The global-reach-down title, when there is one. */
  title?: string;
  /** The field the blind finding names, when one is not understood. */
  named?: RegExp;
  /** The Global Reach row's words. */
  detail?: RegExp;
}

const cases: Case[] = [
  {
    name: "Disconnected in upper case is Disconnected: global-reach-down, yours",
    edits: [set(`${APAC}.circuitConnectionStatus`, "DISCONNECTED")],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
  },
  {
    name: "connected in lower case is Connected: nothing to say",
    edits: [set(`${APAC}.circuitConnectionStatus`, " connected ")],
    row: "up",
    findings: [],
  },
  {
    // Connecting is being set up or re-establishing: seen for the first time
    // (no earlier reading), it is held as being set up, never "recreate it".
    name: "Connecting, first seen: the row warns it is still connecting, nothing paged",
    edits: [set(`${APAC}.circuitConnectionStatus`, "Connecting")],
    row: "warn",
    findings: [],
    detail: /^gr-to-er-circuit-apac Connecting — still connecting since \d\d:\d\d UTC; 1 connected/,
  },
  {
    name: "connecting in lower case is Connecting: held the same",
    edits: [set(`${APAC}.circuitConnectionStatus`, "CONNECTING")],
    row: "warn",
    findings: [],
    detail: /still connecting since/,
  },
  ...(
    [
      [
        "left out",
        drop(`${APAC}.circuitConnectionStatus`),
        /connections\[1\]\.circuitConnectionStatus is missing/,
      ],
      [
        "null",
        set(`${APAC}.circuitConnectionStatus`, null),
        /connections\[1\]\.circuitConnectionStatus is missing/,
      ],
      [
        "not a status ARM documents",
        set(`${APAC}.circuitConnectionStatus`, "Failed"),
        /connections\[1\]\.circuitConnectionStatus is "Failed", not one of Connected, Connecting, Disconnected/,
      ],
      [
        "a number",
        set(`${APAC}.circuitConnectionStatus`, 2),
        /connections\[1\]\.circuitConnectionStatus is a number/,
      ],
      [
        "its properties null",
        set(APAC, null),
        /connections\[1\]\.circuitConnectionStatus is missing/,
      ],
    ] as const
  ).map(([how, edit, named]) => ({
    name: `a status ${how}: the row UNKNOWN and the field named, no global-reach-down`,
    edits: [edit],
    row: "unknown" as const,
    findings: ["monitoring-blind Sev3 you"],
    named,
  })),
  {
    name: "a peer peering left out of a Disconnected connection: still global-reach-down, worded as ever",
    edits: [drop(`${APAC}.peerExpressRouteCircuitPeering`)],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
  },
  {
    name: "a peer in a subscription erwatch does not watch: worded as ever",
    edits: [
      set(`${APAC}.peerExpressRouteCircuitPeering`, {
        id: `/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/rg-x/providers/Microsoft.Network/expressRouteCircuits/er-x/peerings/${PRIVATE}`,
      }),
    ],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
  },
  {
    name: "no connections list (a peering without Global Reach, as ARM's examples send it): none",
    edits: [drop("properties.peerings[0].properties.connections")],
    row: "n/a",
    findings: [],
  },
  {
    name: "IPv6 Disconnected beside IPv4 Connected: global-reach-down names IPv6",
    edits: [apacConnected, v6("Disconnected")],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-dr IPv6 Disconnected (IPv4 Connected)",
  },
  {
    name: "IPv6 down on one connection, IPv4 on the other: one finding names both",
    edits: [v6("disconnected")],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title:
      "Global Reach not connected: gr-to-er-circuit-dr IPv6 Disconnected (IPv4 Connected), gr-to-er-circuit-apac Disconnected",
  },
  {
    name: "IPv4 and IPv6 of one connection both down: said once",
    edits: [
      apacConnected,
      set(`${DR}.circuitConnectionStatus`, "Disconnected"),
      v6("Disconnected"),
    ],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-dr Disconnected (IPv4 and IPv6)",
  },
  {
    name: "IPv4 Disconnected, IPv6 Connecting: each family named",
    edits: [apacConnected, set(`${DR}.circuitConnectionStatus`, "Disconnected"), v6("Connecting")],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-dr IPv4 Disconnected / IPv6 Connecting",
  },
  {
    name: "IPv6 connected in lower case: nothing to say",
    edits: [apacConnected, v6("connected")],
    row: "up",
    findings: [],
  },
  {
    name: "IPv6 configured with its status left out: the row UNKNOWN and the field named",
    edits: [apacConnected, v6(undefined)],
    row: "unknown",
    findings: ["monitoring-blind Sev3 you"],
    named: /connections\[0\]\.ipv6CircuitConnectionConfig\.circuitConnectionStatus is missing/,
  },
  {
    name: "IPv6 status not understood: the row UNKNOWN and the field named",
    edits: [apacConnected, v6("Degraded")],
    row: "unknown",
    findings: ["monitoring-blind Sev3 you"],
    named: /connections\[0\]\.ipv6CircuitConnectionConfig\.circuitConnectionStatus is "Degraded"/,
  },
  ...[null, {}].map((config) => ({
    name: `an IPv6 configuration ${JSON.stringify(config)}: no IPv6, IPv4 judged alone`,
    edits: [apacConnected, set(`${DR}.ipv6CircuitConnectionConfig`, config)],
    row: "up" as const,
    findings: [],
  })),
  {
    name: "the connections list sent as text: the row UNKNOWN and named, never 'none'",
    edits: [set(CONNECTIONS, "gr-to-er-circuit-dr")],
    row: "unknown",
    findings: ["monitoring-blind Sev3 you"],
    named: /peerings\[0\]\.connections is "gr-to-er-circuit-dr", not a list/,
    detail: /^Global Reach connections not readable$/,
  },
  {
    name: "the inbound list sent as an object beside outbound ones Connected: the row UNKNOWN and named",
    edits: [apacConnected, set("properties.peerings[0].properties.peeredConnections", {})],
    row: "unknown",
    findings: ["monitoring-blind Sev3 you"],
    named: /peerings\[0\]\.peeredConnections is an object, not a list/,
  },
  {
    name: "the inbound list unreadable beside an outbound one Disconnected: that one still pages",
    edits: [set("properties.peerings[0].properties.peeredConnections", 7)],
    row: "down",
    findings: ["monitoring-blind Sev3 you", "global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
    named: /peerings\[0\]\.peeredConnections is a number, not a list/,
  },
  {
    name: "one connection read beside an unreadable list: not the circuit's sole one, its throughput not claimed from every series",
    edits: [
      set(CONNECTIONS, [reach("connections", "gr-to-er-circuit-dr", "er-circuit-dr", "Connected")]),
      set("properties.peerings[0].properties.peeredConnections", 7),
    ],
    row: "unknown",
    findings: ["monitoring-blind Sev3 you"],
    named: /peerings\[0\]\.peeredConnections is a number, not a list/,
    detail:
      /^Global Reach connections not readable; gr-to-er-circuit-dr Connected · peer circuit's service key unknown$/,
  },
  {
    name: "the same connection listed twice: said once",
    edits: [
      set(
        `${CONNECTIONS}[2]`,
        reach("connections", "gr-to-er-circuit-apac", "er-circuit-apac", "Disconnected"),
      ),
    ],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
    detail: /^gr-to-er-circuit-apac Disconnected; gr-to-er-circuit-dr Connected/,
  },
  {
    name: "the only connection listed twice: still the circuit's sole connection, its throughput judged",
    edits: [
      set(CONNECTIONS, [
        reach("connections", "gr-to-er-circuit-dr", "er-circuit-dr", "Connected"),
        reach("connections", "gr-to-er-circuit-dr", "er-circuit-dr", "Connected"),
      ]),
    ],
    row: "up",
    findings: [],
    detail: /^gr-to-er-circuit-dr Connected · [^;]* in \/ [^;]* out$/,
  },
  {
    name: "one connection listed Connected and again Disconnected: its status UNKNOWN and named, never paged on",
    edits: [
      set(
        `${CONNECTIONS}[2]`,
        reach("connections", "gr-to-er-circuit-dr", "er-circuit-dr", "Disconnected"),
      ),
    ],
    row: "down",
    findings: ["monitoring-blind Sev3 you", "global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
    named:
      /connections\[2\] lists Global Reach connection gr-to-er-circuit-dr again with another status/,
  },
  {
    name: "two circuits' inbound connections that share a name: each judged on its own",
    edits: [
      apacConnected,
      set("properties.peerings[0].properties.peeredConnections", [
        reach("peeredConnections", "gr-to-hub", "er-east", "Connected"),
        reach("peeredConnections", "gr-to-hub", "er-west", "Disconnected"),
      ]),
    ],
    row: "down",
    findings: ["global-reach-down Sev3 you"],
    title: "Global Reach not connected: gr-to-hub Disconnected",
  },
];

describe("Global Reach values as ARM may send them", () => {
  it.each(cases)("$name", async ({ edits, row, findings, title, named, detail }) => {
    for (const edit of edits) editWire(circuit(CIRCUIT), edit);
    const c = await diagnoseReport(estate, CIRCUIT);
    for (const path of ["primary", "secondary"] as const) {
      expect(reachRow(c)[path].globalReach.status).toBe(row);
      // The paths below are read and judged whatever Global Reach says.
      expect(reachRow(c)[path].bgp.status).toBe("up");
    }
    expect(c.findings.map((f) => `${f.code} ${f.severity} ${f.owner}`)).toEqual(findings);
    if (title) expect(c.findings.find((f) => f.code === "global-reach-down")?.title).toBe(title);
    if (detail) expect(reachRow(c).primary.globalReach.detail).toMatch(detail);
    if (named)
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          call: GET_CIRCUIT,
          message: expect.stringMatching(named),
        }),
      ]);
    else expect(c.failedReads).toEqual([]);
  });

  it("in a whole sweep: the odd connection is its circuit's alone, every other circuit is judged", async () => {
    editWire(circuit(CIRCUIT), apacConnected);
    editWire(circuit(CIRCUIT), v6("Disconnected"));
    // A connection ARM sent with no peer and a status it does not document.
    editWire(
      circuit("healthy"),
      set("properties.peerings[0].properties.connections", [
        { name: "gr-odd", properties: { circuitConnectionStatus: "Disconnecting" } },
      ]),
    );
    const { report } = await sweepReport(estate);
    expect(summary(byName(report, CIRCUIT))).toEqual([
      `global-reach-down Sev3 you ${PRIVATE} primary+secondary`,
    ]);
    const odd = byName(report, "healthy");
    expect(odd.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(odd.failedReads[0]?.message).toMatch(
      /connections\[0\]\.circuitConnectionStatus is "Disconnecting"/,
    );
    expect(reachRow(odd).primary.globalReach.status).toBe("unknown");
    expect(reachRow(odd).primary.bgp.status).toBe("up");
    expect(summary(byName(report, "carrier-down-both"))).toEqual([
      `arp-missing Sev0 carrier ${PRIVATE} primary+secondary`,
    ]);
  });
});

describe("a circuit body the SDK's model code cannot take is read as ARM sent it", () => {
  // The SDK throws a TypeError on a null among a peering's Global Reach
  // connections (or among the peerings): the whole circuit was blind, its
  // paths unread, and a carrier outage on it paged nobody.
  it.each([
    ["a null among its Global Reach connections", [null], /connections\[0\] is null$/, "unknown"],
    [
      "a null beside a Disconnected connection",
      [null, { name: "gr-x", properties: { circuitConnectionStatus: "Disconnected" } }],
      /connections\[0\] is null$/,
      // Above a dead peering Global Reach is evidence, not a finding of its own.
      "down",
    ],
  ])(
    "%s: the carrier outage still pages, the odd entry named",
    async (_what, connections, named, row) => {
      editWire(
        circuit("carrier-down-both"),
        set("properties.peerings[0].properties.connections", connections),
      );
      const c = await diagnoseReport(estate, "carrier-down-both");
      expect(summary(c)).toEqual([
        `monitoring-blind Sev3 you null `,
        `arp-missing Sev0 carrier ${PRIVATE} primary+secondary`,
      ]);
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          call: GET_CIRCUIT,
          message: expect.stringMatching(named),
        }),
      ]);
      expect(reachRow(c).primary.globalReach.status).toBe(row);
      expect(reachRow(c).primary.provider.status).toBe("down");
    },
  );

  it("a null among its peerings: the peerings UNKNOWN and named, the carrier's state still read", async () => {
    editWire(circuit("provider-not-provisioned"), set("properties.peerings", [null]));
    const c = await diagnoseReport(estate, "provider-not-provisioned");
    expect(c.findings.map((f) => `${f.code} ${f.owner}`)).toEqual([
      "monitoring-blind you",
      "provider-not-provisioned carrier",
    ]);
    expect(c.failedReads).toEqual([
      expect.objectContaining({
        call: GET_CIRCUIT,
        message:
          "circuit provider-not-provisioned: peerings[0] is null: the one peering listed cannot be read",
      }),
    ]);
    expect(reachRow(c).primary.peering.status).toBe("unknown");
  });

  // A null entry is a peering the circuit has that cannot be read, not a
  // missing one: "peerings[1] is missing" sent the reader looking for a
  // peering to create, the count of peerings listed was lost with the list,
  // and a circuit with a peering configured (so lit by its carrier before)
  // read "whether it carried traffic before is unknown" at Sev3.
  it.each([
    [
      "[peering, null]",
      (c: SimCircuit) => editWire(c, set("properties.peerings[1]", null)),
      "peerings[1] is null: 1 of the 2 peerings listed cannot be read",
      {
        peerings: ["AzurePrivatePeering"],
        peeringsListed: 2,
        peeringsUnreadable: 1,
        peeringsNotRead: ["peerings[1] is null"],
      },
      // The one read beside it is judged as any peering.
      { status: "up", detail: "Enabled, VLAN 200, peer AS 65010" },
    ],
    [
      "[null]",
      (c: SimCircuit) => editWire(c, set("properties.peerings", [null])),
      "peerings[0] is null: the one peering listed cannot be read",
      {
        peerings: [],
        peeringsListed: 1,
        peeringsUnreadable: 1,
        peeringsNotRead: ["peerings[0] is null"],
      },
      UNREADABLE,
    ],
    [
      "[null, null]",
      (c: SimCircuit) => editWire(c, set("properties.peerings", [null, null])),
      "peerings[0] is null: 2 of the 2 peerings listed cannot be read; circuit provider-not-provisioned: peerings[1] is null: 2 of the 2 peerings listed cannot be read",
      {
        peerings: [],
        peeringsListed: 2,
        peeringsUnreadable: 2,
        peeringsNotRead: ["peerings[0] is null", "peerings[1] is null"],
      },
      UNREADABLE,
    ],
  ] as const)(
    "NotProvisioned with peerings listed %s: a peering unreadable, not missing; the circuit was lit, so Sev0",
    async (_, edit, named, counts, row) => {
      edit(circuit("provider-not-provisioned"));
      const c = await diagnoseReport(estate, "provider-not-provisioned");
      expect(c.failedReads.map((f) => f.message).join("; ")).toBe(
        `circuit provider-not-provisioned: ${named}`,
      );
      expect(c.failedReads.map((f) => f.message).join("; ")).not.toMatch(/is missing/);
      const provider = c.findings.find((f) => f.code === "provider-not-provisioned");
      expect(provider).toMatchObject({
        severity: "Sev0",
        owner: "carrier",
        title:
          "Carrier de-provisioned the circuit: service provider state NotProvisioned; both paths of every peering are down",
        evidence: { ...counts, wasProvisioned: true },
      });
      expect(reachRow(c).primary.peering).toEqual(row);
    },
  );

  // The peering read beside the null was not judged at all: its connection
  // Disconnected paged nobody, for an entry that may be any other peering.
  it("a null beside a peering with a Global Reach connection down: named with the count, and the connection still pages", async () => {
    editWire(circuit(CIRCUIT), set("properties.peerings[1]", null));
    const c = await diagnoseReport(estate, CIRCUIT);
    expect(c.failedReads).toEqual([
      expect.objectContaining({
        call: GET_CIRCUIT,
        message: `circuit ${CIRCUIT}: peerings[1] is null: 1 of the 2 peerings listed cannot be read`,
      }),
    ]);
    expect(c.findings[0]!.title).toBe(
      `erwatch cannot understand what Azure answered for circuit ${CIRCUIT}: peerings[1] is null: 1 of the 2 peerings listed cannot be read`,
    );
    expect(summary(c)).toEqual([
      "monitoring-blind Sev3 you null ",
      `global-reach-down Sev3 you ${PRIVATE} primary+secondary`,
    ]);
    expect(c.findings[1]!.title).toBe(
      "Global Reach not connected: gr-to-er-circuit-apac Disconnected",
    );
    // Its Connected connection's throughput is read too, as a whole list's is.
    expect(reachRow(c).primary.globalReach).toEqual({
      status: "down",
      detail:
        "gr-to-er-circuit-apac Disconnected; gr-to-er-circuit-dr Connected · peer circuit's service key unknown",
    });
  });

  // NotProvisioned is a circuit never lit or one whose de-provisioning
  // finished; Deprovisioning is the carrier taking down what it provisioned.
  it.each([
    [
      "NotProvisioned",
      "Sev3",
      "Circuit not provisioned by its carrier: service provider state NotProvisioned; whether it carried traffic before is unknown (its peerings could not be read, and no earlier sweep saw it Provisioned)",
      /^If this circuit carried traffic, every peering on it is down: open a ticket with /,
    ],
    [
      "Deprovisioning",
      "Sev0",
      "Carrier de-provisioned the circuit: service provider state Deprovisioning; both paths of every peering are down",
      /^Open a ticket with .* now/,
    ],
  ] as const)(
    "%s with its peerings unreadable and no earlier sweep: never 'awaits carrier provisioning'",
    async (state, severity, title, action) => {
      const c0 = circuit("provider-not-provisioned");
      editWire(c0, set("properties.serviceProviderProvisioningState", state));
      // Left out: unlike a null entry (a peering there, unread), no peering is known to exist.
      editWire(c0, drop("properties.peerings"));
      const c = await diagnoseReport(estate, "provider-not-provisioned");
      const provider = c.findings.find((f) => f.code === "provider-not-provisioned");
      expect(provider).toMatchObject({ severity, owner: "carrier", title });
      expect(provider!.nextAction).toMatch(action);
    },
  );
});

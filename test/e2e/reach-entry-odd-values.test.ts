// A Global Reach connection entry, or an authorization, that is no object
// (text, a number, a list, true), read through the REAL SDK from the loopback
// ARM, by a GET (diagnose) and by the subscription's listing (a sweep). The
// SDK makes `{}` of each: a connection read `peerings[0].connections[0].
// circuitConnectionStatus is missing`, which sent the reader looking for a
// connection's status, and an authorization was dropped without a word. Now
// each is named once, as what ARM sent; a null connection is named as null.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  editWire,
  estateOf,
  healthyCircuit,
  startEstate,
  type EstateState,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { byName, diagnoseReport, sweepReport } from "../support/estate-cli.js";

const PEERING = "properties.peerings[0].properties";

/** What ARM sends as an entry, and how it is named. */
const VALUES: { sent: unknown; named: string }[] = [
  { sent: "x", named: 'is "x", not an object' },
  { sent: 7, named: "is a number, not an object" },
  { sent: [], named: "is a list, not an object" },
  { sent: true, named: "is a boolean, not an object" },
];

/** Where the entry sits: the field edited, and the field named. */
const LISTS = [
  {
    list: "connections",
    field: `${PEERING}.connections`,
    named: "peerings[0].connections[0]",
  },
  {
    list: "peeredConnections",
    field: `${PEERING}.peeredConnections`,
    named: "peerings[0].peeredConnections[0]",
  },
  { list: "authorizations", field: "properties.authorizations", named: "authorizations[0]" },
] as const;

const ENTRIES = LISTS.flatMap((l) =>
  VALUES.map((v, i) => ({
    circuit: `er-${l.list.toLowerCase()}-${i}`,
    list: l.list,
    field: l.field,
    sent: v.sent,
    said: `${l.named} ${v.named}`,
  })),
);

function estateState(entries = ENTRIES): EstateState {
  const state = estateOf(...entries.map((e) => healthyCircuit({ name: e.circuit })));
  for (const e of entries) {
    const c = state.circuits.find((x) => x.name === e.circuit)!;
    editWire(c, { read: "circuit", field: e.field, value: [e.sent] });
  }
  return state;
}

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(estateState());
});
afterAll(async () => {
  await estate.close();
});
beforeEach(() => {
  estate.state = estateState();
});

function expectNamedOnce(c: ReportCircuit, entry: (typeof ENTRIES)[number]) {
  expect(c.failedReads.map((f) => f.message)).toEqual([`circuit ${entry.circuit}: ${entry.said}`]);
  const blind = c.findings.find((f) => f.code === "monitoring-blind");
  expect(blind?.title).toBe(
    `erwatch cannot understand what Azure answered for circuit ${entry.circuit}: ${entry.said}`,
  );
  const reach = c.peerings.find((p) => p.name === "AzurePrivatePeering")?.paths.primary.globalReach;
  // A connection not read leaves Global Reach unknown; an authorization not read decides nothing.
  expect(reach?.status).toBe(entry.list === "authorizations" ? "n/a" : "unknown");
}

describe("a Global Reach connection or authorization entry that is no object, through the SDK", () => {
  it.each(ENTRIES)("read by a GET, $circuit: named once, as what ARM sent", async (entry) => {
    expectNamedOnce(await diagnoseReport(estate, entry.circuit), entry);
  });

  it("read from the subscription's listing: each named once, as what ARM sent", async () => {
    const from = estate.requests.length;
    const { report } = await sweepReport(estate);
    expect(estate.requests.slice(from).filter((r) => r.operation === "getCircuit")).toEqual([]);
    for (const entry of ENTRIES) expectNamedOnce(byName(report, entry.circuit), entry);
  });

  // The SDK cannot take a null connection: the body is read as ARM sent it,
  // where the schema's own word on "x" and the null left in its place named
  // the one entry twice.
  it("a null and text among the connections, read as ARM sent it: each named once, as what it is", async () => {
    const entry = ENTRIES[0]!;
    const c0 = estate.state.circuits.find((c) => c.name === entry.circuit)!;
    editWire(c0, { read: "circuit", field: `${PEERING}.connections`, value: [null, "x"] });
    const c = await diagnoseReport(estate, entry.circuit);
    expect(c.failedReads.map((f) => f.message)).toEqual([
      `circuit ${entry.circuit}: peerings[0].connections[0] is null`,
      `circuit ${entry.circuit}: peerings[0].connections[1] is "x", not an object`,
    ]);
  });
});

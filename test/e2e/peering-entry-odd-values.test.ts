// A circuit's peering list with an entry that is no peering (null, text, a
// number, a list, true, an object without a name), read through the REAL SDK
// from the loopback ARM, by a GET (diagnose) and by the subscription's
// listing (a sweep). Text or a number was named twice, the second time
// wrongly: `peerings[1] is "x", not an object` and `peerings[1] is null: 1 of
// the 2 peerings listed cannot be read`; through the SDK, which makes `{}` of
// "x", 7 and a list, it read `peerings[1].name is missing`, and the alert's
// evidence named only the place. Now each is named once, as what it was,
// with the count, in monitoring-blind and in the evidence.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  editWire,
  estateOf,
  healthyCircuit,
  setProviderState,
  startEstate,
  type EstateState,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { byName, diagnoseReport, sweepReport } from "../support/estate-cli.js";

const COUNT = "1 of the 2 peerings listed cannot be read";

/** What ARM sends as the second peering; what monitoring-blind says of it; what the evidence says it is. */
const ENTRIES: { circuit: string; sent: unknown; named: string; is: string }[] = [
  { circuit: "er-null", sent: null, named: "is null", is: "null" },
  { circuit: "er-text", sent: "x", named: 'is "x", not an object', is: "text" },
  { circuit: "er-number", sent: 7, named: "is a number, not an object", is: "a number" },
  { circuit: "er-list", sent: [], named: "is a list, not an object", is: "a list" },
  { circuit: "er-true", sent: true, named: "is a boolean, not an object", is: "a boolean" },
  {
    circuit: "er-no-name",
    sent: {},
    named: "is an object without a name",
    is: "an object without a name",
  },
  {
    circuit: "er-empty-name",
    sent: { name: "", properties: { state: "Enabled", vlanId: 400 } },
    named: "is an object without a name",
    is: "an object without a name",
  },
  // Its fields were named too (`peerings[1].state is "Up", not one of …`,
  // `peerings[1].vlanId is 0, …`): a second word on an entry not read.
  {
    circuit: "er-no-name-odd-fields",
    sent: { properties: { state: "Up", vlanId: 0, peerASN: "x" } },
    named: "is an object without a name",
    is: "an object without a name",
  },
  {
    circuit: "er-name-not-text",
    sent: { name: 5, properties: { state: "Enabled" } },
    named: "is an object without a name",
    is: "an object without a name",
  },
];

/** Each circuit NotProvisioned by its carrier, so its Sev0 names its peerings in the evidence. */
function estateState(entries = ENTRIES): EstateState {
  const state = estateOf(...entries.map((e) => healthyCircuit({ name: e.circuit })));
  for (const e of entries) {
    const c = state.circuits.find((x) => x.name === e.circuit)!;
    setProviderState(c, "NotProvisioned");
    editWire(c, { read: "circuit", field: "properties.peerings[1]", value: e.sent });
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
  const said = c.failedReads.map((f) => f.message).filter((m) => m.includes("peerings"));
  expect(said).toEqual([`circuit ${entry.circuit}: peerings[1] ${entry.named}: ${COUNT}`]);
  const blind = c.findings.find((f) => f.code === "monitoring-blind");
  expect(blind?.title).toBe(
    `erwatch cannot understand what Azure answered for circuit ${entry.circuit}: peerings[1] ${entry.named}: ${COUNT}`,
  );
  const provider = c.findings.find((f) => f.code === "provider-not-provisioned");
  expect(provider).toMatchObject({
    severity: "Sev0",
    evidence: {
      peerings: ["AzurePrivatePeering"],
      peeringsListed: 2,
      peeringsUnreadable: 1,
      peeringsNotRead: [`peerings[1] is ${entry.is}`],
    },
  });
}

describe("a peering entry that is no peering, through the SDK", () => {
  it.each(ENTRIES)("read by a GET, $circuit: named once, as what it is", async (entry) => {
    expectNamedOnce(await diagnoseReport(estate, entry.circuit), entry);
  });

  // The SDK cannot take a null peering, so the body is read as ARM sent it:
  // there the parser's own word on "x" and the null it left in its place
  // named the one entry twice.
  it("text beside a null, read as ARM sent it: each named once, as what it is", async () => {
    const c0 = estate.state.circuits.find((c) => c.name === "er-text")!;
    editWire(c0, { read: "circuit", field: "properties.peerings[2]", value: null });
    const c = await diagnoseReport(estate, "er-text");
    const count = "2 of the 3 peerings listed cannot be read";
    expect(c.failedReads.map((f) => f.message)).toEqual([
      `circuit er-text: peerings[1] is "x", not an object: ${count}`,
      `circuit er-text: peerings[2] is null: ${count}`,
    ]);
    expect(c.findings.find((f) => f.code === "provider-not-provisioned")?.evidence).toMatchObject({
      peerings: ["AzurePrivatePeering"],
      peeringsListed: 3,
      peeringsUnreadable: 2,
      peeringsNotRead: ["peerings[1] is text", "peerings[2] is null"],
    });
  });

  // The SDK cannot take a null peering: its page is read one GET per circuit
  // (above). Every other entry is taken, and each circuit judged on its item.
  it("read from the subscription's listing: each named once, as what it is", async () => {
    const taken = ENTRIES.filter((e) => e.sent !== null);
    estate.state = estateState(taken);
    const from = estate.requests.length;
    const { report } = await sweepReport(estate);
    expect(estate.requests.slice(from).filter((r) => r.operation === "getCircuit")).toEqual([]);
    for (const entry of taken) expectNamedOnce(byName(report, entry.circuit), entry);
  });
});

// A circuit whose peering list holds an entry that cannot be read ([peering,
// null]): the peering read beside it is judged as any other, so a Global
// Reach connection down on it still pages, and, as a peer, what it shows
// still explains another circuit's connection. The unreadable entry stays
// UNKNOWN: no peering is called missing for it.

import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { CircuitReading, PeeringFacts } from "../../src/core/model.js";
import { downReach, reachPeerOfReading } from "../../src/core/reach-peers.js";
import { DEFAULT_SETTINGS, peering, readInPart } from "../support/readings.js";

const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P/peerings/AzurePrivatePeering";

const privatePeering = (status: string): PeeringFacts =>
  peering({
    globalReach: [{ name: "gr-to-p", peerCircuitPeeringId: PEER, status, direction: "outbound" }],
  });

/** The reading with its peering list read in part: `read` beside `unreadable` entries that were not. */
const partly = (read: PeeringFacts[], unreadable: number): CircuitReading =>
  readInPart({ peerings: read }, unreadable);

const summary = (reading: CircuitReading) =>
  classifyCircuit(reading, DEFAULT_CLASSIFY_OPTIONS).findings.map(
    (f) => `${f.code} ${f.severity} ${f.owner} ${f.peering ?? "-"}`,
  );

describe("a Global Reach connection on a peering read beside an unreadable one", () => {
  it.each([
    {
      name: "[peering with gr-to-p Disconnected, null]: global-reach-down pages",
      reading: partly([privatePeering("Disconnected")], 1),
      findings: ["global-reach-down Sev3 you AzurePrivatePeering"],
      row: { status: "down", detail: "gr-to-p Disconnected" },
    },
    {
      name: "[peering with gr-to-p Connected, null]: nothing pages, the row reads connected",
      reading: partly([privatePeering("Connected")], 1),
      findings: [],
      row: { status: "up", detail: "1 connected" },
    },
    {
      name: "[null]: nothing is judged, the rows stay UNKNOWN",
      reading: partly([], 1),
      findings: [],
      row: { status: "unknown", detail: "a peering listed could not be read" },
    },
  ])("$name", ({ reading, findings, row }) => {
    expect(summary(reading)).toEqual(findings);
    const verdict = classifyCircuit(reading, DEFAULT_CLASSIFY_OPTIONS);
    const p = verdict.peerings.find((x) => x.name === "AzurePrivatePeering");
    expect(p?.paths.primary.globalReach).toEqual(row);
  });

  it("an expected peering that is not among those read is UNKNOWN, never missing", () => {
    const reading = partly([privatePeering("Disconnected")], 1);
    const expecting = {
      ...reading,
      settings: {
        ...DEFAULT_SETTINGS,
        expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"],
      },
    };
    const verdict = classifyCircuit(expecting, DEFAULT_CLASSIFY_OPTIONS);
    expect(verdict.findings.map((f) => f.code)).toEqual(["global-reach-down"]);
    expect(verdict.peerings.map((p) => [p.name, p.paths.primary.peering.status])).toEqual([
      ["AzurePrivatePeering", "up"],
      ["MicrosoftPeering", "unknown"],
    ]);
  });

  it("its down connections are the ones whose peers are looked up", () => {
    expect(downReach(partly([privatePeering("Disconnected")], 1)).map((g) => g.name)).toEqual([
      "gr-to-p",
    ]);
  });
});

describe("a peer circuit whose peering list is read in part", () => {
  const peerReading = (read: PeeringFacts[]) => {
    const r = partly(read, 1);
    return { ...r, ref: { ...r.ref, id: PEER.replace(/\/peerings\/.*$/, ""), name: "er-P" } };
  };

  it("the peering reached, read beside the unreadable entry, says what it is", () => {
    const reading = peerReading([peering({ name: "AzurePrivatePeering" })]);
    const verdict = classifyCircuit(reading, DEFAULT_CLASSIFY_OPTIONS);
    expect(reachPeerOfReading(reading, verdict, PEER)).toMatchObject({
      state: "up",
      detail: "private peering carrying",
    });
  });

  it("the peering reached, not among those read, may be the unreadable one: nothing is known", () => {
    const reading = peerReading([
      peering({ name: "MicrosoftPeering", peeringType: "MicrosoftPeering" }),
    ]);
    const verdict = classifyCircuit(reading, DEFAULT_CLASSIFY_OPTIONS);
    expect(reachPeerOfReading(reading, verdict, PEER)).toBeNull();
  });
});

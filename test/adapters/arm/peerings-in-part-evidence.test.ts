// A circuit's peering list read in part (a null entry, a peering without a
// name) beside a carrier or Azure-side finding: its evidence read
// `peerings: null`, as if nothing had been read, while the private peering
// beside the null was read, Enabled and judged. Now the evidence gives the
// peerings read and the entries that were not, by their place in the list
// (as monitoring-blind names them); null only when ARM left the list out.

import { describe, expect, it } from "vitest";
import { parseCircuit } from "../../../src/adapters/arm/wire/circuit-body.js";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { CircuitFacts } from "../../../src/core/model.js";
import { circuitReading } from "../../support/readings.js";

const CIRCUIT =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRouteCircuits/er-circuit-prod";
const peeringOf = (name: string, vlanId: number) => ({
  name,
  peeringType: name,
  state: "Enabled",
  vlanId,
  peerASN: 65010,
});
const PRIVATE = peeringOf("AzurePrivatePeering", 200);
const MICROSOFT = {
  ...peeringOf("MicrosoftPeering", 300),
  microsoftPeeringConfig: { advertisedPublicPrefixesState: "Configured" },
};

/** The circuit's body as ARM sends it, its carrier's side NotProvisioned and its own Disabled. */
const factsOf = (peerings: unknown): CircuitFacts =>
  parseCircuit({
    id: CIRCUIT,
    name: "er-circuit-prod",
    location: "westus",
    circuitProvisioningState: "Disabled",
    serviceProviderProvisioningState: "NotProvisioned",
    serviceProviderProperties: { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" },
    ...(peerings === undefined ? {} : { peerings }),
  }).facts;

/** What each of the two findings that name the circuit's peerings says of them. */
function peeringEvidence(facts: CircuitFacts) {
  const base = circuitReading();
  const reading = { ...base, circuit: { ...base.circuit, ok: true as const, value: facts } };
  const findings = classifyCircuit(reading, DEFAULT_CLASSIFY_OPTIONS).findings;
  return ["provider-not-provisioned", "circuit-not-enabled"].map((code) => {
    const evidence = findings.find((f) => f.code === code)?.evidence ?? {};
    return Object.fromEntries(Object.entries(evidence).filter(([k]) => k.startsWith("peerings")));
  });
}

describe("the peerings a finding's evidence names", () => {
  it.each<{ name: string; peerings: unknown; evidence: Record<string, unknown> }>([
    {
      name: "the whole list read: its peerings",
      peerings: [PRIVATE, MICROSOFT],
      evidence: { peerings: ["AzurePrivatePeering", "MicrosoftPeering"] },
    },
    {
      name: "the list left out: nothing read, null",
      peerings: undefined,
      evidence: { peerings: null },
    },
    {
      name: "[peering, null]: the peering read, and peerings[1] not",
      peerings: [PRIVATE, null],
      evidence: {
        peerings: ["AzurePrivatePeering"],
        peeringsListed: 2,
        peeringsUnreadable: 1,
        peeringsNotRead: ["peerings[1] is null"],
      },
    },
    {
      name: "[null, peering]: the place of the null is its own",
      peerings: [null, PRIVATE],
      evidence: {
        peerings: ["AzurePrivatePeering"],
        peeringsListed: 2,
        peeringsUnreadable: 1,
        peeringsNotRead: ["peerings[0] is null"],
      },
    },
    {
      name: "[null]: none read, the one entry not",
      peerings: [null],
      evidence: {
        peerings: [],
        peeringsListed: 1,
        peeringsUnreadable: 1,
        peeringsNotRead: ["peerings[0] is null"],
      },
    },
    {
      name: "a peering without a name or type beside two read",
      peerings: [PRIVATE, { state: "Enabled", vlanId: 400 }, MICROSOFT],
      evidence: {
        peerings: ["AzurePrivatePeering", "MicrosoftPeering"],
        peeringsListed: 3,
        peeringsUnreadable: 1,
        peeringsNotRead: ["peerings[1] is an object without a name"],
      },
    },
    {
      name: "an entry that is no object, and a null",
      peerings: ["AzurePrivatePeering", PRIVATE, null],
      evidence: {
        peerings: ["AzurePrivatePeering"],
        peeringsListed: 3,
        peeringsUnreadable: 2,
        peeringsNotRead: ["peerings[0] is text", "peerings[2] is null"],
      },
    },
  ])("$name", ({ peerings, evidence }) => {
    expect(peeringEvidence(factsOf(peerings))).toEqual([evidence, evidence]);
  });

  it("a listing an earlier erwatch planned, which kept only the counts: the peerings read and the counts", () => {
    const facts = factsOf([PRIVATE, null]);
    const earlier: CircuitFacts = { ...facts, peeringsUnread: { listed: 2, unreadable: 1 } };
    const evidence = {
      peerings: ["AzurePrivatePeering"],
      peeringsListed: 2,
      peeringsUnreadable: 1,
    };
    expect(peeringEvidence(earlier)).toEqual([evidence, evidence]);
  });
});

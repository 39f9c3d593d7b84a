// A fact ARM left out (null after the adapter's schema) is UNKNOWN: its layer
// is neither up nor down, and no finding is built on a guess. A value the
// adapter could not understand arrives as a field failure and is reported
// as monitoring-blind, naming the call and the field.

import { describe, expect, it } from "vitest";
import { classifyCircuit, type ClassifyOptions } from "../../src/core/classify.js";
import type {
  CircuitFacts,
  CircuitReading,
  CircuitVerdict,
  PathLayers,
  ReadFailure,
} from "../../src/core/model.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import {
  circuitReading,
  microsoftPeering,
  ok,
  peering,
  type CircuitSpec,
} from "../support/readings.js";

type Layer = keyof PathLayers;

/** A reading from the usual builder, with the facts then edited as the adapter would leave them. */
function reading(spec: CircuitSpec, edit: (facts: CircuitFacts, r: CircuitReading) => void) {
  const r = circuitReading(spec);
  if (!r.circuit.ok) throw new Error("the builder gave a failed circuit read");
  edit(r.circuit.value, r);
  return r;
}

const cells = (v: CircuitVerdict, layer: Layer, name = "AzurePrivatePeering") => {
  const p = v.peerings.find((x) => x.name === name);
  if (!p) throw new Error(`no ${name} in the verdict`);
  return [p.paths.primary[layer].status, p.paths.secondary[layer].status];
};

const withPrevious: ClassifyOptions = {
  ...DEFAULT_CLASSIFY_OPTIONS,
  previous: { providerWasProvisioned: true, peerings: ["AzurePrivatePeering", "MicrosoftPeering"] },
};

describe("a fact left out is UNKNOWN, never a guessed DOWN", () => {
  const cases: {
    name: string;
    spec?: CircuitSpec;
    edit: (facts: CircuitFacts, r: CircuitReading) => void;
    peering?: string;
    unknown: Layer[];
    up?: Layer[];
    absent: string[];
    present?: string[];
  }[] = [
    {
      name: "provider state null: provider rows unknown, BGP still judged, no provider finding",
      edit: (f) => (f.serviceProviderProvisioningState = null),
      unknown: ["provider"],
      up: ["bgp", "peering", "routes", "gateway"],
      absent: ["provider-not-provisioned"],
    },
    {
      name: "provider state null above a disabled peering: provider unknown; the Disabled it did report still counts",
      spec: { peerings: [peering({ state: "Disabled" })], settings: { expectedPeerings: [] } },
      edit: (f) => (f.serviceProviderProvisioningState = null),
      unknown: ["provider"],
      absent: ["provider-not-provisioned"],
      present: ["peering-disabled"],
    },
    {
      name: "peering state null: the peering's rows unknown, no peering-disabled",
      spec: { peerings: [peering({ state: "Disabled" })] },
      edit: (f) => (f.peerings![0]!.state = null),
      unknown: ["provider", "bgp", "peering", "routes"],
      absent: ["peering-disabled", "peering-missing"],
    },
    {
      name: "peerings null: the expected and previously seen peerings are listed, all unknown",
      edit: (f, r) => {
        f.peerings = null;
        r.paths = {};
      },
      unknown: ["provider", "bgp", "peering", "routes", "gateway", "globalReach"],
      absent: ["peering-missing", "peering-disabled", "arp-missing", "bgp-down"],
    },
    {
      name: "Microsoft peering validation state null: peering row unknown, no validation finding",
      spec: {
        peerings: [peering(), microsoftPeering("Configured")],
        paths: { MicrosoftPeering: { primary: { bgp: "1" }, secondary: { bgp: "1" } } },
      },
      edit: (f) => (f.peerings![1]!.advertisedPublicPrefixesState = null),
      peering: "MicrosoftPeering",
      unknown: ["peering"],
      up: ["provider", "bgp", "routes"],
      absent: ["public-prefixes-not-validated"],
    },
    {
      name: "Global Reach status null: row unknown, no global-reach-down",
      spec: {
        peerings: [
          peering({
            globalReach: [
              { name: "gr", peerCircuitPeeringId: "/x", status: null, direction: "outbound" },
            ],
          }),
        ],
      },
      edit: () => {},
      unknown: ["globalReach"],
      up: ["provider", "bgp", "peering", "routes", "gateway"],
      absent: ["global-reach-down"],
    },
    {
      name: "gateway connection status null: row unknown, no gateway-not-connected",
      spec: {
        gateway: ok([
          { id: "/c", name: "conn", kind: "vnet-gateway", peering: null, status: null },
        ]),
      },
      edit: () => {},
      unknown: ["gateway"],
      up: ["provider", "bgp", "peering", "routes"],
      absent: ["gateway-not-connected"],
    },
  ];

  it.each(cases)("$name", ({ spec, edit, peering: name, unknown, up, absent, present }) => {
    const verdict = classifyCircuit(reading(spec ?? {}, edit), withPrevious);
    for (const layer of unknown)
      expect(cells(verdict, layer, name), layer).toEqual(["unknown", "unknown"]);
    for (const layer of up ?? []) expect(cells(verdict, layer, name), layer).toEqual(["up", "up"]);
    const codes = verdict.findings.map((f) => f.code);
    for (const code of absent) expect(codes).not.toContain(code);
    for (const code of present ?? []) expect(codes).toContain(code);
    expect(verdict.findings.filter((f) => ["Sev0", "Sev1", "Sev2"].includes(f.severity))).toEqual(
      [],
    );
  });

  it("peerings null lists the expected peering and the ones seen last sweep", () => {
    const verdict = classifyCircuit(
      reading({}, (f, r) => {
        f.peerings = null;
        r.paths = {};
      }),
      withPrevious,
    );
    expect(verdict.peerings.map((p) => p.name)).toEqual([
      "AzurePrivatePeering",
      "MicrosoftPeering",
    ]);
  });

  it("a provider state known not to be Provisioned still pages (the rule is about null only)", () => {
    const verdict = classifyCircuit(
      circuitReading({ providerState: "NotProvisioned" }),
      withPrevious,
    );
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toEqual([
      "provider-not-provisioned Sev0",
    ]);
  });
});

describe("values the adapter could not understand are blind findings naming call and field", () => {
  it("a field failure on a good circuit read is monitoring-blind, circuit-wide", () => {
    const failure: ReadFailure = {
      kind: "malformed",
      call: "Microsoft.Network/expressRouteCircuits/read",
      target: "circuit er-circuit-prod",
      message: "circuit er-circuit-prod: serviceProviderProvisioningState is missing",
    };
    const verdict = classifyCircuit(
      reading({}, (f, r) => {
        f.serviceProviderProvisioningState = null;
        r.fieldFailures = [failure];
      }),
    );
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toEqual([
      "monitoring-blind Sev3",
    ]);
    expect(verdict.findings[0]!.peering).toBeNull();
    expect(verdict.failedReads).toEqual([failure]);
    expect(verdict.findings[0]!.evidence).toMatchObject({
      failedReads: [{ call: failure.call, message: failure.message }],
    });
  });
});

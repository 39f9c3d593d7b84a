// Drift against the declared baseline, the asymmetry hint, and the learned
// routes verdict: table-driven, pure.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import {
  DEFAULT_DATA_PLANE_POLICY,
  type CircuitBaseline,
} from "../../../src/core/dataplane/policy.js";
import { learnedRoutesVerdict } from "../../../src/core/dataplane/routes.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading, peering, type CircuitSpec } from "../../support/readings.js";
import { NOW } from "./builders.js";

const DECLARED: CircuitBaseline = {
  skuTier: "Standard",
  bandwidthInMbps: 1000,
  connectivityModel: "own-edge",
  gatewayConnections: ["conn-er-prod"],
  peerings: {
    AzurePrivatePeering: {
      peerASN: 65010,
      vlanId: 200,
      primaryPeerAddressPrefix: "192.168.10.16/30",
      secondaryPeerAddressPrefix: "192.168.10.20/30",
    },
  },
};

function judge(spec: CircuitSpec, baseline: CircuitBaseline = DECLARED) {
  const policy: EvaluationPolicy = {
    classify: {
      ...DEFAULT_CLASSIFY_OPTIONS,
      dataPlane: { ...DEFAULT_DATA_PLANE_POLICY, baseline: { "er-circuit-prod": baseline } },
    },
    alerts: DEFAULT_ALERT_POLICY,
  };
  return evaluateCircuit(circuitReading(spec), null, [], [], policy, NOW).verdict;
}

const drift = (spec: CircuitSpec, baseline?: CircuitBaseline) =>
  (judge(spec, baseline).findings.find((f) => f.code === "config-drift")?.evidence.drift ?? []) as {
    field: string;
    expected: unknown;
    running: unknown;
    paths: string[];
  }[];

describe("config-drift: expected vs running, field by field", () => {
  it.each<{ name: string; spec: CircuitSpec; baseline?: CircuitBaseline; fields: string[] }>([
    { name: "matches the baseline", spec: {}, fields: [] },
    {
      name: "VLAN changed",
      spec: { peerings: [peering({ vlanId: 201 })] },
      fields: ["AzurePrivatePeering VLAN expected 200, running 201 (primary+secondary)"],
    },
    {
      name: "secondary /30 changed",
      spec: { peerings: [peering({ secondaryPeerAddressPrefix: "192.168.10.24/30" })] },
      fields: [
        "AzurePrivatePeering secondary /30 expected 192.168.10.20/30, running 192.168.10.24/30 (secondary)",
      ],
    },
    {
      name: "peer ASN, SKU and bandwidth changed",
      spec: { peerings: [peering({ peerASN: 65011 })], skuTier: "Premium" },
      baseline: { ...DECLARED, bandwidthInMbps: 2000 },
      fields: [
        "SKU tier expected Standard, running Premium ()",
        "bandwidth (Mbps) expected 2000, running 1000 ()",
        "AzurePrivatePeering peer ASN expected 65010, running 65011 (primary+secondary)",
      ],
    },
    {
      name: "an expected gateway connection is gone",
      spec: {},
      baseline: { ...DECLARED, gatewayConnections: ["conn-er-prod", "conn-er-dr"] },
      fields: ["gateway connections expected conn-er-prod,conn-er-dr, running conn-er-prod ()"],
    },
    {
      name: "connectivity model differs from the circuit's settings",
      spec: { settings: { connectivityModel: "provider-managed" } },
      fields: [
        "connectivity model (erwatch:connectivity-model tag or ERWATCH_CONNECTIVITY_MODEL) expected own-edge, running provider-managed ()",
      ],
    },
    {
      name: "a value ARM left out is unknown, not drift",
      spec: { peerings: [peering({ vlanId: null })] },
      fields: [],
    },
  ])("$name", ({ spec, baseline, fields }) => {
    expect(
      drift(spec, baseline).map(
        (d) =>
          `${d.field} expected ${String(d.expected)}, running ${String(d.running)} (${d.paths.join("+")})`,
      ),
    ).toEqual(fields);
  });

  it("is Sev3, yours, and names each field in the title", () => {
    const f = judge({ peerings: [peering({ vlanId: 201 })] }).findings.find(
      (x) => x.code === "config-drift",
    )!;
    expect(f).toMatchObject({ severity: "Sev3", owner: "you", peering: null });
    expect(f.title).toContain("AzurePrivatePeering VLAN expected 200, running 201");
  });

  it("a BGP session down on the drifted path cites the drift; the healthy path's finding does not exist", () => {
    const verdict = judge({
      peerings: [peering({ vlanId: 201 })],
      paths: { AzurePrivatePeering: { secondary: { bgp: "Active" } } },
    });
    const bgp = verdict.findings.find((f) => f.code === "bgp-down")!;
    expect(bgp.paths).toEqual(["secondary"]);
    expect(bgp.evidence.drift).toEqual([
      {
        field: "AzurePrivatePeering VLAN",
        expected: 200,
        running: 201,
        paths: ["primary", "secondary"],
      },
    ]);
    expect(bgp.nextAction).toMatch(
      /^The declared baseline differs on this path \(AzurePrivatePeering VLAN expected 200, running 201\)/,
    );
  });

  it("a /30 drifted on the primary is not cited by a BGP outage on the secondary", () => {
    const bgp = judge({
      peerings: [peering({ primaryPeerAddressPrefix: "192.168.10.32/30" })],
      paths: { AzurePrivatePeering: { secondary: { bgp: "Active" } } },
    }).findings.find((f) => f.code === "bgp-down")!;
    expect(bgp.evidence.drift).toBeUndefined();
  });
});

describe("path asymmetry: a note on the peering, never a page", () => {
  it.each([
    { primary: "120", secondary: "40", note: true },
    { primary: "120", secondary: "110", note: false },
    { primary: "120", secondary: "Idle", note: false },
  ])("primary $primary, secondary $secondary → note $note", ({ primary, secondary, note }) => {
    const verdict = judge(
      {
        paths: {
          AzurePrivatePeering: { primary: { bgp: primary }, secondary: { bgp: secondary } },
        },
      },
      {},
    );
    expect((verdict.peerings[0]!.notes ?? []).some((n) => n.includes("asymmetric routing"))).toBe(
      note,
    );
    expect(verdict.findings.filter((f) => f.code !== "bgp-down")).toEqual([]);
  });
});

describe("learned routes: did the circuit's on-prem prefixes reach the gateway?", () => {
  const route = (network: string, origin = "EBgp") => ({
    network,
    nextHop: "10.0.0.4",
    origin,
    asPath: "12076-65010",
    sourcePeer: "10.0.0.4",
  });
  const GW =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/ergw-prod";
  it.each([
    {
      learned: [route("10.1.0.0/16"), route("10.2.0.0/16"), route("10.9.0.0/16", "Network")],
      missing: [],
      words: /all 2 on-premises prefixes the circuit receives reached gateway ergw-prod/,
    },
    {
      learned: [route("10.1.0.0/16")],
      missing: ["10.2.0.0/16"],
      words: /1 of 2 on-premises prefixes .* did not reach gateway ergw-prod \(10\.2\.0\.0\/16\)/,
    },
    {
      learned: [route("10.9.0.0/16", "Network")],
      missing: ["10.1.0.0/16", "10.2.0.0/16"],
      words: /none of the 2 .* the break is between the circuit and the gateway/,
    },
  ])("missing $missing", ({ learned, missing, words }) => {
    const verdict = learnedRoutesVerdict(GW, ["10.1.0.0/16", "10.2.0.0/16"], learned);
    expect(verdict.missing).toEqual(missing);
    expect(verdict.sentence).toMatch(words);
  });
});

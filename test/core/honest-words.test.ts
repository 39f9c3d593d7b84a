// The words a page uses must be true: "redundancy holding" only when the other
// path was read and carries routes; the on-prem ARP row is shared ownership
// (the carrier's on a provider-managed circuit); an odd ARP table under a
// session that receives prefixes is a note; the Azure side of the circuit is a
// fact of its own; wiring that was Connected and is not any more has stopped
// VNet traffic.

import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { gatewayMemory, gatewaysOnceConnected } from "../../src/core/gateway-memory.js";
import type {
  CircuitFacts,
  CircuitReading,
  Finding,
  GatewayConnectionFacts,
  Severity,
} from "../../src/core/model.js";
import { observe } from "../../src/core/observe.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  circuitReading,
  CONNECTED_GATEWAY,
  failed,
  neighbor,
  ok,
  type CircuitSpec,
} from "../support/readings.js";

const classify = (spec: CircuitSpec, options = DEFAULT_CLASSIFY_OPTIONS) =>
  classifyCircuit(circuitReading(spec), options);

const brief = (f: Finding) => `${f.code} ${f.owner} ${f.severity} ${f.paths.join("+")}`;

const timeout = failed<never>({
  kind: "timeout",
  call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
  target: "route table summary AzurePrivatePeering/primary",
});

describe("redundancy holding only when the other path was read and carries routes", () => {
  const cases: { name: string; spec: CircuitSpec; severity: Severity; words: RegExp }[] = [
    {
      name: "the other path Established with prefixes: holding, Sev2",
      spec: { paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } } },
      severity: "Sev2",
      words: /redundancy holding \(primary Established, 120 prefixes\)/,
    },
    {
      name: "the other path's route summary could not be read: unverified, Sev1",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { bgp: timeout },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      severity: "Sev1",
      words:
        /redundancy unverified: the primary path could not be confirmed \(route summary read failed: timeout\)/,
    },
    {
      name: "the other path's BGP state is not understood: unverified, Sev1",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { bgp: "Establishing" },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      severity: "Sev1",
      words:
        /redundancy unverified: the primary path could not be confirmed \(unrecognised BGP state "Establishing"\)/,
    },
    {
      // IPv4 carries there: only IPv6's judgement is unknown, named beside the holding.
      name: "the other path's IPv6 state is not understood beside IPv4 carrying: holding, Sev2",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { bgp: [neighbor("120"), neighbor("NoNeg", 6)] },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      severity: "Sev2",
      words:
        /redundancy holding \(primary IPv4 Established, 120 prefixes; IPv6 state "NoNeg" not understood/,
    },
    {
      // IPv4 is the main family: its state unknown, the path is not read as carrying.
      name: "the other path's IPv4 state is not understood beside IPv6 carrying: unverified, Sev1",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { bgp: [neighbor("NoNeg"), neighbor("12", 6)] },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      severity: "Sev1",
      words:
        /redundancy unverified: the primary path could not be confirmed \(unrecognised BGP state "NoNeg"\)/,
    },
    {
      // Established with prefixes proves layer 2: the unread ARP table does not unverify it.
      name: "the other path's ARP read failed but it carries routes: holding, Sev2",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "timeout" }) },
            secondary: { bgp: "Active", arp: "healthy" },
          },
        },
      },
      severity: "Sev2",
      words: /redundancy holding \(primary Established, 120 prefixes\)/,
    },
  ];

  it.each(cases)("$name", ({ spec, severity, words }) => {
    const down = classify(spec).findings.find((f) => f.code !== "monitoring-blind")!;
    expect(down.severity).toBe(severity);
    expect(down.title).toMatch(words);
    if (severity === "Sev1") {
      expect(down.title).not.toMatch(/holding/);
      expect(down.nextAction).toMatch(/Confirm the primary path/);
    }
  });

  it("grades the unverified single path Sev1 and keeps its owner", () => {
    const spec = cases[1]!.spec;
    expect(classify(spec).findings.map(brief)).toContain("arp-missing carrier Sev1 secondary");
  });
});

describe("the on-prem ARP row missing or Incomplete is shared: your VLAN tag or /30 first (the carrier's on provider-managed)", () => {
  const cases: { name: string; spec: CircuitSpec; expected: string; first: RegExp }[] = [
    {
      name: "on-prem MAC Incomplete",
      spec: { paths: { AzurePrivatePeering: { secondary: { arp: "incomplete", bgp: "Idle" } } } },
      expected: "arp-missing shared Sev2 secondary",
      first:
        /^Your side first: .*VLAN 200 .*secondary: 192\.168\.10\.21.*If the tag and the \/30 are right, open a ticket with Equinix/,
    },
    {
      name: "on-prem row missing (only Microsoft resolves)",
      spec: { paths: { AzurePrivatePeering: { primary: { arp: "microsoft-only", bgp: "Idle" } } } },
      expected: "arp-missing shared Sev2 primary",
      first: /^Your side first: .*VLAN 200 .*primary: 192\.168\.10\.17/,
    },
    {
      // The carrier runs the on-prem router there: their ticket first, never "your edge router".
      name: "on-prem MAC Incomplete on a provider-managed circuit: the carrier's",
      spec: {
        settings: { connectivityModel: "provider-managed" },
        paths: { AzurePrivatePeering: { secondary: { arp: "incomplete", bgp: "Idle" } } },
      },
      expected: "arp-missing carrier Sev2 secondary",
      first:
        /^Open a ticket with Equinix for the secondary path.*ask them in the ticket to check their router's sub-interface for VLAN 200 and its address \(secondary: 192\.168\.10\.21\)/,
    },
    {
      name: "empty table: the carrier's",
      spec: { paths: { AzurePrivatePeering: { primary: { arp: "empty", bgp: "Idle" } } } },
      expected: "arp-missing carrier Sev2 primary",
      first: /^Open a ticket with Equinix/,
    },
    {
      name: "one path empty, the other Incomplete: the carrier's, with the half-formed hint",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: "Idle" },
            secondary: { arp: "incomplete", bgp: "Idle" },
          },
        },
      },
      expected: "arp-missing carrier Sev0 primary+secondary",
      first: /^Open a ticket with Equinix.*Only one side resolves/,
    },
  ];

  it.each(cases)("$name", ({ spec, expected, first }) => {
    const [finding] = classify(spec).findings;
    expect(brief(finding!)).toBe(expected);
    expect(finding!.nextAction).toMatch(first);
    // The ticket is ready either way: it is the next step once your side checks out.
    expect(finding!.ticket).toContain("Service key:");
  });
});

describe("a layer cannot be down while a layer that runs over it works", () => {
  const cases: { name: string; arp: "empty" | "incomplete" | "microsoft-only"; bgp: string }[] = [
    { name: "empty ARP under Established with 120 prefixes", arp: "empty", bgp: "120" },
    { name: "Incomplete on-prem MAC under Established", arp: "incomplete", bgp: "120" },
    { name: "only the Microsoft side under Established", arp: "microsoft-only", bgp: "3000" },
  ];

  it.each(cases)("$name: a note on the L2 row, no finding", ({ arp, bgp }) => {
    const verdict = classify({ paths: { AzurePrivatePeering: { primary: { arp, bgp } } } });
    expect(verdict.findings).toEqual([]);
    const row = verdict.peerings[0]!.paths.primary;
    expect(row.provider.status).toBe("warn");
    expect(row.provider.detail).toMatch(
      /yet BGP Established with [\d,]+ prefixes received: L2 works/,
    );
    expect(row.bgp.status).toBe("up");
  });

  it("Established with 0 prefixes proves nothing: an empty ARP table is still layer 2 down", () => {
    const verdict = classify({
      paths: { AzurePrivatePeering: { primary: { arp: "empty", bgp: "0" } } },
    });
    expect(verdict.findings.map(brief)).toEqual(["arp-missing carrier Sev2 primary"]);
  });
});

function withCircuitState(state: string | null, spec: CircuitSpec = {}): CircuitReading {
  const reading = circuitReading(spec);
  const facts = (reading.circuit as { value: CircuitFacts }).value;
  return { ...reading, circuit: ok({ ...facts, circuitProvisioningState: state }) };
}

describe("the Azure side of the circuit (circuitProvisioningState) is a finding of its own", () => {
  it.each([
    { state: "Enabled", expected: [] },
    { state: null, expected: [] },
    { state: "Disabled", expected: ["circuit-not-enabled you Sev1 primary+secondary"] },
  ])("$state → $expected", ({ state, expected }) => {
    const verdict = classifyCircuit(withCircuitState(state), DEFAULT_CLASSIFY_OPTIONS);
    expect(verdict.findings.map(brief)).toEqual(expected);
    expect(verdict.circuitState).toBe(state);
  });

  it("is distinct from the carrier's state and names both", () => {
    const verdict = classifyCircuit(
      withCircuitState("Disabled", { providerState: "Provisioned" }),
      DEFAULT_CLASSIFY_OPTIONS,
    );
    const finding = verdict.findings[0]!;
    expect(finding.layer).toBe("provider");
    expect(finding.title).toBe(
      "The Azure side of the circuit is Disabled (circuitProvisioningState), not Enabled; the carrier's side reads Provisioned",
    );
    expect(finding.nextAction).toMatch(/not the carrier.*No carrier ticket/);
    expect(finding.ticket).toBeUndefined();
  });

  it("an unread state neither opens nor resolves its alert", () => {
    const verdict = classifyCircuit(withCircuitState(null), DEFAULT_CLASSIFY_OPTIONS);
    const [o] = observe(verdict, [{ key: "k", family: "circuit-state", peering: null }]);
    expect(o!.state).toBe("unknown");
    const enabled = classifyCircuit(withCircuitState("Enabled"), DEFAULT_CLASSIFY_OPTIONS);
    expect(observe(enabled, [{ key: "k", family: "circuit-state", peering: null }])[0]!.state).toBe(
      "clean",
    );
  });
});

describe("gateway wiring that was Connected and is not any more: Sev1", () => {
  const notConnected: GatewayConnectionFacts[] = [
    { ...CONNECTED_GATEWAY[0]!, status: "NotConnected" },
  ];
  const cases: {
    name: string;
    gateway: GatewayConnectionFacts[];
    once: string[];
    expected: string[];
    title: RegExp;
  }[] = [
    {
      name: "never Connected, not connected: wiring not done, Sev3",
      gateway: notConnected,
      once: [],
      expected: ["gateway-not-connected you Sev3 primary+secondary"],
      title: /^No gateway connection is Connected/,
    },
    {
      name: "was Connected, now NotConnected: VNet traffic stopped, Sev1",
      gateway: notConnected,
      once: ["AzurePrivatePeering"],
      expected: ["gateway-not-connected you Sev1 primary+secondary"],
      title:
        /^VNet traffic stopped: no gateway connection is Connected \(conn-er-prod: NotConnected\); it was Connected/,
    },
    {
      name: "was Connected, now gone: VNet traffic stopped, Sev1",
      gateway: [],
      once: ["AzurePrivatePeering"],
      expected: ["gateway-not-connected you Sev1 primary+secondary"],
      title: /^VNet traffic stopped: the circuit's gateway connection is gone/,
    },
  ];

  it.each(cases)("$name", ({ gateway, once, expected, title }) => {
    const verdict = classify(
      { gateway: ok(gateway) },
      {
        ...DEFAULT_CLASSIFY_OPTIONS,
        previous: { providerWasProvisioned: true, peerings: [], gatewaysOnceConnected: once },
      },
    );
    expect(verdict.findings.map(brief)).toEqual(expected);
    expect(verdict.findings[0]!.title).toMatch(title);
  });

  const snapshotWith = (status: "up" | "down" | "unknown", flag?: boolean): Snapshot => {
    const cell = (s: string) => ({ status: s as "up", detail: "", since: "2026-11-22T00:00:00Z" });
    const row = {
      provider: cell("up"),
      bgp: cell("up"),
      peering: cell("up"),
      routes: cell("up"),
      gateway: cell(status),
      globalReach: cell("n/a"),
      endToEnd: cell("n/a"),
      capacity: cell("n/a"),
      path: cell("up"),
    };
    return {
      circuitId: "c",
      circuitName: "c",
      takenAt: "2026-11-22T00:00:00Z",
      providerState: "Provisioned",
      providerWasProvisioned: true,
      peerings: {
        AzurePrivatePeering: {
          paths: { primary: row, secondary: row },
          prefixes: { primary: 120, secondary: 120 },
          ...(flag === undefined ? {} : { gatewayWasConnected: flag }),
        },
      },
    };
  };

  it.each([
    {
      name: "no snapshot",
      previous: null,
      gateway: ok<GatewayConnectionFacts[]>([]),
      remembered: false,
    },
    { name: "connected now", previous: null, gateway: ok(CONNECTED_GATEWAY), remembered: true },
    {
      name: "lost now after a snapshot that saw it up (written before the memory)",
      previous: snapshotWith("up"),
      gateway: ok(notConnected),
      remembered: true,
    },
    {
      name: "still lost sweeps later",
      previous: snapshotWith("down", true),
      gateway: ok(notConnected),
      remembered: true,
    },
    {
      name: "unread keeps the memory",
      previous: snapshotWith("down", true),
      gateway: failed<GatewayConnectionFacts[]>({ kind: "timeout" }),
      remembered: true,
    },
    {
      name: "never up",
      previous: snapshotWith("down", false),
      gateway: ok(notConnected),
      remembered: false,
    },
  ])("remembers: $name → $remembered", ({ previous, gateway, remembered }) => {
    const verdict = classifyCircuit(circuitReading({ gateway }), DEFAULT_CLASSIFY_OPTIONS);
    expect(gatewayMemory(previous, verdict, ["AzurePrivatePeering"])).toEqual({
      AzurePrivatePeering: remembered,
    });
  });

  it("forgets once the row is not used (the circuit no longer expects a gateway)", () => {
    const verdict = classifyCircuit(
      circuitReading({ gateway: ok([]), settings: { expectGateway: false } }),
      DEFAULT_CLASSIFY_OPTIONS,
    );
    expect(gatewayMemory(snapshotWith("down", true), verdict, ["AzurePrivatePeering"])).toEqual({
      AzurePrivatePeering: false,
    });
    expect(gatewaysOnceConnected(snapshotWith("down", true))).toEqual(["AzurePrivatePeering"]);
    expect(gatewaysOnceConnected(snapshotWith("down", false))).toEqual([]);
  });
});

describe("a route summary that lists no neighbor is named as such, not as a BGP state", () => {
  it.each([
    {
      name: "one path",
      secondary: [],
      words:
        /^No BGP neighbor reported on the secondary path of AzurePrivatePeering — redundancy holding/,
    },
    {
      name: "both paths",
      primary: [],
      secondary: [],
      words:
        /^No BGP neighbor reported on the primary and secondary paths of AzurePrivatePeering — traffic stopped$/,
    },
  ])("$name", ({ primary, secondary, words }) => {
    const verdict = classify({
      paths: {
        AzurePrivatePeering: {
          ...(primary ? { primary: { bgp: primary } } : {}),
          secondary: { bgp: secondary },
        },
      },
    });
    const [finding] = verdict.findings;
    expect(finding?.code).toBe("bgp-down");
    // "BGP none on the secondary path" read as a state Azure reported.
    expect(finding?.title).toMatch(words);
    expect(finding?.title).not.toMatch(/BGP none/);
  });
});

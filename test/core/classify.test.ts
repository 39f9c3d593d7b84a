import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { Finding, FindingCode, Severity } from "../../src/core/model.js";
import {
  circuitReading,
  DIRECT_PORT_ID,
  failed,
  microsoftPeering,
  neighbor,
  ok,
  peering,
  type CircuitSpec,
  type PathSpec,
} from "../support/readings.js";

const classify = (spec: CircuitSpec, options = DEFAULT_CLASSIFY_OPTIONS) =>
  classifyCircuit(circuitReading(spec), options);

const brief = (f: Finding) => ({
  code: f.code,
  owner: f.owner,
  severity: f.severity,
  peering: f.peering,
  paths: f.paths,
});

describe("classifyCircuit: one finding per lowest broken layer", () => {
  const cases: {
    name: string;
    spec: CircuitSpec;
    expected: {
      code: FindingCode;
      owner: string;
      severity: Severity;
      peering: string | null;
      paths: string[];
    }[];
  }[] = [
    { name: "healthy circuit gives no finding", spec: {}, expected: [] },
    {
      // Peerings exist, so the circuit was lit before: losing the carrier is an outage.
      name: "provider de-provisioned with peerings present",
      spec: {
        providerState: "NotProvisioned",
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: "Idle" },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      expected: [
        {
          code: "provider-not-provisioned",
          owner: "carrier",
          severity: "Sev0",
          peering: null,
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "new circuit awaiting the carrier is not an outage",
      spec: { providerState: "Provisioning", peerings: [], settings: { expectedPeerings: [] } },
      expected: [
        {
          code: "provider-not-provisioned",
          owner: "carrier",
          severity: "Sev3",
          peering: null,
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "carrier maintenance on the secondary link: one path, Sev2",
      spec: { paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } } },
      expected: [
        {
          code: "arp-missing",
          owner: "carrier",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["secondary"],
        },
      ],
    },
    {
      name: "layer 2 dead on both paths is ONE finding at Sev0",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: "Idle" },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      expected: [
        {
          code: "arp-missing",
          owner: "carrier",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      // The on-prem row missing: your VLAN tag or /30, or the carrier (the seed's shared row).
      name: "ARP with only the Microsoft side is a layer-2 fault, shared",
      spec: {
        paths: { AzurePrivatePeering: { primary: { arp: "microsoft-only", bgp: "Active" } } },
      },
      expected: [
        {
          code: "arp-missing",
          owner: "shared",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["primary"],
        },
      ],
    },
    {
      name: "ARP with an Incomplete on-prem MAC is a layer-2 fault, shared",
      spec: { paths: { AzurePrivatePeering: { secondary: { arp: "incomplete", bgp: "Idle" } } } },
      expected: [
        {
          code: "arp-missing",
          owner: "shared",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["secondary"],
        },
      ],
    },
    {
      // The carrier configured the VLAN and /30 and runs the on-prem router: theirs alone.
      name: "provider-managed: an Incomplete on-prem ARP entry is the carrier's, not shared",
      spec: {
        settings: { connectivityModel: "provider-managed" },
        paths: { AzurePrivatePeering: { secondary: { arp: "incomplete", bgp: "Idle" } } },
      },
      expected: [
        {
          code: "arp-missing",
          owner: "carrier",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["secondary"],
        },
      ],
    },
    {
      name: "provider-managed: ARP with only the Microsoft side is the carrier's, not shared",
      spec: {
        settings: { connectivityModel: "provider-managed" },
        paths: { AzurePrivatePeering: { primary: { arp: "microsoft-only", bgp: "Active" } } },
      },
      expected: [
        {
          code: "arp-missing",
          owner: "carrier",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["primary"],
        },
      ],
    },
    {
      name: "the 2 a.m. incident: both Established with zero prefixes is route advertisement, yours, Sev0",
      spec: { paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } } },
      expected: [
        {
          code: "no-prefixes-received",
          owner: "you",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "zero prefixes on one path is Sev2",
      spec: { paths: { AzurePrivatePeering: { primary: { bgp: "0" } } } },
      expected: [
        {
          code: "no-prefixes-received",
          owner: "you",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["primary"],
        },
      ],
    },
    {
      // Different layers on the two paths still means no path carries traffic.
      name: "one path at layer 2 and the other at BGP: both Sev0, one finding per cause",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: "Idle" },
            secondary: { bgp: "OpenSent" },
          },
        },
      },
      expected: [
        {
          code: "arp-missing",
          owner: "carrier",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["primary"],
        },
        {
          code: "bgp-down",
          owner: "you",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["secondary"],
        },
      ],
    },
    {
      name: "provider-managed circuit moves BGP to the carrier",
      spec: {
        settings: { connectivityModel: "provider-managed" },
        paths: { AzurePrivatePeering: { primary: { bgp: "Idle" }, secondary: { bgp: "Idle" } } },
      },
      expected: [
        {
          code: "bgp-down",
          owner: "carrier",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "expected private peering missing",
      spec: { peerings: [] },
      expected: [
        {
          code: "peering-missing",
          owner: "shared",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "expected private peering disabled",
      spec: { peerings: [peering({ state: "Disabled" })] },
      expected: [
        {
          code: "peering-disabled",
          owner: "shared",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "Microsoft peering waiting for validation, sessions up with 0 prefixes: the peering row, not routes",
      spec: {
        peerings: [peering(), microsoftPeering("ValidationNeeded")],
        paths: { MicrosoftPeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
      },
      expected: [
        {
          code: "public-prefixes-not-validated",
          owner: "you",
          severity: "Sev2",
          peering: "MicrosoftPeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "Microsoft peering validation in progress is Sev3",
      spec: {
        peerings: [peering(), microsoftPeering("Configuring")],
        paths: { MicrosoftPeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
      },
      expected: [
        {
          code: "public-prefixes-not-validated",
          owner: "you",
          severity: "Sev3",
          peering: "MicrosoftPeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "no gateway connection",
      spec: { gateway: ok([]) },
      expected: [
        {
          code: "gateway-not-connected",
          owner: "you",
          severity: "Sev3",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "gateway connection NotConnected",
      spec: {
        gateway: ok([
          {
            id: "c",
            name: "conn-er-prod",
            kind: "vnet-gateway",
            peering: null,
            status: "NotConnected",
          },
        ]),
      },
      expected: [
        {
          code: "gateway-not-connected",
          owner: "you",
          severity: "Sev3",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "a vWAN connection that succeeded counts as wired",
      spec: {
        gateway: ok([
          {
            id: "v",
            name: "hub-conn",
            kind: "vwan",
            peering: "AzurePrivatePeering",
            status: "Succeeded",
          },
        ]),
      },
      expected: [],
    },
    {
      name: "circuit that only serves Global Reach may have no gateway",
      spec: { gateway: ok([]), settings: { expectGateway: false } },
      expected: [],
    },
    {
      name: "Global Reach disconnected",
      spec: {
        peerings: [
          peering({
            globalReach: [
              {
                name: "gr-to-ams",
                peerCircuitPeeringId: "/x/peerings/AzurePrivatePeering",
                status: "Disconnected",
                direction: "outbound",
              },
            ],
          }),
        ],
      },
      expected: [
        {
          code: "global-reach-down",
          owner: "you",
          severity: "Sev3",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
    {
      name: "gateway and Global Reach above a dead peering are evidence, not findings",
      spec: {
        gateway: ok([]),
        peerings: [
          peering({
            globalReach: [
              {
                name: "gr",
                peerCircuitPeeringId: "/x",
                status: "Disconnected",
                direction: "outbound",
              },
            ],
          }),
        ],
        paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
      },
      expected: [
        {
          code: "no-prefixes-received",
          owner: "you",
          severity: "Sev0",
          peering: "AzurePrivatePeering",
          paths: ["primary", "secondary"],
        },
      ],
    },
  ];

  it.each(cases)("$name", ({ spec, expected }) => {
    expect(classify(spec).findings.map(brief)).toEqual(expected);
  });
});

describe("classifyCircuit: a session Microsoft's router shut is yours, whoever runs BGP", () => {
  // The flap alert of the same session already said "the route limit … the
  // carrier cannot fix this" while this one opened a carrier ticket.
  it.each([
    {
      model: "provider-managed",
      bgp: "Idle (PfxCt)",
      owner: "you",
      action: /ask Equinix to aggregate/,
    },
    { model: "provider-managed", bgp: "Idle (Admin)", owner: "you", action: /Enabled in Azure/ },
    {
      model: "provider-managed",
      bgp: "Idle",
      owner: "carrier",
      action: /^Open a ticket with Equinix/,
    },
    { model: "own-edge", bgp: "Idle (PfxCt)", owner: "you", action: /maximum-prefix/ },
  ] as const)("$model, $bgp: owner $owner", ({ model, bgp, owner, action }) => {
    const verdict = classify({
      settings: { connectivityModel: model },
      paths: { AzurePrivatePeering: { primary: { bgp }, secondary: { bgp } } },
    });
    const [finding, ...rest] = verdict.findings as [Finding];
    expect(rest).toEqual([]);
    expect([finding.code, finding.owner, finding.severity]).toEqual(["bgp-down", owner, "Sev0"]);
    expect(finding.nextAction).toMatch(action);
    // A carrier ticket only where the carrier has something to fix.
    expect(finding.ticket !== undefined).toBe(owner === "carrier");
  });
});

describe("classifyCircuit: BGP states", () => {
  const states: { statePfxRcd: string; state: string; hint: RegExp }[] = [
    { statePfxRcd: "Idle", state: "Idle", hint: /layer 2 \(ARP\).*\/30 addressing/ },
    { statePfxRcd: "Connect", state: "Connect", hint: /TCP .* failing.*firewall/ },
    { statePfxRcd: "Active", state: "Active", hint: /TCP .* failing.*addressing/ },
    { statePfxRcd: "OpenSent", state: "OpenSent", hint: /ASN.*MD5/ },
    { statePfxRcd: "OpenConfirm", state: "OpenConfirm", hint: /ASN.*MD5/ },
    { statePfxRcd: "idle", state: "Idle", hint: /layer 2/ },
    { statePfxRcd: "Idle (PfxCt)", state: "Idle (PfxCt)", hint: /maximum-prefix/ },
    {
      statePfxRcd: "Idle (Admin)",
      state: "Idle (Admin)",
      hint: /shut down by configuration.*Enabled/,
    },
    {
      statePfxRcd: "Active (Admin)",
      state: "Active (Admin)",
      hint: /^Active \(Admin\): .*support case/,
    },
  ];
  it.each(states)(
    "statePfxRcd $statePfxRcd → bgp-down with its hint",
    ({ statePfxRcd, state, hint }) => {
      const verdict = classify({
        paths: { AzurePrivatePeering: { primary: { bgp: statePfxRcd } } },
      });
      expect(verdict.findings).toHaveLength(1);
      const [finding] = verdict.findings as [Finding];
      expect(brief(finding)).toEqual({
        code: "bgp-down",
        owner: "you",
        severity: "Sev2",
        peering: "AzurePrivatePeering",
        paths: ["primary"],
      });
      expect(finding.evidence.bgpState).toBe(state);
      expect(String(finding.evidence.hint)).toMatch(hint);
      expect(finding.title).toMatch(/redundancy holding \(secondary Established, 120 prefixes\)/);
      expect(verdict.peerings[0]?.paths.primary.bgp.status).toBe("down");
    },
  );

  it.each([
    { order: "IPv6 listed first", bgp: [neighbor("Idle (PfxCt)", 6), neighbor("Idle", 4)] },
    { order: "IPv4 listed first", bgp: [neighbor("Idle", 4), neighbor("Idle (PfxCt)", 6)] },
  ])(
    "IPv4 down beside an IPv6 neighbor shut at its limit ($order): the hint is IPv4's, not maximum-prefix",
    ({ bgp }) => {
      const verdict = classify({ paths: { AzurePrivatePeering: { primary: { bgp } } } });
      const down = verdict.findings.find((f) => f.code === "bgp-down")!;
      expect(down.evidence.bgpState).toBe("Idle");
      expect(String(down.evidence.hint)).toMatch(/layer 2 \(ARP\)/);
    },
  );

  it("statePfxRcd as a number is Established with that many prefixes", () => {
    const verdict = classify({ paths: { AzurePrivatePeering: { primary: { bgp: "2345" } } } });
    expect(verdict.findings).toEqual([]);
    expect(verdict.peerings[0]?.prefixes.primary).toBe(2345);
    expect(verdict.peerings[0]?.paths.primary.routes).toEqual({
      status: "up",
      detail: "2,345 prefixes",
    });
  });

  it("an empty summary (no neighbor) is bgp-down with its own hint", () => {
    const verdict = classify({ paths: { AzurePrivatePeering: { secondary: { bgp: [] } } } });
    expect(verdict.findings.map(brief)).toEqual([
      {
        code: "bgp-down",
        owner: "you",
        severity: "Sev2",
        peering: "AzurePrivatePeering",
        paths: ["secondary"],
      },
    ]);
    expect(verdict.findings[0]?.evidence.bgpState).toBe("none");
  });

  it.each<{ name: string; bgp: PathSpec["bgp"]; row: [string, string]; detail: RegExp }>([
    {
      name: "an unrecognised state string",
      bgp: "Established?",
      row: ["unknown", "unknown"],
      detail: /^unrecognised BGP state "Established\?"$/,
    },
    {
      // IPv4 carries: only IPv6's judgement is unknown, the row warns naming it.
      name: "IPv6's state unrecognised beside IPv4 Established with prefixes",
      bgp: [neighbor("120"), neighbor("NoNeg", 6)],
      row: ["warn", "up"],
      detail: /^IPv6 state "NoNeg" not understood \(3ffe:ffff:0:cd30::1\); IPv4 Established$/,
    },
    {
      name: "IPv6's state unrecognised beside IPv4 Established with 0 prefixes",
      bgp: [neighbor("0"), neighbor("NoNeg", 6)],
      row: ["unknown", "unknown"],
      detail: /^unrecognised BGP state "NoNeg"$/,
    },
    {
      // IPv4 is the main family: IPv6 carrying does not make the path carry.
      name: "IPv4's state unrecognised beside IPv6 Established with prefixes",
      bgp: [neighbor("12", 6), neighbor("NoNeg")],
      row: ["unknown", "unknown"],
      detail: /^unrecognised BGP state "NoNeg"$/,
    },
  ])("$name: never down, no finding", ({ bgp, row, detail }) => {
    const verdict = classify({ paths: { AzurePrivatePeering: { primary: { bgp } } } });
    expect(verdict.findings).toEqual([]);
    const cells = verdict.peerings[0]!.paths.primary;
    expect([cells.bgp.status, cells.routes.status]).toEqual(row);
    expect(cells.bgp.detail).toMatch(detail);
  });

  describe("IPv6 sessions down while IPv4 carries", () => {
    const dual = (v6: string) => [neighbor("120"), neighbor(v6, 6)];
    it.each<{
      name: string;
      spec: CircuitSpec;
      severity: Severity;
      paths: string[];
      title: RegExp;
    }>([
      {
        // IPv4 still flows on both paths: IPv6 redundancy lost, not a path down.
        name: "on one path: Sev3, the row warns, the path still carries",
        spec: { paths: { AzurePrivatePeering: { primary: { bgp: dual("Active") } } } },
        severity: "Sev3",
        paths: ["primary"],
        title: /^IPv6 BGP Active on the primary path of AzurePrivatePeering; IPv4 Established/,
      },
      {
        // IPv6 traffic stopped, IPv4 flows: a page, never the Sev0 "traffic stopped".
        name: "on both paths: Sev1, IPv6 traffic stopped",
        spec: {
          paths: {
            AzurePrivatePeering: {
              primary: { bgp: dual("Idle") },
              secondary: { bgp: dual("Idle") },
            },
          },
        },
        severity: "Sev1",
        paths: ["primary", "secondary"],
        title: /IPv6 traffic stopped$/,
      },
    ])("$name", ({ spec, severity, paths, title }) => {
      const verdict = classify(spec);
      expect(verdict.findings.map(brief)).toEqual([
        { code: "bgp-down", owner: "you", severity, peering: "AzurePrivatePeering", paths },
      ]);
      const [f] = verdict.findings;
      expect(f?.title).toMatch(title);
      expect(f?.evidence.family).toBe("ipv6");
      expect(f?.title).not.toMatch(/— traffic stopped/);
      const row = verdict.peerings[0]!.paths[paths[0] as "primary"];
      expect([row.bgp.status, row.routes.status, row.provider.status]).toEqual([
        "warn",
        "up",
        "up",
      ]);
    });

    it("IPv4 down on one path beside IPv6 down on the other: the IPv4 outage keeps its grade, redundancy holds on IPv4", () => {
      const verdict = classify({
        paths: {
          AzurePrivatePeering: {
            primary: { bgp: [neighbor("Active"), neighbor("Active", 6)] },
            secondary: { bgp: dual("Idle") },
          },
        },
      });
      const byPath = verdict.findings.map((f) => [
        f.severity,
        f.paths.join("+"),
        f.evidence.family,
      ]);
      // IPv6 is down on the primary too (with IPv4): IPv6 carries nowhere, Sev1.
      expect(byPath).toEqual([
        ["Sev2", "primary", undefined],
        ["Sev1", "secondary", "ipv6"],
      ]);
      expect(verdict.findings[0]?.title).toMatch(/redundancy holding \(secondary IPv4 Established/);
    });

    it.each([
      {
        name: "on both paths",
        secondary: [neighbor("0"), neighbor("Idle", 6)],
        expected: [["no-prefixes-received", "Sev0", "primary+secondary"]],
      },
      {
        name: "on one path",
        secondary: [neighbor("120"), neighbor("12", 6)],
        expected: [["no-prefixes-received", "Sev2", "primary"]],
      },
    ])(
      "IPv4 receiving nothing beside IPv6 down, $name: the path down, no IPv6 alert saying 'IPv4 Established and carrying'",
      ({ secondary, expected }) => {
        const verdict = classify({
          paths: {
            AzurePrivatePeering: {
              primary: { bgp: [neighbor("0"), neighbor("Idle", 6)] },
              secondary: { bgp: secondary },
            },
          },
        });
        expect(verdict.findings.map((f) => [f.code, f.severity, f.paths.join("+")])).toEqual(
          expected,
        );
        expect(verdict.findings.map((f) => f.title).join(" ")).not.toMatch(/IPv4 Established/);
      },
    );

    it.each<{
      name: string;
      primary: PathSpec;
      secondary: PathSpec;
      expected: [string, Severity, string, unknown][];
      title: RegExp;
    }>([
      {
        name: "IPv6 Idle on the secondary, the primary down for both families: IPv6 traffic stopped (Sev1), not 'IPv6 redundancy lost'",
        primary: { bgp: [neighbor("Active"), neighbor("Active", 6)] },
        secondary: { bgp: dual("Idle") },
        expected: [
          ["bgp-down", "Sev2", "primary", undefined],
          ["bgp-down", "Sev1", "secondary", "ipv6"],
        ],
        title:
          /^IPv6 BGP Idle on the secondary path of AzurePrivatePeering; IPv4 Established and carrying — IPv6 traffic stopped \(IPv6 does not carry on the primary path either\)$/,
      },
      {
        name: "IPv6 receiving nothing on the secondary, the primary down for both families: Sev1",
        primary: { bgp: [neighbor("Active"), neighbor("Active", 6)] },
        secondary: { bgp: dual("0") },
        expected: [
          ["bgp-down", "Sev2", "primary", undefined],
          ["no-prefixes-received", "Sev1", "secondary", "ipv6"],
        ],
        title: /— IPv6 traffic stopped \(IPv6 does not carry on the primary path either\)$/,
      },
      {
        name: "IPv6 Idle on the secondary, IPv6 still carrying on the primary beside IPv4 down: Sev3",
        primary: { bgp: [neighbor("Active"), neighbor("12", 6)] },
        secondary: { bgp: dual("Idle") },
        expected: [
          ["bgp-down", "Sev2", "primary", undefined],
          ["bgp-down", "Sev3", "secondary", "ipv6"],
        ],
        title: /— IPv6 redundancy lost$/,
      },
      {
        name: "IPv6 Idle on the secondary, the primary unread: Sev3, nothing claimed about it",
        primary: {
          bgp: failed({
            kind: "server-error",
            call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/action",
          }),
        },
        secondary: { bgp: dual("Idle") },
        expected: [["bgp-down", "Sev3", "secondary", "ipv6"]],
        title: /— IPv6 redundancy lost$/,
      },
    ])("$name", ({ primary, secondary, expected, title }) => {
      const verdict = classify({
        paths: { AzurePrivatePeering: { primary, secondary } },
      });
      const found = verdict.findings
        .filter((f) => f.code !== "monitoring-blind")
        .map((f) => [f.code, f.severity, f.paths.join("+"), f.evidence.family]);
      expect(found).toEqual(expected);
      const v6 = verdict.findings.find((f) => f.evidence.family === "ipv6");
      expect(v6?.title).toMatch(title);
    });

    it.each([
      {
        name: "IPv4 Idle on both paths, IPv6 carrying on both",
        secondaryV6: "12",
        title:
          /^BGP Idle on the primary and secondary paths of AzurePrivatePeering — IPv4 traffic stopped; IPv6 still carries on the primary and secondary paths$/,
        carries: ["primary", "secondary"],
      },
      {
        name: "IPv4 Idle on both paths, IPv6 carrying on the primary only",
        secondaryV6: "Idle",
        title: /— IPv4 traffic stopped; IPv6 still carries on the primary path$/,
        carries: ["primary"],
      },
      {
        name: "IPv4 Idle on both paths, IPv6 up but receiving nothing",
        secondaryV6: "0",
        primaryV6: "0",
        title: /— traffic stopped$/,
        carries: undefined,
      },
    ])(
      "$name: Sev0, and the title says which traffic stopped",
      ({ secondaryV6, primaryV6, title, carries }) => {
        const verdict = classify({
          paths: {
            AzurePrivatePeering: {
              primary: { bgp: [neighbor("Idle"), neighbor(primaryV6 ?? "12", 6)] },
              secondary: { bgp: [neighbor("Idle"), neighbor(secondaryV6, 6)] },
            },
          },
        });
        const down = verdict.findings.find((f) => f.code === "bgp-down" && !f.evidence.family);
        expect(down).toMatchObject({ severity: "Sev0", paths: ["primary", "secondary"] });
        expect(down?.title).toMatch(title);
        expect(down?.evidence.ipv6CarriesOn).toEqual(carries);
      },
    );

    it.each([
      {
        name: "IPv6 carrying beside it",
        v6: [neighbor("12", 6)],
        code: "bgp-down",
        provider: "warn",
      },
      { name: "no IPv6 session", v6: [], code: "arp-missing", provider: "down" },
      { name: "IPv6 down too", v6: [neighbor("Idle", 6)], code: "arp-missing", provider: "down" },
    ])(
      "IPv4's ARP table empty and its session down, $name: $code (IPv6 on the same VLAN proves layer 2, so no carrier ticket)",
      ({ v6, code, provider }) => {
        const verdict = classify({
          paths: {
            AzurePrivatePeering: { primary: { arp: "empty", bgp: [neighbor("Idle"), ...v6] } },
          },
        });
        expect(verdict.findings.filter((f) => !f.evidence.family).map(brief)).toEqual([
          expect.objectContaining({ code, severity: "Sev2", paths: ["primary"] }),
        ]);
        const row = verdict.peerings[0]!.paths.primary;
        expect(row.provider.status).toBe(provider);
        if (provider === "warn")
          expect(row.provider.detail).toMatch(
            /yet IPv6 BGP Established with 12 prefixes received on the same VLAN: L2 works$/,
          );
      },
    );

    it("an IPv4 session down beside a working IPv6 one is the path down", () => {
      const verdict = classify({
        paths: {
          AzurePrivatePeering: { primary: { bgp: [neighbor("Active"), neighbor("12", 6)] } },
        },
      });
      expect(verdict.findings.map(brief)).toEqual([
        {
          code: "bgp-down",
          owner: "you",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["primary"],
        },
      ]);
      expect(verdict.peerings[0]?.paths.primary.bgp.status).toBe("down");
    });
  });
});

describe("classifyCircuit: route limits per SKU and peering type", () => {
  const cases: {
    name: string;
    skuTier: string;
    microsoft?: boolean;
    count: string;
    severity: Severity | null;
    limit: number;
  }[] = [
    {
      name: "Standard 3199/4000 (79.9%) is fine",
      skuTier: "Standard",
      count: "3199",
      severity: null,
      limit: 4000,
    },
    {
      name: "Standard 3200/4000 (80%) warns",
      skuTier: "Standard",
      count: "3200",
      severity: "Sev3",
      limit: 4000,
    },
    {
      name: "Standard 3800/4000 (95%) is Sev2",
      skuTier: "Standard",
      count: "3800",
      severity: "Sev2",
      limit: 4000,
    },
    {
      name: "Premium 3800/10000 is fine",
      skuTier: "Premium",
      count: "3800",
      severity: null,
      limit: 10000,
    },
    {
      name: "Premium 9600/10000 is Sev2",
      skuTier: "Premium",
      count: "9600",
      severity: "Sev2",
      limit: 10000,
    },
    {
      name: "Local tier uses the Standard limit",
      skuTier: "Local",
      count: "3300",
      severity: "Sev3",
      limit: 4000,
    },
    {
      name: "Microsoft peering 170/200 (85%) warns",
      skuTier: "Premium",
      microsoft: true,
      count: "170",
      severity: "Sev3",
      limit: 200,
    },
    {
      name: "Microsoft peering 199/200 is Sev2",
      skuTier: "Standard",
      microsoft: true,
      count: "199",
      severity: "Sev2",
      limit: 200,
    },
  ];
  it.each(cases)("$name", ({ skuTier, microsoft, count, severity, limit }) => {
    const name = microsoft ? "MicrosoftPeering" : "AzurePrivatePeering";
    const spec: CircuitSpec = microsoft
      ? {
          skuTier,
          peerings: [peering(), microsoftPeering("Configured")],
          paths: { MicrosoftPeering: { primary: { bgp: count } } },
        }
      : { skuTier, paths: { AzurePrivatePeering: { primary: { bgp: count } } } };
    const findings = classify(spec).findings;
    if (severity === null) {
      expect(findings).toEqual([]);
      return;
    }
    expect(findings.map(brief)).toEqual([
      { code: "prefix-limit-near", owner: "you", severity, peering: name, paths: ["primary"] },
    ]);
    expect(findings[0]?.evidence).toMatchObject({ limit, counts: { primary: Number(count) } });
  });

  it.each([
    [null, "the circuit's SKU tier is not reported"],
    ["Ultra", 'the circuit\'s SKU tier "Ultra" has no known route limit'],
  ])("SKU tier %j: Standard's limit, and the finding says it is assumed", (skuTier, reason) => {
    const findings = classify({
      skuTier,
      paths: { AzurePrivatePeering: { primary: { bgp: "3500" } } },
    }).findings;
    expect(findings.map(brief)).toEqual([
      {
        code: "prefix-limit-near",
        owner: "you",
        severity: "Sev3",
        peering: "AzurePrivatePeering",
        paths: ["primary"],
      },
    ]);
    const [finding] = findings;
    expect(finding?.evidence).toMatchObject({
      limit: 4000,
      skuTier,
      limitAssumed: `Standard: ${reason}`,
    });
    expect(finding?.title).toBe(
      "Received prefixes at 87.5% of the route limit on AzurePrivatePeering: 3,500 of 4,000 (Standard limit assumed: SKU tier unknown)",
    );
    expect(finding?.nextAction).toContain(
      `The limit is Standard's by assumption (${reason}): check the circuit's SKU`,
    );
    expect(finding?.nextAction).not.toContain("Premium raises");
  });

  it.each(["Standard", "Local", "Premium"])(
    "SKU tier %s decides the limit: nothing is assumed",
    (skuTier) => {
      const bgp = skuTier === "Premium" ? "9000" : "3500";
      const [finding] = classify({
        skuTier,
        paths: { AzurePrivatePeering: { primary: { bgp } } },
      }).findings;
      expect(finding?.code).toBe("prefix-limit-near");
      expect(finding?.evidence).not.toHaveProperty("limitAssumed");
      expect(finding?.title).not.toContain("assumed");
    },
  );

  it("near the limit on both paths is one finding, not an outage", () => {
    const findings = classify({
      paths: { AzurePrivatePeering: { primary: { bgp: "3900" }, secondary: { bgp: "3300" } } },
    }).findings;
    expect(findings.map(brief)).toEqual([
      {
        code: "prefix-limit-near",
        owner: "you",
        severity: "Sev2",
        peering: "AzurePrivatePeering",
        paths: ["primary", "secondary"],
      },
    ]);
    expect(findings[0]?.evidence.percent).toBe(97.5);
  });

  it("thresholds are configurable", () => {
    const options = {
      ...DEFAULT_CLASSIFY_OPTIONS,
      routeLimits: {
        ...DEFAULT_CLASSIFY_OPTIONS.routeLimits,
        warnPercent: 50,
        criticalPercent: 70,
      },
    };
    const findings = classify(
      { paths: { AzurePrivatePeering: { primary: { bgp: "2800" } } } },
      options,
    ).findings;
    expect(findings.map((f) => f.severity)).toEqual(["Sev2"]);
  });
});

describe("classifyCircuit: failed reads are UNKNOWN, never a guessed state", () => {
  it("a 403 on the ARP read gives monitoring-blind naming the permission, never arp-missing", () => {
    const arp = failed<never>({
      kind: "forbidden",
      statusCode: 403,
      missingPermission: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
    });
    const verdict = classify({
      paths: { AzurePrivatePeering: { primary: { arp }, secondary: { arp } } },
    });
    expect(verdict.findings.map(brief)).toEqual([
      {
        code: "monitoring-blind",
        owner: "you",
        severity: "Sev3",
        peering: "AzurePrivatePeering",
        paths: ["primary", "secondary"],
      },
    ]);
    expect(verdict.findings[0]?.title).toContain(
      "missing Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
    );
    expect(verdict.findings[0]?.nextAction).toContain(
      "Grant 'Microsoft.Network/expressRouteCircuits/peerings/arpTables/read'",
    );
    expect(verdict.peerings[0]?.paths.primary.provider.status).toBe("unknown");
    // BGP was read fine, so its row is still known.
    expect(verdict.peerings[0]?.paths.primary.bgp.status).toBe("up");
  });

  it("a throttled summary read makes BGP and routes unknown on that path only", () => {
    const summary = failed<never>({
      kind: "throttled",
      statusCode: 429,
      call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
      target: "route table summary AzurePrivatePeering/secondary",
    });
    const verdict = classify({ paths: { AzurePrivatePeering: { secondary: { bgp: summary } } } });
    expect(verdict.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(verdict.findings[0]?.title).toBe(
      "erwatch cannot read route table summary AzurePrivatePeering/secondary: throttled",
    );
    const secondary = verdict.peerings[0]?.paths.secondary;
    expect([secondary?.provider.status, secondary?.bgp.status, secondary?.routes.status]).toEqual([
      "up",
      "unknown",
      "unknown",
    ]);
    expect(verdict.peerings[0]?.paths.primary.bgp.status).toBe("up");
  });

  it("a failed circuit read gives one blind finding and no layer table", () => {
    const verdict = classify({
      circuit: failed({
        kind: "server-error",
        statusCode: 500,
        call: "Microsoft.Network/expressRouteCircuits/read",
        target: "circuit er-circuit-prod",
      }),
    });
    expect(verdict.peerings).toEqual([]);
    expect(verdict.findings.map(brief)).toEqual([
      { code: "monitoring-blind", owner: "you", severity: "Sev3", peering: null, paths: [] },
    ]);
  });

  it("a failed gateway read leaves the gateway row unknown and raises no gateway finding", () => {
    const verdict = classify({
      gateway: failed({
        kind: "timeout",
        call: "Microsoft.Network/connections/read",
        target: "gateway connections",
      }),
    });
    expect(verdict.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(verdict.peerings[0]?.paths.primary.gateway.status).toBe("unknown");
  });

  it("BGP down above an unreadable ARP table says so in the next action", () => {
    const arp = failed<never>({ kind: "timeout" });
    const verdict = classify({ paths: { AzurePrivatePeering: { primary: { arp, bgp: "Idle" } } } });
    const bgp = verdict.findings.find((f) => f.code === "bgp-down");
    expect(bgp?.nextAction).toMatch(/could not be read \(provider\)/);
  });
});

describe("classifyCircuit: ticket text and settings", () => {
  it("carrier-owned findings carry a ticket with service key, provider, location, path, time and ARP rows", () => {
    const verdict = classify({
      paths: { AzurePrivatePeering: { secondary: { arp: "microsoft-only", bgp: "Idle" } } },
    });
    const ticket = verdict.findings[0]?.ticket ?? "";
    expect(ticket).toContain("Service key: a1410692-0000-4ceb-b94a-b90b94d398d1");
    expect(ticket).toContain("Provider: Equinix; peering location: Silicon Valley");
    expect(ticket).toContain("Affected path(s): secondary");
    expect(ticket).toContain("Read at: 2026-11-22T02:01:00.000Z");
    expect(ticket).toMatch(
      /ARP table AzurePrivatePeering secondary \(affected\)[^\n]*\n\s+Microsoft\s+192\.168\.10\.22/,
    );
    expect(ticket).toMatch(
      /ARP table AzurePrivatePeering primary \(for comparison\)[^\n]*\n\s+On-Prem\s+192\.168\.10\.17/,
    );
  });

  it.each([
    { arp: "empty" as const, half: "empty" },
    { arp: "microsoft-only" as const, half: "on-prem row missing" },
  ])(
    "ExpressRoute Direct, layer 2 down ($half): yours, no carrier ticket, the port named",
    ({ arp }) => {
      const verdict = classify({
        direct: true,
        paths: { AzurePrivatePeering: { secondary: { arp, bgp: "Idle" } } },
      });
      expect(verdict.findings.map(brief)).toEqual([
        {
          code: "arp-missing",
          owner: "you",
          severity: "Sev2",
          peering: "AzurePrivatePeering",
          paths: ["secondary"],
        },
      ]);
      const [f] = verdict.findings;
      expect(f?.ticket).toBeUndefined();
      expect(f?.nextAction).toContain("ExpressRoute Direct");
      expect(f?.nextAction).toContain("Azure support case for erdirect-sv1");
      expect(f?.nextAction).not.toContain("connectivity provider");
      expect(verdict.expressRoutePortId).toBe(DIRECT_PORT_ID);
    },
  );

  it("you-owned findings carry no ticket", () => {
    const verdict = classify({
      paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
    });
    expect(verdict.findings[0]?.ticket).toBeUndefined();
  });

  it("a peering that carried traffic last sweep and is now gone is Sev0", () => {
    const verdict = classifyCircuit(circuitReading({ peerings: [] }), {
      ...DEFAULT_CLASSIFY_OPTIONS,
      previous: { providerWasProvisioned: true, peerings: ["AzurePrivatePeering"] },
    });
    expect(verdict.findings.map(brief)).toEqual([
      {
        code: "peering-missing",
        owner: "shared",
        severity: "Sev0",
        peering: "AzurePrivatePeering",
        paths: ["primary", "secondary"],
      },
    ]);
  });

  it("provider-managed model hands a missing peering to the carrier", () => {
    const verdict = classify({ peerings: [], settings: { connectivityModel: "provider-managed" } });
    expect(verdict.findings[0]?.owner).toBe("carrier");
  });
});

// The Microsoft peering's IPv6 prefixes are validated on their own (ipv6PeeringConfig's
// microsoftPeeringConfig, as in the REST spec's example): validated IPv4 says nothing of them.
describe("classifyCircuit: Microsoft peering IPv6 public prefixes", () => {
  const v6 = (state: string | null, enabled = "Enabled") =>
    microsoftPeering("Configured", {
      ipv6: {
        state: enabled,
        advertisedPublicPrefixesState: state,
        advertisedPublicPrefixes: ["3FFE:FFFF:0:CD31::/120"],
      },
    });
  const judge = (p: ReturnType<typeof v6>, bgp = "12") =>
    classifyCircuit(
      circuitReading({
        peerings: [peering(), p],
        paths: { MicrosoftPeering: { primary: { bgp }, secondary: { bgp } } },
      }),
    );

  it.each([
    ["ValidationNeeded", "Sev2"],
    ["NotConfigured", "Sev2"],
    ["Configuring", "Sev3"],
  ] as const)("IPv6 %s beside validated IPv4 is public-prefixes-not-validated %s", (state, sev) => {
    const verdict = judge(v6(state));
    expect(verdict.findings.map((f) => [f.code, f.severity, f.peering, f.paths])).toEqual([
      ["public-prefixes-not-validated", sev, "MicrosoftPeering", ["primary", "secondary"]],
    ]);
    expect(verdict.findings[0]?.title).toMatch(/IPv6 public prefixes/);
    expect(verdict.peerings[1]?.paths.primary.peering).toEqual({
      status: "warn",
      detail: `IPv4 public prefixes validated; IPv6 public prefixes ${state}`,
    });
  });

  it("both validated, or IPv6 not enabled, is clean", () => {
    expect(judge(v6("Configured")).findings).toEqual([]);
    expect(judge(v6("ValidationNeeded", "Disabled")).findings).toEqual([]);
  });

  it("IPv6 sessions with 0 prefixes while their prefixes wait on validation: the validation, not a Sev0", () => {
    const rows = [
      neighbor("12"),
      { neighbor: "3ffe:ffff:0:cd30::1", v: 4, as: 65010, upDown: "1d02h", statePfxRcd: "0" },
    ];
    const verdict = classifyCircuit(
      circuitReading({
        peerings: [peering(), v6("ValidationNeeded")],
        paths: { MicrosoftPeering: { primary: { bgp: rows }, secondary: { bgp: rows } } },
      }),
    );
    expect(verdict.findings.map((f) => [f.code, f.severity])).toEqual([
      ["public-prefixes-not-validated", "Sev2"],
    ]);
  });

  // IPv4's validation still pending (or failing) must not hide that IPv6's needs your action.
  it.each([
    {
      v4: "Configuring",
      v6: "ValidationNeeded",
      expected: [
        ["Sev3", undefined, /^Microsoft peering public prefixes Configuring/],
        [
          "Sev2",
          "ipv6",
          /^Microsoft peering IPv6 public prefixes ValidationNeeded: Microsoft accepts none of them \(IPv4 Configuring\)$/,
        ],
      ],
    },
    {
      v4: "ValidationNeeded",
      v6: "NotConfigured",
      expected: [
        ["Sev2", undefined, /^Microsoft peering public prefixes ValidationNeeded/],
        ["Sev2", "ipv6", /IPv6 public prefixes NotConfigured: .* \(IPv4 ValidationNeeded\)$/],
      ],
    },
    { v4: "Configuring", v6: "Configured", expected: [["Sev3", undefined, /Configuring/]] },
  ])("IPv4 $v4 and IPv6 $v6: each family's validation its own finding", ({ v4, v6, expected }) => {
    const p = microsoftPeering(v4, {
      ipv6: {
        state: "Enabled",
        advertisedPublicPrefixesState: v6,
        advertisedPublicPrefixes: ["3FFE:FFFF:0:CD31::/120"],
      },
    });
    const verdict = judge(p);
    const found = verdict.findings.filter((f) => f.code === "public-prefixes-not-validated");
    expect(found.map((f) => [f.severity, f.evidence.family])).toEqual(
      expected.map(([sev, family]) => [sev, family]),
    );
    found.forEach((f, i) => expect(f.title).toMatch(expected[i]![2] as RegExp));
  });

  it("an IPv6 validation problem never hides an IPv4 outage above it", () => {
    const codes = judge(v6("ValidationNeeded"), "0").findings.map((f) => [f.code, f.severity]);
    expect(codes).toEqual([
      ["no-prefixes-received", "Sev0"],
      ["public-prefixes-not-validated", "Sev2"],
    ]);
  });
});

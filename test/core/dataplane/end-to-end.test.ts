// Connection Monitor localised with the layer table: a failure a broken layer
// explains is that layer's alert (one alert, never less severe than the
// end-to-end result); a failure with every layer healthy is e2e-fail pointing
// at the impostors; a blind monitor is e2e-indeterminate with the reasons.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { summarise } from "../../../src/core/dataplane/end-to-end.js";
import type { EndToEndFacts, EndToEndTest } from "../../../src/core/dataplane/facts.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import {
  circuitReading,
  failed,
  microsoftPeering,
  neighbor,
  ok,
  peering,
  type CircuitSpec,
} from "../../support/readings.js";
import { dp, e2e, NOW, test, testGroup } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const judge = (spec: CircuitSpec) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW).verdict;
const codes = (spec: CircuitSpec) =>
  judge(spec).findings.map((f) => `${f.code} ${f.severity} ${f.peering} ${f.paths.join("+")}`);

const FAIL = dp.e2e(e2e([test("Fail"), test("Fail", { test: "tcp-1433" })]));
const bothArpDown = {
  AzurePrivatePeering: {
    primary: { arp: "empty" as const, bgp: "Idle" },
    secondary: { arp: "empty" as const, bgp: "Idle" },
  },
};

describe("Connection Monitor's aggregate, as its dashboard shows it", () => {
  it.each([
    { results: ["Pass", "Pass"], overall: "pass" },
    { results: ["Fail", "Fail"], overall: "fail" },
    { results: ["Fail", "Indeterminate"], overall: "fail" },
    { results: ["Fail", "Pass"], overall: "warning" },
    { results: ["Warning", "Pass"], overall: "warning" },
    { results: ["Indeterminate", "Pass"], overall: "indeterminate" },
    { results: [], overall: "indeterminate" },
    { results: ["Unheard-of"], overall: "indeterminate" },
  ])("$results → $overall", ({ results, overall }) => {
    expect(summarise(e2e(results.map((r) => test(r)))).overall).toBe(overall);
  });

  it("no monitor testing the circuit is 'none', not blind", () => {
    expect(summarise(e2e([], 0)).overall).toBe("none");
  });
});

// A test removed from its monitor (or renamed, or its group disabled) keeps
// its last rows in the look-back: with the monitor's definition read, only the
// tests it defines now are judged, however late their rows.
describe("tests the monitor no longer defines", () => {
  const defines = (...tests: string[]): EndToEndFacts => ({
    ...e2e([]),
    monitors: e2e([]).monitors.map((m) => ({
      ...m,
      testGroups: [testGroup("onprem-to-vnet", tests)],
    })),
  });
  const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
  const judged = (facts: EndToEndFacts, tests: EndToEndTest[]) =>
    codes({ dataPlane: dp.e2e({ ...facts, tests }) });
  it.each<{
    name: string;
    facts: EndToEndFacts;
    tests: EndToEndTest[];
    expected: string[];
  }>([
    {
      name: "a test renamed: its old name's last Fail is not judged",
      facts: defines("tcp-443-new"),
      tests: [test("Fail", { at: ago(12) }), test("Pass", { test: "tcp-443-new", at: ago(2) })],
      expected: [],
    },
    {
      name: "a test removed, the other passing: nothing",
      facts: defines("tcp-1433"),
      tests: [test("Fail", { at: ago(20) }), test("Pass", { test: "tcp-1433", at: ago(2) })],
      expected: [],
    },
    {
      name: "its group removed or disabled: its tests are not judged",
      facts: defines("tcp-443"),
      tests: [test("Fail", { testGroup: "old-group", at: ago(8) }), test("Pass", { at: ago(2) })],
      expected: [],
    },
    {
      name: "the only test removed: nothing current to judge, Indeterminate",
      facts: defines("tcp-1433"),
      tests: [test("Fail", { at: ago(20) })],
      expected: ["e2e-indeterminate Sev3 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "a test still defined whose rows are late is judged all the same",
      facts: defines("tcp-443", "tcp-1433"),
      tests: [test("Fail", { at: ago(25) }), test("Pass", { test: "tcp-1433", at: ago(1) })],
      expected: ["e2e-warning Sev2 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "names in another case are the same test",
      facts: defines("TCP-443"),
      tests: [test("Fail", { testGroup: "OnPrem-To-VNet" })],
      expected: ["e2e-fail Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "the definition unknown (tags named the monitor): every row is judged, as before",
      facts: e2e([]),
      tests: [test("Fail", { at: ago(20) }), test("Pass", { test: "tcp-1433", at: ago(2) })],
      expected: ["e2e-warning Sev2 AzurePrivatePeering primary+secondary"],
    },
  ])("$name", ({ facts, tests, expected }) => {
    expect(judged(facts, tests)).toEqual(expected);
  });

  it("only tests it no longer defines: Indeterminate says rows were left out, not that nothing came", () => {
    const f = judge({
      dataPlane: dp.e2e({ ...defines("tcp-1433"), tests: [test("Fail", { at: ago(20) })] }),
    }).findings[0]!;
    expect(f.title).toBe(
      "Connection Monitor cm-er-circuit-prod reported nothing for er-circuit-prod in the last 30 min of the tests it defines now (the rows of 1 test it no longer defines left out): end-to-end is unwatched",
    );
  });

  it("the evidence names the tests left out, and the counts leave them out", () => {
    const summary = summarise({
      ...defines("tcp-1433"),
      tests: [test("Fail", { at: ago(20) }), test("Pass", { test: "tcp-1433", at: ago(2) })],
    });
    expect(summary.overall).toBe("pass");
    expect(summary.counts).toEqual({ pass: 1, warning: 0, fail: 0, indeterminate: 0 });
    expect(summary.gone.map((t) => t.test)).toEqual(["tcp-443"]);
    const f = judge({
      dataPlane: dp.e2e({
        ...defines("tcp-1433"),
        tests: [test("Fail", { at: ago(20) }), test("Fail", { test: "tcp-1433", at: ago(2) })],
      }),
    }).findings[0]!;
    expect(f.code).toBe("e2e-fail");
    expect(f.evidence.notDefined).toEqual([
      `cm-er-circuit-prod/onprem-to-vnet/tcp-443: Fail at ${ago(20)}, no longer defined by the monitor (not judged)`,
    ]);
  });
});

describe("localisation with the layer table", () => {
  it.each<{ name: string; spec: CircuitSpec; expected: string[] }>([
    { name: "all tests pass", spec: { dataPlane: dp.e2e(e2e([test("Pass")])) }, expected: [] },
    {
      name: "Fail with every layer healthy: e2e-fail, Sev1, on the peering the tests ride",
      spec: { dataPlane: FAIL },
      expected: ["e2e-fail Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Fail with ARP gone on both paths: only the layer's alert",
      spec: { paths: bothArpDown, dataPlane: FAIL },
      expected: ["arp-missing Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Fail with layer 2 down on one path and BGP on the other: only the layers' alerts",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: "Idle" },
            secondary: { bgp: "OpenSent" },
          },
        },
        dataPlane: FAIL,
      },
      expected: [
        "arp-missing Sev0 AzurePrivatePeering primary",
        "bgp-down Sev0 AzurePrivatePeering secondary",
      ],
    },
    {
      name: "Fail with the gateway not connected: the gateway's alert, raised to Sev1",
      spec: {
        gateway: ok([
          {
            id: "/c/conn",
            name: "conn-er-prod",
            kind: "vnet-gateway",
            peering: null,
            status: "NotConnected",
          },
        ]),
        dataPlane: FAIL,
      },
      expected: ["gateway-not-connected Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Fail with the provider de-provisioned: the provider's alert",
      spec: { providerState: "NotProvisioned", dataPlane: FAIL },
      expected: ["provider-not-provisioned Sev0 null primary+secondary"],
    },
    {
      name: "Fail with the private peering gone: the peering's alert, raised to Sev1",
      spec: { peerings: [], dataPlane: FAIL },
      expected: ["peering-missing Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Fail with the private peering gone beside a Microsoft peering: the peering's alert",
      spec: { peerings: [microsoftPeering("Configured")], dataPlane: FAIL },
      expected: ["peering-missing Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Fail with the private peering Disabled: the peering's alert",
      spec: { peerings: [peering({ state: "Disabled" })], dataPlane: FAIL },
      expected: ["peering-disabled Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Fail with the Azure side of the circuit not Enabled: the circuit's alert",
      spec: { circuitState: "Disabled", dataPlane: FAIL },
      expected: ["circuit-not-enabled Sev1 null primary+secondary"],
    },
    {
      name: "Fail with the provider not yet provisioned: the provider's alert, raised to Sev1",
      spec: { providerState: "NotProvisioned", peerings: [], dataPlane: FAIL },
      expected: ["provider-not-provisioned Sev1 null primary+secondary"],
    },
    {
      name: "Fail with one path down: redundancy is not carrying the traffic, so e2e-fail pages",
      spec: {
        paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
        dataPlane: FAIL,
      },
      expected: [
        "arp-missing Sev2 AzurePrivatePeering secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "Warning (1 of 2 failing) with every layer healthy: e2e-warning Sev2",
      spec: { dataPlane: dp.e2e(e2e([test("Fail"), test("Pass", { test: "tcp-1433" })])) },
      expected: ["e2e-warning Sev2 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "Indeterminate: the monitor is blind, Sev3",
      spec: { dataPlane: dp.e2e(e2e([test("Indeterminate")])) },
      expected: ["e2e-indeterminate Sev3 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "no results at all in the window: Indeterminate",
      spec: { dataPlane: dp.e2e(e2e([])) },
      expected: ["e2e-indeterminate Sev3 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "no Connection Monitor tests the circuit: nothing",
      spec: { dataPlane: dp.e2e(e2e([], 0)) },
      expected: [],
    },
  ])("$name", ({ spec, expected }) => {
    expect(codes(spec)).toEqual(expected);
  });

  it("e2e-fail with every layer healthy points at the impostors, not the circuit", () => {
    const f = judge({ dataPlane: FAIL }).findings[0]!;
    expect(f).toMatchObject({ layer: "endToEnd", owner: "you" });
    expect(f.title).toContain("every layer of the circuit reads healthy");
    expect(f.nextAction).toMatch(/Not the circuit/);
    for (const impostor of [
      "gateway and its connection",
      "VNet route table",
      "NSGs and firewalls",
      "DNS",
      "asymmetric routing",
    ])
      expect(f.nextAction).toContain(impostor);
    expect(f.nextAction).toContain("erwatch diagnose");
    expect(f.evidence.failing).toEqual([
      "cm-er-circuit-prod/onprem-to-vnet/tcp-443: onprem-app-01 → vnet-prod Fail, checks failed 100% (threshold 10%)",
      "cm-er-circuit-prod/onprem-to-vnet/tcp-1433: onprem-app-01 → vnet-prod Fail, checks failed 100% (threshold 10%)",
    ]);
  });

  // "Every layer reads healthy" is a claim on-call acts on (they stop looking at
  // the circuit): it holds only while nothing else is open on it.
  it.each<{ name: string; spec: CircuitSpec; open: string[] }>([
    { name: "nothing else open", spec: { dataPlane: FAIL }, open: [] },
    {
      name: "the peering near its route limit",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: "3900" }, secondary: { bgp: "3900" } } },
        dataPlane: FAIL,
      },
      open: ["prefix-limit-near on AzurePrivatePeering"],
    },
    {
      name: "another peering down on both paths",
      spec: {
        peerings: [peering(), microsoftPeering("Configured")],
        paths: { MicrosoftPeering: { primary: { bgp: "Idle" }, secondary: { bgp: "Idle" } } },
        dataPlane: FAIL,
      },
      open: ["bgp-down on MicrosoftPeering"],
    },
  ])(
    "e2e-fail names what is open beside it, never 'every layer healthy' then: $name",
    ({ spec, open }) => {
      const f = judge(spec).findings.find((x) => x.code === "e2e-fail")!;
      const healthy = "every layer of the circuit reads healthy";
      if (open.length === 0) {
        expect(f.title).toContain(healthy);
        expect(f.evidence.openOnCircuit).toBeUndefined();
        return;
      }
      expect(f.title).not.toContain(healthy);
      expect(f.nextAction).not.toMatch(/every layer reads healthy/);
      expect(f.evidence.openOnCircuit).toEqual(open);
      for (const words of open) {
        expect(f.title).toContain(words);
        expect(f.nextAction).toContain(words);
      }
    },
  );

  // IPv6 and IPv4 are sessions of their own on each path: an outage of one
  // family explains only tests known to run over it. A test named, not
  // addressed, may run over either, so a one-family outage explains it away never.
  const v6Idle = [neighbor("120"), neighbor("Idle", 6)];
  const v6Zero = [neighbor("120"), neighbor("0", 6)];
  const failing = (...destinations: string[]) =>
    dp.e2e(e2e(destinations.map((destination, i) => test("Fail", { test: `t${i}`, destination }))));
  it.each<{ name: string; spec: CircuitSpec; expected: string[] }>([
    {
      name: "IPv6 Idle on both paths, IPv4 tests fail: the IPv6 alert and e2e-fail",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
        dataPlane: failing("10.1.0.4:443", "10.1.0.5"),
      },
      expected: [
        "bgp-down Sev1 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv6 Idle on both paths, IPv6 tests fail: only the IPv6 alert",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
        dataPlane: failing("fd00:1::4:443", "[fd00:1::5]:1433"),
      },
      expected: ["bgp-down Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "IPv6 Idle on both paths, IPv6 tests named, their addresses read: only the IPv6 alert",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
        dataPlane: dp.e2e(
          e2e([
            test("Fail", { destination: "vm-app-01:443", destinationAddress: "fd00:1::4" }),
            test("Fail", {
              test: "tcp-1433",
              destination: "vm-app-02:1433",
              destinationAddress: null,
              sourceAddress: "fd00:16::10",
            }),
          ]),
        ),
      },
      expected: ["bgp-down Sev1 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "IPv6 Idle on both paths, IPv4 tests named, their addresses read: e2e-fail too",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
        dataPlane: dp.e2e(
          e2e([test("Fail", { destination: "vm-app-01:443", destinationAddress: "10.1.0.4" })]),
        ),
      },
      expected: [
        "bgp-down Sev1 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv6 Idle on both paths, tests named: the family unknown, e2e-fail too",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
        dataPlane: failing("vm-app-01:443"),
      },
      expected: [
        "bgp-down Sev1 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv6 Idle on both paths, IPv4 and IPv6 tests fail: e2e-fail too",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
        dataPlane: failing("10.1.0.4:443", "fd00:1::4:443"),
      },
      expected: [
        "bgp-down Sev1 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "0 IPv6 prefixes on both paths, IPv4 tests fail: e2e-fail too",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Zero }, secondary: { bgp: v6Zero } } },
        dataPlane: failing("10.1.0.4:443"),
      },
      expected: [
        "no-prefixes-received Sev1 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv6 Idle on one path, IPv4 tests fail: not a path down, e2e-fail names it",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: v6Idle } } },
        dataPlane: failing("10.1.0.4:443"),
      },
      expected: [
        "bgp-down Sev3 AzurePrivatePeering primary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "0 IPv4 prefixes on both paths, tests named: the path is down for every family",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
        dataPlane: failing("vm-app-01:443"),
      },
      expected: ["no-prefixes-received Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "IPv4 Idle on both paths, tests named: the path is down for every family",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: "Idle" }, secondary: { bgp: "Idle" } } },
        dataPlane: failing("vm-app-01:443"),
      },
      expected: ["bgp-down Sev0 AzurePrivatePeering primary+secondary"],
    },
  ])("$name", ({ spec, expected }) => {
    expect(codes(spec)).toEqual(expected);
  });

  it.each([
    {
      where: "both paths",
      paths: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } },
      open: "bgp-down (IPv6) on AzurePrivatePeering",
    },
    {
      where: "one path",
      paths: { primary: { bgp: v6Idle } },
      open: "bgp-down (IPv6) on AzurePrivatePeering primary",
    },
  ])(
    "an IPv4 failure beside IPv6 down on $where is its own alert, naming the IPv6 one and the impostors",
    ({ paths, open }) => {
      const f = judge({
        paths: { AzurePrivatePeering: paths },
        dataPlane: failing("10.1.0.4:443"),
      }).findings.find((x) => x.code === "e2e-fail")!;
      expect(f.title).toContain(`nothing open on the circuit explains it (${open})`);
      expect(f.title).not.toContain("every layer");
      // IPv4 is Established on both paths: no path is down for these tests.
      expect(f.title).not.toContain("redundancy");
      expect(f.nextAction).toContain("NSGs and firewalls");
    },
  );

  it("tests named, not addressed, beside a one-family outage: the finding says why it did not fold them", () => {
    const f = judge({
      paths: { AzurePrivatePeering: { primary: { bgp: v6Idle }, secondary: { bgp: v6Idle } } },
      dataPlane: failing("vm-app-01:443"),
    }).findings.find((x) => x.code === "e2e-fail")!;
    expect(f.nextAction).toContain(
      "erwatch cannot tell the address family of tests known only by name (onprem-to-vnet/t0): if they run over IPv6, bgp-down (IPv6) on AzurePrivatePeering is why.",
    );
  });

  // The mirror: IPv4 down on both paths is the path down only where IPv6 does
  // not carry. On a dual-stack peering whose IPv6 sessions are Established with
  // prefixes on a path, IPv6 traffic still flows there: tests over IPv6 that
  // fail are not the IPv4 outage's, and tests known only by name may be either.
  const v4Idle6Up = [neighbor("Idle"), neighbor("40", 6)];
  const v4Zero6Up = [neighbor("0"), neighbor("40", 6)];
  const bothIdle = [neighbor("Idle"), neighbor("Idle", 6)];
  it.each<{ name: string; spec: CircuitSpec; expected: string[] }>([
    {
      name: "IPv4-only peering, IPv4 Idle on both paths, IPv6-addressed tests: the path is down for every family",
      spec: {
        paths: { AzurePrivatePeering: { primary: { bgp: "Idle" }, secondary: { bgp: "Idle" } } },
        dataPlane: failing("fd00:1::4:443"),
      },
      expected: ["bgp-down Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "IPv4 Idle on both paths while IPv6 carries, IPv6 tests fail: the IPv4 alert and e2e-fail",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
        },
        dataPlane: failing("fd00:1::4:443", "[fd00:1::5]:1433"),
      },
      expected: [
        "bgp-down Sev0 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "0 IPv4 prefixes on both paths while IPv6 carries, IPv6 tests fail: e2e-fail too",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: v4Zero6Up }, secondary: { bgp: v4Zero6Up } },
        },
        dataPlane: failing("fd00:1::4:443"),
      },
      expected: [
        "no-prefixes-received Sev0 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv4 Idle on both paths while IPv6 carries on one, IPv6 tests fail: e2e-fail too",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: bothIdle }, secondary: { bgp: v4Idle6Up } },
        },
        dataPlane: failing("fd00:1::4:443"),
      },
      expected: [
        "bgp-down Sev0 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv4 Idle on both paths while IPv6 carries, tests named: the family unknown, e2e-fail too",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
        },
        dataPlane: failing("vm-app-01:443"),
      },
      expected: [
        "bgp-down Sev0 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv4 Idle on both paths while IPv6 carries, IPv4 and IPv6 tests fail: e2e-fail too",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
        },
        dataPlane: failing("10.1.0.4:443", "fd00:1::4:443"),
      },
      expected: [
        "bgp-down Sev0 AzurePrivatePeering primary+secondary",
        "e2e-fail Sev1 AzurePrivatePeering primary+secondary",
      ],
    },
    {
      name: "IPv4 Idle on both paths while IPv6 carries, IPv4 tests fail: only the IPv4 alert",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
        },
        dataPlane: failing("10.1.0.4:443", "10.1.0.5"),
      },
      expected: ["bgp-down Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "IPv4 and IPv6 Idle on both paths, IPv6 tests fail: only the path's alert",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: bothIdle }, secondary: { bgp: bothIdle } },
        },
        dataPlane: failing("fd00:1::4:443"),
      },
      expected: ["bgp-down Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "IPv4 and IPv6 Idle on both paths, tests named: only the path's alert",
      spec: {
        paths: {
          AzurePrivatePeering: { primary: { bgp: bothIdle }, secondary: { bgp: bothIdle } },
        },
        dataPlane: failing("vm-app-01:443"),
      },
      expected: ["bgp-down Sev0 AzurePrivatePeering primary+secondary"],
    },
    {
      name: "ARP gone on both paths of a dual-stack peering, IPv6 and named tests fail: only layer 2's alert",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: bothIdle },
            secondary: { arp: "empty", bgp: bothIdle },
          },
        },
        dataPlane: failing("fd00:1::4:443", "vm-app-01:443"),
      },
      expected: ["arp-missing Sev0 AzurePrivatePeering primary+secondary"],
    },
  ])("$name", ({ spec, expected }) => {
    expect(codes(spec)).toEqual(expected);
  });

  it("an IPv6 failure beside IPv4 down on both paths while IPv6 carries is its own alert, naming the IPv4 one", () => {
    const f = judge({
      paths: {
        AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
      },
      dataPlane: failing("fd00:1::4:443"),
    }).findings.find((x) => x.code === "e2e-fail")!;
    expect(f.title).toContain(
      "nothing open on the circuit explains it (bgp-down (IPv4) on AzurePrivatePeering)",
    );
    expect(f.title).not.toContain("every layer");
    expect(f.title).not.toContain("redundancy");
    expect(f.evidence.openOnCircuit).toEqual(["bgp-down (IPv4) on AzurePrivatePeering"]);
    expect(f.nextAction).toContain(
      "IPv6 carries on the primary and secondary paths (IPv6 sessions Established with prefixes received), so bgp-down (IPv4) on AzurePrivatePeering does not stop the tests addressed in IPv6 (onprem-to-vnet/t0).",
    );
    expect(f.nextAction).toContain("NSGs and firewalls");
    const mixed = judge({
      paths: {
        AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
      },
      dataPlane: failing("10.1.0.4:443", "fd00:1::4:443"),
    }).findings.find((x) => x.code === "e2e-fail")!;
    expect(mixed.nextAction).toContain(
      "does not stop the tests addressed in IPv6 (onprem-to-vnet/t1); it is why those addressed in IPv4 fail (onprem-to-vnet/t0).",
    );
  });

  it("tests named, not addressed, beside IPv4 down while IPv6 carries: the finding says why it did not fold them", () => {
    const f = judge({
      paths: {
        AzurePrivatePeering: { primary: { bgp: v4Idle6Up }, secondary: { bgp: v4Idle6Up } },
      },
      dataPlane: failing("vm-app-01:443"),
    }).findings.find((x) => x.code === "e2e-fail")!;
    expect(f.nextAction).toContain(
      "erwatch cannot tell the address family of tests known only by name (onprem-to-vnet/t0): if they run over IPv4, bgp-down (IPv4) on AzurePrivatePeering is why. IPv6 carries on the primary and secondary paths: they stay apart so that an IPv6 failure cannot hide behind it.",
    );
  });

  it.each<{ name: string; spec: CircuitSpec; code: string }>([
    { name: "the private peering gone", spec: { peerings: [] }, code: "peering-missing" },
    {
      name: "the Azure side of the circuit Disabled",
      spec: { circuitState: "Disabled" },
      code: "circuit-not-enabled",
    },
  ])(
    "a failure explained by $name carries the tests, never 'look past the circuit'",
    ({ spec, code }) => {
      const verdict = judge({ ...spec, dataPlane: FAIL });
      const f = verdict.findings.find((x) => x.code === code)!;
      expect(f.evidence.endToEnd).toMatchObject({ overall: "fail", explainedBy: code });
      expect(f.nextAction).toContain("this layer is why");
      for (const other of verdict.findings) {
        expect(other.title).not.toContain("every layer");
        expect(other.nextAction).not.toMatch(/Not the circuit/);
      }
    },
  );

  it("a Microsoft peering beside the missing private one says which peering the tests ride", () => {
    const verdict = judge({ peerings: [microsoftPeering("Configured")], dataPlane: FAIL });
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "n/a",
      detail: "tests ride AzurePrivatePeering",
    });
  });

  it("an explained failure is evidence on the layer's finding, and the row says what explains it", () => {
    const verdict = judge({ paths: bothArpDown, dataPlane: FAIL });
    const arp = verdict.findings[0]!;
    expect(arp.evidence.endToEnd).toMatchObject({ overall: "fail", explainedBy: "arp-missing" });
    expect(arp.nextAction).toContain("End-to-end tests fail too");
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "down",
      detail: "Fail: 2 of 2 tests; explained by provider / L2 (arp-missing, both paths)",
    });
  });

  it("Indeterminate names the seed's reasons", () => {
    const f = judge({ dataPlane: dp.e2e(e2e([test("Indeterminate")])) }).findings[0]!;
    expect(f.evidence.reasons).toEqual(
      expect.arrayContaining([
        expect.stringContaining("agent is not running"),
        expect.stringContaining("listener is not started"),
        expect.stringContaining("extension is still installing"),
      ]),
    );
  });

  it("shows the end-to-end row: pass, n/a without a monitor, unknown when the read failed", () => {
    const row = (spec: CircuitSpec) => judge(spec).peerings[0]!.paths.secondary.endToEnd;
    expect(
      row({ dataPlane: dp.e2e(e2e([test("Pass"), test("Pass", { roundTripMs: 31 })])) }),
    ).toEqual({
      status: "up",
      detail: "2 tests pass (RTT ≤ 31 ms)",
    });
    expect(row({ dataPlane: dp.e2e(e2e([], 0)) })).toEqual({
      status: "n/a",
      detail: "no Connection Monitor tests this circuit",
    });
    expect(row({})).toEqual({ status: "n/a", detail: "not read" });
    const blind = judge({
      dataPlane: {
        endToEnd: failed({
          kind: "forbidden",
          call: "Microsoft.OperationalInsights/workspaces/query/read",
        }),
      },
    });
    expect(blind.peerings[0]!.paths.primary.endToEnd.status).toBe("unknown");
    // A Log Analytics query is its workspace's health alert, not the circuit's monitoring-blind.
    expect(blind.findings.map((f) => f.code)).toEqual([]);
    expect(blind.failedReads.map((f) => f.kind)).toEqual(["forbidden"]);
    const watchers = judge({
      dataPlane: {
        endToEnd: failed({
          kind: "forbidden",
          call: "Microsoft.Network/networkWatchers/connectionMonitors/read",
        }),
      },
    });
    expect(watchers.peerings[0]!.paths.primary.endToEnd.status).toBe("unknown");
    expect(watchers.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
  });
});

// IPv4 and IPv6 on one peering: which of IPv6's alerts hold IPv4's, what an
// IPv6 flap takes off the shared path alert, and a deliberately Disabled IPv6
// side, which nothing judges.

import { describe, expect, it } from "vitest";
import { alertKey } from "../../src/core/alert-identity.js";
import { holdsOf, type AlertStep } from "../../src/core/alert-step.js";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { AlertCondition, AlertState } from "../../src/core/lifecycle.js";
import type {
  AlertFamily,
  Finding,
  PathName,
  PeeringFacts,
  Severity,
} from "../../src/core/model.js";
import { observe } from "../../src/core/observe.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import {
  circuitReading,
  CIRCUIT_ID,
  microsoftPeering,
  neighbor,
  peering,
  type CircuitSpec,
  type PathSpec,
} from "../support/readings.js";

const PRIVATE = "AzurePrivatePeering";
const v4 = (state: string, upDown = "3d04h") => neighbor(state, 4, upDown);
/** The IPv6 row as Azure lists it: v 4 (the BGP version), an IPv6 neighbor address. */
const v6 = (state: string, upDown = "3d04h") => ({ ...neighbor(state, 6, upDown), v: 4 });

describe("which alerts an IPv6 flap holds (the path alert's key is shared by both families)", () => {
  /** An alert as the sweep holds it after advancing, its family read from its evidence. */
  const step = (
    family: AlertFamily,
    phase: AlertState["phase"],
    condition: Partial<AlertCondition> & Pick<AlertCondition, "code" | "severity" | "paths">,
    addressFamily?: "ipv6",
  ): AlertStep => {
    const key = alertKey(CIRCUIT_ID, PRIVATE, family, addressFamily);
    const state: AlertState = {
      key,
      family,
      circuitId: CIRCUIT_ID,
      circuitName: "er-circuit-prod",
      peering: PRIVATE,
      phase,
      consecutiveFiring: phase === "firing" ? 3 : 0,
      consecutiveClean: phase === "resolving" ? 1 : 0,
      firstSeen: "2026-11-22T01:00:00.000Z",
      condition: {
        layer: "bgp",
        owner: "you",
        title: "t",
        nextAction: "n",
        evidence: {},
        ticket: null,
        ...condition,
      },
      notified: null,
      sequence: 1,
      lastEvaluatedAt: "2026-11-22T02:00:00.000Z",
    };
    return {
      observation: {
        key,
        family,
        circuitId: CIRCUIT_ID,
        peering: PRIVATE,
        state: phase === "firing" ? "firing" : "clean",
        finding: null,
        previousReadAt: null,
      },
      previous: state,
      advanced: state,
    };
  };
  const ipv6Flap = (severity: Severity = "Sev3", paths: PathName[] = ["primary"]) =>
    step(
      "session-flapping",
      "firing",
      { code: "session-flapping", severity, paths, evidence: { family: "ipv6" } },
      "ipv6",
    );
  const ipv4Flap = step("session-flapping", "firing", {
    code: "session-flapping",
    severity: "Sev2",
    paths: ["primary"],
    evidence: { family: "ipv4" },
  });
  /** IPv4's session down on the primary, back this sweep: its resolve is what is at stake. */
  const ipv4Down = (severity: Severity = "Sev2", phase: AlertState["phase"] = "resolving") =>
    step("path-down", phase, { code: "bgp-down", severity, paths: ["primary"] });
  const ipv6Down = (severity: Severity, paths: PathName[]) =>
    step("path-down", "resolving", {
      code: "bgp-down",
      severity,
      paths,
      evidence: { family: "ipv6" },
    });
  const pathDown = alertKey(CIRCUIT_ID, PRIVATE, "path-down");
  const routeLimit = alertKey(CIRCUIT_ID, PRIVATE, "route-limit");
  const endToEnd = alertKey(CIRCUIT_ID, PRIVATE, "end-to-end");

  it.each<{ name: string; steps: AlertStep[]; held: Record<string, string | undefined> }>([
    {
      name: "IPv4's path down, back beside the IPv6 session flapping: its resolve goes out (was held until the flap calmed)",
      steps: [ipv6Flap(), ipv4Down()],
      held: {},
    },
    {
      name: "... and nothing of it while it still fires, beside a Sev2 IPv6 flap on both paths (was its resolve)",
      steps: [ipv6Flap("Sev2", ["primary", "secondary"]), ipv4Down("Sev2", "firing")],
      held: {},
    },
    {
      name: "a path alert merging IPv4 down on the primary with IPv6 down on the secondary is not IPv6's alone: its resolve goes out",
      steps: [
        ipv6Flap("Sev3", ["secondary"]),
        step("path-down", "resolving", {
          code: "bgp-down",
          severity: "Sev1",
          paths: ["primary", "secondary"],
          evidence: {
            findings: [
              { code: "bgp-down", paths: ["primary"] },
              { code: "bgp-down", paths: ["secondary"], family: "ipv6" },
            ],
          },
        }),
      ],
      held: {},
    },
    {
      name: "both families down on the path (layer 2), back beside the IPv6 session flapping: its resolve goes out",
      steps: [
        ipv6Flap(),
        step("path-down", "resolving", {
          code: "arp-missing",
          severity: "Sev2",
          paths: ["primary"],
        }),
      ],
      held: {},
    },
    {
      name: "IPv6's own bgp-down at the flap's severity: held entirely, as before",
      steps: [ipv6Flap(), ipv6Down("Sev3", ["primary"])],
      held: { [pathDown]: undefined },
    },
    {
      name: "IPv6's own bgp-down more severe than the flap (IPv6 down on both paths): only its resolve, as before",
      steps: [ipv6Flap(), ipv6Down("Sev1", ["primary", "secondary"])],
      held: { [pathDown]: "resolve" },
    },
    {
      name: "IPv4 near its limit beside the IPv6 flap: its resolve goes out (was held)",
      steps: [
        ipv6Flap(),
        step("route-limit", "resolving", {
          code: "prefix-limit-near",
          severity: "Sev3",
          paths: ["primary"],
          evidence: { family: "ipv4" },
        }),
      ],
      held: {},
    },
    {
      name: "IPv6 near its limit (100) while its session resets there: its resolve waits for the flap, as before",
      steps: [
        ipv6Flap(),
        step("route-limit", "resolving", {
          code: "prefix-limit-near",
          severity: "Sev2",
          paths: ["primary"],
          evidence: { family: "ipv6" },
        }),
      ],
      held: { [routeLimit]: "resolve" },
    },
    {
      name: "the opposite: IPv4 flapping keeps IPv4's own path alert open (its resolve), as before",
      steps: [ipv4Flap, ipv4Down("Sev0")],
      held: { [pathDown]: "resolve" },
    },
    {
      name: "IPv4 flapping holds IPv6's bgp-down at or below its severity, as before",
      steps: [ipv4Flap, ipv6Down("Sev3", ["primary"])],
      held: { [pathDown]: undefined },
    },
    {
      name: "IPv6 down on both paths still keeps the end-to-end alert it explains open (its resolve)",
      steps: [
        ipv6Down("Sev1", ["primary", "secondary"]),
        step("end-to-end", "resolving", { code: "e2e-fail", severity: "Sev1", paths: [] }),
      ],
      held: { [endToEnd]: "resolve" },
    },
  ])("$name", ({ steps, held }) => {
    const holds = holdsOf(steps, CIRCUIT_ID);
    expect(Object.fromEntries([...holds].map(([key, hold]) => [key, hold.only]))).toEqual(held);
  });
});

describe("an IPv6 flap takes its own churn off the shared path alert", () => {
  const flap = (paths: PathName[], extra: Partial<Finding> = {}): Finding => ({
    code: "session-flapping",
    addressFamily: "ipv6",
    layer: "bgp",
    owner: "you",
    severity: paths.length === 2 ? "Sev2" : "Sev3",
    peering: PRIVATE,
    paths,
    title: "IPv6 BGP session flapping",
    evidence: { family: "ipv6" },
    nextAction: "n",
    ...extra,
  });
  const ipv4Flap: Finding = { ...flap(["primary"]), severity: "Sev2", evidence: {} };
  delete ipv4Flap.addressFamily;
  const carrying: PathSpec = { bgp: [v4("120"), v6("60")] };
  const read = (primary: PathSpec, secondary: PathSpec = carrying): CircuitSpec => ({
    paths: { [PRIVATE]: { primary, secondary } },
  });
  const pathDown = alertKey(CIRCUIT_ID, PRIVATE, "path-down");

  it.each<{ name: string; spec: CircuitSpec; flaps: Finding[]; fires: PathName[] | null }>([
    {
      name: "IPv6 Idle on the flapping path (Sev3): the flap's churn, the path alert is clean (was firing)",
      spec: read({ bgp: [v4("120"), v6("Idle", "never")] }),
      flaps: [flap(["primary"])],
      fires: null,
    },
    {
      name: "0 IPv6 prefixes on the flapping path: the same",
      spec: read({ bgp: [v4("120"), v6("0")] }),
      flaps: [flap(["primary"])],
      fires: null,
    },
    {
      name: "IPv6 Idle on both paths (Sev1) beside a one-path flap (Sev3): more severe, it fires",
      spec: read({ bgp: [v4("120"), v6("Idle", "never")] }, { bgp: [v4("120"), v6("Idle")] }),
      flaps: [flap(["primary"])],
      fires: ["primary", "secondary"],
    },
    {
      name: "IPv6 Idle on both paths (Sev1) beside a flap on both (Sev2): more severe, it fires",
      spec: read({ bgp: [v4("120"), v6("Idle", "never")] }, { bgp: [v4("120"), v6("Idle")] }),
      flaps: [flap(["primary", "secondary"])],
      fires: ["primary", "secondary"],
    },
    {
      name: "IPv6 Idle on the path that does not flap: it fires",
      spec: read(carrying, { bgp: [v4("120"), v6("Idle", "never")] }),
      flaps: [flap(["primary"])],
      fires: ["secondary"],
    },
    {
      name: "IPv4 Idle on the path where IPv6 flaps: IPv4's own outage fires",
      spec: read({ bgp: [v4("Idle", "never"), v6("60")] }),
      flaps: [flap(["primary"])],
      fires: ["primary"],
    },
    {
      name: "IPv4 down on the primary (IPv6 carrying there), IPv6 down on the flapping secondary: the alert fires for IPv4's path alone",
      spec: read(
        { bgp: [v4("Idle", "never"), v6("60")] },
        { bgp: [v4("120"), v6("Idle", "never")] },
      ),
      flaps: [flap(["secondary"])],
      fires: ["primary"],
    },
    {
      name: "an IPv4 flap takes nothing of IPv6's (its inhibition holds it instead)",
      spec: read({ bgp: [v4("120"), v6("Idle", "never")] }),
      flaps: [ipv4Flap],
      fires: ["primary"],
    },
    {
      name: "an IPv6 flap on another peering takes nothing",
      spec: read({ bgp: [v4("120"), v6("Idle", "never")] }),
      flaps: [flap(["primary"], { peering: "MicrosoftPeering" })],
      fires: ["primary"],
    },
  ])("$name", ({ spec, flaps, fires }) => {
    const verdict = classifyCircuit(circuitReading(spec));
    const withFlaps = { ...verdict, findings: [...verdict.findings, ...flaps] };
    const path = observe(withFlaps, [
      { key: pathDown, family: "path-down", peering: PRIVATE },
    ]).find((o) => o.key === pathDown)!;
    expect(path.state).toBe(fires ? "firing" : "clean");
    expect(path.finding?.paths ?? null).toEqual(fires);
  });
});

describe("a Disabled IPv6 side is judged by nothing", () => {
  const NOW = new Date("2026-11-22T02:01:00.000Z");
  const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
  const withIpv6 = (state: string | null, base: PeeringFacts = peering()): PeeringFacts => ({
    ...base,
    ipv6: {
      state,
      advertisedPublicPrefixesState:
        base.peeringType === "MicrosoftPeering" ? "ValidationNeeded" : null,
      advertisedPublicPrefixes: [],
    },
  });
  const both = (row: ReturnType<typeof v6> | null, ipv4 = v4("120")): PathSpec => ({
    bgp: row ? [ipv4, row] : [ipv4],
  });
  const summary = (f: Finding) =>
    `${f.code} ${f.severity} ${f.paths.join("+")}${f.evidence.family === "ipv6" ? " ipv6" : ""}`;

  it.each<{ name: string; spec: CircuitSpec; findings: string[] }>([
    {
      name: "Enabled, IPv6 Idle on the primary: IPv6 redundancy lost (Sev3)",
      spec: {
        peerings: [withIpv6("Enabled")],
        paths: { [PRIVATE]: { primary: both(v6("Idle", "never")), secondary: both(v6("60")) } },
      },
      findings: ["bgp-down Sev3 primary ipv6"],
    },
    {
      name: "Enabled, IPv6 Idle on both paths: IPv6 traffic stopped (Sev1)",
      spec: {
        peerings: [withIpv6("Enabled")],
        paths: { [PRIVATE]: { primary: both(v6("Idle")), secondary: both(v6("Connect")) } },
      },
      findings: ["bgp-down Sev1 primary+secondary ipv6"],
    },
    {
      name: "Disabled, the IPv6 neighbor listed Idle on both paths: nothing",
      spec: {
        peerings: [withIpv6("Disabled")],
        paths: { [PRIVATE]: { primary: both(v6("Idle")), secondary: both(v6("Idle")) } },
      },
      findings: [],
    },
    {
      name: "Disabled, listed Connect on the primary: nothing",
      spec: {
        peerings: [withIpv6("Disabled")],
        paths: { [PRIVATE]: { primary: both(v6("Connect")), secondary: both(null) } },
      },
      findings: [],
    },
    {
      name: "Disabled, Established with 0 IPv6 prefixes on both paths: nothing (Enabled: Sev1)",
      spec: {
        peerings: [withIpv6("Disabled")],
        paths: { [PRIVATE]: { primary: both(v6("0")), secondary: both(v6("0")) } },
      },
      findings: [],
    },
    {
      name: "Disabled, at 97 of its 100 IPv6 routes: nothing",
      spec: {
        peerings: [withIpv6("Disabled")],
        paths: { [PRIVATE]: { primary: both(v6("97")), secondary: both(v6("97")) } },
      },
      findings: [],
    },
    {
      name: "Disabled and not listed: nothing",
      spec: {
        peerings: [withIpv6("Disabled")],
        paths: { [PRIVATE]: { primary: both(null), secondary: both(null) } },
      },
      findings: [],
    },
    {
      name: "Disabled, IPv4 Idle on the primary beside the Idle IPv6 neighbor: IPv4's path down only",
      spec: {
        peerings: [withIpv6("Disabled")],
        paths: {
          [PRIVATE]: {
            primary: both(v6("Idle"), v4("Idle", "never")),
            secondary: both(v6("Idle")),
          },
        },
      },
      findings: ["bgp-down Sev2 primary"],
    },
    {
      name: "Microsoft peering, IPv6 side Disabled with its prefixes ValidationNeeded and its neighbor Idle: nothing",
      spec: {
        peerings: [withIpv6("Disabled", microsoftPeering("Configured"))],
        settings: { expectedPeerings: ["MicrosoftPeering"], expectGateway: false },
        paths: { MicrosoftPeering: { primary: both(v6("Idle")), secondary: both(v6("Idle")) } },
      },
      findings: [],
    },
    {
      name: "state left out by ARM (null), IPv6 Idle on the primary: judged as listed (Sev3)",
      spec: {
        peerings: [withIpv6(null)],
        paths: { [PRIVATE]: { primary: both(v6("Idle")), secondary: both(v6("60")) } },
      },
      findings: ["bgp-down Sev3 primary ipv6"],
    },
    {
      name: "state left out by ARM (null), no IPv6 neighbor listed: nothing",
      spec: {
        peerings: [withIpv6(null)],
        paths: { [PRIVATE]: { primary: both(null), secondary: both(null) } },
      },
      findings: [],
    },
    {
      name: "no ipv6PeeringConfig at all, IPv6 Idle listed on the primary: judged as before (Sev3)",
      spec: {
        paths: { [PRIVATE]: { primary: both(v6("Idle")), secondary: both(v6("60")) } },
      },
      findings: ["bgp-down Sev3 primary ipv6"],
    },
  ])("$name", ({ spec, findings }) => {
    const { verdict } = evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW);
    expect(verdict.findings.map(summary)).toEqual(findings);
  });

  it("Disabled: the IPv4 path alert's evidence lists no IPv6 neighbor, and the peering no IPv6 count", () => {
    const { verdict } = evaluateCircuit(
      circuitReading({
        peerings: [withIpv6("Disabled")],
        paths: {
          [PRIVATE]: { primary: both(v6("Idle"), v4("Idle", "never")), secondary: both(v6("12")) },
        },
      }),
      null,
      [],
      [],
      POLICY,
      NOW,
    );
    const down = verdict.findings.find((f) => f.code === "bgp-down")!;
    expect(down.title).toMatch(/^BGP Idle on the primary path of AzurePrivatePeering/);
    expect(down.evidence.neighbors).toEqual({ primary: [v4("Idle", "never")] });
    expect(verdict.peerings[0]!.ipv6).toBeUndefined();
  });

  it.each([
    { state: "Enabled", resets: ["primary ipv6"] },
    { state: "Disabled", resets: [] },
    { state: null, resets: ["primary ipv6"] },
  ])("an IPv6 reset seen in the uptime when the side is $state: $resets", ({ state, resets }) => {
    const at = (minute: number, primary: string) =>
      circuitReading({
        readAt: new Date(NOW.getTime() + minute * 60_000).toISOString(),
        peerings: [withIpv6(state)],
        paths: { [PRIVATE]: { primary: both(v6("60", primary)), secondary: both(v6("60")) } },
      });
    const first = evaluateCircuit(at(0, "3d04h"), null, [], [], POLICY, NOW);
    const later = new Date(NOW.getTime() + 5 * 60_000);
    const second = evaluateCircuit(at(5, "00:01:00"), first.snapshot, [], [], POLICY, later);
    expect(
      second.changes
        .filter((c) => c.kind === "reset")
        .map((c) => `${c.path} ${c.kind === "reset" ? (c.family ?? "ipv4") : ""}`),
    ).toEqual(resets);
  });
});

// Fleet grouping as tables: which circuits group, what the one finding says,
// and the fleet step's observations and holds across a sweep.

import { describe, expect, it } from "vitest";
import { alertKey, FAMILY_OF } from "../../src/core/alert-identity.js";
import { advanceStep, decideStep, holdsOf, type Holds } from "../../src/core/alert-step.js";
import {
  fleetAt,
  fleetBlindNow,
  fleetBlindTicks,
  fleetCandidates,
  fleetCircuitId,
  fleetFinding,
  fleetGroups,
  fleetIdsAt,
  fleetMemberRead,
  fleetMembersReadAt,
  fleetMembersToLookUp,
  fleetOver,
  fleetReadByTick,
  fleetSettledAt,
  fleetStep,
  FLEET_RULE,
  memberSnapshotOf,
  openFleetOf,
  type FleetCandidate,
  type MemberSnapshot,
} from "../../src/core/fleet.js";
import { advance, decide, type AlertState } from "../../src/core/lifecycle.js";
import type {
  CircuitVerdict,
  Finding,
  FindingCode,
  Layer,
  Severity,
} from "../../src/core/model.js";
import type { Observation } from "../../src/core/observe.js";
import {
  DEFAULT_ALERT_POLICY,
  hysteresisOf,
  tickSlackMs,
  type AlertPolicy,
  type Silence,
} from "../../src/core/policy.js";
import { subjectVerdict } from "../../src/core/sight.js";
import { circuitReading, failed } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");

function finding(code: FindingCode, severity: Severity, layer: Layer = "provider"): Finding {
  return {
    code,
    layer,
    owner: "carrier",
    severity,
    peering: "AzurePrivatePeering",
    paths: ["primary", "secondary"],
    title: `${code} on both paths`,
    nextAction: "Open a carrier ticket.",
    evidence: {},
    ticket: `ticket for ${code}`,
  };
}

function candidate(
  name: string,
  f: Finding = finding("arp-missing", "Sev0"),
  where: { provider?: string | null; location?: string | null } = {},
  fresh = true,
  pagesAlone = false,
): FleetCandidate {
  const circuitId = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
  return {
    circuitId,
    key: alertKey(circuitId, f.peering, "path-down"),
    fresh,
    pagesAlone,
    circuitName: name,
    subscriptionId: "s",
    serviceKey: `key-${name}`,
    provider: where.provider === undefined ? "Equinix" : where.provider,
    location: where.location === undefined ? "Amsterdam" : where.location,
    finding: f,
  };
}

describe("fleetGroups", () => {
  it.each([
    { case: "three at one provider and location", circuits: ["a", "b", "c"], groups: [3] },
    { case: "one alone is just an outage", circuits: ["a"], groups: [] },
  ])("$case", ({ circuits, groups }) => {
    expect(fleetGroups(circuits.map((n) => candidate(n))).map((g) => g.members.length)).toEqual(
      groups,
    );
  });

  it.each<{ case: string; other: FleetCandidate; grouped: number }>([
    {
      case: "another location",
      other: candidate("b", undefined, { location: "London" }),
      grouped: 0,
    },
    {
      case: "another provider",
      other: candidate("b", undefined, { provider: "Colt" }),
      grouped: 0,
    },
    {
      case: "another layer",
      other: candidate("b", finding("bgp-down", "Sev0", "bgp")),
      grouped: 0,
    },
    { case: "no provider known", other: candidate("b", undefined, { provider: null }), grouped: 0 },
    { case: "no location known", other: candidate("b", undefined, { location: null }), grouped: 0 },
    {
      case: "not an outage family (a gateway)",
      other: candidate("b", finding("gateway-not-connected", "Sev1", "gateway")),
      grouped: 0,
    },
    {
      case: "too mild to page now (Sev2)",
      other: candidate("b", finding("arp-missing", "Sev2")),
      grouped: 0,
    },
    {
      case: "the provider side, case aside",
      other: candidate("b", undefined, { provider: "EQUINIX ", location: "amsterdam" }),
      grouped: 2,
    },
    { case: "the same circuit twice", other: candidate("a"), grouped: 0 },
  ])("a second circuit with $case", ({ other, grouped }) => {
    const groups = fleetGroups([candidate("a"), other]);
    expect(groups.reduce((n, g) => n + g.members.length, 0)).toBe(grouped);
  });

  it.each<{ layer: Layer; grouped: number }>([
    { layer: "provider", grouped: 2 },
    { layer: "bgp", grouped: 2 },
    { layer: "routes", grouped: 2 },
    // A place's fleet alerts are read one per layer when the Alerts table cannot be
    // listed (FLEET_LAYERS): an outage at any other layer pages as the circuit's own.
    { layer: "peering", grouped: 0 },
  ])("two circuits down at the $layer layer: grouped $grouped", ({ layer, grouped }) => {
    const both = ["a", "b"].map((n) => candidate(n, finding("bgp-down", "Sev0", layer)));
    const groups = fleetGroups(both);
    expect(groups.reduce((n, g) => n + g.members.length, 0)).toBe(grouped);
    for (const g of groups)
      expect(fleetIdsAt(" EQUINIX", "amsterdam ")).toContain(
        fleetCircuitId("Equinix", "Amsterdam", g.layer).toLowerCase(),
      );
  });

  // IPv6 down (or receiving nothing) beside IPv4 carrying is that circuit's IPv6, not the
  // place's outage: a site or carrier failure takes both families. It pages on its own.
  const ipv6Alone = (code: FindingCode, layer: Layer): Finding => ({
    ...finding(code, "Sev1", layer),
    title: `IPv6 ${code} on both paths; IPv4 Established and carrying — IPv6 traffic stopped`,
    evidence: { family: "ipv6" },
  });
  it.each<{ case: string; circuits: FleetCandidate[]; grouped: number }>([
    {
      case: "a Sev0 BGP outage and IPv6 alone down on another circuit",
      circuits: [
        candidate("a", finding("bgp-down", "Sev0", "bgp")),
        candidate("b", ipv6Alone("bgp-down", "bgp")),
      ],
      grouped: 0,
    },
    {
      case: "a Sev0 routes outage and IPv6 alone receiving nothing on another circuit",
      circuits: [
        candidate("a", finding("no-prefixes-received", "Sev0", "routes")),
        candidate("b", ipv6Alone("no-prefixes-received", "routes")),
      ],
      grouped: 0,
    },
    {
      case: "IPv6 alone down on two circuits",
      circuits: [
        candidate("a", ipv6Alone("bgp-down", "bgp")),
        candidate("b", ipv6Alone("bgp-down", "bgp")),
      ],
      grouped: 0,
    },
    {
      case: "two Sev0 BGP outages (IPv4 and with it the path)",
      circuits: [
        candidate("a", finding("bgp-down", "Sev0", "bgp")),
        candidate("b", finding("bgp-down", "Sev0", "bgp")),
      ],
      grouped: 2,
    },
  ])("$case: grouped $grouped", ({ circuits, grouped }) => {
    const groups = fleetGroups(circuits);
    expect(groups.reduce((n, g) => n + g.members.length, 0)).toBe(grouped);
  });

  it("names the pseudo-circuit by provider, location and layer, stably", () => {
    const id = fleetCircuitId("Equinix", "Amsterdam", "provider");
    expect(id).toMatch(/^\/erwatch\/fleet\/equinix\/amsterdam\/provider-[0-9a-f]{12}$/);
    expect(fleetCircuitId(" equinix", "AMSTERDAM ", "provider")).toBe(id);
    expect(fleetCircuitId("Equinix", "Amsterdam", "bgp")).not.toBe(id);
  });

  // One carrier site spelt with a doubled or non-breaking space is one place:
  // before, each spelling was its own fleet alert and the outage paged per circuit.
  it.each([
    { case: "a doubled space", provider: "Equinix", location: "Silicon  Valley" },
    { case: "a non-breaking space", provider: "Equinix", location: "Silicon\u00a0Valley" },
    { case: "a tab and padding", provider: " Equinix\u00a0", location: "Silicon\tValley " },
    { case: "another case too", provider: "EQUINIX", location: "silicon \u00a0 valley" },
  ])("groups a circuit whose place has $case with one spelt plainly", ({ provider, location }) => {
    const plain = candidate("a", undefined, { location: "Silicon Valley" });
    const odd = candidate("b", undefined, { provider, location });
    const groups = fleetGroups([plain, odd]);
    expect(groups.map((g) => g.members.length)).toEqual([2]);
    expect(groups[0]!.id).toBe(fleetCircuitId("Equinix", "Silicon Valley", "provider"));
    expect(fleetIdsAt(provider, location)).toEqual(fleetIdsAt("Equinix", "Silicon Valley"));
  });

  // Open fleet alerts are stored under these ids: a place already spelt plainly
  // keeps the id it had, or its open alert would be orphaned and paged again.
  it.each([
    {
      provider: "Equinix",
      location: "Amsterdam",
      layer: "provider" as const,
      id: "/erwatch/fleet/equinix/amsterdam/provider-82ee1a10960f",
    },
    {
      provider: "Megaport",
      location: "Silicon Valley",
      layer: "bgp" as const,
      id: "/erwatch/fleet/megaport/silicon-valley/bgp-1980b418a9ba",
    },
    {
      provider: " AT&T Netbond ",
      location: "Washington DC",
      layer: "routes" as const,
      id: "/erwatch/fleet/at-t-netbond/washington-dc/routes-0cf6fc227ca3",
    },
  ])("keeps the id of $provider at $location ($layer)", ({ provider, location, layer, id }) => {
    expect(fleetCircuitId(provider, location, layer)).toBe(id);
  });
});

describe("fleetAt (the status page's provider and location filters)", () => {
  const id = fleetCircuitId("Equinix Inc.", "Amsterdam", "provider");
  it.each([
    { where: { provider: "Equinix Inc.", location: null }, at: true },
    // Grouped in any case, so filtered in any case.
    { where: { provider: "EQUINIX INC.", location: " amsterdam" }, at: true },
    { where: { provider: null, location: "Amsterdam" }, at: true },
    { where: { provider: "Equinix", location: null }, at: false },
    { where: { provider: "Equinix Inc.", location: "London" }, at: false },
  ])("$where → $at", ({ where, at }) => {
    expect(fleetAt(id, where)).toBe(at);
  });
  it("is not asked of a circuit or a subscription", () => {
    const where = { provider: "Equinix", location: null };
    expect(fleetAt("/subscriptions/0000/resourceGroups/rg/providers/x/y/er-a", where)).toBeNull();
    expect(fleetAt("/subscriptions/0000", where)).toBeNull();
  });
});

describe("fleetFinding", () => {
  it("names every circuit, takes the worst severity and lists every service key", () => {
    const [group] = fleetGroups([
      candidate("c", finding("arp-missing", "Sev1")),
      candidate("a"),
      candidate("b"),
    ]);
    const f = fleetFinding(group!);
    expect(f).toMatchObject({ code: "fleet-outage", severity: "Sev0", owner: "carrier" });
    expect(f.title).toMatch(/^3 circuits through Equinix at Amsterdam .*: a, b, c/);
    for (const n of ["a", "b", "c"]) expect(f.ticket).toContain(`key-${n}`);
    expect(f.ticket).toContain("ticket for arp-missing");
    expect(f.nextAction).toMatch(/one ticket with Equinix/);
  });

  it.each([
    [30, 38],
    [300, 80],
  ])(
    "keeps what broke in the title of %i circuits with %i-character names, naming as many as fit",
    (count, length) => {
      const names = Array.from({ length: count }, (_, i) =>
        `er-ams-${String(i).padStart(3, "0")}-`.padEnd(length, "x"),
      );
      const member = {
        ...finding("arp-missing", "Sev0"),
        title:
          "Layer 2 down on the primary and secondary paths of AzurePrivatePeering: ARP table empty — traffic stopped",
      };
      const [group] = fleetGroups(names.map((n) => candidate(n, member)));
      const f = fleetFinding(group!);
      // What broke survives the Teams headline's cut (600) and the PagerDuty summary's (1,024).
      expect(f.title.length).toBeLessThanOrEqual(600 - 100);
      expect(f.title).toContain(` — ${member.title}`);
      const shown = names.filter((n) => f.title.includes(n));
      expect(shown.length).toBeGreaterThan(0);
      expect(f.title).toContain(`and ${count - shown.length} more (every one in the ticket)`);
      for (const n of names) expect(f.ticket).toContain(`key-${n}`);
    },
  );

  it("is not the carrier's when one member's break is yours", () => {
    const yours = { ...finding("bgp-down", "Sev0", "bgp"), owner: "you" as const };
    const [group] = fleetGroups([
      candidate("a", finding("bgp-down", "Sev0", "bgp")),
      candidate("b", yours),
    ]);
    expect(fleetFinding(group!).owner).not.toBe("carrier");
    expect(fleetFinding(group!).nextAction).toMatch(/what they share/);
  });

  it.each([
    ["carrier", "carrier", true],
    ["shared", "carrier+you", true],
    ["you", "you", false],
  ] as const)(
    "carries a carrier ticket when the break is the carrier's or shared, none when all yours (%s)",
    (owner, members, ticketed) => {
      const owners = members.split("+") as ("carrier" | "you")[];
      const names = Array.from({ length: 30 }, (_, i) => `er-ams-${i}`.padEnd(38, "x"));
      const [group] = fleetGroups(
        names.map((n, i) =>
          candidate(n, {
            ...finding("bgp-down", "Sev0", "bgp"),
            owner: owners[i % owners.length]!,
          }),
        ),
      );
      const f = fleetFinding(group!);
      expect(f.owner).toBe(owner);
      expect(f.ticket !== undefined).toBe(ticketed);
      // The title's "and N more" points at where every name is.
      expect(f.title).toMatch(
        ticketed ? /more \(every one in the ticket\)/ : /more \(every one in the evidence\)/,
      );
      expect((f.evidence["circuits"] as unknown[]).length).toBe(30);
    },
  );
});

describe("fleetCandidates", () => {
  const verdict = (where: Partial<CircuitVerdict>): CircuitVerdict => ({
    ...subjectVerdict(
      { id: "/subscriptions/s/x/a", name: "a", subscriptionId: "s", resourceGroup: "rg" },
      NOW,
    ),
    serviceKey: "key-a",
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
    ...where,
  });
  const obs = (state: Observation["state"], f: Finding | null): Observation => ({
    key: "k",
    family: "path-down",
    circuitId: "/subscriptions/s/x/a",
    peering: "AzurePrivatePeering",
    state,
    finding: f,
    previousReadAt: null,
  });
  const prior = (phase: AlertState["phase"], told = true) =>
    new Map([
      ["k", { phase, notified: told ? { severity: "Sev0" } : null } as unknown as AlertState],
    ]);
  const judgement = { policy: DEFAULT_ALERT_POLICY, silences: [], now: NOW };

  it.each<{
    case: string;
    v: Partial<CircuitVerdict>;
    o: Observation;
    prev?: Map<string, AlertState>;
    want: boolean[];
  }>([
    {
      case: "a firing outage, new",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev0")),
      want: [true],
    },
    {
      case: "already open",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev0")),
      prev: prior("firing"),
      want: [false],
    },
    {
      // Held one sweep by a fleet alert that could not be written: it pages on its own now.
      case: "firing and never told",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev0")),
      prev: prior("firing", false),
      want: [false],
    },
    {
      // Hunt seed 873: read clean once, it broke again beside the others at its site.
      case: "resolving, held by a fleet alert and never told, breaking again",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev0")),
      prev: prior("resolving", false),
      want: [true],
    },
    {
      case: "resolving after paging on its own, breaking again",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev0")),
      prev: prior("resolving"),
      want: [false],
    },
    {
      case: "pending before",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev1")),
      prev: prior("pending", false),
      want: [true],
    },
    {
      // Hunt seed 924 (fan-out): its path-down paged on its own, its resolve held
      // by a flap, so the receivers still hold that page; named by a fleet alert
      // when the site broke, the outage paged twice.
      case: "clear, its resolve held (never sent), breaking again",
      v: {},
      o: obs("firing", finding("arp-missing", "Sev0")),
      prev: prior("clear"),
      want: [false],
    },

    { case: "clean", v: {}, o: obs("clean", null), want: [] },
    {
      case: "no provider",
      v: { serviceProviderName: null },
      o: obs("firing", finding("arp-missing", "Sev0")),
      want: [],
    },
    {
      case: "no location",
      v: { peeringLocation: " " },
      o: obs("firing", finding("arp-missing", "Sev0")),
      want: [],
    },
  ])("$case", ({ v, o, prev, want }) => {
    expect(
      fleetCandidates(verdict(v), [o], prev ?? new Map(), judgement).map((c) => c.fresh),
    ).toEqual(want);
  });
});

describe("fleetCandidates: whether a member's own alert would page alone now", () => {
  const id = "/subscriptions/s/x/a";
  const circuit = { id, name: "a" };
  const v: CircuitVerdict = {
    ...subjectVerdict({ id, name: "a", subscriptionId: "s", resourceGroup: "rg" }, NOW),
    serviceKey: "key-a",
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
  };
  const ago = (m: number) => new Date(NOW.getTime() - m * 60_000);
  const flap = finding("session-flapping", "Sev1", "bgp");
  const unverified = finding("arp-missing", "Sev1");
  const bothDown = finding("arp-missing", "Sev0");
  const deprovisioned = { ...finding("provider-not-provisioned", "Sev0"), peering: null };
  /** Firing now; the circuit was last read a sweep ago (clean, unless `previous` says otherwise). */
  const obs = (f: Finding, previousReadAt = ago(5)): Observation => ({
    key: alertKey(id, f.peering, FAMILY_OF[f.code]),
    family: FAMILY_OF[f.code],
    circuitId: id,
    peering: f.peering,
    state: "firing",
    finding: f,
    previousReadAt: previousReadAt.toISOString(),
  });
  /** The key as the sweep a timer tick ago left it: firing for one sweep, heard or not. */
  const lastSweep = (f: Finding, heard: boolean): [string, AlertState] => {
    const o = obs(f, ago(10));
    const h = hysteresisOf(DEFAULT_ALERT_POLICY, circuit, o.family);
    let state = advance(null, o, h, "a", ago(5))!;
    if (heard)
      state = decide(state, {
        now: ago(5),
        repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
        tickSlackMs: tickSlackMs(5),
        silencedBy: null,
        inhibitedBy: null,
        blind: false,
      }).next;
    return [o.key, state];
  };
  const maintenance: Silence = {
    id: "carrier-maintenance",
    circuit: "a",
    window: { kind: "once", start: ago(30).toISOString(), end: ago(-30).toISOString() },
  };

  it.each<{
    case: string;
    findings: Finding[];
    previous?: [string, AlertState][];
    policy?: Partial<AlertPolicy>;
    silences?: Silence[];
    want: [string, boolean][];
  }>([
    {
      case: "a flap opens at once (proven over its window)",
      findings: [flap],
      want: [["session-flapping", true]],
    },
    {
      case: "a Sev0 outage opens at once",
      findings: [bothDown],
      want: [["arp-missing", true]],
    },
    {
      case: "a new Sev1 outage waits its hysteresis",
      findings: [unverified],
      want: [["arp-missing", false]],
    },
    {
      case: "a Sev1 outage pending since the sweep before opens now",
      findings: [unverified],
      previous: [lastSweep(unverified, false)],
      want: [["arp-missing", true]],
    },
    {
      case: "a Sev1 outage the circuit's own policy opens after one sweep",
      findings: [unverified],
      policy: { circuits: { a: { openAfter: { Sev1: 1 } } } },
      want: [["arp-missing", true]],
    },
    {
      case: "an outage the receivers already heard does not open again",
      findings: [bothDown],
      previous: [lastSweep(bothDown, true)],
      want: [["arp-missing", false]],
    },
    {
      case: "a flap held by its own circuit's provider alert does not page alone",
      findings: [deprovisioned, flap],
      want: [
        ["provider-not-provisioned", true],
        ["session-flapping", false],
      ],
    },
    {
      case: "a flap inside a silence does not page alone",
      findings: [flap],
      silences: [maintenance],
      want: [["session-flapping", false]],
    },
  ])("$case", ({ findings, previous, policy, silences, want }) => {
    const candidates = fleetCandidates(
      v,
      findings.map((f) => obs(f)),
      new Map(previous ?? []),
      {
        policy: { ...DEFAULT_ALERT_POLICY, ...policy },
        silences: silences ?? [],
        now: NOW,
      },
    );
    expect(candidates.map((c) => [c.finding.code, c.pagesAlone])).toEqual(want);
  });
});

/**
 * Sweeps at the default 5-minute cadence, every circuit read each sweep, two
 * ways: grouped (the fleet step, then each member held by what it holds) and
 * each circuit alone (no fleet step). `breaks[name]`: the circuit's finding
 * at each sweep, null when clean.
 */
function sweepsOf(
  breaks: Record<string, (Finding | null)[]>,
  policy = DEFAULT_ALERT_POLICY,
  /** Each sweep's minute and whether it is the timer's tick; absent: a sweep every 5 minutes, by time alone. */
  schedule?: [minute: number, by: "tick" | "on demand"][],
) {
  const at = (k: number) => new Date(NOW.getTime() + (schedule?.[k]?.[0] ?? k * 5) * 60_000);
  const ticks = (k: number) => (schedule?.[k]?.[1] === "tick" ? { tick: true } : {});
  const circuits = Object.entries(breaks).map(([name, timeline]) => {
    const id = `/subscriptions/s/x/${name}`;
    const f = timeline.find((x) => x !== null)!;
    const v: CircuitVerdict = {
      ...subjectVerdict({ id, name, subscriptionId: "s", resourceGroup: "rg" }, NOW),
      serviceKey: `key-${name}`,
      serviceProviderName: "Equinix",
      peeringLocation: "Amsterdam",
    };
    return { v, timeline, key: alertKey(id, f.peering, FAMILY_OF[f.code]), f };
  });
  const read = new Set(circuits.map((c) => c.v.id.toLowerCase()));
  const grouped = new Map<string, AlertState>();
  const alone = new Map<string, AlertState>();
  let fleet: AlertState | null = null;
  const opens = { fleet: [] as number[], grouped: [] as string[], alone: [] as number[] };
  /** One key through advance, inhibition (its circuit's and `extra`) and decide. */
  const judge = (
    o: Observation,
    previous: AlertState | null,
    circuit: { id: string; name: string },
    now: Date,
    extra: Holds = new Map(),
  ) => {
    const ctx = { policy, silences: [], circuit, now, ...ticks(k) };
    const step = advanceStep(o, previous, ctx);
    const holds = holdsOf([step], circuit.id);
    for (const [key, hold] of extra) if (!holds.has(key)) holds.set(key, hold);
    return decideStep(step, holds, ctx);
  };
  let k = 0;
  for (; k < circuits[0]!.timeline.length; k += 1) {
    const now = at(k);
    const observations = circuits.map((c) => {
      const f = c.timeline[k] ?? null;
      const o: Observation = {
        key: c.key,
        family: FAMILY_OF[c.f.code],
        circuitId: c.v.id,
        peering: c.f.peering,
        state: f ? "firing" : "clean",
        finding: f,
        previousReadAt: k === 0 ? null : at(k - 1).toISOString(),
      };
      return { c, o };
    });
    const candidates = observations.flatMap(({ c, o }) =>
      fleetCandidates(c.v, [o], grouped, { policy, silences: [], now, ...ticks(k) }),
    );
    const open = fleet ? [openFleetOf(fleet, now)].flatMap((x) => x ?? []) : [];
    const step = fleetStep(candidates, open, read);
    for (const { subject, observation } of step.observations) {
      const d = judge(observation, fleet, subject, now);
      if (d?.action === "open") opens.fleet.push(k);
      fleet = d?.next ?? fleet;
    }
    for (const { c, o } of observations) {
      const together = judge(o, grouped.get(c.key) ?? null, c.v, now, step.holds);
      if (together?.action === "open") opens.grouped.push(`${c.v.name}@${k}`);
      if (together) grouped.set(c.key, together.next);
      const byItself = judge(o, alone.get(c.key) ?? null, c.v, now);
      if (byItself?.action === "open") opens.alone.push(k);
      if (byItself) alone.set(c.key, byItself.next);
    }
  }
  return opens;
}

describe("a fleet alert opens when its first member alone would have, never later", () => {
  const flap = finding("session-flapping", "Sev1", "bgp");
  const unverified = finding("arp-missing", "Sev1");
  const bothDown = finding("arp-missing", "Sev0");
  const ipv6Down = finding("bgp-down", "Sev1", "bgp");
  it.each<{ case: string; breaks: Record<string, (Finding | null)[]>; sweep: number }>([
    {
      case: "two circuits flapping on layer-1 evidence: in the sweep that proves it",
      breaks: { a: [flap, flap, flap], b: [flap, flap, flap] },
      sweep: 0,
    },
    {
      case: "two Sev1 outages: after their hysteresis, as alone",
      breaks: { a: [unverified, unverified, unverified], b: [unverified, unverified, unverified] },
      sweep: 1,
    },
    {
      case: "two Sev0 outages: at once",
      breaks: { a: [bothDown, bothDown], b: [bothDown, bothDown] },
      sweep: 0,
    },
    {
      case: "a flap and a Sev1 outage at the same layer: at once, as the flap alone",
      breaks: { a: [flap, flap, flap], b: [ipv6Down, ipv6Down, ipv6Down] },
      sweep: 0,
    },
    {
      case: "a Sev1 outage pending a sweep, another breaking the sweep after: when the first opens",
      breaks: { a: [unverified, unverified, unverified], b: [null, unverified, unverified] },
      sweep: 1,
    },
  ])("$case", ({ breaks, sweep }) => {
    const opens = sweepsOf(breaks);
    expect(Math.min(...opens.alone)).toBe(sweep);
    expect(opens.fleet).toEqual([sweep]);
    // One page for the place: no member paged alone.
    expect(opens.grouped).toEqual([]);
  });
});

describe("a fleet alert opens no earlier than its first member alone would, on demand or on a tick", () => {
  const unverified = finding("arp-missing", "Sev1");
  const U = unverified;
  it.each<{
    case: string;
    schedule: [number, "tick" | "on demand"][];
    breaks: Record<string, (Finding | null)[]>;
    sweep: number;
  }>([
    {
      case: "two Sev1 outages an on-demand sweep found at 10:08, read again on demand at 10:12: at the 10:15 tick, as alone",
      schedule: [
        [0, "tick"],
        [5, "tick"],
        [8, "on demand"],
        [10, "tick"],
        [12, "on demand"],
        [15, "tick"],
      ],
      breaks: { a: [null, null, U, U, U, U], b: [null, null, U, U, U, U] },
      sweep: 5,
    },
    {
      case: "two Sev1 outages first found by the tick after a past-due one (10:06:30 clean, 10:10), on demand at 10:14: at the 10:15 tick",
      schedule: [
        [0, "tick"],
        [6.5, "tick"],
        [10, "tick"],
        [14, "on demand"],
        [15, "tick"],
      ],
      breaks: { a: [null, null, U, U, U], b: [null, null, U, U, U] },
      sweep: 4,
    },
    {
      case: "two Sev1 outages on the ticks alone: at the second tick",
      schedule: [
        [0, "tick"],
        [5, "tick"],
        [10, "tick"],
      ],
      breaks: { a: [null, U, U], b: [null, U, U] },
      sweep: 2,
    },
  ])("$case", ({ schedule, breaks, sweep }) => {
    const opens = sweepsOf(breaks, DEFAULT_ALERT_POLICY, schedule);
    expect(Math.min(...opens.alone)).toBe(sweep);
    expect(opens.fleet).toEqual([sweep]);
    expect(opens.grouped).toEqual([]);
  });
});

describe("fleetStep", () => {
  const three = ["a", "b", "c"].map((n) => candidate(n));
  const id = fleetCircuitId("Equinix", "Amsterdam", "provider");
  const key = alertKey(id, null, "fleet");
  const open = openFleetOf({
    key,
    family: "fleet",
    circuitId: id,
    circuitName: "Equinix at Amsterdam (provider)",
    phase: "firing",
    condition: { ...fleetFinding(fleetGroups(three)[0]!), ticket: null },
    // The receivers heard of it.
    notified: { severity: "Sev0" },
  } as unknown as AlertState)!;
  const read = (names: string[]) => new Set(names.map((n) => candidate(n).circuitId.toLowerCase()));

  it.each<{ case: string; announced: boolean; down: string[]; read: string[]; state: string }>([
    {
      case: "never announced, down to one circuit: over, and that circuit pages as itself",
      announced: false,
      down: ["a"],
      read: ["a", "b", "c"],
      state: "clean",
    },
    {
      case: "never announced, two circuits still down: still a group",
      announced: false,
      down: ["a", "b"],
      read: ["a", "b", "c"],
      state: "firing",
    },
    {
      case: "never announced, one down and one not read (as last seen): still a group",
      announced: false,
      down: ["a"],
      read: ["a", "b"],
      state: "firing",
    },
    {
      case: "announced, down to one circuit: the incident the receivers hold goes on",
      announced: true,
      down: ["a"],
      read: ["a", "b", "c"],
      state: "firing",
    },
  ])("a fleet alert $case", ({ announced, down, read: r, state }) => {
    const stored = { ...open, announced };
    const step = fleetStep(
      down.map((n) => candidate(n, undefined, {}, false)),
      [stored],
      read(r),
    );
    expect(step.observations.map((o) => o.observation.state)).toEqual([state]);
    // A circuit is held only by a group that goes on.
    expect(step.holds.size).toBe(state === "firing" ? down.length : 0);
  });

  it("a circuit whose place is spelt with a doubled space joins the open fleet alert it was named in", () => {
    // Named by the fleet alert, then read with the place spelt another way: still its member.
    const odd = candidate("a", undefined, { location: "Amster  dam" }, false);
    const spelt = candidate("b", undefined, { location: "Amster dam" });
    const stored = fleetCircuitId("Equinix", "Amster dam", "provider");
    const fleet = {
      ...open,
      circuitId: stored,
      memberIds: [odd.circuitId, spelt.circuitId],
      members: open.members.filter((m) => m.id === odd.circuitId || m.id === spelt.circuitId),
    };
    const step = fleetStep([odd, { ...spelt, fresh: false }], [fleet], read(["a", "b"]));
    expect(step.observations.map((o) => [o.subject.id, o.observation.state])).toEqual([
      [stored, "firing"],
    ]);
    expect([...step.holds.keys()].sort()).toEqual([odd.key, spelt.key].sort());
  });

  it("a fleet alert open across the upgrade at a site spelt with a doubled space resolves once and opens again under the site's one key", () => {
    // Its id as the version before core/place.ts hashed "amster  dam": the
    // same place prefix, another hash. Its members' outages, held by it, are
    // not fresh; leaving them out of every group paged each circuit alone.
    const before = "/erwatch/fleet/equinix/amster-dam/provider-cc15bd162c63";
    const down = ["a", "b"].map((n) => candidate(n, undefined, { location: "Amster  dam" }, false));
    const fleet = {
      ...open,
      circuitId: before,
      memberIds: down.map((c) => c.circuitId),
      members: open.members.filter((m) => down.some((c) => c.circuitId === m.id)),
    };
    const step = fleetStep(down, [fleet], read(["a", "b"]));
    const now = fleetCircuitId("Equinix", "Amster dam", "provider");
    expect(now).not.toBe(before);
    expect(step.observations.map((o) => [o.subject.id, o.observation.state])).toEqual([
      [now, "firing"],
      [before, "clean"],
    ]);
    expect([...step.holds.keys()].sort()).toEqual(down.map((c) => c.key).sort());
    // A fleet alert at another layer of the same site is no home for them.
    const other = { ...fleet, circuitId: before.replace("/provider-", "/bgp-") };
    expect(fleetStep(down, [other], read(["a", "b"])).holds.size).toBe(0);
  });

  it("fires one fleet alert for a new group and holds every member's outage", () => {
    const step = fleetStep(three, [], read(["a", "b", "c"]));
    expect(step.observations.map((o) => [o.observation.state, o.observation.key])).toEqual([
      ["firing", key],
    ]);
    expect(step.observations[0]!.observation.finding!.code).toBe("fleet-outage");
    expect([...step.holds.keys()].sort()).toEqual(three.map((c) => c.key).sort());
    expect([...step.holds.values()].every((h) => h.by === key && h.rule === FLEET_RULE)).toBe(true);
  });

  it.each<{ case: string; alone: boolean[]; stored: boolean; atOnce: boolean }>([
    { case: "no member would page alone now", alone: [false, false], stored: false, atOnce: false },
    { case: "one member would page alone now", alone: [false, true], stored: false, atOnce: true },
    {
      case: "a stored fleet alert, one member would page alone now",
      alone: [true, false],
      stored: true,
      atOnce: true,
    },
  ])("opens at once: $case → $atOnce", ({ alone, stored, atOnce }) => {
    const pending = { ...open, memberIds: [], members: [] };
    const candidates = alone.map((a, i) => candidate(["a", "b"][i]!, undefined, {}, true, a));
    const step = fleetStep(candidates, stored ? [pending] : [], read(["a", "b"]));
    expect(step.observations.map((o) => o.observation.opensAtOnce === true)).toEqual([atOnce]);
  });

  it.each<{
    case: string;
    candidates: FleetCandidate[];
    read: string[];
    state: string | null;
    held: number;
  }>([
    {
      case: "nothing groups, nothing open",
      candidates: [candidate("a")],
      read: ["a"],
      state: null,
      held: 0,
    },
    {
      case: "two already paged alone start no group",
      candidates: [candidate("a", undefined, {}, false), candidate("b", undefined, {}, false)],
      read: ["a", "b"],
      state: null,
      held: 0,
    },
  ])("no fleet alert: $case", ({ candidates, read: r, state, held }) => {
    const step = fleetStep(candidates, [], read(r));
    expect(step.observations[0]?.observation.state ?? null).toBe(state);
    expect(step.holds.size).toBe(held);
  });

  it.each<{
    case: string;
    candidates: FleetCandidate[];
    read: string[];
    state: string;
    held: number;
  }>([
    {
      case: "one member still down keeps it firing",
      candidates: [candidate("b", undefined, {}, false)],
      read: ["a", "b", "c"],
      state: "firing",
      held: 1,
    },
    {
      case: "every member read without it: clean",
      candidates: [],
      read: ["a", "b", "c"],
      state: "clean",
      held: 0,
    },
    {
      case: "a member not read: unknown",
      candidates: [],
      read: ["a", "b"],
      state: "unknown",
      held: 0,
    },
    {
      case: "a circuit that paged alone does not join",
      candidates: [candidate("d", undefined, {}, false)],
      read: ["a", "b", "c", "d"],
      state: "clean",
      held: 0,
    },
  ])("an open fleet alert: $case", ({ candidates, read: r, state, held }) => {
    const step = fleetStep(candidates, [open], read(r));
    expect(step.observations.map((o) => o.observation.state)).toEqual([state]);
    expect(step.holds.size).toBe(held);
  });

  // A member erwatch no longer watches (deleted, or tagged erwatch:ignore: its
  // own alerts were resolved and its snapshot forgotten) is never read again.
  it.each<{
    case: string;
    candidates: FleetCandidate[];
    read: string[];
    state: string;
    named: string[];
  }>([
    {
      case: "the others read without it: clean, so it resolves",
      candidates: [],
      read: ["b", "c"],
      state: "clean",
      named: [],
    },
    {
      case: "another still down: it is no longer named",
      candidates: [candidate("b", undefined, {}, false)],
      read: ["b", "c"],
      state: "firing",
      named: ["b"],
    },
  ])("a member no longer watched: $case", ({ candidates, read: r, state, named }) => {
    const gone = new Set([candidate("a").circuitId.toLowerCase()]);
    const step = fleetStep(candidates, [open], read(r), false, gone);
    const [o] = step.observations;
    expect(o!.observation.state).toBe(state);
    const circuits = (o!.observation.finding?.evidence["circuits"] ?? []) as { name: string }[];
    expect(circuits.map((m) => m.name)).toEqual(named);
  });

  // The fleet said a, b and c were down on both paths (Sev0). This sweep a
  // reads one path down and the other unreadable: a Sev1 finding only for
  // want of a reading, as a circuit's own alert is kept (unreadDownPaths).
  const oneUnread = (name: string, unread: string[] = ["primary"]) => ({
    ...candidate(name, { ...finding("arp-missing", "Sev1"), paths: ["secondary"] }, {}, false),
    unreadPaths: unread,
  });
  it.each<{
    case: string;
    candidates: FleetCandidate[];
    read: string[];
    state: string;
    severity: Severity | null;
    named: [string, boolean][];
  }>([
    {
      case: "the only member found, less severe only for a path not read: unknown, held as it was",
      candidates: [oneUnread("a")],
      read: ["a", "b", "c"],
      state: "unknown",
      severity: null,
      named: [],
    },
    {
      case: "beside a member still down on both paths: it stays Sev0, naming it as last seen",
      candidates: [candidate("b", undefined, {}, false), oneUnread("a")],
      read: ["a", "b", "c"],
      state: "firing",
      severity: "Sev0",
      named: [
        ["b", false],
        ["a", true],
      ],
    },
    {
      case: "the unread path is not one the fleet said was down: what it read is news",
      candidates: [
        {
          ...candidate("a", { ...finding("arp-missing", "Sev1"), paths: ["primary"] }, {}, false),
          unreadPaths: ["tertiary"],
        },
      ],
      read: ["a", "b", "c"],
      state: "firing",
      severity: "Sev1",
      named: [["a", false]],
    },
    {
      case: "every path read, one recovered: de-escalated (the recovery is real)",
      candidates: [oneUnread("a", [])],
      read: ["a", "b", "c"],
      state: "firing",
      severity: "Sev1",
      named: [["a", false]],
    },
  ])("a member read less severe: $case", ({ candidates, read: r, state, severity, named }) => {
    const step = fleetStep(candidates, [open], read(r));
    expect(step.observations).toHaveLength(1);
    const o = step.observations[0]!.observation;
    expect(o.state).toBe(state);
    expect(o.finding?.severity ?? null).toBe(severity);
    const circuits = (o.finding?.evidence["circuits"] ?? []) as {
      name: string;
      unread?: boolean;
    }[];
    expect(circuits.map((m) => [m.name, m.unread ?? false])).toEqual(named);
    // Whatever the fleet says, the members it found stay held: none pages alone.
    expect([...step.holds.keys()].sort()).toEqual(candidates.map((c) => c.key).sort());
  });

  it("groups fresh circuits each one path down and one not read (no fleet said more before)", () => {
    const step = fleetStep(
      [oneUnread("a"), oneUnread("b")].map((c) => ({ ...c, fresh: true })),
      [],
      read(["a", "b"]),
    );
    expect(
      step.observations.map((o) => [o.observation.state, o.observation.finding?.severity]),
    ).toEqual([["firing", "Sev1"]]);
    expect(step.holds.size).toBe(2);
  });

  it("keeps naming a member not read this sweep, as last seen, and holds it once read", () => {
    // a is read still down, b recovered, c not read (the deadline left it).
    const step = fleetStep([candidate("a", undefined, {}, false)], [open], read(["a", "b"]));
    const finding = step.observations[0]!.observation.finding!;
    expect(step.observations[0]!.observation.state).toBe("firing");
    expect(finding.title).toMatch(/^2 circuits through Equinix at Amsterdam .*: a, c —/);
    const named = finding.evidence["circuits"] as { name: string; unread?: boolean }[];
    expect(named.map((m) => [m.name, m.unread ?? false])).toEqual([
      ["a", false],
      ["c", true],
    ]);
    expect(finding.ticket).toContain(
      "key-c  c  primary and secondary  (as last seen; not read for this update",
    );
    expect(finding.ticket).not.toContain("key-b");
    // Still a member next sweep: read and still down, it is held, not paged alone.
    const next = openFleetOf({
      key,
      family: "fleet",
      circuitId: id,
      circuitName: open.name,
      phase: "firing",
      condition: { ...finding, ticket: null },
    } as unknown as AlertState)!;
    const later = fleetStep(
      ["a", "c"].map((n) => candidate(n, undefined, {}, false)),
      [next],
      read(["a", "b", "c"]),
    );
    expect([...later.holds.keys()].sort()).toEqual(["a", "c"].map((n) => candidate(n).key).sort());
  });

  it.each<{
    case: string;
    judged: "joinable" | "other";
    candidates: FleetCandidate[];
    names: string[] | null;
    held: string[];
  }>([
    {
      case: "firing or pending: a circuit found here joins, every member named as it was",
      judged: "joinable",
      candidates: [candidate("d")],
      names: ["a", "b", "c", "d"],
      held: ["d"],
    },
    {
      case: "firing or pending: nothing found here, nothing to say",
      judged: "joinable",
      candidates: [],
      names: null,
      held: [],
    },
    {
      case: "resolving: this run's circuits page on their own",
      judged: "other",
      candidates: [candidate("d"), candidate("e")],
      names: null,
      held: [],
    },
  ])(
    "a fleet alert judged at this instant by another run, $case",
    ({ judged, candidates, names, held }) => {
      // This run read only what it found: a, b and c were another run's.
      const step = fleetStep(
        candidates,
        [{ ...open, judged }],
        read(candidates.map((c) => c.circuitName)),
      );
      const finding = step.observations[0]?.observation.finding ?? null;
      expect(step.observations.length).toBe(names ? 1 : 0);
      if (names) {
        const named = finding!.evidence["circuits"] as { name: string; unread?: boolean }[];
        expect(named.map((m) => m.name).sort()).toEqual(names);
        expect(named.some((m) => m.unread)).toBe(false);
      }
      expect([...step.holds.keys()].sort()).toEqual(held.map((n) => candidate(n).key).sort());
    },
  );

  it("takes an unread member's last severity and owner into the group's", () => {
    const [group] = fleetGroups([
      candidate("a", finding("arp-missing", "Sev1")),
      candidate("b", finding("arp-missing", "Sev1")),
    ]);
    const unread = {
      id: "x",
      name: "x",
      serviceKey: null,
      severity: "Sev0" as const,
      owner: "you" as const,
      paths: [],
      title: "",
      code: null,
      unread: true,
    };
    const f = fleetFinding(group!, [unread]);
    expect(f).toMatchObject({ severity: "Sev0", owner: "shared" });
    expect(f.ticket).toContain("unknown  x  circuit  (as last seen; not read for this update");
  });

  /** The three's fleet alert as stored, in `phase`, last judged at `at`. */
  const stored = (phase: string, at?: Date) => {
    const f = fleetFinding(fleetGroups(three)[0]!);
    return {
      key,
      family: "fleet",
      circuitId: id,
      circuitName: "Equinix at Amsterdam (provider)",
      phase,
      condition: { ...f, ticket: f.ticket ?? null },
      ...(at ? { lastEvaluatedAt: at.toISOString() } : {}),
    } as unknown as AlertState;
  };

  it("reads an open fleet alert's members from what it last said", () => {
    const state = stored("firing");
    expect(openFleetOf(state)).toEqual({ ...open, announced: false });
    expect(openFleetOf({ ...state, notified: { severity: "Sev0" } } as AlertState)).toEqual(open);
    expect(open.memberIds).toEqual(three.map((c) => c.circuitId));
    expect(openFleetOf({ ...state, phase: "clear" })).toBeNull();
    // Clear, its resolve held back by a silence over its circuits: still judged until it goes out.
    expect(
      openFleetOf({ ...state, phase: "clear", notified: { severity: "Sev0" } } as AlertState),
    ).toEqual(open);
  });

  it.each([
    { phase: "firing", judged: "joinable" },
    // A group of Sev1 outages waits a sweep to open: the other batches of that sweep join it meanwhile.
    { phase: "pending", judged: "joinable" },
    { phase: "resolving", judged: "other" },
  ])("a fleet alert $phase judged at this instant is $judged", ({ phase, judged }) => {
    const state = stored(phase, NOW);
    expect(openFleetOf(state, NOW)?.judged).toBe(judged);
    expect(openFleetOf(state, new Date(NOW.getTime() + 300_000))?.judged).toBeNull();
  });

  it.each([
    { owner: "carrier", grouped: true },
    // The route limit resetting a session is that circuit's own doing.
    { owner: "you", grouped: false },
  ] as const)("session flapping owned by $owner groups: $grouped", ({ owner, grouped }) => {
    const flap: Finding = { ...finding("session-flapping", "Sev1", "bgp"), owner };
    expect(fleetGroups([candidate("a", flap), candidate("b", flap)]).length).toBe(grouped ? 1 : 0);
  });
});

describe("fleetOver (fan-out: the timer's judgement from what the workers stored)", () => {
  const [group] = fleetGroups(["a", "b"].map((n) => candidate(n)));
  const f = fleetFinding(group!);
  const fleet = {
    key: "erw-fleet",
    family: "fleet",
    circuitId: group!.id,
    phase: "firing",
    condition: { ...f, ticket: null },
  } as unknown as AlertState;
  const own = (
    name: string,
    phase: string,
    family = "path-down",
    layer = "provider",
    severity: Severity = "Sev0",
  ) =>
    ({
      key: `k-${name}-${family}`,
      family,
      circuitId: candidate(name).circuitId.toUpperCase(),
      phase,
      condition: { layer, code: "arp-missing", severity, owner: "carrier" },
    }) as unknown as AlertState;

  it.each<{ case: string; alerts: AlertState[]; over: boolean }>([
    { case: "a member still firing", alerts: [own("a", "firing"), own("b", "clear")], over: false },
    { case: "a member pending", alerts: [own("a", "pending")], over: false },
    {
      case: "every member resolving or clear",
      alerts: [own("a", "resolving"), own("b", "clear")],
      over: true,
    },
    {
      // Redundancy holding: the circuit's own Sev2, not the place's outage.
      case: "a member down to one path",
      alerts: [own("a", "firing", "path-down", "provider", "Sev2")],
      over: true,
    },
    {
      case: "a member down at another layer",
      alerts: [own("a", "firing", "path-down", "bgp")],
      over: true,
    },
    {
      case: "a member firing in another family",
      alerts: [own("a", "firing", "gateway")],
      over: true,
    },
    { case: "another circuit firing", alerts: [own("z", "firing")], over: true },
    { case: "nothing stored for the members", alerts: [], over: true },
  ])("$case → $over", ({ alerts, over }) => {
    expect(fleetOver(fleet, alerts)).toBe(over);
  });

  it("says nothing of an alert that is not an open fleet alert", () => {
    expect(fleetOver({ ...fleet, phase: "clear" }, [])).toBe(false);
    expect(fleetOver({ ...fleet, family: "provider" } as AlertState, [])).toBe(false);
  });

  it("judges on a fleet alert cleared with its resolve held back (a silence): open at its receivers", () => {
    const held = { ...fleet, phase: "clear", notified: { severity: "Sev0" } } as AlertState;
    expect(fleetOver(held, [own("a", "clear"), own("b", "clear")])).toBe(true);
    // Broken again before its resolve went out: that incident goes on.
    expect(fleetOver(held, [own("a", "firing")])).toBe(false);
  });
});

describe("fleetSettledAt (fan-out: the instant the timer judges a fleet alert clean)", () => {
  const [group] = fleetGroups(["a", "b"].map((n) => candidate(n)));
  const ago = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const fleet = {
    key: "erw-fleet",
    family: "fleet",
    circuitId: group!.id,
    phase: "firing",
    condition: { ...fleetFinding(group!), ticket: null },
    lastEvaluatedAt: ago(10),
  } as unknown as AlertState;
  /** A member's own alert as a worker left it at `at`: read clean there unless pending or firing. */
  const own = (name: string, phase: string, at: string, family = "path-down") =>
    ({
      key: `k-${name}-${family}`,
      family,
      circuitId: candidate(name).circuitId,
      phase,
      condition: { layer: "provider", code: "arp-missing", severity: "Sev0", owner: "carrier" },
      lastEvaluatedAt: at,
      ...(phase === "pending" || phase === "firing" ? { lastFiringAt: at } : { lastCleanAt: at }),
    }) as unknown as AlertState;

  /**
   * The members' snapshots as the workers kept them with their alerts: taken
   * at each one's latest reading, every path read (a member without alerts
   * has none here).
   */
  const whole = (alerts: readonly AlertState[]) => {
    const out = new Map<string, MemberSnapshot | null>();
    for (const a of alerts) {
      const id = a.circuitId.toLowerCase();
      const takenAt = out.get(id)?.takenAt ?? "";
      if (a.lastEvaluatedAt > takenAt)
        out.set(id, { takenAt: a.lastEvaluatedAt, pathsFailed: false });
    }
    return out;
  };

  it.each<{ case: string; alerts: AlertState[]; at: string | null }>([
    {
      case: "members read clean by the previous sweep: as of that reading",
      alerts: [own("a", "resolving", ago(5)), own("b", "clear", ago(6))],
      at: ago(5),
    },
    {
      case: "a member still firing: not over",
      alerts: [own("a", "firing", ago(5)), own("b", "clear", ago(5))],
      at: null,
    },
    {
      case: "a member read by this sweep already: the earlier reading",
      alerts: [own("a", "clear", NOW.toISOString()), own("b", "clear", ago(5))],
      at: ago(5),
    },
    {
      case: "no member read since the fleet alert was judged",
      alerts: [own("a", "clear", ago(10)), own("b", "clear", ago(20))],
      at: null,
    },
    {
      case: "another family's alert on a member does not count as its reading",
      alerts: [own("a", "clear", ago(5), "gateway")],
      at: null,
    },
    { case: "nothing stored for the members", alerts: [], at: null },
  ])("$case", ({ alerts, at }) => {
    expect(fleetSettledAt(fleet, alerts, NOW, whole(alerts))?.toISOString() ?? null).toBe(at);
  });

  // The fleet is clean only once every member has been seen clean: as of the
  // latest of the readings that make it so. As of the oldest, a member not read
  // by then counted clean before it was seen, and its reading, newer than that
  // judgement, would settle the fleet alert a second time (two clean sweeps
  // from one reading of it: resolved a sweep early).
  it("members read clean at different sweeps: as of the reading that saw the last of them, which does not count again", () => {
    const alerts = [own("a", "clear", ago(5)), own("b", "clear", ago(8))];
    const at = fleetSettledAt(fleet, alerts, NOW, whole(alerts));
    expect(at?.toISOString()).toBe(ago(5));
    // Judged clean as of it. By the next sweep b was read again, a not.
    const judged = { ...fleet, lastEvaluatedAt: at!.toISOString() } as AlertState;
    const next = new Date(NOW.getTime() + 5 * 60_000);
    const bAgain = [own("a", "clear", ago(5)), own("b", "clear", ago(1))];
    expect(fleetSettledAt(judged, bAgain, next, whole(bAgain))).toBeNull();
    // Once a is read again too: clean as of the later of the two readings.
    const both = [own("a", "clear", ago(2)), own("b", "clear", ago(1))];
    expect(fleetSettledAt(judged, both, next, whole(both))?.toISOString()).toBe(ago(1));
  });

  /** A member's own alert whose latest reading (`at`) could not be read: kept as it was, only `lastEvaluatedAt` moved. */
  const unread = (name: string, phase: string, at: string, cleanAt: string | null = ago(10)) =>
    ({
      ...own(name, phase, cleanAt ?? ago(30)),
      lastEvaluatedAt: at,
      lastCleanAt: cleanAt,
      lastFiringAt: phase === "firing" ? ago(30) : null,
    }) as AlertState;

  // The timer took every member with no open outage alert as recovered, and
  // the latest time a worker wrote a member's alert as its reading: a read
  // that fails writes that time too. So a site read clean once (the fleet
  // alert judged clean then, ago(10)) and dark since (ago(5)) counted a second
  // clean reading and resolved: a "resolved" for a place erwatch could not see.
  it.each<{ case: string; alerts: AlertState[] }>([
    {
      case: "every member unreadable since it was judged clean once",
      alerts: [unread("a", "resolving", ago(5)), unread("b", "resolving", ago(5))],
    },
    {
      case: "one member read clean, the other unreadable",
      alerts: [own("a", "resolving", ago(5)), unread("b", "resolving", ago(5))],
    },
    {
      case: "a member clear (its own alert resolved) and unreadable now",
      alerts: [own("a", "clear", ago(5)), unread("b", "clear", ago(5))],
    },
    {
      case: "a member masked (read, its path layers taken over by a broken layer below)",
      alerts: [
        own("a", "clear", ago(5)),
        { ...unread("b", "resolving", ago(5)), lastMaskedAt: ago(5) } as AlertState,
      ],
    },
    {
      case: "a member down to one path (its own Sev2) that could not be read at its latest reading",
      alerts: [
        own("a", "clear", ago(5)),
        {
          ...unread("b", "firing", ago(5)),
          condition: { layer: "provider", code: "arp-missing", severity: "Sev2", owner: "carrier" },
        } as AlertState,
      ],
    },
    {
      case: "a member unreadable in another family of outage (its sessions, at another layer)",
      alerts: [
        own("a", "clear", ago(5)),
        own("b", "clear", ago(5)),
        unread("b", "clear", ago(5), ago(60)),
      ].map((a, i) => (i === 2 ? ({ ...a, family: "session-flapping" } as AlertState) : a)),
    },
    {
      case: "a member read by this sweep already, unreadable now",
      alerts: [own("a", "clear", ago(5)), unread("b", "resolving", NOW.toISOString(), ago(5))],
    },
    {
      case: "a member read clean, but not since the fleet alert was judged",
      alerts: [own("a", "clear", ago(5)), own("b", "clear", ago(15))],
    },
  ])("a member that is not read clean since keeps it open: $case", ({ alerts }) => {
    expect(fleetOver(fleet, alerts)).toBe(true);
    expect(fleetSettledAt(fleet, alerts, NOW, whole(alerts))).toBeNull();
  });

  // Hunt seed 908: a member's provider back in the listing (its own provider
  // alert read clean), its paths, up when last read, unread since (server
  // errors) and down in fact: the site's Sev0 resolved, and the member paged
  // on its own a sweep later. Its outage alerts cannot say its paths were not
  // read; the snapshot of that reading can.
  it.each<{ case: string; snapshot: MemberSnapshot | null | undefined; at: string | null }>([
    {
      case: "its paths read at that reading: as of it",
      snapshot: { takenAt: ago(5), pathsFailed: false },
      at: ago(5),
    },
    {
      case: "a path read of that reading failed: not known to carry, kept open",
      snapshot: { takenAt: ago(5), pathsFailed: true },
      at: null,
    },
    {
      case: "only its gateway read failed there (no fleet layer): as of it",
      snapshot: { takenAt: ago(5), pathsFailed: false },
      at: ago(5),
    },
    {
      case: "the snapshot is of an earlier reading (that one's write failed): cannot say, kept open",
      snapshot: { takenAt: ago(10), pathsFailed: false },
      at: null,
    },
    {
      case: "the snapshot is of an earlier reading that read its paths (that one's write failed): cannot say, kept open",
      snapshot: {
        takenAt: ago(10),
        pathsFailed: false,
        pathsReadAt: ago(10),
        pathsFailedAt: null,
      },
      at: null,
    },
    {
      case: "the snapshot is of a later reading, kept before it said when paths were read: cannot say, judged next sweep",
      snapshot: { takenAt: NOW.toISOString(), pathsFailed: false },
      at: null,
    },
    // This sweep's worker wrote the snapshot after the timer listed the alerts
    // (review of hunt seed 908: the timer must not miss the reading before it).
    {
      case: "the snapshot is of a later reading, no failure since before that reading: as of it",
      snapshot: {
        takenAt: NOW.toISOString(),
        pathsFailed: false,
        pathsReadAt: NOW.toISOString(),
        pathsFailedAt: ago(30),
      },
      at: ago(5),
    },
    {
      case: "the snapshot is of a later reading that failed, that reading the last that read them: as of it",
      snapshot: {
        takenAt: NOW.toISOString(),
        pathsFailed: true,
        pathsReadAt: ago(5),
        pathsFailedAt: NOW.toISOString(),
      },
      at: ago(5),
    },
    {
      case: "the snapshot is of a later reading, that reading's paths unread: kept open",
      snapshot: {
        takenAt: NOW.toISOString(),
        pathsFailed: false,
        pathsReadAt: NOW.toISOString(),
        pathsFailedAt: ago(5),
      },
      at: null,
    },
    {
      case: "the snapshot is of a later reading that failed too, and so did that reading: kept open",
      snapshot: {
        takenAt: NOW.toISOString(),
        pathsFailed: true,
        pathsReadAt: ago(30),
        pathsFailedAt: NOW.toISOString(),
      },
      at: null,
    },
    { case: "its snapshot could not be read", snapshot: undefined, at: null },
  ])(
    "a member its own alerts settle is settled only with its paths read there: $case",
    ({ snapshot, at }) => {
      const b = candidate("b").circuitId.toLowerCase();
      const alerts = [own("a", "clear", ago(6)), own("b", "clear", ago(5), "provider")];
      const given = whole(alerts);
      if (snapshot === undefined) given.delete(b);
      else given.set(b, snapshot);
      expect(fleetSettledAt(fleet, alerts, NOW, given)?.toISOString() ?? null).toBe(at);
    },
  );

  it("a member down to one path, read so since it was judged, has its own alert carry it", () => {
    const sev2 = {
      ...own("b", "firing", ago(5)),
      condition: { layer: "provider", code: "arp-missing", severity: "Sev2", owner: "carrier" },
    } as AlertState;
    const alerts = [own("a", "clear", ago(6)), sev2];
    expect(fleetSettledAt(fleet, alerts, NOW, whole(alerts))?.toISOString()).toBe(ago(5));
  });

  describe("a member by its snapshot (looked up for every member once it is over)", () => {
    const b = candidate("b").circuitId;
    const snapshots = (value: MemberSnapshot | null) => new Map([[b.toLowerCase(), value]]);

    it("asks for every member once it is over (its paths were read, or what it was read as)", () => {
      const a = candidate("a").circuitId;
      expect(fleetMembersToLookUp(fleet, [own("a", "clear", ago(5))])).toEqual([a, b]);
      expect(
        fleetMembersToLookUp(fleet, [own("a", "clear", ago(5)), own("b", "clear", ago(5))]),
      ).toEqual([a, b]);
      // Not over: nothing to ask.
      expect(fleetMembersToLookUp(fleet, [own("a", "firing", ago(5))])).toEqual([]);
    });

    it.each<{
      case: string;
      alerts: AlertState[];
      snapshot: MemberSnapshot | null | undefined;
      at: string | null;
    }>([
      {
        case: "no alert of its own, every read of its last evaluation worked: as of its reading",
        alerts: [own("a", "clear", ago(6))],
        snapshot: { takenAt: ago(5), pathsFailed: false },
        at: ago(5),
      },
      {
        case: "no alert of its own, a read of its last evaluation failed",
        alerts: [own("a", "clear", ago(5))],
        snapshot: { takenAt: ago(5), pathsFailed: true },
        at: null,
      },
      {
        case: "no alert of its own, not evaluated since the fleet alert was judged",
        alerts: [own("a", "clear", ago(5))],
        snapshot: { takenAt: ago(10), pathsFailed: false },
        at: null,
      },
      {
        case: "no alert of its own, its snapshot not to be read (storage failing)",
        alerts: [own("a", "clear", ago(5))],
        snapshot: undefined,
        at: null,
      },
      {
        case: "no longer watched (no snapshot): read without the outage, as in the fleet step",
        alerts: [own("a", "clear", ago(5))],
        snapshot: null,
        at: ago(5),
      },
      {
        case: "no longer watched, its own alerts last unreadable",
        alerts: [own("a", "clear", ago(5)), unread("b", "clear", ago(20), ago(25))],
        snapshot: null,
        at: ago(5),
      },
      {
        case: "still watched, its own alerts last unreadable: its snapshot does not stand in for them",
        alerts: [own("a", "clear", ago(5)), unread("b", "clear", ago(5))],
        snapshot: { takenAt: ago(5), pathsFailed: false },
        at: null,
      },
    ])("$case", ({ alerts, snapshot, at }) => {
      const given = new Map([...whole(alerts), ...snapshots(snapshot ?? null)]);
      if (snapshot === undefined) given.delete(b.toLowerCase());
      expect(fleetSettledAt(fleet, alerts, NOW, given)?.toISOString() ?? null).toBe(at);
    });
  });

  // The host clock stepped back 2 h (an NTP correction) after the fleet alert
  // was last judged: its judgement is dated after every reading since, and the
  // readings were compared with it as text, so it stayed open until the clock
  // caught up (per-circuit alerts take such a time as now: lifecycle.ts).
  describe("after the clock stepped back since it was judged", () => {
    const ahead = (m: number) => new Date(NOW.getTime() + m * 60_000).toISOString();
    const stepped = { ...fleet, lastEvaluatedAt: ahead(120) } as AlertState;

    it("members read clean on the new clock settle it as of their reading", () => {
      const alerts = [own("a", "clear", ago(5)), own("b", "clear", ago(6))];
      expect(fleetSettledAt(stepped, alerts, NOW, whole(alerts))?.toISOString()).toBe(ago(5));
    });

    it("a member last read before the step (dated after now) is not read since: kept open", () => {
      const alerts = [own("a", "clear", ago(5)), own("b", "clear", ahead(115))];
      expect(fleetSettledAt(stepped, alerts, NOW, whole(alerts))).toBeNull();
    });

    it("a judgement up to 10 minutes ahead is a concurrent sweep's: readings before it are not since", () => {
      const concurrent = { ...fleet, lastEvaluatedAt: ahead(5) } as AlertState;
      const alerts = [own("a", "clear", ago(5)), own("b", "clear", ago(6))];
      expect(fleetSettledAt(concurrent, alerts, NOW, whole(alerts))).toBeNull();
    });

    it("a judgement time that is no date proves nothing: members read settle it", () => {
      const garbled = { ...fleet, lastEvaluatedAt: "not a date" } as AlertState;
      const alerts = [own("a", "clear", ago(5)), own("b", "clear", ago(6))];
      expect(fleetSettledAt(garbled, alerts, NOW, whole(alerts))?.toISOString()).toBe(ago(5));
    });

    it("a member without alerts read whole on the new clock settles it by its snapshot", () => {
      const alerts = [own("a", "clear", ago(5))];
      const snapshots = new Map([
        ...whole(alerts),
        [
          candidate("b").circuitId.toLowerCase(),
          { takenAt: ago(5), pathsFailed: false, pathsReadAt: ago(5) },
        ],
      ]);
      expect(fleetSettledAt(stepped, alerts, NOW, snapshots)?.toISOString()).toBe(ago(5));
    });
  });

  // One process (since "read"): the fleet alert read clean at ago(15), then
  // judged UNKNOWN at ago(10) and ago(5) (a member left to the rotation's next
  // turn), each moving only its `lastEvaluatedAt`. Bound by that judgement, a
  // site whose circuits the rotation read one a sweep never resolved.
  describe("one process: members read since the fleet alert was last read", () => {
    const unjudged = {
      ...fleet,
      lastCleanAt: ago(15),
      lastEvaluatedAt: ago(5),
    } as AlertState;
    const thisSweep = new Date(NOW.getTime() + 1);

    it.each<{ case: string; alerts: AlertState[]; at: string | null }>([
      {
        case: "each read clean in a different sweep since: as of the latest",
        alerts: [own("a", "clear", ago(10)), own("b", "clear", NOW.toISOString())],
        at: NOW.toISOString(),
      },
      {
        case: "one last read clean at the fleet alert's own reading: not since",
        alerts: [own("a", "clear", ago(15)), own("b", "clear", NOW.toISOString())],
        at: null,
      },
      {
        case: "one unreadable at its latest reading since: kept open",
        alerts: [own("a", "clear", ago(10)), unread("b", "clear", NOW.toISOString(), ago(10))],
        at: null,
      },
    ])("$case", ({ alerts, at }) => {
      const given = fleetSettledAt(unjudged, alerts, thisSweep, whole(alerts), "read");
      expect(given?.toISOString() ?? null).toBe(at);
    });

    it("the timer's bound is its last judgement: the same readings settle nothing there", () => {
      const alerts = [own("a", "clear", ago(10)), own("b", "clear", NOW.toISOString())];
      expect(fleetSettledAt(unjudged, alerts, thisSweep, whole(alerts))).toBeNull();
    });

    it("a fleet alert with no reading kept as an instant is bound by its last judgement", () => {
      const unread = { ...unjudged, lastCleanAt: "not a date" } as AlertState;
      const since = [own("a", "clear", ago(4)), own("b", "clear", NOW.toISOString())];
      expect(fleetSettledAt(unread, since, thisSweep, whole(since), "read")?.toISOString()).toBe(
        NOW.toISOString(),
      );
      const before = [own("a", "clear", ago(10)), own("b", "clear", NOW.toISOString())];
      expect(fleetSettledAt(unread, before, thisSweep, whole(before), "read")).toBeNull();
    });
  });

  // A stored row is any text to its schema (a hand edit, a cut-off write, an
  // older erwatch). Compared as text, "yesterday" and "42" came after the
  // judgement (ago(10)) and "" before every failure, so a member not known to
  // have been read resolved the site's Sev0 on the others' readings.
  describe("a member's stored time that is not an instant never counts as read since", () => {
    const b = candidate("b").circuitId.toLowerCase();
    const ODD = ["yesterday", "42", "2026-11-22T01:55:00", ""];
    const given = (alerts: AlertState[], snapshot: MemberSnapshot) =>
      new Map([...whole(alerts.filter((x) => x.circuitId.toLowerCase() !== b)), [b, snapshot]]);

    it.each(ODD)("its own alert evaluated and read clean at %j: kept open", (odd) => {
      const alerts = [own("a", "clear", ago(6)), own("b", "clear", odd)];
      const snapshots = given(alerts, { takenAt: odd, pathsFailed: false });
      expect(fleetSettledAt(fleet, alerts, NOW, snapshots)).toBeNull();
    });

    it.each(ODD)(
      "one of its alerts evaluated at %j, another read clean since: kept open",
      (odd) => {
        const alerts = [
          own("a", "clear", ago(6)),
          own("b", "clear", ago(5)),
          own("b", "clear", odd, "session-flapping"),
        ];
        const snapshots = given(alerts, { takenAt: ago(5), pathsFailed: false });
        expect(fleetSettledAt(fleet, alerts, NOW, snapshots)).toBeNull();
      },
    );

    it.each(ODD)("no alert of its own, its snapshot taken at %j: kept open", (odd) => {
      const alerts = [own("a", "clear", ago(6))];
      const snapshots = given(alerts, { takenAt: odd, pathsFailed: false });
      expect(fleetSettledAt(fleet, alerts, NOW, snapshots)).toBeNull();
    });

    it.each([...ODD, "2026-11-22T00:57:00-01:00"])(
      "its snapshot of a later reading, its paths last unread at %j: not known read at its alerts' reading, kept open",
      (odd) => {
        const alerts = [own("a", "clear", ago(6)), own("b", "clear", ago(5), "provider")];
        const snapshots = given(alerts, {
          takenAt: NOW.toISOString(),
          pathsFailed: false,
          pathsReadAt: NOW.toISOString(),
          pathsFailedAt: odd,
        });
        expect(fleetSettledAt(fleet, alerts, NOW, snapshots)).toBeNull();
      },
    );

    it.each(ODD)("the judgement no instant either, the member read at %j: kept open", (odd) => {
      const garbled = { ...fleet, lastEvaluatedAt: "not a date" } as AlertState;
      const alerts = [own("a", "clear", ago(5)), own("b", "clear", odd)];
      const snapshots = given(alerts, { takenAt: odd, pathsFailed: false });
      expect(fleetSettledAt(garbled, alerts, NOW, snapshots)).toBeNull();
    });

    it("members read at instants written in another zone settle it as of those instants", () => {
      const zoned = (m: number) =>
        new Date(NOW.getTime() - m * 60_000 + 3_600_000).toISOString().replace("Z", "+01:00");
      const alerts = [own("a", "clear", zoned(6)), own("b", "clear", zoned(5))];
      // Compared as text none came before now: the fleet alert was never resolved.
      expect(fleetSettledAt(fleet, alerts, NOW, whole(alerts))?.toISOString()).toBe(ago(5));
    });
  });

  it("a fleet alert whose resolve a silence held back is judged again at each newer reading", () => {
    const held = { ...fleet, phase: "clear", notified: { severity: "Sev0" } } as AlertState;
    const alerts = [own("a", "clear", ago(5)), own("b", "clear", ago(5))];
    expect(fleetSettledAt(held, alerts, NOW, whole(alerts))?.toISOString()).toBe(ago(5));
    // Its resolve sent: nothing left to judge.
    expect(fleetSettledAt({ ...held, notified: null }, alerts, NOW, whole(alerts))).toBeNull();
  });
});

describe("fleetReadByTick (fan-out: whether the readings a fleet alert is judged as of were a tick)", () => {
  const [group] = fleetGroups(["a", "b"].map((n) => candidate(n)));
  const ago = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const fleet = {
    key: "erw-fleet",
    family: "fleet",
    circuitId: group!.id,
    phase: "firing",
    condition: { ...fleetFinding(group!), ticket: null },
    lastEvaluatedAt: ago(10),
  } as unknown as AlertState;
  /** A member's own alert last evaluated at `at`; `tickAt`: its latest tick's evaluation. */
  const own = (name: string, at: string, tickAt?: string, family = "path-down") =>
    ({
      key: `k-${name}-${family}`,
      family,
      circuitId: candidate(name).circuitId.toUpperCase(),
      phase: "resolving",
      lastEvaluatedAt: at,
      lastCleanAt: at,
      ...(tickAt !== undefined ? { tickAt } : {}),
    }) as unknown as AlertState;

  it.each<{ case: string; alerts: AlertState[]; tick: boolean }>([
    {
      case: "the members read by the timer's tick",
      alerts: [own("a", ago(5), ago(5)), own("b", ago(5), ago(5))],
      tick: true,
    },
    {
      case: "read by a POST /api/sweep handed to the workers (the tick before kept)",
      alerts: [own("a", ago(5), ago(8)), own("b", ago(5), ago(8))],
      tick: false,
    },
    {
      case: "read by an erwatch that keeps no tickAt (mid-deploy)",
      alerts: [own("a", ago(5)), own("b", ago(5))],
      tick: false,
    },
    {
      case: "a tick kept at that instant in another spelling of the same instant",
      alerts: [own("a", ago(5), ago(5).replace("Z", "+00:00"))],
      tick: true,
    },
    {
      case: "another family's alert on a member says nothing of its outage's reading",
      alerts: [own("a", ago(5), ago(5), "gateway")],
      tick: false,
    },
    {
      case: "a circuit the fleet alert does not name says nothing",
      alerts: [own("z", ago(5), ago(5))],
      tick: false,
    },
    {
      case: "a tickAt that is not an instant is no tick",
      alerts: [{ ...own("a", ago(5)), tickAt: "yesterday" } as AlertState],
      tick: false,
    },
  ])("$case", ({ alerts, tick }) => {
    expect(fleetReadByTick(fleet, alerts, new Date(ago(5)))).toBe(tick);
  });
});

describe("fleetBlindNow (fan-out: the timer tells a fleet alert's holder it went blind)", () => {
  const [group] = fleetGroups(["a", "b"].map((n) => candidate(n)));
  const ago = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const condition = { ...fleetFinding(group!), ticket: null };
  const fleet = (over: Partial<AlertState> = {}, blindSince?: string): AlertState => ({
    key: alertKey(group!.id, null, "fleet"),
    family: "fleet",
    circuitId: group!.id,
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: ago(40),
    condition,
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: [],
      title: condition.title,
      at: ago(40),
      sequence: 1,
      ...(blindSince ? { blindSince } : {}),
    },
    sequence: 1,
    lastEvaluatedAt: ago(15),
    lastFiringAt: ago(15),
    lastCleanAt: null,
    ...over,
  });
  const silence = (circuit: string): Silence => ({
    id: `s-${circuit}`,
    circuit,
    comment: "carrier maintenance",
    window: {
      kind: "once",
      start: ago(60),
      end: new Date(NOW.getTime() + 3_600_000).toISOString(),
    },
  });
  const ctx = (silences: Silence[] = []) => ({
    policy: DEFAULT_ALERT_POLICY,
    silences,
    circuit: { id: group!.id, name: "Equinix at Amsterdam (provider)" },
    now: NOW,
  });

  it.each<{ case: string; given: AlertState; silences?: Silence[]; blind: boolean }>([
    { case: "no worker judged it for 15 minutes", given: fleet(), blind: true },
    {
      case: "judged firing 10 minutes ago",
      given: fleet({ lastFiringAt: ago(10), lastEvaluatedAt: ago(10) }),
      blind: false,
    },
    { case: "its holder was told already", given: fleet({}, ago(5)), blind: false },
    {
      case: "judged at this sweep's instant by a worker",
      given: fleet({ lastEvaluatedAt: NOW.toISOString() }),
      blind: false,
    },
    {
      case: "a Sev2 group (monitoring-blind reaches its receivers)",
      given: (() => {
        const f = fleet({ condition: { ...condition, severity: "Sev2" } });
        return { ...f, notified: { ...f.notified!, severity: "Sev2", peakSeverity: "Sev2" } };
      })(),
      blind: false,
    },
    {
      case: "never paged (waiting its hysteresis)",
      given: fleet({ phase: "pending", notified: null }),
      blind: false,
    },
    { case: "over", given: fleet({ phase: "clear" }), blind: false },
    {
      case: "every member under a silence",
      given: fleet(),
      silences: [silence("a"), silence("b")],
      blind: false,
    },
    { case: "one member under a silence", given: fleet(), silences: [silence("a")], blind: true },
    { case: "not a fleet alert", given: fleet({ family: "path-down" }), blind: false },
  ])("$case → $blind", ({ given, silences, blind }) => {
    const observation = fleetBlindNow(given, ctx(silences));
    expect(observation !== null).toBe(blind);
    if (observation) expect(observation).toMatchObject({ key: given.key, state: "unknown" });
  });
});

describe("fleetMembersReadAt (fan-out: members read are a sighting of the fleet alert for blindness)", () => {
  // The timer of sweep 10 (TIMER) judges blindness as of sweep 9 (NOW): the
  // fleet Sev0 was last judged clean at sweep 6 (ago(15)) and settled nothing
  // since, while both members were read at sweep 7 (ago(10)) and the listing
  // failed at sweeps 8 and 9 (hunt seed 870).
  const TIMER = new Date(NOW.getTime() + 5 * 60_000);
  const [group] = fleetGroups(["a", "b"].map((n) => candidate(n)));
  const ago = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const condition = { ...fleetFinding(group!), ticket: null };
  const fleet: AlertState = {
    key: alertKey(group!.id, null, "fleet"),
    family: "fleet",
    circuitId: group!.id,
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase: "resolving",
    consecutiveFiring: 0,
    consecutiveClean: 1,
    firstSeen: ago(45),
    condition,
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: [],
      title: condition.title,
      at: ago(45),
      sequence: 2,
    },
    sequence: 2,
    lastEvaluatedAt: ago(15),
    lastFiringAt: ago(25),
    lastCleanAt: ago(15),
  };
  /** A member's own outage alert: evaluated last at `evaluated`, read (its marks) at the others. */
  const own = (
    name: string,
    evaluated: string,
    marks: { clean?: string; firing?: string; masked?: string },
    family = "path-down",
  ) =>
    ({
      key: `k-${name}-${family}`,
      family,
      circuitId: candidate(name).circuitId,
      circuitName: name,
      phase: marks.firing && marks.firing >= (marks.clean ?? "") ? "pending" : "resolving",
      condition: { layer: "provider", code: "arp-missing", severity: "Sev2", owner: "carrier" },
      lastEvaluatedAt: evaluated,
      lastCleanAt: marks.clean ?? null,
      lastFiringAt: marks.firing ?? null,
      ...(marks.masked ? { lastMaskedAt: marks.masked } : {}),
    }) as unknown as AlertState;
  const ctx = {
    policy: DEFAULT_ALERT_POLICY,
    silences: [],
    circuit: { id: group!.id, name: "Equinix at Amsterdam (provider)" },
    now: NOW,
  };
  const b = candidate("b").circuitId.toLowerCase();

  /** a read at ago(5); b's outage alert (its provider's, from the listing) read clean at ago(5). */
  const byListing = [
    own("a", ago(0), { clean: ago(5) }),
    own("b", ago(5), { clean: ago(5) }, "provider"),
  ];

  it.each<{
    case: string;
    alerts: AlertState[];
    snapshots?: Map<string, MemberSnapshot | null>;
    readAt: string | null;
    blind: boolean;
  }>([
    {
      case: "seed 870: both read at sweep 7 (one down to one path, pending), one UNKNOWN since",
      alerts: [
        own("a", ago(0), { clean: ago(10), firing: ago(20) }),
        own("b", ago(10), { clean: ago(15), firing: ago(10) }),
      ],
      readAt: ago(10),
      blind: false,
    },
    {
      case: "one read this sweep (the timer's instant): that reading is not counted",
      alerts: [
        own("a", TIMER.toISOString(), { clean: TIMER.toISOString() }),
        own("b", ago(5), { clean: ago(5) }),
      ],
      readAt: null,
      blind: true,
    },
    {
      case: "one not read since the fleet alert was judged: as old as its reading",
      alerts: [
        own("a", ago(0), { clean: ago(5) }),
        own("b", ago(0), { clean: ago(15), firing: ago(30) }),
      ],
      readAt: ago(15),
      blind: true,
    },
    {
      case: "one never read (UNKNOWN at every reading): no sighting",
      alerts: [own("a", ago(0), { clean: ago(5) }), own("b", ago(0), {})],
      readAt: null,
      blind: true,
    },
    {
      case: "one with two outage alerts, both read at its latest reading",
      alerts: [
        own("a", ago(0), { clean: ago(5) }),
        own("b", ago(10), { clean: ago(10) }),
        own("b", ago(10), { firing: ago(10) }, "session-flapping"),
      ],
      readAt: ago(10),
      blind: false,
    },
    {
      case: "one with two outage alerts, one UNKNOWN at its latest reading and the other's mark before written over",
      alerts: [
        own("a", ago(0), { clean: ago(5) }),
        own("b", ago(5), { clean: ago(5) }),
        own("b", ago(5), { clean: ago(10) }, "session-flapping"),
      ],
      readAt: null,
      blind: true,
    },
    {
      case: "one masked (the provider de-provisioned it): masked is a reading",
      alerts: [own("a", ago(0), { clean: ago(5) }), own("b", ago(5), { masked: ago(5) })],
      readAt: ago(5),
      blind: false,
    },
    {
      case: "one without an outage alert of its own, not looked up: no sighting",
      alerts: [own("a", ago(0), { clean: ago(5) })],
      readAt: null,
      blind: true,
    },
    {
      case: "one without an outage alert of its own, its snapshot read whole",
      alerts: [own("a", ago(0), { clean: ago(5) })],
      snapshots: new Map([[b, { takenAt: ago(5), pathsFailed: false }]]),
      readAt: ago(5),
      blind: false,
    },
    {
      case: "one without an outage alert of its own, a read of its snapshot failed",
      alerts: [own("a", ago(0), { clean: ago(5) })],
      snapshots: new Map([[b, { takenAt: ago(5), pathsFailed: true }]]),
      readAt: null,
      blind: true,
    },
    // Hunt seed 908: its provider's alert read from the listing each sweep,
    // its paths not read whole since ago(20): not read whole since then.
    {
      case: "one read by its outage alerts whose paths were last read whole before",
      alerts: byListing,
      snapshots: new Map([[b, { takenAt: ago(5), pathsFailed: true, pathsReadAt: ago(20) }]]),
      readAt: ago(20),
      blind: true,
    },
    {
      case: "one read by its outage alerts whose paths were never read whole",
      alerts: byListing,
      snapshots: new Map([[b, { takenAt: ago(5), pathsFailed: true, pathsReadAt: null }]]),
      readAt: null,
      blind: true,
    },
    {
      case: "one read by its outage alerts, its snapshot kept before paths' reading times were: its alerts' reading",
      alerts: byListing,
      snapshots: new Map([[b, { takenAt: ago(5), pathsFailed: true }]]),
      readAt: ago(5),
      blind: false,
    },
    {
      case: "one read by its outage alerts, its paths read whole at that reading",
      alerts: byListing,
      snapshots: new Map([[b, { takenAt: ago(5), pathsFailed: false, pathsReadAt: ago(5) }]]),
      readAt: ago(5),
      blind: false,
    },
    {
      case: "one no longer watched: the others' readings",
      alerts: [own("a", ago(0), { clean: ago(5) }), own("b", ago(30), { clean: ago(30) })],
      snapshots: new Map([[b, null]]),
      readAt: ago(5),
      blind: false,
    },
  ])("$case", ({ alerts, snapshots, readAt, blind }) => {
    const read = fleetMembersReadAt(fleet, alerts, TIMER, snapshots);
    expect(read?.toISOString() ?? null).toBe(readAt);
    expect(fleetBlindNow(fleet, ctx, read) !== null).toBe(blind);
  });

  // A stored time that is not an instant is no sighting: "" sorted first and
  // became the members' reading, an Invalid Date the timer threw on
  // (toISOString); a failed member whose paths were last read whole at
  // "yesterday" counted as read at its alerts' reading.
  describe("a member's stored time that is not an instant is no sighting", () => {
    const ODD = ["", "yesterday", "42", "2026-11-22T01:55:00"];
    const sighting = (alerts: AlertState[], snapshot?: MemberSnapshot) => {
      const read = fleetMembersReadAt(
        fleet,
        alerts,
        TIMER,
        snapshot ? new Map([[b, snapshot]]) : undefined,
      );
      return {
        readAt: read?.toISOString() ?? null,
        blind: fleetBlindNow(fleet, ctx, read) !== null,
      };
    };
    const NONE = { readAt: null, blind: true };

    it.each(ODD)("one without an outage alert of its own, its snapshot taken at %j", (odd) => {
      const alerts = [own("a", ago(0), { clean: ago(5) })];
      expect(sighting(alerts, { takenAt: odd, pathsFailed: false })).toEqual(NONE);
    });

    it.each(ODD)("one read by its outage alerts, its paths last read whole at %j", (odd) => {
      const snapshot = { takenAt: ago(5), pathsFailed: true, pathsReadAt: odd };
      expect(sighting(byListing, snapshot)).toEqual(NONE);
    });

    it.each(ODD)("one whose outage alert was evaluated and read at %j", (odd) => {
      const alerts = [own("a", ago(0), { clean: ago(5) }), own("b", odd, { clean: odd })];
      expect(sighting(alerts)).toEqual(NONE);
    });

    it.each(ODD)(
      "one with two outage alerts, one evaluated at %j: the other's reading is not vouched for",
      (odd) => {
        const alerts = [
          own("a", ago(0), { clean: ago(5) }),
          own("b", odd, { clean: ago(10) }),
          own("b", ago(5), { clean: ago(5) }, "session-flapping"),
        ];
        expect(sighting(alerts)).toEqual(NONE);
      },
    );

    it("one read at an instant written in another zone: that instant", () => {
      const zoned = "2026-11-22T02:50:00+01:00";
      const alerts = [own("a", ago(0), { clean: ago(5) }), own("b", zoned, { clean: zoned })];
      expect(sighting(alerts)).toEqual({ readAt: ago(10), blind: false });
    });

    // Compared as text, "yesterday" and "42" came after the members' reading:
    // "Blind:" went out about circuits read 10 minutes before, or never did.
    it.each(["yesterday", "42", ""])(
      "its own kept sighting at %j is none: the members' reading stands",
      (odd) => {
        const kept = { ...fleet, lastCleanAt: odd };
        expect(fleetBlindNow(kept, ctx, new Date(ago(10)))).toBeNull();
        expect(fleetBlindNow(kept, ctx, new Date(ago(15)))).toMatchObject({ state: "unknown" });
      },
    );
  });

  it("members read add nothing to a sighting of its own that is later", () => {
    const judged = { ...fleet, lastEvaluatedAt: ago(5), lastFiringAt: ago(5) };
    expect(fleetBlindNow(judged, ctx, new Date(ago(20)))).toBeNull();
  });

  it("a blind notice goes out once the members were read blindAfterSweeps before, not sooner", () => {
    // Three sweeps since they were read, as a path alert is told; its own sighting is ago(15).
    expect(fleetBlindNow(fleet, ctx, new Date(ago(10)))).toBeNull();
    expect(fleetBlindNow(fleet, ctx, new Date(ago(15)))).toMatchObject({ state: "unknown" });
    expect(fleetBlindNow(fleet, ctx, new Date(ago(20)))).toMatchObject({ state: "unknown" });
  });

  it("the notice its commit sends of the stored row says since the members' reading, not its own older one", () => {
    const stored = { ...fleet, lastEvaluatedAt: ago(25), lastCleanAt: ago(25) };
    const observation = fleetBlindNow(stored, ctx, new Date(ago(15)));
    expect(observation).toMatchObject({ state: "unknown", membersReadAt: ago(15) });
    const decision = decideStep(advanceStep(observation!, stored, ctx), new Map(), ctx);
    if (decision?.action !== "repeat") throw new Error(`a repeat, not ${decision?.action}`);
    expect(decision.event.blindSince).toBe(ago(15));
    expect(decision?.next.notified?.blindSince).toBe(ago(15));
  });
});

describe("fleetBlindTicks (fan-out: the ticks a fleet alert's members' alerts counted that could not read it)", () => {
  // The timer at NOW judges the fleet Sev0 as of the sweep before (ago(5)).
  // It was last judged at ago(20); its members were read at ago(15) (their
  // outage alerts' marks), and the workers of ago(10) and ago(5), both
  // ticks, could not read them.
  const INTERVAL = 5 * 60_000;
  const [group] = fleetGroups(["a", "b"].map((n) => candidate(n)));
  const ago = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const condition = { ...fleetFinding(group!), ticket: null };
  const fleet = (over: Partial<AlertState> = {}): AlertState => ({
    key: alertKey(group!.id, null, "fleet"),
    family: "fleet",
    circuitId: group!.id,
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: ago(40),
    condition,
    notified: null,
    sequence: 1,
    lastEvaluatedAt: ago(20),
    lastFiringAt: ago(20),
    lastCleanAt: null,
    ...over,
  });
  /** A member's own outage alert, last read at ago(15), blind at the ticks of ago(10) and ago(5). */
  const own = (name: string, over: Partial<AlertState> = {}) =>
    ({
      key: `k-${name}-${over.family ?? "path-down"}`,
      family: "path-down",
      circuitId: candidate(name).circuitId,
      circuitName: name,
      phase: "firing",
      lastEvaluatedAt: ago(5),
      ticksAt: ago(5),
      tickAt: ago(5),
      lastFiringAt: ago(15),
      lastCleanAt: null,
      blindSweeps: 2,
      blindTicks: 2,
      ...over,
    }) as unknown as AlertState;
  /** A monitoring-blind alert on `circuitId`, read clean at ago(15), failing at the ticks since. */
  const blindAlert = (circuitId: string, over: Partial<AlertState> = {}) =>
    ({
      key: `k-${circuitId}-monitoring-blind`,
      family: "monitoring-blind",
      circuitId,
      phase: "pending",
      consecutiveFiring: 2,
      consecutiveClean: 0,
      ticks: 2,
      lastEvaluatedAt: ago(5),
      ticksAt: ago(5),
      tickAt: ago(5),
      lastFiringAt: ago(5),
      lastCleanAt: ago(15),
      ...over,
    }) as unknown as AlertState;
  const { ticks: _t, blindTicks: _bt, ticksAt: _ta, tickAt: _tk, ...beforeTicks } = own("a");
  const a = candidate("a").circuitId;
  const thisSweep = NOW.toISOString();

  it.each<{
    case: string;
    alerts: AlertState[];
    given?: AlertState;
    membersReadAt?: string | null;
    counted: { sweeps: number; ticks: number } | null;
  }>([
    {
      case: "a member's outage alert counted two blind ticks since the members were read",
      alerts: [own("a")],
      counted: { sweeps: 2, ticks: 2 },
    },
    {
      case: "of three blind sweeps one a POST /api/sweep: its sweeps, and of them its ticks",
      alerts: [own("a", { blindSweeps: 3 })],
      counted: { sweeps: 3, ticks: 2 },
    },
    {
      case: "the member that counted the most ticks, not the most sweeps nor the last",
      alerts: [own("b"), own("a", { blindSweeps: 3, blindTicks: 1 })],
      counted: { sweeps: 2, ticks: 2 },
    },
    {
      case: "a member's alert kept under its id in upper case",
      alerts: [own("a", { circuitId: a.toUpperCase() })],
      counted: { sweeps: 2, ticks: 2 },
    },
    {
      case: "a member's monitoring-blind failing (its paths unreadable): its firing sweeps and ticks",
      alerts: [blindAlert(a, { consecutiveFiring: 3 })],
      counted: { sweeps: 3, ticks: 2 },
    },
    {
      case: "its subscription's monitoring-blind failing (the listing too: no member alert evaluated)",
      alerts: [
        own("a", {
          lastEvaluatedAt: ago(15),
          ticksAt: ago(15),
          tickAt: ago(15),
          blindSweeps: undefined,
          blindTicks: undefined,
        }),
        blindAlert("/subscriptions/s", { phase: "firing", consecutiveFiring: 3 }),
      ],
      counted: { sweeps: 3, ticks: 2 },
    },
    {
      case: "another subscription's monitoring-blind",
      alerts: [blindAlert("/subscriptions/other")],
      counted: null,
    },
    {
      case: "a monitoring-blind not failing at its latest evaluation",
      alerts: [blindAlert(a, { lastFiringAt: ago(10) })],
      counted: null,
    },
    {
      case: "a count that started before the members were read again (ago(10)) is not used",
      alerts: [own("a")],
      membersReadAt: ago(10),
      counted: null,
    },
    {
      case: "a count that started before the fleet alert's own later judgement is not used",
      alerts: [own("a")],
      given: fleet({ lastEvaluatedAt: ago(10), lastFiringAt: ago(10) }),
      membersReadAt: null,
      counted: null,
    },
    {
      case: "a monitoring-blind read clean before the members' reading is not used",
      alerts: [blindAlert(a, { lastCleanAt: ago(20), consecutiveFiring: 3, ticks: 3 })],
      counted: null,
    },
    {
      case: "a row a worker already wrote this sweep (a tick): this sweep and its tick taken off",
      alerts: [
        own("a", {
          lastEvaluatedAt: thisSweep,
          ticksAt: thisSweep,
          tickAt: thisSweep,
          blindSweeps: 3,
          blindTicks: 3,
        }),
      ],
      counted: { sweeps: 2, ticks: 2 },
    },
    {
      case: "a row written this sweep by no tick: this sweep taken off, its ticks kept",
      alerts: [
        own("a", { lastEvaluatedAt: thisSweep, ticksAt: thisSweep, blindSweeps: 3, blindTicks: 2 }),
      ],
      counted: { sweeps: 2, ticks: 2 },
    },
    {
      case: "the timer's own monitoring-blind of the subscription written this sweep: one less",
      alerts: [
        blindAlert("/subscriptions/s", {
          lastEvaluatedAt: thisSweep,
          ticksAt: thisSweep,
          tickAt: thisSweep,
          lastFiringAt: thisSweep,
          consecutiveFiring: 3,
          ticks: 3,
        }),
      ],
      counted: { sweeps: 2, ticks: 2 },
    },
    {
      case: "a row written this sweep whose only blind sweep is this one",
      alerts: [
        own("a", {
          lastEvaluatedAt: thisSweep,
          ticksAt: thisSweep,
          tickAt: thisSweep,
          blindSweeps: 1,
          blindTicks: 1,
        }),
      ],
      counted: null,
    },
    { case: "members with no rows", alerts: [], counted: null },
    {
      case: "only a circuit the fleet alert does not name counted",
      alerts: [own("z")],
      counted: null,
    },
    {
      case: "a member's alert of a family no fleet groups (gateway)",
      alerts: [own("a", { family: "gateway" })],
      counted: null,
    },
    {
      case: "a member's outage alert from before ticks were kept (no ticksAt, blindTicks)",
      alerts: [beforeTicks as AlertState],
      counted: null,
    },
    {
      case: "counts another version kept as they were (ticksAt not its latest evaluation)",
      alerts: [own("a", { ticksAt: ago(10) })],
      counted: null,
    },
    {
      case: "a monitoring-blind from before ticks were kept",
      alerts: [blindAlert(a, { ticks: undefined, ticksAt: undefined })],
      counted: null,
    },
    {
      case: "blind ticks kept without blind sweeps",
      alerts: [own("a", { blindSweeps: undefined })],
      counted: null,
    },
    {
      case: "no tick among its blind sweeps (POST /api/sweep only): time decides",
      alerts: [own("a", { blindTicks: 0 })],
      counted: null,
    },
    {
      case: "last counted two sweeps before",
      alerts: [
        own("a", {
          lastEvaluatedAt: ago(10),
          ticksAt: ago(10),
          tickAt: ago(10),
          blindSweeps: 1,
          blindTicks: 1,
        }),
      ],
      counted: { sweeps: 1, ticks: 1 },
    },
    {
      case: "last counted three sweeps before (stale: the workers since wrote nothing)",
      alerts: [
        own("a", {
          lastEvaluatedAt: ago(15),
          ticksAt: ago(15),
          tickAt: ago(15),
          lastFiringAt: ago(25),
        }),
      ],
      given: fleet({ lastEvaluatedAt: ago(30), lastFiringAt: ago(30) }),
      membersReadAt: ago(25),
      counted: null,
    },
    {
      case: "a fleet alert over",
      alerts: [own("a")],
      given: fleet({ phase: "clear" }),
      counted: null,
    },
  ])("$case", ({ alerts, given, membersReadAt, counted }) => {
    const readAt = membersReadAt === undefined ? ago(15) : membersReadAt;
    expect(
      fleetBlindTicks(given ?? fleet(), alerts, NOW, readAt ? new Date(readAt) : null, INTERVAL),
    ).toEqual(counted);
  });
});

describe("fleetMemberRead (whether a member this run read counts as read for the fleet alerts that name it)", () => {
  const healthy = circuitReading();
  const pathsFailing = circuitReading({
    paths: {
      AzurePrivatePeering: {
        primary: { arp: failed({ kind: "server-error" }), bgp: failed({ kind: "server-error" }) },
        secondary: { arp: failed({ kind: "server-error" }), bgp: failed({ kind: "server-error" }) },
      },
    },
  });
  const outage = (state: Observation["state"]): Observation => ({
    key: "k",
    family: "path-down",
    circuitId: healthy.ref.id,
    peering: "AzurePrivatePeering",
    state,
    finding: null,
    previousReadAt: null,
  });
  const read = { circuitRead: true };

  it.each<{
    case: string;
    circuitRead: boolean;
    observations: Observation[];
    reading: typeof healthy;
    counts: boolean;
  }>([
    {
      case: "its outage alert read clean",
      circuitRead: true,
      observations: [outage("clean")],
      reading: healthy,
      counts: true,
    },
    {
      case: "its outage alert UNKNOWN (its path reads failed)",
      circuitRead: true,
      observations: [outage("unknown")],
      reading: pathsFailing,
      counts: false,
    },
    // Hunt seed 908: its provider's alert read clean from the listing, no path
    // alert because its paths were up when last read, and its paths unread now.
    {
      case: "its outage alert read clean (the provider's, from the listing), its path reads failed",
      circuitRead: true,
      observations: [{ ...outage("clean"), family: "provider", peering: null }],
      reading: pathsFailing,
      counts: false,
    },
    {
      case: "its outage alert read clean, its gateway read failed (no fleet layer)",
      circuitRead: true,
      observations: [outage("clean")],
      reading: circuitReading({ gateway: failed({ kind: "forbidden" }) }),
      counts: true,
    },
    {
      case: "its body not read",
      circuitRead: false,
      observations: [outage("unknown")],
      reading: healthy,
      counts: false,
    },
    // Its own alert's write lost: nothing to be observed UNKNOWN. Counted read because its body was listed, it let the fleet alert resolve.
    {
      case: "no outage alert of its own, every read worked",
      circuitRead: true,
      observations: [],
      reading: healthy,
      counts: true,
    },
    {
      case: "no outage alert of its own, its path reads failed",
      circuitRead: true,
      observations: [],
      reading: pathsFailing,
      counts: false,
    },
    {
      case: "no outage alert of its own, its gateway read failed (hides no fleet outage)",
      circuitRead: true,
      observations: [],
      reading: circuitReading({ gateway: failed({ kind: "forbidden" }) }),
      counts: true,
    },
    {
      case: "no outage alert of its own, its ARP tables failed (the route summaries say: read)",
      circuitRead: true,
      observations: [],
      reading: circuitReading({
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "forbidden" }) },
            secondary: { arp: failed({ kind: "forbidden" }) },
          },
        },
      }),
      counts: true,
    },
  ])("$case → $counts", ({ circuitRead, observations, reading, counts }) => {
    expect(fleetMemberRead({ ...read, circuitRead }, observations, reading)).toBe(counts);
  });
});

describe("memberSnapshotOf (what the timer takes from a fleet member's stored snapshot)", () => {
  const TAKEN = "2026-11-22T01:55:00.000Z";
  const of = (reads: unknown) =>
    memberSnapshotOf({ takenAt: TAKEN, reads } as Parameters<typeof memberSnapshotOf>[0]);

  it.each<{ case: string; reads: unknown; member: MemberSnapshot }>([
    {
      case: "as erwatch writes it",
      reads: { incomplete: false, pathsFailed: false, pathsReadAt: TAKEN, pathsFailedAt: null },
      member: { takenAt: TAKEN, pathsFailed: false, pathsReadAt: TAKEN, pathsFailedAt: null },
    },
    {
      case: "kept before its paths' times were",
      reads: { incomplete: true },
      member: { takenAt: TAKEN, pathsFailed: true },
    },
    { case: "none", reads: undefined, member: { takenAt: TAKEN, pathsFailed: true } },
    // Taken for their truth, "" and 0 said its paths were read.
    {
      case: "pathsFailed not true or false, incomplete false",
      reads: { pathsFailed: "", incomplete: false },
      member: { takenAt: TAKEN, pathsFailed: false },
    },
    {
      case: "pathsFailed and incomplete not true or false",
      reads: { pathsFailed: 0, incomplete: "" },
      member: { takenAt: TAKEN, pathsFailed: true },
    },
    { case: "reads text", reads: "x", member: { takenAt: TAKEN, pathsFailed: true } },
    { case: "reads a list", reads: [], member: { takenAt: TAKEN, pathsFailed: true } },
    {
      case: "times that are not text: none read known, a failure as late as can be",
      reads: { pathsFailed: false, pathsReadAt: 5, pathsFailedAt: { at: 1 } },
      member: { takenAt: TAKEN, pathsFailed: false, pathsReadAt: null, pathsFailedAt: TAKEN },
    },
    {
      case: "text that is not an instant is kept as it is (it says nothing)",
      reads: { pathsFailed: false, pathsReadAt: "yesterday", pathsFailedAt: "" },
      member: { takenAt: TAKEN, pathsFailed: false, pathsReadAt: "yesterday", pathsFailedAt: "" },
    },
  ])("$case", ({ reads, member }) => {
    expect(of(reads)).toEqual(member);
  });
});

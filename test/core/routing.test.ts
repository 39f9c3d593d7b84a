import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { pruneRouting, validateRouting } from "../../src/core/routing-check.js";
import { route, withResolveAudience, type Routing } from "../../src/core/routing.js";

const base = {
  severity: "Sev2",
  peakSeverity: "Sev2",
  layer: "provider",
  owner: "carrier",
  code: "arp-missing",
  family: "path-down",
  action: "open",
  circuit: {
    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-ams",
    name: "er-ams",
    tags: { env: "prod", Team: "NetOps" },
  },
} as unknown as AlertEvent;
const ev = (o: Record<string, unknown>) => ({ ...base, ...o }) as AlertEvent;

const routing = (match: Routing["routes"][number]["match"]): Routing => ({
  actionGroups: [{ name: "g", receivers: ["r"] }],
  routes: [{ name: "x", match, actionGroups: ["g"] }],
});

describe("route", () => {
  it.each([
    { name: "no conditions match everything", match: {}, event: base, hit: true },
    {
      name: "severity at or above, by peak",
      match: { severityAtOrAbove: "Sev1" },
      event: ev({ severity: "Sev2", peakSeverity: "Sev0" }),
      hit: true,
    },
    {
      name: "severity at or above misses a lower peak",
      match: { severityAtOrAbove: "Sev1" },
      event: base,
      hit: false,
    },
    {
      name: "severity band",
      match: { severityAtOrAbove: "Sev3", severityAtOrBelow: "Sev2" },
      event: ev({ peakSeverity: "Sev3" }),
      hit: true,
    },
    {
      name: "severity band excludes above",
      match: { severityAtOrAbove: "Sev3", severityAtOrBelow: "Sev2" },
      event: ev({ peakSeverity: "Sev1" }),
      hit: false,
    },
    { name: "circuit by name, any case", match: { circuits: ["ER-AMS"] }, event: base, hit: true },
    { name: "circuit by id", match: { circuits: [base.circuit.id] }, event: base, hit: true },
    {
      name: "tag value, key any case",
      match: { circuitTags: { team: "netops" } },
      event: base,
      hit: true,
    },
    { name: "tag wildcard", match: { circuitTags: { env: "*" } }, event: base, hit: true },
    { name: "missing tag", match: { circuitTags: { region: "*" } }, event: base, hit: false },
    { name: "owner", match: { owners: ["carrier"] }, event: base, hit: true },
    { name: "other owner", match: { owners: ["you"] }, event: base, hit: false },
    {
      name: "layer and code",
      match: { layers: ["provider"], codes: ["arp-missing"] },
      event: base,
      hit: true,
    },
    { name: "family", match: { families: ["route-limit"] }, event: base, hit: false },
  ] as const)("$name", ({ match, event, hit }) => {
    expect(route(routing(match as never), event).receivers).toEqual(hit ? ["r"] : []);
  });

  it("should name each receiver once however many routes match", () => {
    const r: Routing = {
      actionGroups: [
        { name: "a", receivers: ["teams", "pd"] },
        { name: "b", receivers: ["teams"] },
      ],
      routes: [
        { name: "1", match: {}, actionGroups: ["a"] },
        { name: "2", match: {}, actionGroups: ["b", "a"] },
      ],
    };
    expect(route(r, base)).toEqual({ receivers: ["teams", "pd"], routes: ["1", "2"] });
  });
});

describe("route: a fleet alert is routed as each of its members too", () => {
  // A carrier outage on two of a team's circuits at one site pages as one
  // fleet alert holding their own: routed as the site's pseudo-circuit alone
  // (no tags, code fleet-outage), it paged the team's routes nothing.
  const fleet = ev({
    family: "fleet",
    code: "fleet-outage",
    severity: "Sev0",
    peakSeverity: "Sev0",
    circuit: {
      id: "/erwatch/fleet/equinix/amsterdam/provider-x",
      name: "Equinix at Amsterdam (provider)",
      tags: {},
    },
    evidence: {
      provider: "Equinix",
      peeringLocation: "Amsterdam",
      circuits: [
        {
          id: "/s/er-ams-a",
          name: "er-ams-a",
          code: "provider-not-provisioned",
          tags: { Team: "NetOps" },
        },
        { id: "/s/er-ams-b", name: "er-ams-b", code: "provider-not-provisioned" },
      ],
    },
  });
  it.each([
    { name: "a member by name", match: { circuits: ["ER-AMS-B"] }, hit: true },
    { name: "a member by id", match: { circuits: ["/s/er-ams-a"] }, hit: true },
    { name: "a member's tag", match: { circuitTags: { team: "netops" } }, hit: true },
    { name: "a tag no member has", match: { circuitTags: { team: "apps" } }, hit: false },
    { name: "another circuit", match: { circuits: ["er-lon"] }, hit: false },
    { name: "a member's code", match: { codes: ["provider-not-provisioned"] }, hit: true },
    { name: "a member's family", match: { families: ["provider"] }, hit: true },
    { name: "its own code", match: { codes: ["fleet-outage"] }, hit: true },
    {
      name: "a member, and a severity the fleet does not reach",
      match: { circuits: ["er-ams-a"], severityAtOrBelow: "Sev2" },
      hit: false,
    },
  ] as const)("$name", ({ match, hit }) => {
    expect(route(routing(match as never), fleet).receivers).toEqual(hit ? ["r"] : []);
  });

  it("a circuit's own event is not matched by names in its evidence", () => {
    const own = ev({ evidence: { circuits: [{ id: "/s/er-ams-b", name: "er-ams-b" }] } });
    expect(route(routing({ circuits: ["er-ams-b"] }), own).receivers).toEqual([]);
  });
});

describe("validateRouting", () => {
  it("should report unknown names, duplicates and routes that can never match", () => {
    const r: Routing = {
      actionGroups: [
        { name: "a", receivers: ["teams", "ghost"] },
        { name: "a", receivers: [] },
      ],
      routes: [
        {
          name: "r",
          match: { severityAtOrAbove: "Sev1", severityAtOrBelow: "Sev2" },
          actionGroups: ["a", "nope"],
        },
        { name: "r", match: { codes: [] }, actionGroups: [] },
        { name: "z", match: { layers: ["routes"], owners: ["carrier"] }, actionGroups: ["a"] },
      ],
    };
    expect(validateRouting(r, ["teams", "teams"])).toEqual([
      'receivers[1].name: duplicate receiver name "teams"',
      'actionGroups[1].name: duplicate action group name "a"',
      'routes[1].name: duplicate route name "r"',
      'actionGroups[0].receivers[1]: unknown receiver "ghost"',
      'actionGroups[1].receivers: action group "a" has no receivers',
      'routes[0].actionGroups[1]: unknown action group "nope"',
      "routes[0].match: can never match: severityAtOrBelow Sev2 is less severe than severityAtOrAbove Sev1",
      'routes[1].actionGroups: route "r" sends to no action group',
      "routes[1].match.codes: an empty list can never match; leave it out to match all",
      "routes[2].match: can never match: no finding on layer(s) routes is owned by carrier",
    ]);
  });
});

describe("validateRouting: every owner a finding can have on its layer is routable", () => {
  // The README's codes table is the public contract of who owns what; a route
  // written for any (layer, owner) it names must not be refused at start.
  const readme = readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), "../../README.md"),
    "utf8",
  );
  const table = readme.slice(readme.indexOf("### Finding codes"));
  const rows = table
    .split("\n")
    .filter((line) => /^\| `[a-z0-9-]+`/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()));
  const pairs = rows.flatMap(([, code, layer, owner]) =>
    (["carrier", "you", "shared"] as const)
      .filter((o) => new RegExp(`\\b${o}\\b`).test(owner ?? ""))
      .map((o) => ({ code: code!, layer: layer!, owner: o })),
  );
  // A fleet alert takes its members' layer; members owned differently share it.
  const fleet = (["provider", "bgp", "routes"] as const).map((layer) => ({
    code: "`fleet-outage`",
    layer,
    owner: layer === "routes" ? ("you" as const) : ("shared" as const),
  }));

  it("reads the table", () => {
    expect(pairs.length).toBeGreaterThan(20);
    expect(pairs).toContainEqual({
      code: "`circuit-not-enabled`",
      layer: "provider",
      owner: "you",
    });
  });

  it.each([...pairs.filter((p) => p.layer !== "(members)"), ...fleet])(
    "$code: a route for layer $layer owned by $owner is accepted",
    ({ layer, owner }) => {
      const routing = {
        actionGroups: [{ name: "g", receivers: ["teams"] }],
        routes: [{ name: "r", match: { layers: [layer], owners: [owner] }, actionGroups: ["g"] }],
      } as Routing;
      expect(validateRouting(routing, ["teams"])).toEqual([]);
    },
  );
});

describe("withResolveAudience: whoever was told of an alert hears it resolve", () => {
  const routed = { receivers: ["teams"], routes: ["chat"] };
  it.each<{ case: string; action: string; told: string[]; receivers: string[] }>([
    {
      case: "a resolve, PagerDuty told of the open",
      action: "resolve",
      told: ["pd"],
      receivers: ["teams", "pd"],
    },
    { case: "a resolve, already routed", action: "resolve", told: ["teams"], receivers: ["teams"] },
    { case: "a resolve, nobody else told", action: "resolve", told: [], receivers: ["teams"] },
    // Only the resolve: routes keep deciding who hears opens, escalations and repeats.
    {
      case: "a repeat, PagerDuty told of the open",
      action: "repeat",
      told: ["pd"],
      receivers: ["teams"],
    },
  ])("$case", ({ action, told, receivers }) => {
    expect(withResolveAudience(routed, { action } as AlertEvent, told).receivers).toEqual(
      receivers,
    );
  });
});

describe("validateRouting: receivers recorded under one name", () => {
  it.each([
    { names: ["noc channel", "noc_channel"], problem: true },
    { names: ["noc/pd", "noc pd"], problem: true },
    // Storage keys keep case: these are two records.
    { names: ["NOC", "noc"], problem: false },
    { names: ["noc-pd", "noc.pd"], problem: false },
  ])("$names → refused: $problem", ({ names, problem }) => {
    const routing = {
      actionGroups: [{ name: "g", receivers: names }],
      routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
    } as Routing;
    const problems = validateRouting(routing, names);
    expect(problems.some((p: string) => p.includes("differ only in spaces or punctuation"))).toBe(
      problem,
    );
  });
});

describe("pruneRouting: one broken entry is left out, every other route still delivers", () => {
  const good: Routing["routes"][number] = {
    name: "page",
    match: { severityAtOrAbove: "Sev1" },
    actionGroups: ["on-call"],
  };
  /** What every case below should come back to: the page route to PagerDuty. */
  const sound: Routing = { actionGroups: [{ name: "on-call", receivers: ["pd"] }], routes: [good] };
  it.each<{
    case: string;
    routing: Routing;
    names: string[];
    want: Routing;
    receivers: string[];
    left: string[];
  }>([
    {
      case: "a typo in one action group's receiver: that reference goes, the group's others stay",
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd", "temas"] }],
        routes: [good],
      },
      names: ["pd", "teams"],
      want: sound,
      receivers: ["pd", "teams"],
      left: ['actionGroups[0].receivers[1]: unknown receiver "temas"'],
    },
    {
      case: "a new route naming a group that does not exist: the route goes, the old ones stay",
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd"] }],
        routes: [
          good,
          { name: "noc", match: { layers: ["gateway"] }, actionGroups: ["noc-chanel"] },
        ],
      },
      names: ["pd"],
      want: sound,
      receivers: ["pd"],
      left: [
        'routes[1].actionGroups[0]: unknown action group "noc-chanel"',
        'routes[1].actionGroups: route "noc" sends to no action group',
      ],
    },
    {
      case: "a second receiver of one name: the first is kept, so its group still delivers",
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd"] }],
        routes: [good],
      },
      names: ["pd", "pd"],
      want: sound,
      receivers: ["pd"],
      left: ['receivers[1].name: duplicate receiver name "pd"'],
    },
    {
      case: "a group left with no receiver goes, and so does the route that sent only to it",
      routing: {
        actionGroups: [
          { name: "on-call", receivers: ["pd"] },
          { name: "ghosts", receivers: ["nobody"] },
        ],
        routes: [good, { name: "haunt", match: {}, actionGroups: ["ghosts"] }],
      },
      names: ["pd"],
      want: sound,
      receivers: ["pd"],
      left: [
        'actionGroups[1].receivers[0]: unknown receiver "nobody"',
        'actionGroups[1].receivers: action group "ghosts" has no receivers',
        'routes[1].actionGroups[0]: unknown action group "ghosts"',
        'routes[1].actionGroups: route "haunt" sends to no action group',
      ],
    },
    {
      case: "a route that can never match goes; nothing else changes",
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd"] }],
        routes: [{ name: "never", match: { codes: [] }, actionGroups: ["on-call"] }, good],
      },
      names: ["pd"],
      want: sound,
      receivers: ["pd"],
      left: ["routes[0].match.codes: an empty list can never match; leave it out to match all"],
    },
  ])("$case", ({ routing, names, want, receivers, left }) => {
    const pruned = pruneRouting(routing, names);
    expect(pruned.routing).toEqual(want);
    expect(pruned.receivers).toEqual(receivers);
    expect(pruned.left).toEqual(left);
    // What is left is sound.
    expect(validateRouting(pruned.routing, pruned.receivers)).toEqual([]);
  });

  it("a sound configuration is left as it is", () => {
    expect(pruneRouting(sound, ["pd"])).toEqual({
      routing: sound,
      receivers: ["pd"],
      left: [],
      kept: [],
    });
  });

  it("two routes of one name are both kept, and said: only the log's label is shared", () => {
    // The carrier desk's route pasted from on-call's and not renamed.
    const routing = {
      actionGroups: [
        { name: "on-call", receivers: ["pd"] },
        { name: "carrier-desk", receivers: ["desk"] },
      ],
      routes: [
        { name: "page", match: { owners: ["you" as const] }, actionGroups: ["on-call"] },
        { name: "page", match: { owners: ["carrier" as const] }, actionGroups: ["carrier-desk"] },
      ],
    };
    const pruned = pruneRouting(routing, ["pd", "desk"]);
    expect(pruned.routing).toEqual(routing);
    expect(pruned.left).toEqual([]);
    expect(pruned.kept).toEqual(['routes[1].name: duplicate route name "page"']);
    expect(route(pruned.routing, ev({ owner: "carrier" })).receivers).toEqual(["desk"]);
  });
});

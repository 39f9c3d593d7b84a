// A circuit's alert holds another of its alerts only if it pages whoever the
// held one would (found by a review: a circuit not enabled, routed to the
// carrier desk by family, held the gateway team's "gateway not connected"
// from the gateway team, who heard nothing).

import { describe, expect, it } from "vitest";
import type { AlertStep, Holds } from "../../src/core/alert-step.js";
import { holdsThatReach } from "../../src/core/holds-reach.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Routing } from "../../src/core/routing.js";

const CIRCUIT = { id: "/s/er-a", name: "er-a", tags: { team: "netops" } };

const state = (
  key: string,
  family: string,
  code: string,
  severity: string,
  layer: string,
  owner: string,
): AlertState =>
  ({
    key,
    family,
    phase: "firing",
    notified: null,
    condition: { code, severity, layer, owner, paths: [], evidence: {} },
  }) as unknown as AlertState;

const steps: AlertStep[] = [
  state("held-by-circuit", "circuit-state", "circuit-not-enabled", "Sev1", "circuit", "carrier"),
  state("gw", "gateway", "gateway-not-connected", "Sev1", "gateway", "you"),
].map((s) => ({
  observation: { key: s.key } as AlertStep["observation"],
  previous: null,
  advanced: s,
}));

const holds: Holds = new Map([["gw", { by: "held-by-circuit", rule: "r" }]]);

const routing = (routes: Routing["routes"]): Routing => ({
  actionGroups: [
    { name: "carrier", receivers: ["carrier-desk"] },
    { name: "gateway", receivers: ["gw-pager"] },
    { name: "all", receivers: ["carrier-desk", "gw-pager"] },
  ],
  routes,
});

describe("holdsThatReach", () => {
  it.each<{ case: string; routes: Routing["routes"]; kept: boolean }>([
    {
      case: "one route for every alert: the holder reaches everyone, the hold stays",
      routes: [{ name: "x", match: {}, actionGroups: ["all"] }],
      kept: true,
    },
    {
      case: "by family: the gateway team hears only gateway alerts, the hold goes",
      routes: [
        { name: "c", match: { families: ["circuit-state"] }, actionGroups: ["carrier"] },
        { name: "g", match: { families: ["gateway"] }, actionGroups: ["gateway"] },
      ],
      kept: false,
    },
    {
      case: "by owner: yours to the gateway pager, the carrier's to the desk, the hold goes",
      routes: [
        { name: "c", match: { owners: ["carrier"] }, actionGroups: ["carrier"] },
        { name: "g", match: { owners: ["you"] }, actionGroups: ["gateway"] },
      ],
      kept: false,
    },
    {
      case: "by circuit tag: both reach the same team, the hold stays",
      routes: [
        { name: "t", match: { circuitTags: { team: "netops" } }, actionGroups: ["gateway"] },
      ],
      kept: true,
    },
    {
      case: "the held alert reaches no one: nothing to lose, the hold stays",
      routes: [{ name: "c", match: { families: ["circuit-state"] }, actionGroups: ["carrier"] }],
      kept: true,
    },
  ])("$case", ({ routes, kept }) => {
    expect(holdsThatReach(holds, steps, CIRCUIT, routing(routes)).has("gw")).toBe(kept);
  });

  it("a resolve-only hold keeps nothing from being heard: it stays", () => {
    const resolveOnly: Holds = new Map([
      ["gw", { by: "held-by-circuit", rule: "r", only: "resolve" }],
    ]);
    const byFamily = routing([
      { name: "c", match: { families: ["circuit-state"] }, actionGroups: ["carrier"] },
      { name: "g", match: { families: ["gateway"] }, actionGroups: ["gateway"] },
    ]);
    expect(holdsThatReach(resolveOnly, steps, CIRCUIT, byFamily).has("gw")).toBe(true);
  });
});

// A fleet alert is silenced only when every circuit it names is: a carrier's
// announced maintenance at a site silences the group page with its circuits,
// and one circuit outside the silences is news.

import { describe, expect, it } from "vitest";
import { fleetSilence, silencedMembers } from "../../src/core/fleet-silence.js";
import type { Silence } from "../../src/core/policy.js";

const NOW = new Date("2026-11-22T02:05:00.000Z");
const FLEET = "/erwatch/fleet/equinix/amsterdam/provider";
const id = (name: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
const member = (name: string, paths: string[] = []) => ({ id: id(name), name, paths });
const once = (start: string, end: string) => ({ kind: "once" as const, start, end });
const tonight = once("2026-11-22T01:00:00Z", "2026-11-22T04:00:00Z");
const silence = (sid: string, circuit: string, extra: Partial<Silence> = {}): Silence => ({
  id: sid,
  circuit,
  window: tonight,
  ...extra,
});

describe("fleetSilence", () => {
  it.each<{
    case: string;
    members: ReturnType<typeof member>[];
    silences: Silence[];
    by: string | null;
  }>([
    {
      case: "every member silenced (by name or by id)",
      members: [member("er-a"), member("er-b")],
      silences: [silence("s1", "er-a"), silence("s2", id("er-b").toUpperCase())],
      by: "s1, s2",
    },
    {
      case: "one silence named twice is named once",
      members: [member("er-a"), member("er-b")],
      silences: [silence("s1", "er-a"), { ...silence("s1", "er-b") }],
      by: "s1",
    },
    {
      case: "one member not silenced: the group pages",
      members: [member("er-a"), member("er-b")],
      silences: [silence("s1", "er-a")],
      by: null,
    },
    {
      case: "a silence whose window is over",
      members: [member("er-a")],
      silences: [
        silence("s1", "er-a", { window: once("2026-11-21T01:00:00Z", "2026-11-21T04:00:00Z") }),
      ],
      by: null,
    },
    {
      case: "a peering-scoped silence (the fleet does not keep members' peerings)",
      members: [member("er-a")],
      silences: [silence("s1", "er-a", { peering: "AzurePrivatePeering" })],
      by: null,
    },
    {
      case: "a path-scoped silence covering the member's only path",
      members: [member("er-a", ["primary"])],
      silences: [silence("s1", "er-a", { path: "primary" })],
      by: "s1",
    },
    {
      case: "a path-scoped silence, the member down on both paths",
      members: [member("er-a", ["primary", "secondary"])],
      silences: [silence("s1", "er-a", { path: "primary" })],
      by: null,
    },
    { case: "no members", members: [], silences: [silence("s1", "er-a")], by: null },
  ])("$case", ({ members, silences, by }) => {
    const found = fleetSilence(FLEET, members, silencedMembers(members, silences, NOW), NOW);
    expect(found?.id ?? null).toBe(by);
    if (found) {
      // It covers the fleet alert's own subject, at this instant only.
      expect(found.circuit).toBe(FLEET);
      expect(found.window).toEqual(once(NOW.toISOString(), "2026-11-22T02:05:00.001Z"));
      expect(found.comment).toContain(members.map((m) => m.name).join(", "));
    }
  });
});

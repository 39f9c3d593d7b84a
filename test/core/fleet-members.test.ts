import { describe, expect, it } from "vitest";
import { fleetMembersAllIn, fleetMembersOf } from "../../src/core/fleet-members.js";

const bare = (id: string) => ({
  id,
  name: id,
  serviceKey: null,
  code: null,
  severity: null,
  owner: null,
  paths: [],
  title: "",
  unread: false,
});

/** Every field a fleet alert says of a member, as it writes them. */
const full = {
  id: "x",
  name: "er-x",
  serviceKey: "k-x",
  code: "arp-missing",
  severity: "Sev0",
  owner: "carrier",
  paths: ["primary", "secondary"],
  title: "Layer 2 down",
};

describe("fleetMembersOf", () => {
  it.each<{ case: string; evidence: Record<string, unknown>; want: unknown }>([
    {
      case: "what a fleet alert says of each member",
      evidence: {
        circuits: [full],
      },
      want: [{ ...full, unread: false }],
    },
    {
      // Routes match a fleet alert by its members' tags: kept as text, the rest dropped.
      case: "its tags",
      evidence: { circuits: [{ ...full, tags: { Team: "NetOps", n: 1, x: null } }] },
      want: [{ ...full, unread: false, tags: { Team: "NetOps" } }],
    },
    {
      case: "tags that are not an object, or none that are text",
      evidence: {
        circuits: [
          { ...full, tags: ["a"] },
          { ...full, id: "y", tags: { n: 1 } },
        ],
      },
      want: [
        { ...full, unread: false },
        { ...full, id: "y", unread: false },
      ],
    },
    { case: "no circuits", evidence: {}, want: [] },
    { case: "circuits not a list", evidence: { circuits: "x" }, want: [] },
    {
      // Stored JSON from any erwatch: odd entries are skipped, odd fields dropped,
      // a missing name falls back to the id.
      case: "odd entries and fields",
      evidence: {
        circuits: [
          null,
          7,
          { name: "no id" },
          { id: 5 },
          { id: "z" },
          {
            id: "w",
            name: "",
            severity: "sev0",
            owner: "Carrier",
            paths: ["primary", 3],
            unread: "yes",
          },
          { id: "u", unread: true },
        ],
      },
      want: [bare("z"), { ...bare("w"), paths: ["primary"] }, { ...bare("u"), unread: true }],
    },
  ])("$case", ({ evidence, want }) => {
    expect(fleetMembersOf({ evidence })).toEqual(want);
  });

  it("a missing condition names nobody", () => {
    expect(fleetMembersOf(null)).toEqual([]);
  });
});

describe("fleetMembersAllIn", () => {
  const condition = { evidence: { circuits: [{ id: "/Subs/A/Er-1" }, { id: "/subs/a/er-2" }] } };
  it.each<{
    case: string;
    condition: { evidence: Record<string, unknown> } | null;
    read: string[];
    want: boolean;
  }>([
    {
      case: "every member read, in any case",
      condition,
      read: ["/subs/a/er-1", "/subs/a/er-2", "/subs/a/er-3"],
      want: true,
    },
    { case: "one member not read", condition, read: ["/subs/a/er-1"], want: false },
    {
      case: "none named: nobody can say it is over",
      condition: { evidence: {} },
      read: ["/subs/a/er-1"],
      want: false,
    },
    { case: "no condition", condition: null, read: ["/subs/a/er-1"], want: false },
  ])("$case", ({ condition, read, want }) => {
    expect(fleetMembersAllIn(condition, new Set(read))).toBe(want);
  });
});

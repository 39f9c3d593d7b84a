// Which circuits the sweep reads route tables for, what it keeps, and what vanished.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import {
  baselineDue,
  droppedPathsOf,
  keepablePaths,
  networksOf,
  routeChanges,
  tablesToKeep,
  withoutRouteTables,
  type KeptRouteTable,
} from "../../src/core/route-tables.js";
import {
  circuitReading,
  CIRCUIT_ID,
  failed,
  routeRows,
  type CircuitSpec,
} from "../support/readings.js";

const NOW = new Date("2026-11-22T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

describe("baselineDue: a few circuits a sweep, never tried first, then the stalest", () => {
  const policy = { keepEveryHours: 24, perSweep: 2 };
  it.each([
    { name: "nothing kept yet: the first two", marks: [], due: ["a", "b"] },
    {
      name: "a fresh one is skipped",
      marks: [{ circuitId: "a", attemptedAt: hoursAgo(1) }],
      due: ["b", "c"],
    },
    {
      name: "stale ones by age, oldest first",
      marks: [
        { circuitId: "a", attemptedAt: hoursAgo(30) },
        { circuitId: "b", attemptedAt: hoursAgo(50) },
        { circuitId: "c", attemptedAt: hoursAgo(2) },
      ],
      due: ["b", "a"],
    },
    {
      name: "all fresh: nobody",
      marks: ["a", "b", "c"].map((circuitId) => ({ circuitId, attemptedAt: hoursAgo(3) })),
      due: [],
    },
    {
      name: "ids compare without case",
      marks: [
        { circuitId: "A", attemptedAt: hoursAgo(1) },
        { circuitId: "B", attemptedAt: hoursAgo(1) },
      ],
      due: ["c"],
    },
    // A mark kept as text that is not an instant (a hand edit, a cut-off write):
    // "42" read as the year 2042 kept the circuit's baseline from being read again for good.
    ...["42", "yesterday", "", "2026-11-22"].map((attemptedAt) => ({
      name: `a mark dated ${JSON.stringify(attemptedAt)} is never tried`,
      marks: [
        { circuitId: "a", attemptedAt },
        { circuitId: "b", attemptedAt: hoursAgo(30) },
        { circuitId: "c", attemptedAt: hoursAgo(1) },
      ],
      due: ["a", "b"],
    })),
    {
      name: "a mark dated ahead of now (a clock stepped back) is never tried",
      marks: [
        { circuitId: "a", attemptedAt: hoursAgo(-5) },
        { circuitId: "b", attemptedAt: hoursAgo(1) },
        { circuitId: "c", attemptedAt: hoursAgo(1) },
      ],
      due: ["a"],
    },
    {
      name: "a mark seconds ahead (another process's clock) is a fresh one",
      marks: [
        { circuitId: "a", attemptedAt: new Date(NOW.getTime() + 20_000).toISOString() },
        { circuitId: "b", attemptedAt: hoursAgo(1) },
      ],
      due: ["c"],
    },
  ])("$name", ({ marks, due }) => {
    expect(baselineDue(["a", "b", "c"], marks, policy, NOW)).toEqual(due);
  });
  it("perSweep 0 turns it off", () => {
    expect(baselineDue(["a"], [], { keepEveryHours: 24, perSweep: 0 }, NOW)).toEqual([]);
  });
});

describe("what is kept, and what vanished", () => {
  const reading = (spec: CircuitSpec) => circuitReading(spec);
  const withRoutes = (primary: number, secondary: number, extra: CircuitSpec["paths"] = {}) =>
    reading({
      paths: {
        AzurePrivatePeering: {
          primary: { bgp: String(primary), routes: routeRows(primary) },
          secondary: { bgp: String(secondary), routes: routeRows(secondary) },
          ...extra.AzurePrivatePeering,
        },
      },
    });

  it("keeps Established paths with prefixes, and not a path with a drop in force", () => {
    const r = withRoutes(300, 300);
    const verdict = classifyCircuit(r);
    expect(keepablePaths(verdict, () => []).map((p) => p.path)).toEqual(["primary", "secondary"]);
    expect(keepablePaths(verdict, () => ["secondary"]).map((p) => p.path)).toEqual(["primary"]);
    const tables = tablesToKeep(
      r,
      keepablePaths(verdict, () => []),
    );
    expect(tables.map((t) => [t.path, t.networks.length])).toEqual([
      ["primary", 300],
      ["secondary", 300],
    ]);
  });

  it("keeps nothing for a path that is down, empty, or whose route read failed", () => {
    const r = reading({
      paths: {
        AzurePrivatePeering: {
          primary: { bgp: "Idle", routes: [] },
          secondary: { bgp: "120", routes: failed({ kind: "throttled" }) },
        },
      },
    });
    expect(
      tablesToKeep(
        r,
        keepablePaths(classifyCircuit(r), () => []),
      ),
    ).toEqual([]);
  });

  it("lists the networks in the kept table that are not received now, and those that appeared", () => {
    const kept: KeptRouteTable[] = [
      {
        circuitId: CIRCUIT_ID,
        peering: "AzurePrivatePeering",
        path: "primary",
        readAt: hoursAgo(3),
        networks: networksOf(routeRows(3000)),
      },
    ];
    const now = withRoutes(40, 3000);
    const changes = routeChanges(now, kept, () => ["primary"]);
    const primary = changes.find((c) => c.path === "primary")!;
    expect([primary.kept, primary.now, primary.vanished.length, primary.appeared]).toEqual([
      3000,
      40,
      2960,
      [],
    ]);
    expect(primary.vanished).toContain("10.11.183.0/24");
    expect(primary.vanished).not.toContain("10.0.0.0/24");
    expect(primary.frozenByDrop).toBe(true);
    const secondary = changes.find((c) => c.path === "secondary")!;
    expect([secondary.keptAt, secondary.vanished]).toEqual([null, []]);
  });

  it.each([
    [
      "the old spelling sorts first (as Table Storage lists its rows)",
      ["AzurePrivatePeering", 3],
      ["azureprivatepeering", 1],
    ],
    ["the new spelling sorts first", ["azureprivatepeering", 1], ["AzurePrivatePeering", 3]],
    // "42" read as the year 2042 made the old table the newest for good.
    [
      "the old one's time is not an instant",
      ["AzurePrivatePeering", "42"],
      ["azureprivatepeering", 1],
    ],
    ["the old one's time is not a time", ["azureprivatepeering", 1], ["AzurePrivatePeering", "x"]],
  ] as const)(
    "a peering ARM now spells in another case has a table kept under each spelling: compared with the newest (%s)",
    (_, first, second) => {
      const table = ([peering, age]: readonly [string, number | string], prefixes: number) => ({
        circuitId: CIRCUIT_ID,
        peering,
        path: "primary" as const,
        readAt: typeof age === "number" ? hoursAgo(age) : age,
        networks: networksOf(routeRows(prefixes)),
      });
      // Kept at 300 (three hours ago, or at a time that is not one), at 40 an hour ago; 40 received now.
      const kept = [first, second].map((t) => table(t, t[1] === 1 ? 40 : 300));
      const primary = routeChanges(withRoutes(40, 3000), kept, () => []).find(
        (c) => c.path === "primary",
      )!;
      expect([primary.keptAt, primary.kept, primary.vanished.length]).toEqual([hoursAgo(1), 40, 0]);
    },
  );

  it("networksOf de-duplicates and sorts by address, IPv4 first", () => {
    const rows = (networks: string[]) =>
      networks.map((network) => ({ ...routeRows(1)[0]!, network }));
    expect(
      networksOf(
        rows([
          "10.0.100.0/24",
          "2001:db8::/48",
          "10.0.40.0/24",
          "10.0.40.0/22",
          " ",
          "10.0.40.0/24",
          "9.1.0.0/16",
        ]),
      ),
    ).toEqual(["9.1.0.0/16", "10.0.40.0/22", "10.0.40.0/24", "10.0.100.0/24", "2001:db8::/48"]);
  });

  it("withoutRouteTables leaves ARP and the summary", () => {
    const stripped = withoutRouteTables(withRoutes(10, 10));
    expect(stripped.paths.AzurePrivatePeering?.primary.routes).toBeUndefined();
    expect(stripped.paths.AzurePrivatePeering?.primary.summary.ok).toBe(true);
  });

  it("droppedPathsOf reads the prefix-drop finding's paths", () => {
    const verdict = {
      ...classifyCircuit(withRoutes(10, 10)),
      findings: [
        {
          code: "prefix-drop" as const,
          peering: "AzurePrivatePeering",
          paths: ["secondary" as const],
        },
      ],
    } as unknown as Parameters<typeof droppedPathsOf>[0];
    expect(droppedPathsOf(verdict)("AzurePrivatePeering")).toEqual(["secondary"]);
  });
});

// A role without one action erwatch reads with: Azure answers that read 403
// AuthorizationFailed on every circuit at every try. The real timer every 5
// minutes on an injected clock, six healthy circuits, ARM on loopback, state
// in Azurite, beside the same estate with the role whole.
//
// Without the route summary action every circuit was trouble ("a read failed
// last time", its BGP and routes rows UNKNOWN, then its own monitoring-blind
// open) and read deep every sweep: six deep reads a sweep where the rotation
// reads three, twice the long-running POSTs, and at hundreds of circuits a
// tiered sweep that is a full one and no longer fits its timer. Then its
// monitoring-blind, pending, kept it trouble until it opened: three deep
// reads a circuit for a 403 no read sooner mends. Now the read that met the
// refusal is its one deep read, and the circuit is read in its turn (deep at
// once when the cheap tier shows a change); monitoring-blind still opens,
// naming the permission, and the refused read is tried again in each turn,
// so a grant is read within the age limit. Counted in failed reads in a row
// at the rotation's cadence it opened 20 minutes after the first 403; it
// opens on time now, at the read that finds it refused 10 minutes on.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { healthyCircuit, metricsDip, setPeeringState } from "../support/estate/index.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { countedSweep } from "../support/counted-sweep.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

type Refused = "routeTablesSummary" | "arpTable";

async function sixCircuits(...refused: Refused[]): Promise<TimerWorld> {
  const bundles = Array.from({ length: 6 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  const t = await timerWorld(worlds, T0, bundles);
  for (const operation of refused)
    t.w.estate.addFault({ match: { operation }, behaviour: { kind: "status", status: 403 } });
  return t;
}

const bgpOf = (r: SweepResult) =>
  r.verdicts.map((v) => `${v.name} ${v.peerings[0]!.paths.primary.bgp.status}`);

describe("a role without the route summary action (403 on every circuit, every try)", () => {
  it.each<{ without: string; refused: Refused[]; posts: number }>([
    // Each circuit read: two refused summaries, then both ARP tables (layer 2 not proven).
    { without: "the route summary action", refused: ["routeTablesSummary"], posts: 12 },
    {
      without: "the route summary and ARP actions",
      refused: ["routeTablesSummary", "arpTable"],
      posts: 12,
    },
  ])(
    "without $without: reads each circuit in its turn from the read that met the 403, as many deep reads a sweep as the whole role",
    async ({ refused, posts }) => {
      const whole = await sixCircuits();
      const denied = await sixCircuits(...refused);
      const deepPerSweep: number[] = [];
      const postsPerSweep: number[] = [];
      const wholePosts: number[] = [];
      const readAt: string[][] = [];
      const openedAt = new Map<string, number>();
      for (let m = 0; m <= 60; m += 5) {
        const a = await countedSweep(whole, m);
        const b = await countedSweep(denied, m);
        deepPerSweep.push(b.deep.length);
        postsPerSweep.push(b.posts);
        wholePosts.push(a.posts);
        readAt.push(b.deep.map((d) => d.split(" ")[0]!));
        for (const e of denied.sent())
          if (!openedAt.has(e.circuit.name)) openedAt.set(e.circuit.name, m);
        if (m === 0) continue;
        expect(b.deep.length, `minute ${m}`).toBe(a.deep.length);
        expect(b.deep.join("\n")).toMatch(/^(er-circuit-\w (rotation|due)\n?)+$/);
      }
      // In its turn: each circuit read in every two sweeps running, its refused summary tried again there.
      for (let i = 1; i + 1 < readAt.length; i += 1)
        expect(new Set([...readAt[i]!, ...readAt[i + 1]!]).size, `sweeps ${i}, ${i + 1}`).toBe(6);
      // Before: [6, 6, 6, 6, …] deep reads and 24 long-running POSTs every
      // sweep; then, pending monitoring-blind trouble, [6, 6, 6, 3, …] and [24, 24, 24, 12, …].
      expect(deepPerSweep).toEqual([6, ...Array.from({ length: 12 }, () => 3)]);
      expect(postsPerSweep).toEqual([24, ...Array.from({ length: 12 }, () => posts)]);
      // The whole role: two summaries a circuit, the first peering's ARP tables (the witness).
      expect(wholePosts.slice(1)).toEqual(Array.from({ length: 12 }, () => 8));
      // Every circuit's monitoring-blind opened once, naming the permission, and stays open.
      const sent = denied.sent();
      expect(sent.map((e) => `${e.action} ${e.family}`)).toEqual(
        Array.from({ length: 6 }, () => "open monitoring-blind"),
      );
      for (const e of sent)
        expect(e.title).toMatch(
          /: forbidden \(missing Microsoft\.Network\/expressRouteCircuits\/peerings\/(routeTablesSummary|arpTables)\/read\)/,
        );
      // Each opened at the first read that found it refused once it had stood
      // as long as three sweeps take (10 minutes from the first 403), as if
      // read every sweep. Before: at its third failed read in a row at the
      // rotation's cadence, 15 or 20 minutes in.
      expect(openedAt.size).toBe(6);
      for (const [name, m] of openedAt) {
        const reads = readAt.flatMap((names, i) => (names.includes(name) ? [i * 5] : []));
        expect(reads[0], name).toBe(0);
        expect(m, name).toBe(reads.find((r) => r >= 10));
      }
      expect([...openedAt.values()].sort()).toEqual([10, 10, 10, 15, 15, 15]);
    },
  );

  it("reads every circuit's route summary again within the age limit once the role is granted, and resolves its monitoring-blind", async () => {
    const t = await sixCircuits("routeTablesSummary");
    await t.sweepUntil(0, 20);
    t.w.estate.clearFaults();
    const up = new Set<string>();
    for (let m = 25; m <= 35; m += 5)
      for (const row of bgpOf(await t.sweep(m))) if (row.endsWith(" up")) up.add(row);
    // 15 minutes after the grant (the age limit), every circuit read BGP up.
    expect(up.size).toBe(6);
    await t.sweepUntil(40, 50);
    expect(
      t.sent().filter((e) => e.action === "resolve" && e.family === "monitoring-blind"),
    ).toHaveLength(6);
  });
});

describe("a role without the ARP action (the subscription's ARP witness refused every sweep)", () => {
  it("keeps the witness on the one circuit whose monitoring-blind names it: one deep read a sweep more than the whole role, one page", async () => {
    const whole = await sixCircuits();
    const denied = await sixCircuits("arpTable");
    const witness: string[] = [];
    for (let m = 0; m <= 40; m += 5) {
      const a = await countedSweep(whole, m);
      const b = await countedSweep(denied, m);
      witness.push(b.deep.filter((d) => d.startsWith("er-circuit-a ")).join());
      if (m === 0) continue;
      expect(b.deep.length, `minute ${m}`).toBe(a.deep.length + 1);
    }
    // Read in its turn, the witness moved to another circuit each sweep, each
    // opening and resolving a monitoring-blind of its own.
    expect(witness.slice(1)).toEqual(Array.from({ length: 8 }, () => "er-circuit-a trouble"));
    expect(denied.sent().map((e) => `${e.action} ${e.family} ${e.circuit.name}`)).toEqual([
      "open monitoring-blind er-circuit-a",
    ]);
  });
});

describe("a BGP availability dip on a circuit whose route summary is refused (403 on every try)", () => {
  const at = (m: number) => new Date(T0 + m * 60_000).toISOString();

  // The last deep read of such a circuit is incomplete, and pathsReadAt
  // stays at the last one that worked (none): every dip in Azure Monitor's
  // look-back counted as unseen, and the circuit was read deep for one dip
  // at every sweep whose look-back held it, though no deep read sees BGP
  // while the summary is refused.
  it("reads it deep once for the dip, then in its turn", async () => {
    const t = await sixCircuits("routeTablesSummary");
    await t.sweepUntil(0, 20);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-a",
      peering: "AzurePrivatePeering",
      path: "primary",
      metrics: ["BgpAvailability"],
      from: at(21),
      to: at(22),
      value: 0,
    });
    const reasons: string[] = [];
    const deepPerSweep: number[] = [];
    const postsPerSweep: number[] = [];
    for (let m = 25; m <= 45; m += 5) {
      const swept = await countedSweep(t, m);
      const a = swept.result.plan.deep.find((d) => d.name === "er-circuit-a");
      reasons.push(a?.reason ?? "quiet");
      if (m === 25)
        expect(a?.detail).toMatch(
          /^Azure Monitor: BgpAvailability 0 % on AzurePrivatePeering primary/,
        );
      deepPerSweep.push(swept.deep.length);
      postsPerSweep.push(swept.posts);
    }
    // Before: "signal" at 25, 30 and 35: [4, 4, 4, 3, 3] deep reads, [16, 16, 16, 12, 12] POSTs.
    expect(reasons[0]).toBe("signal");
    // In its turn after: read for its age alone, and at least every other sweep.
    for (const r of reasons.slice(1)) expect(["rotation", "due", "quiet"]).toContain(r);
    for (let i = 1; i + 1 < reasons.length; i += 1)
      expect([reasons[i], reasons[i + 1]], `sweeps ${i}, ${i + 1}`).not.toEqual(["quiet", "quiet"]);
    expect(deepPerSweep).toEqual([4, 3, 3, 3, 3]);
    expect(postsPerSweep).toEqual([16, 12, 12, 12, 12]);
  }, 120_000);
});

describe("a role that loses the route summary action while erwatch runs", () => {
  it("costs each circuit the one deep read that met the 403, then its turn; a change is read at once and pages as with the whole role", async () => {
    const whole = await sixCircuits();
    const denied = await sixCircuits();
    await whole.sweepUntil(0, 15);
    await denied.sweepUntil(0, 15);
    denied.w.estate.addFault({
      match: { operation: "routeTablesSummary" },
      behaviour: { kind: "status", status: 403 },
    });
    const deepPerSweep: number[] = [];
    const postsPerSweep: number[] = [];
    const readAt: string[][] = [];
    const pages = { whole: [] as string[], denied: [] as string[] };
    /** The pages `t` sent at minute `m` (its sweep just run), monitoring-blind aside. */
    const pagedAt = (t: TimerWorld, m: number, into: string[], before: number) =>
      into.push(
        ...t
          .sent()
          .slice(before)
          .filter((e) => e.family !== "monitoring-blind")
          .map((e) => `${m} ${e.action} ${e.family} ${e.circuit.name}`),
      );
    const blindAt = new Map<string, number>();
    let changed = "";
    for (let m = 20; m <= 50; m += 5) {
      const before = { whole: whole.sent().length, denied: denied.sent().length };
      const a = await countedSweep(whole, m);
      const b = await countedSweep(denied, m);
      pagedAt(whole, m, pages.whole, before.whole);
      pagedAt(denied, m, pages.denied, before.denied);
      for (const e of denied.sent().slice(before.denied))
        if (e.family === "monitoring-blind" && e.action === "open") blindAt.set(e.circuit.name, m);
      deepPerSweep.push(b.deep.length);
      postsPerSweep.push(b.posts);
      readAt.push(b.deep.map((d) => d.split(" ")[0]!));
      if (m === 25) expect(b.reasonOf(changed)).toBe("changed");
      // The same reads as the whole role's, the change and the real outage it is read for included.
      expect(b.deep, `minute ${m}`).toEqual(a.deep);
      if (m === 20) {
        changed = b.deep[0]!.split(" ")[0]!;
        for (const t of [whole, denied])
          setPeeringState(
            t.w.estate.state.circuits.find((c) => c.name === changed)!,
            "AzurePrivatePeering",
            "Disabled",
          );
      }
    }
    // Before: the three read at 20 were trouble (monitoring-blind pending) at 25
    // and 30, and the rest likewise from 25: [3, 6, 6, 6, 4, 4, 4] deep reads.
    // One more from 25 for the change, the disabled peering's circuit (trouble, as with the whole role).
    expect(deepPerSweep).toEqual([3, 4, 4, 4, 4, 4, 4]);
    // Two refused summaries a circuit read and its two ARP tables; none on the disabled peering.
    // Before: [12, 24, 24, 24, 12, 12, 12].
    expect(postsPerSweep).toEqual(Array.from({ length: 7 }, () => 12));
    // The disabled peering pages at the same sweep as with the whole role.
    expect(pages.denied.length).toBeGreaterThan(0);
    expect(pages.denied).toEqual(pages.whole);
    // Every other circuit's monitoring-blind opened 10 minutes after its first
    // refused read, at the read then: the second for one read every other
    // sweep, the third for er-circuit-a, read every sweep. Before: at its
    // third, 20 minutes after for those read every other sweep.
    expect([...blindAt.keys()].sort()).toEqual(
      ["a", "b", "c", "e", "f"].map((x) => `er-circuit-${x}`),
    );
    for (const [name, m] of blindAt) {
      const reads = readAt.flatMap((names, i) => (names.includes(name) ? [20 + i * 5] : []));
      expect(reads, name).toContain(m);
      expect(m - reads[0]!, name).toBe(10);
    }
    // Before: e and f (refused first at 20) opened at 40, b and c (at 25) at 45.
    expect(Object.fromEntries([...blindAt].sort())).toEqual({
      "er-circuit-a": 35,
      "er-circuit-b": 35,
      "er-circuit-c": 35,
      "er-circuit-e": 30,
      "er-circuit-f": 30,
    });
  }, 180_000);
});

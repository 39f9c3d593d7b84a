// A role without one action erwatch reads with: Azure answers that read 403
// AuthorizationFailed on every circuit at every try. The real timer every 5
// minutes on an injected clock, six healthy circuits, ARM on loopback, state
// in Azurite, beside the same estate with the role whole.
//
// Without the route summary action every circuit was trouble ("a read failed
// last time", its BGP and routes rows UNKNOWN, then its own monitoring-blind
// open) and read deep every sweep: six deep reads a sweep where the rotation
// reads three, twice the long-running POSTs, and at hundreds of circuits a
// tiered sweep that is a full one and no longer fits its timer. Now the
// circuit is read in its turn once monitoring-blind has opened (it still
// opens, on failed sweeps in a row, naming the permission), and the refused
// read is tried again in that turn, so a grant is read within the age limit.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { healthyCircuit, metricsDip } from "../support/estate/index.js";
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
    "without $without: reads each circuit in its turn once monitoring-blind has opened, as many deep reads a sweep as the whole role",
    async ({ refused, posts }) => {
      const whole = await sixCircuits();
      const denied = await sixCircuits(...refused);
      const deepPerSweep: number[] = [];
      const postsPerSweep: number[] = [];
      const wholePosts: number[] = [];
      const readAt: string[][] = [];
      for (let m = 0; m <= 60; m += 5) {
        const a = await countedSweep(whole, m);
        const b = await countedSweep(denied, m);
        deepPerSweep.push(b.deep.length);
        postsPerSweep.push(b.posts);
        wholePosts.push(a.posts);
        readAt.push(b.deep.map((d) => d.split(" ")[0]!));
        // monitoring-blind pending is trouble, as before: it opens on three failed sweeps in a row.
        if (m < 15) continue;
        expect(b.deep.length, `minute ${m}`).toBe(a.deep.length);
        expect(b.deep.join("\n")).toMatch(/^(er-circuit-\w (rotation|due)\n?)+$/);
      }
      // In its turn: each circuit read in every two sweeps running, its refused summary tried again there.
      for (let i = 3; i + 1 < readAt.length; i += 1)
        expect(new Set([...readAt[i]!, ...readAt[i + 1]!]).size, `sweeps ${i}, ${i + 1}`).toBe(6);
      // Before: [6, 6, 6, 6, …] deep reads and 24 long-running POSTs every sweep.
      expect(deepPerSweep).toEqual([6, 6, 6, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
      expect(postsPerSweep).toEqual([24, 24, 24, ...Array.from({ length: 10 }, () => posts)]);
      // The whole role: two summaries a circuit, the first peering's ARP tables (the witness).
      expect(wholePosts.slice(3)).toEqual(Array.from({ length: 10 }, () => 8));
      // Every circuit's monitoring-blind opened once, naming the permission, and stays open.
      const sent = denied.sent();
      expect(sent.map((e) => `${e.action} ${e.family}`)).toEqual(
        Array.from({ length: 6 }, () => "open monitoring-blind"),
      );
      for (const e of sent)
        expect(e.title).toMatch(
          /: forbidden \(missing Microsoft\.Network\/expressRouteCircuits\/peerings\/(routeTablesSummary|arpTables)\/read\)/,
        );
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

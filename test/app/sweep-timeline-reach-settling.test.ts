// A Global Reach connection being set up: Connecting since it appeared, held
// for 30 minutes (core/reach-memory.ts), its row warning meanwhile. The real
// timer every 5 minutes on an injected clock, six healthy circuits (each
// read deep every other sweep in its turn), ARM on loopback, state in
// Azurite.
//
// The warning row was trouble, so the circuit was read deep at every sweep
// of the hold, each read saying the same (the body says Connecting, and the
// cheap tier reads the body every sweep). Now it is read in its turn, and
// deep at the first sweep once the hold is up, so a stuck connection pages
// when it did before, not a turn later.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { healthyCircuit, peeringOf, setGlobalReachStatus } from "../support/estate/index.js";
import { countedSweep } from "../support/counted-sweep.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const PRIVATE = "AzurePrivatePeering";
const A = "er-circuit-a";
const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-peer/peerings/AzurePrivatePeering";
const worlds = worldPerTest();

/** Six healthy circuits read at minute 0; a Global Reach connection on `a` reading Connecting from then on. */
async function connectingFromFive() {
  const bundles = Array.from({ length: 6 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  const t: TimerWorld = await timerWorld(worlds, T0, bundles);
  await t.sweep(0);
  peeringOf(bundles[0]!.circuit, PRIVATE).globalReach.push({
    name: "gr-to-dr",
    peerCircuitPeeringId: PEER,
    status: "Connecting",
  });
  return { t, a: bundles[0]! };
}

/** Read deep for its age alone (rotation, due), and at least every other sweep. */
function inItsTurn(reasons: string[]) {
  for (const r of reasons) expect(["rotation", "due", "quiet"]).toContain(r);
  for (let i = 0; i + 1 < reasons.length; i += 1)
    expect([reasons[i], reasons[i + 1]], `sweeps ${i}, ${i + 1}`).not.toEqual(["quiet", "quiet"]);
}

const reachRow = (r: SweepResult) =>
  r.verdicts.find((v) => v.name === A)?.peerings[0]?.paths.primary.globalReach;

describe("a Global Reach connection being set up (Connecting since it appeared)", () => {
  it("is read in its turn while held, and deep at the first sweep once the hold is up: stuck pages as before", async () => {
    const { t } = await connectingFromFive();
    const reasons: string[] = [];
    const deepPerSweep: number[] = [];
    const postsPerSweep: number[] = [];
    const rows: [number, string][] = [];
    for (let m = 5; m <= 45; m += 5) {
      const swept = await countedSweep(t, m);
      reasons.push(swept.reasonOf(A));
      deepPerSweep.push(swept.deep.length);
      postsPerSweep.push(swept.posts);
      const row = reachRow(swept.result);
      if (row) rows.push([m, `${row.status} ${row.detail}`]);
    }
    // Before: "trouble" (its row warning) at every sweep from 10 to 30, four
    // deep reads a sweep where the rotation reads three.
    expect(reasons[0]).toBe("changed");
    inItsTurn(reasons.slice(1, 6));
    expect(reasons.slice(6)).toEqual(["trouble", "trouble", "trouble"]);
    expect(deepPerSweep).toEqual([4, 3, 3, 3, 3, 3, 4, 4, 4]);
    // Two route summaries a circuit, and the subscription's ARP witness (two tables).
    // Before: 10 at every sweep from 10 to 30.
    expect(postsPerSweep).toEqual([10, 8, 8, 8, 8, 8, 10, 10, 10]);
    // The hold is up at 01:35: read then, and judged stuck there, as before.
    for (const [m, row] of rows)
      expect(row, `minute ${m}`).toBe(
        m < 35
          ? "warn gr-to-dr Connecting — still connecting since 01:05 UTC"
          : "down gr-to-dr Connecting — stuck since 01:05 UTC",
      );
    expect(rows.map(([m]) => m).filter((m) => m >= 35)).toEqual([35, 40, 45]);
    expect(t.sent().map((e) => `${e.action} ${e.family} ${e.circuit.name}`)).toEqual([
      `open global-reach ${A}`,
    ]);
  }, 120_000);

  it("connected within the hold: read deep for the change, no read when the hold would have been up, nobody paged", async () => {
    const { t, a } = await connectingFromFive();
    await t.sweepUntil(5, 15);
    setGlobalReachStatus(a.circuit, PRIVATE, "gr-to-dr", "Connected");
    const reasons: string[] = [];
    for (let m = 20; m <= 45; m += 5) {
      const swept = await countedSweep(t, m);
      reasons.push(swept.reasonOf(A));
      if (m === 20) expect(reachRow(swept.result)).toMatchObject({ status: "up" });
    }
    // In its turn after the change; at 35 (the hold would have been up) for its age alone, if at all.
    expect(reasons[0]).toBe("changed");
    inItsTurn(reasons.slice(1));
    expect(t.sent()).toEqual([]);
  }, 120_000);
});

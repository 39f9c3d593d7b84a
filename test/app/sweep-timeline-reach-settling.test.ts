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
import {
  carrierDown,
  carrierDownBoth,
  healthyCircuit,
  peeringOf,
  restoreBoth,
  setGlobalReachStatus,
} from "../support/estate/index.js";
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

/**
 * The timer's sweep at T0 + m minutes and `startMs`, its listing answered
 * `listedAfterMs` later (the clock moves on while the sweep reads): the
 * listing is held until the clock has moved.
 */
async function sweepListedLate(t: TimerWorld, m: number, startMs: number, listedAfterMs: number) {
  const estate = t.w.estate;
  const earlier = new Set(estate.requests);
  estate.addFault({
    match: { operation: "listCircuits" },
    behaviour: { kind: "slow", delayMs: 20_000 },
    times: 1,
  });
  t.at(m, startMs);
  const swept = t.w.timerSweep();
  await estate.waitForRequest((r) => r.operation === "listCircuits" && !earlier.has(r), 20_000);
  t.at(m, startMs + listedAfterMs);
  estate.releaseSlow();
  const result = await swept;
  expect(result.errors).toEqual([]);
  return result;
}

/** From minute 10 to 45: why `a` was read each sweep, deep reads and POSTs a sweep, its row, and the minutes it paged. */
async function holdTimeline(t: TimerWorld, from = 10) {
  const reasons: string[] = [];
  const deepPerSweep: number[] = [];
  const postsPerSweep: number[] = [];
  const rows = new Map<number, string>();
  const pages: string[] = [];
  for (let m = from; m <= 45; m += 5) {
    const before = t.sent().length;
    const swept = await countedSweep(t, m);
    reasons.push(swept.reasonOf(A));
    deepPerSweep.push(swept.deep.length);
    postsPerSweep.push(swept.posts);
    const row = reachRow(swept.result);
    if (row) rows.set(m, `${row.status} ${row.detail}`);
    for (const e of t.sent().slice(before))
      pages.push(`${m} ${e.action} ${e.family} ${e.circuit.name}`);
  }
  return { reasons, deepPerSweep, postsPerSweep, rows, pages };
}

describe("a set-up hold that ends a moment either side of a sweep's tick", () => {
  // The sweep that first saw it Connecting listed the circuit 2 ms after it
  // started. Its start was the listing's instant, which the evaluation
  // judged by too, while the plan compared the hold's end with the sweep's:
  // a hold ending between a sweep's start and its listing was up to the
  // evaluation and not to the plan, and a stuck connection whose first sweep
  // fired a moment early was judged a sweep late. Now both count from the
  // sweep's instant, so the hold ends 30 minutes after that sweep's.
  it.each([
    { end: "tick − 1 ms", startMs: -1, stuckAt: 35 },
    { end: "tick + 1 ms", startMs: 1, stuckAt: 40 },
  ])(
    "hold end = $end: read deep and judged stuck at the first sweep at or after it (minute $stuckAt)",
    async ({ startMs, stuckAt }) => {
      const bundles = Array.from({ length: 6 }, (_, i) =>
        healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
      );
      const t = await timerWorld(worlds, T0, bundles);
      await t.sweep(0);
      peeringOf(bundles[0]!.circuit, PRIVATE).globalReach.push({
        name: "gr-to-dr",
        peerCircuitPeeringId: PEER,
        status: "Connecting",
      });
      const first = await sweepListedLate(t, 5, startMs, 2);
      expect(first.plan.deep.find((d) => d.name === A)?.reason).toBe("changed");
      const { reasons, rows, pages } = await holdTimeline(t);
      // Read for the hold's end at the first sweep at or after it, and not before.
      const minutes = [10, 15, 20, 25, 30, 35, 40, 45];
      expect(reasons[minutes.indexOf(stuckAt)]).toBe("trouble");
      for (const r of reasons.slice(0, minutes.indexOf(stuckAt)))
        expect(["rotation", "due", "quiet"]).toContain(r);
      for (const [m, row] of rows)
        expect(row, `minute ${m}`).toMatch(
          m < stuckAt
            ? /^warn gr-to-dr Connecting — still connecting since 01:0[45] UTC$/
            : /^down gr-to-dr Connecting — stuck since 01:0[45] UTC$/,
        );
      expect(rows.has(stuckAt)).toBe(true);
      // Paged on the Sev3 hysteresis (two sweeps), as a start on the tick is.
      expect(pages).toEqual([`${stuckAt + 5} open global-reach ${A}`]);
    },
    120_000,
  );
});

describe("a Global Reach connection being set up whose kept start cannot be read", () => {
  /** `a`'s stored sighting with its start as `start` (a hand edit, a cut-off write). */
  async function keptStart(t: TimerWorld, start: unknown) {
    const store = t.w.runtime.store;
    const id = (await store.listSnapshots()).find((s) => s.circuitId.endsWith(`/${A}`))!.circuitId;
    const stored = (await store.getSnapshot(id))!;
    const edited = structuredClone(stored.value) as unknown as {
      peerings: Record<string, { reach: Record<string, unknown>[] }>;
    };
    const reach = edited.peerings[PRIVATE]!.reach;
    expect(reach).toHaveLength(1);
    reach[0]!.connectingSince = start;
    await store.putSnapshot(edited as unknown as typeof stored.value, stored.etag);
  }

  // Its row warned for good ("still connecting since" each read's time),
  // trouble, so the circuit was read deep at every sweep, and a connection
  // stuck for good never paged. Now the start is the snapshot's instant
  // (erwatch saw it Connecting then), and the hold runs from there as for a
  // start that was kept: here 01:05, the sweep that first saw it.
  it.each<{ kept: string; start: unknown }>([
    { kept: "text that is not a time", start: "yesterday" },
    { kept: "null", start: null },
    { kept: "a time far after the clock", start: "2099-01-01T00:00:00.000Z" },
  ])(
    "kept as $kept: read in its turn, judged stuck at 35 and paged as with its start kept",
    async ({ start }) => {
      const { t } = await connectingFromFive();
      const first = await countedSweep(t, 5);
      expect(first.reasonOf(A)).toBe("changed");
      await keptStart(t, start);
      const { reasons, deepPerSweep, postsPerSweep, rows, pages } = await holdTimeline(t);
      // Before: "trouble" at every sweep, [4, 4, …] deep reads and 10 POSTs.
      inItsTurn(reasons.slice(0, 5));
      expect(reasons.slice(5)).toEqual(["trouble", "trouble", "trouble"]);
      expect(deepPerSweep).toEqual([3, 3, 3, 3, 3, 4, 4, 4]);
      expect(postsPerSweep).toEqual([8, 8, 8, 8, 8, 10, 10, 10]);
      for (const [m, row] of rows)
        expect(row, `minute ${m}`).toBe(
          m < 35
            ? "warn gr-to-dr Connecting — still connecting since 01:05 UTC"
            : "down gr-to-dr Connecting — stuck since 01:05 UTC",
        );
      expect(rows.has(35)).toBe(true);
      // Paged on the Sev3 hysteresis (two sweeps), as with its start kept.
      expect(pages).toEqual([`40 open global-reach ${A}`]);
    },
    120_000,
  );

  it("a circuit that really breaks during the hold pages at the same sweeps as with its start kept", async () => {
    const edited = await connectingFromFive();
    const kept = await connectingFromFive();
    await edited.t.sweep(5);
    await kept.t.sweep(5);
    await keptStart(edited.t, "yesterday");
    for (const { t, a } of [edited, kept]) {
      await t.sweep(10);
      carrierDownBoth(a.circuit, PRIVATE);
    }
    const brokeEdited = await holdTimeline(edited.t, 15);
    const brokeKept = await holdTimeline(kept.t, 15);
    // Before: read deep at every sweep for its warning row, never judged stuck.
    expect(brokeEdited.reasons).toEqual(brokeKept.reasons);
    expect(brokeEdited.deepPerSweep).toEqual(brokeKept.deepPerSweep);
    expect([...brokeEdited.rows]).toEqual([...brokeKept.rows]);
    expect(brokeEdited.pages).toEqual(brokeKept.pages);
    // The break is read once Azure Monitor shows it, and pages then; the connection is judged stuck at 35.
    expect(brokeEdited.pages).toEqual([`20 open path-down ${A}`]);
    expect(brokeEdited.rows.get(35)).toBe(
      "down gr-to-dr Connecting — stuck since 01:05 UTC; held: both paths down",
    );
  }, 180_000);
});

// A carrier break on the circuit while its Global Reach connection is being
// set up, past the hold (stuck at 35). Down on both paths, the outage is the
// page and explains the connection: with no path carrying, the peering's
// higher layers are no finding (core/classify.ts; the inhibit rule "both
// paths down holds single-path and higher-layer alerts on the peering"
// would hold it too), its row says stuck and held beneath the outage (a
// bare "stuck" with no alert beside it read as missed), and it pages once a
// path carries again if it is still stuck, on its own hysteresis. Down on
// one path it explains nothing: the stuck alert pages beside it.
describe("a Global Reach connection stuck while its circuit's carrier is down", () => {
  /** From `from` to `to`: `a`'s row and the pages sent (sorted within a sweep), by minute. */
  async function timeline(t: TimerWorld, from: number, to: number) {
    const rows = new Map<number, string>();
    const pages: string[] = [];
    const titles: string[] = [];
    for (let m = from; m <= to; m += 5) {
      const before = t.sent().length;
      const swept = await countedSweep(t, m);
      const row = reachRow(swept.result);
      if (row) rows.set(m, `${row.status} ${row.detail}`);
      const sent = t.sent().slice(before);
      pages.push(
        ...sent.map((e) => `${m} ${e.action} ${e.family} ${e.circuit.name} ${e.severity}`).sort(),
      );
      titles.push(...sent.filter((e) => e.family === "global-reach").map((e) => e.title));
    }
    return { rows, pages, titles };
  }

  it.each([
    {
      down: "both paths",
      paths: ["primary", "secondary"] as const,
      held: "; held: both paths down",
      during: [`20 open path-down ${A} Sev0`],
      after: [`55 open global-reach ${A} Sev3`, `55 resolve path-down ${A} Sev0`],
    },
    {
      down: "the primary path",
      paths: ["primary"] as const,
      held: "",
      during: [`25 open path-down ${A} Sev2`, `40 open global-reach ${A} Sev3`],
      after: [`55 resolve path-down ${A} Sev2`],
    },
  ])(
    "$down down from 10 to 45: stuck at 35, and paged once, when the outage no longer explains it",
    async ({ paths, held, during, after }) => {
      const { t, a } = await connectingFromFive();
      await t.sweepUntil(5, 10);
      for (const p of paths) carrierDown(a.circuit, PRIVATE, p);
      const broken = await timeline(t, 15, 45);
      restoreBoth(a.circuit, PRIVATE);
      const mended = await timeline(t, 50, 70);
      // Held beneath the outage while it lasts, so the status page does not show it unalerted.
      for (const [m, row] of broken.rows)
        expect(row, `minute ${m}`).toBe(
          m < 35
            ? "warn gr-to-dr Connecting — still connecting since 01:05 UTC"
            : `down gr-to-dr Connecting — stuck since 01:05 UTC${held}`,
        );
      for (const [m, row] of mended.rows)
        expect(row, `minute ${m}`).toBe("down gr-to-dr Connecting — stuck since 01:05 UTC");
      expect([...broken.rows.keys(), ...mended.rows.keys()]).toEqual(
        expect.arrayContaining([35, 40, 45, 50, 55]),
      );
      expect(broken.pages).toEqual(during);
      expect(mended.pages).toEqual(after);
      // One page for the stuck connection, naming it, whether held or not.
      const titles = [...broken.titles, ...mended.titles];
      expect(titles).toHaveLength(1);
      expect(titles[0]).toMatch(/gr-to-dr/);
    },
    180_000,
  );
});

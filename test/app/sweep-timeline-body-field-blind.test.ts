// Azure sends a value in a circuit's body erwatch cannot read (here a private
// peering's peer AS of 0, no AS number), the same value at every listing. The
// real timer every 5 minutes on an injected clock, six healthy circuits, ARM
// on loopback, state in Azurite, beside the same estate with every body read.
//
// Its monitoring-blind, pending, kept the circuit trouble until it opened:
// read deep every sweep, three deep reads a circuit for a value no read
// sooner mends (the deep read judges the body the listing sent), where the
// rotation reads it once or twice. Now the read that met the value is its
// one deep read and the circuit is read in its turn, as one whose read Azure
// refused (403): monitoring-blind opens on time, at the first read in its
// turn 10 minutes (blindAfterSweeps sweeps) after the value first met it,
// where counted in failed reads in a row it opened at its third, 20 minutes
// in; a body that changes (another value, a peering disabled) is read at once.

import { describe, expect, it } from "vitest";
import { editWire, healthyCircuit, setPeeringState } from "../support/estate/index.js";
import type { WireEdit } from "../support/estate/model.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { countedSweep } from "../support/counted-sweep.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

const NAMES = Array.from({ length: 6 }, (_, i) => `er-circuit-${String.fromCharCode(97 + i)}`);

async function sixCircuits(): Promise<TimerWorld> {
  return timerWorld(
    worlds,
    T0,
    NAMES.map((name) => healthyCircuit({ name })),
  );
}

const peerAs = (value: unknown): WireEdit => ({
  read: "circuit",
  field: "properties.peerings[0].properties.peerASN",
  value,
});

const circuitOf = (t: TimerWorld, name: string) =>
  t.w.estate.state.circuits.find((c) => c.name === name)!;

/** The pages `t` sent since `before`, monitoring-blind aside, as "minute action family circuit". */
const pagesSince = (t: TimerWorld, before: number, m: number) =>
  t
    .sent()
    .slice(before)
    .filter((e) => e.family !== "monitoring-blind")
    .map((e) => `${m} ${e.action} ${e.family} ${e.circuit.name}`);

describe("Azure sends the same unreadable value in every circuit's body, every listing", () => {
  it("costs each circuit the one deep read that met it, then its turn: as many deep reads a sweep as the readable estate, and monitoring-blind opens 10 minutes after the value met it, at the read in its turn", async () => {
    const whole = await sixCircuits();
    const odd = await sixCircuits();
    await whole.sweepUntil(0, 15);
    await odd.sweepUntil(0, 15);
    for (const name of NAMES) editWire(circuitOf(odd, name), peerAs(0));
    const deepPerSweep: number[] = [];
    const postsPerSweep: number[] = [];
    const wholeDeep: number[] = [];
    const readAt: string[][] = [];
    const openedAt = new Map<string, number>();
    for (let m = 20; m <= 60; m += 5) {
      const before = odd.sent().length;
      const a = await countedSweep(whole, m);
      const b = await countedSweep(odd, m);
      deepPerSweep.push(b.deep.length);
      postsPerSweep.push(b.posts);
      wholeDeep.push(a.deep.length);
      readAt.push(b.deep.map((d) => d.split(" ")[0]!));
      for (const e of odd.sent().slice(before))
        if (e.family === "monitoring-blind" && e.action === "open") openedAt.set(e.circuit.name, m);
      if (m === 20) expect(b.deep).toEqual(NAMES.map((n) => `${n} changed`));
      else expect(b.deep.join("\n"), `minute ${m}`).toMatch(/^(er-circuit-\w (rotation|due)\n?)+$/);
    }
    // Before: the six read at 20 were trouble (monitoring-blind pending) at
    // 25 and 30: [6, 6, 6, 3, …] deep reads and [14, 14, 14, 8, …] POSTs.
    expect(wholeDeep.slice(1)).toEqual(Array.from({ length: 8 }, () => 3));
    expect(deepPerSweep).toEqual([6, ...Array.from({ length: 8 }, () => 3)]);
    // Two summaries a circuit read, and the subscription's ARP witness (two tables).
    expect(postsPerSweep).toEqual([14, ...Array.from({ length: 8 }, () => 8)]);
    // In its turn: each circuit read in every two sweeps running.
    for (let i = 1; i + 1 < readAt.length; i += 1)
      expect(new Set([...readAt[i]!, ...readAt[i + 1]!]).size, `sweeps ${i}, ${i + 1}`).toBe(6);
    // Each opened once, naming the field, on time (refused-blind-open.ts): at
    // its first read 10 minutes or more after the value met it at minute 20
    // (before: at its third failed read in a row, 20 minutes in).
    const sent = odd.sent();
    expect(sent.map((e) => `${e.action} ${e.family}`)).toEqual(
      NAMES.map(() => "open monitoring-blind"),
    );
    for (const e of sent)
      expect(e.title).toMatch(
        /^erwatch cannot understand what Azure answered for circuit er-circuit-\w: peerings\[0\]\.peerASN is /,
      );
    expect(openedAt.size).toBe(6);
    for (const [name, m] of openedAt) {
      const reads = readAt.flatMap((names, i) => (names.includes(name) ? [20 + i * 5] : []));
      expect(m, name).toBe(reads.find((r) => r >= 30));
    }
    expect([...openedAt.values()].sort()).toEqual([30, 30, 30, 35, 35, 35]);
  }, 180_000);

  it("reads a circuit whose body changes meanwhile at once: another unreadable value, and a peering disabled that pages as with every body read", async () => {
    const whole = await sixCircuits();
    const odd = await sixCircuits();
    await whole.sweepUntil(0, 15);
    await odd.sweepUntil(0, 15);
    for (const name of NAMES) editWire(circuitOf(odd, name), peerAs(0));
    const pages = { whole: [] as string[], odd: [] as string[] };
    const reasons: string[] = [];
    const deepPerSweep: number[] = [];
    for (let m = 20; m <= 40; m += 5) {
      const before = { whole: whole.sent().length, odd: odd.sent().length };
      const a = await countedSweep(whole, m);
      const b = await countedSweep(odd, m);
      pages.whole.push(...pagesSince(whole, before.whole, m));
      pages.odd.push(...pagesSince(odd, before.odd, m));
      deepPerSweep.push(b.deep.length);
      reasons.push(`${m} a:${b.reasonOf("er-circuit-a")} b:${b.reasonOf("er-circuit-b")}`);
      if (m === 25) {
        // The disabled peering is trouble from 30 on, as with every body read.
        expect(a.reasonOf("er-circuit-a")).toBe("changed");
        expect(a.deep.filter((d) => d.endsWith(" changed"))).toEqual(["er-circuit-a changed"]);
      }
      if (m === 20) {
        // Pending on the value of 20 (the minute it was read), each changes its body before 25.
        for (const t of [whole, odd])
          setPeeringState(circuitOf(t, "er-circuit-a"), "AzurePrivatePeering", "Disabled");
        editWire(circuitOf(odd, "er-circuit-b"), peerAs(-1));
      }
    }
    // Read at once for the change, pending or not: 'changed' at 25, then a
    // disabled peering's trouble; the other value read once, then its turn.
    expect(reasons[1]).toBe("25 a:changed b:changed");
    expect(reasons.slice(2).map((r) => r.split(" ")[1])).toEqual(
      Array.from({ length: 3 }, () => "a:trouble"),
    );
    for (const r of reasons.slice(2)) expect(r.split(" ")[2]).toMatch(/^b:(rotation|due|quiet)$/);
    // The two changed and three in their turn at 25, then the disabled
    // peering and three. Before: every circuit trouble at 25 and 30, [6, 6, 6, 4, 4].
    expect(deepPerSweep).toEqual([6, 5, 4, 4, 4]);
    // The disabled peering pages at the same sweep as with every body read.
    expect(pages.odd.length).toBeGreaterThan(0);
    expect(pages.odd).toEqual(pages.whole);
    expect(pages.odd[0]).toMatch(/^25 open \S+ er-circuit-a$/);
  }, 180_000);
});

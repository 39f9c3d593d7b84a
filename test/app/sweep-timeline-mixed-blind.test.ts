// A circuit whose route summary Azure first refuses (403, the role without
// its action: read in the rotation's turn) and then throttles (429: read
// again the next sweep), with blindAfterSweeps 5. The real timer every 5
// minutes on an injected clock, six healthy circuits, ARM on loopback, state
// in Azurite.
//
// The throttled reading chose the rule: its failed reads in a row, the
// refused ones at the rotation's cadence counting one each, so it opened at
// the fifth read, 30 minutes after the first 403. Counted as if read every
// sweep, the sweep it was left to its turn between its two refused reads
// counts as failed, and it opens 25 minutes after, at its fifth sweep; the
// throttle met once in its turn opens nothing.

import { describe, expect, it } from "vitest";
import { healthyCircuit } from "../support/estate/index.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { countedSweep } from "../support/counted-sweep.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();
const CIRCUIT = "er-circuit-f";

async function sixCircuits(): Promise<TimerWorld> {
  const bundles = Array.from({ length: 6 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  return timerWorld(worlds, T0, bundles, {
    ERWATCH_ALERT_POLICY: JSON.stringify({ blindAfterSweeps: 5 }),
    // A 429 fails the read at once as throttled, as when its Retry-After ends past the deadline.
    ARM_MAX_RETRIES: "0",
  });
}

/** From now on the circuit's route summary answers `status`. */
function answer(t: TimerWorld, status: 403 | 429): void {
  t.w.estate.clearFaults();
  t.w.estate.addFault({
    match: { operation: "routeTablesSummary", circuit: CIRCUIT },
    behaviour: { kind: "status", status, ...(status === 429 ? { retryAfterSeconds: 0 } : {}) },
  });
}

/** Sweeps from..to: the minutes the circuit was read deep, and of its monitoring-blind's events. */
async function follow(t: TimerWorld, from: number, to: number, at: Map<number, () => void>) {
  const reads: number[] = [];
  const events: string[] = [];
  for (let m = from; m <= to; m += 5) {
    at.get(m)?.();
    const before = t.sent().length;
    const swept = await countedSweep(t, m);
    if (swept.reasonOf(CIRCUIT) !== "quiet") reads.push(m);
    for (const e of t.sent().slice(before))
      events.push(`${m} ${e.action} ${e.family} ${e.circuit.name}`);
  }
  return { reads, events };
}

describe("a route summary refused, then throttled, waiting five sweeps", () => {
  it("opens monitoring-blind at its fifth sweep counted as if read every sweep, not its fifth read", async () => {
    const t = await sixCircuits();
    await t.sweepUntil(0, 15);
    const { reads, events } = await follow(
      t,
      20,
      55,
      new Map([
        [20, () => answer(t, 403)],
        [35, () => answer(t, 429)],
      ]),
    );
    // Refused at 20 and 30 (in its turn), throttled at 40 (in its turn) and
    // 45 (read again: a read failed last time).
    expect(reads.slice(0, 4)).toEqual([20, 30, 40, 45]);
    // Before: "50 open …", its fifth failed read.
    expect(events).toEqual([`45 open monitoring-blind ${CIRCUIT}`]);
    expect(t.sent()[0]!.title).toMatch(/: throttled/);
  }, 180_000);

  it("opens nothing for a throttle met once in its turn, the role granted after", async () => {
    const t = await sixCircuits();
    await t.sweepUntil(0, 15);
    const { reads, events } = await follow(
      t,
      20,
      55,
      new Map<number, () => void>([
        [20, () => answer(t, 403)],
        [35, () => answer(t, 429)],
        [45, () => t.w.estate.clearFaults()],
      ]),
    );
    expect(reads.slice(0, 4)).toEqual([20, 30, 40, 45]);
    expect(events).toEqual([]);
  }, 180_000);
});

// Runs work whose Azure Monitor and Log Analytics calls the loopback estate
// holds unanswered (a `slow` fault) to their deadlines on a manual Monitor
// timer, without waiting for them: whenever every timer pending is the
// deadline of a call the estate holds, the timer moves one deadline on, until
// the work settles. A call queued behind the Monitor's slots, or not yet at
// the estate, is waited for first: moved too early, its deadline would go
// unmet or land between two moves. A throttled call's wait (a timer `isWait`
// names by how long it has left, soonest first) is passed as soon as it is
// the soonest.

import { expect } from "vitest";
import type { SimulatedEstate } from "./estate/index.js";
import type { ManualTime } from "./manual-time.js";

/** Throttled calls' waits passed at most: a call is asked ARM_MAX_RETRIES (≤ 10) times more. */
const MAX_WAITS = 100;
const MONITOR_OPERATIONS: ReadonlySet<string> = new Set(["metricsBatch", "queryLogs"]);

export interface RunToDeadlines<T> {
  value: T;
  /** How many times the timer was moved one deadline on. */
  moves: number;
  /** The waits passed, in ms, in order. */
  waits: number[];
}

export async function runToDeadlines<T>(
  work: Promise<T>,
  time: ManualTime,
  estate: SimulatedEstate,
  deadlineMs: number,
  bounds: { moves?: number; eachWithinMs?: number; isWait?: (ms: number) => boolean } = {},
): Promise<RunToDeadlines<T>> {
  const maxMoves = bounds.moves ?? 8;
  const isWait = bounds.isWait ?? (() => false);
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  const asked = () => estate.requests.filter((r) => MONITOR_OPERATIONS.has(r.operation));
  // Every call under way at a move is let go of by it: the calls after it
  // are held anew. Those before the work began are not its own.
  let letGo = asked().length;
  const held = () =>
    asked()
      .slice(letGo)
      .filter((r) => r.status === 0).length;
  const waitDue = () => {
    const soonest = time.dueIn()[0];
    return soonest !== undefined && isWait(soonest) ? soonest : null;
  };
  const waits: number[] = [];
  for (let moves = 0; ;) {
    await expect
      .poll(
        () => settled || waitDue() !== null || (time.pending() > 0 && time.pending() === held()),
        { timeout: bounds.eachWithinMs ?? 20_000, interval: 20 },
      )
      .toBe(true);
    if (settled) return { value: await work, moves, waits };
    const wait = waitDue();
    if (wait !== null) {
      if (waits.length === MAX_WAITS) throw new Error(`still waiting after ${MAX_WAITS} waits`);
      waits.push(wait);
      time.advance(wait);
      continue;
    }
    if (moves === maxMoves)
      throw new Error(`still holding Monitor calls after ${maxMoves} deadlines`);
    moves += 1;
    letGo = asked().length;
    time.advance(deadlineMs);
  }
}

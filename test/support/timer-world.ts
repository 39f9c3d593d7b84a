// A world at the product's cadence: a timer sweep every 5 minutes on an
// injected clock, each at T0 + the given minute, each required to read
// without errors, and the alert events the broker accepted so far.

import { expect } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { CircuitBundle } from "./estate/index.js";
import { estateOf } from "./estate/index.js";
import { ALERTS_QUEUE, type World, type WorldOptions } from "./world.js";
import type { Worlds } from "./world-per-test.js";

export const MIN = 60_000;

/**
 * A carrier's links dropping (ARP empty, sessions Idle, both paths) and coming
 * back, a sweep each: the fourth change, at 20 minutes, is more than 3 in 60.
 */
export const LINK_FLAPS = [
  [5, true],
  [10, false],
  [15, true],
  [20, false],
] as const;

export interface TimerWorld {
  w: World;
  /** Every alert event the broker accepted, in order. */
  sent(): AlertEvent[];
  /** Timer sweeps at T0 + from, + 5, … up to T0 + to minutes. */
  sweepUntil(from: number, to: number): Promise<void>;
  /**
   * One timer sweep at T0 + m minutes, read without errors; its result.
   * `due`: the minute of the occurrence it fires for (the host's schedule
   * status says it), when it fires late or it is to be known.
   */
  sweep(m: number, due?: number): Promise<SweepResult>;
  /**
   * Sets the world's clock to T0 + m minutes (and `plusMs`), for what the
   * test runs itself (an on-demand sweep, the timer function, the clock
   * moving on while a sweep reads).
   */
  at(m: number, plusMs?: number): void;
}

export async function timerWorld(
  worlds: Worlds,
  t0: number,
  bundles: CircuitBundle[],
  /** More app settings; the schedule stays every 5 minutes. */
  env: Record<string, string> = {},
  /** The timer Azure Monitor and Log Analytics calls count their deadlines on (real time unless given). */
  options: Pick<WorldOptions, "monitorTime"> = {},
): Promise<TimerWorld> {
  let now = new Date(t0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { ...env, SWEEP_SCHEDULE: "0 */5 * * * *" },
    ...options,
  });
  const sweep = async (m: number, due?: number) => {
    now = new Date(t0 + m * MIN);
    const result = await w.timerSweep(due === undefined ? undefined : new Date(t0 + due * MIN));
    expect(result.errors).toEqual([]);
    return result;
  };
  return {
    w,
    sent: () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent),
    async sweepUntil(from, to) {
      for (let m = from; m <= to; m += 5) await sweep(m);
    },
    sweep,
    at(m, plusMs = 0) {
      now = new Date(t0 + m * MIN + plusMs);
    },
  };
}

// A hand-driven clock and timer for code that takes a Timekeeper: tests move
// time on purpose instead of waiting for it.

import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";

export interface ManualTime extends Timekeeper {
  /** Moves the clock forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void;
  /** Timers not yet fired. */
  pending(): number;
  /** How long until each timer not yet fired falls due, soonest first. */
  dueIn(): number[];
}

export function manualTime(start = 0): ManualTime {
  let now = start;
  let seq = 0;
  const timers: { at: number; seq: number; fn: () => void }[] = [];
  return {
    now: () => now,
    after(ms, fn) {
      const timer = { at: now + ms, seq: seq++, fn };
      timers.push(timer);
      return () => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        now = Math.max(now, next.at);
        next.fn();
      }
      now = until;
    },
    pending: () => timers.length,
    dueIn: () => timers.map((t) => t.at - now).sort((a, b) => a - b),
  };
}

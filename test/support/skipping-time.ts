// A clock for code that takes a Timekeeper, to see the Retry-After waits it
// asks for without waiting them. A wait (a timer `isWait` picks out by its
// length) moves the clock on at once and ends on the next turn of the event
// loop, as a real timer would end, after the code that asked has gone on to
// whatever it does meanwhile. Every other timer (a Monitor call's deadline,
// on the same clock) is held until the clock passes it: skipped too, a call
// still under way would be let go of at once.

import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";

/**
 * The clock, and the waits asked of it in ms, in order, with every held timer
 * not cancelled (a deadline is cancelled once its call is over, so after it
 * only the waits are left). `passed` is told each time a wait has passed,
 * before it ends.
 */
export function skippingTime(
  isWait: (ms: number) => boolean,
  passed: () => void = () => {},
): { time: Timekeeper; waits: number[] } {
  let at = 0;
  const waits: number[] = [];
  const held: { due: number; fn: () => void }[] = [];
  const time: Timekeeper = {
    now: () => at,
    after(ms, fn) {
      waits.push(ms);
      if (!isWait(ms)) {
        const entry = { due: at + ms, fn };
        held.push(entry);
        return () => {
          const i = held.indexOf(entry);
          if (i < 0) return;
          held.splice(i, 1);
          waits.splice(waits.lastIndexOf(ms), 1);
        };
      }
      at += ms;
      passed();
      // Whatever falls due on the way ends with it, as on a real clock.
      const due = held.filter((h) => h.due <= at);
      for (const h of due) held.splice(held.indexOf(h), 1);
      let cancelled = false;
      setImmediate(() => {
        for (const h of due) h.fn();
        if (!cancelled) fn();
      });
      return () => {
        cancelled = true;
      };
    },
  };
  return { time, waits };
}

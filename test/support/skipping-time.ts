// A clock for code that takes a Timekeeper, to see the Retry-After waits it
// asks for without waiting them: each wait moves the clock on at once and
// ends on the next turn of the event loop, as a real timer would end, after
// the code that asked has gone on to whatever it does meanwhile.

import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";

/** The clock and the waits asked of it, in ms; `passed` is told each time one has passed, before it ends. */
export function skippingTime(passed: () => void = () => {}): { time: Timekeeper; waits: number[] } {
  let at = 0;
  const waits: number[] = [];
  const time: Timekeeper = {
    now: () => at,
    after(ms, fn) {
      waits.push(ms);
      at += ms;
      passed();
      setImmediate(fn);
      return () => {};
    },
  };
  return { time, waits };
}

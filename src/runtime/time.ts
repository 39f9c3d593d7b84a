// The real clock and timers, for the doorways that keep their own stops (the
// sweep worker, the timer): tests hand them a manual one (test/support/manual-time.ts).

import { deadlineOn, type Timers } from "../time.js";

export { realTimers as realTime, type Timers as Timekeeper } from "../time.js";

/** AbortSignal.timeout on `time`: the same reason, and on real time the same unref'd timer. */
export function timeoutOn(time: Timers, ms: number): AbortSignal {
  return deadlineOn(time, ms).signal;
}

// The real clock and timers, for the doorways that keep their own stops (the
// sweep worker, the timer): tests hand them a manual one (test/support/manual-time.ts).

import type { Timekeeper } from "../adapters/arm/token-bucket.js";

export { realTime, type Timekeeper } from "../adapters/arm/token-bucket.js";

/** AbortSignal.timeout on `time`: the same reason, and on real time the same unref'd timer. */
export function timeoutOn(time: Timekeeper, ms: number): AbortSignal {
  const controller = new AbortController();
  time.after(ms, () =>
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
  );
  return controller.signal;
}

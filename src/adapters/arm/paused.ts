// A subscription paused by a 429's Retry-After (up to 5 minutes) is ARM's
// answer, not erwatch's queue: a read waiting it out has its deadline run, and
// one whose deadline would pass first fails at once as throttled, saying until
// when. Waited out as a turn in the budget, with the deadline stopped, a read
// queued behind a pause sat up to 5 minutes, and the sweep with it.

import type { ReadContext } from "./pacer.js";
import { sleepOn, type Timekeeper, type TokenBucket } from "./token-bucket.js";

export class SubscriptionPausedError extends Error {
  override readonly name = "SubscriptionPausedError";

  /** `until`: when the pause ends, on the sweep's clock. */
  constructor(readonly until: number) {
    super(
      `subscription paused by ARM's Retry-After until ${clockWords(until)}, past the read's deadline: not waited`,
    );
  }
}

/** "02:12:05 UTC": a pause is seconds to minutes long, so the second counts. */
function clockWords(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}

/**
 * Waits until `bucket` is not paused, on its clock; throws SubscriptionPausedError
 * at once when the pause would end no sooner than `read`'s deadline (a pause
 * lengthened meanwhile is looked at again when the one waited ends). `now`:
 * the sweep's clock, which the error says the end on.
 */
export async function outlastPause(
  bucket: TokenBucket,
  read: ReadContext | undefined,
  signal: AbortSignal | undefined,
  clocks: { now: () => number; time: Timekeeper },
): Promise<void> {
  for (;;) {
    const ms = bucket.pausedForMs;
    if (ms <= 0) return;
    if (read && ms >= read.leftMs()) throw new SubscriptionPausedError(clocks.now() + ms);
    await sleepOn(clocks.time, ms, signal);
  }
}

/**
 * Takes a token, or false when the bucket is paused while this waits in its
 * queue: the caller waits the pause out with the read's deadline running.
 */
export async function takeUnlessPaused(
  bucket: TokenBucket,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const paused = new AbortController();
  const off = bucket.onPause(() => paused.abort());
  try {
    await bucket.take(signal ? AbortSignal.any([signal, paused.signal]) : paused.signal);
    return true;
  } catch (error) {
    if (paused.signal.aborted && !signal?.aborted) return false;
    throw error;
  } finally {
    off();
  }
}

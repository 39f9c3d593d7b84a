// Time, injectable, for every layer: the adapters' deadlines and pacing, the
// sweep's budgets and flushes, the doorways' stops. Real time in production;
// tests hand in a manual one (test/support/manual-time.ts) and move it instead
// of waiting. Here and not in src/runtime: adapters may not import the
// composition root, and src/core does not wait.

export interface Timers {
  now(): number;
  /**
   * Calls `fn` after `ms`; returns a cancel. On real time the timer does not
   * keep the process alive unless `keepAlive`: one the process itself is
   * waiting on, with nothing else in flight, must still end the wait.
   */
  after(ms: number, fn: () => void, options?: { keepAlive?: boolean }): () => void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn, options) {
    // Node runs a longer timeout at once (1 ms): a busy loop, not a wait.
    const timer = setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
    if (!options?.keepAlive) timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/**
 * The reason AbortSignal.timeout aborts with, for a deadline kept on injected
 * time: callers that tell a deadline from a stop by the name (aborted.ts) read
 * both alike.
 */
export function deadlineTimeout(): DOMException {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

/**
 * AbortSignal.timeout on `time`: the same reason, and on real time the same
 * timer that keeps no process up. `cancel` drops the timer once the work is
 * over, so a manual time holds only the deadlines still under way.
 */
export function deadlineOn(time: Timers, ms: number): { signal: AbortSignal; cancel: () => void } {
  const controller = new AbortController();
  const cancel = time.after(ms, () => controller.abort(deadlineTimeout()));
  return { signal: controller.signal, cancel };
}

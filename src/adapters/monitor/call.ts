// The one way the data-plane adapters call Azure Monitor and Log Analytics:
// a concurrency limit of their own (their throttles are not ARM's), a deadline
// per call, the sweep's abort signal, and every failure a ReadFailure naming
// the RBAC action, as the ARM reads do.

import pLimit from "p-limit";
import type { Reading } from "../../core/model.js";
import { toReadFailure } from "../arm/errors.js";
import { deadlineOn } from "../../time.js";
import { realTime, type Timekeeper } from "../arm/token-bucket.js";
import { endedByDeadline } from "../aborted.js";
import { askedWaitOf } from "../retry-after.js";

export interface MonitorCallSpec<T> {
  /** The RBAC action the call is authorised against. */
  action: string;
  target: string;
  signal: AbortSignal;
  run: (abortSignal: AbortSignal) => Promise<T>;
  /**
   * Told the wait (ms) a 429 or a 503 asked for when the call fails without
   * waiting it out: past its deadline, or its retries spent. The caller may
   * keep it beyond the call, which forgets it: Azure Monitor sheds overload
   * with 503 and a Retry-After as it throttles with 429. A caller told it
   * names it in its own words (a workspace's "not asked again before"); the
   * call's failure names it otherwise, as an ARM read's does: a 503 whose
   * body was no JSON said only "Service Unavailable (503)".
   */
  askedToWait?: (retryAfterMs: number) => void;
}

export type MonitorCall = <T>(spec: MonitorCallSpec<T>) => Promise<Reading<T>>;

/** Rejects when the signal aborts; `settle` detaches it once the call is over. */
function abandoned<T>(signal: AbortSignal): { promise: Promise<T>; settle: () => void } {
  let fail = () => {};
  const promise = new Promise<T>((_, reject) => {
    fail = () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, settle: () => signal.removeEventListener("abort", fail) };
}

/** True once `ms` have passed on `time`; false when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal, time: Timekeeper): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const stop = () => {
      cancel();
      resolve(false);
    };
    const cancel = time.after(ms, () => {
      signal.removeEventListener("abort", stop);
      resolve(true);
    });
    signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * `time`: the clock the call's deadline and a throttled call's wait are
 * counted on. The deadline runs from the call's first turn: a 429's
 * Retry-After, which the SDK is not let wait out (../retry-after.ts), is waited
 * out here when it ends before the deadline, with the call's slot given back
 * meanwhile (held, the slot stopped every other Monitor call behind it), and
 * then asked again, at most `maxRetries` times, as the SDK would have; one
 * that would end past the deadline fails the call at once as throttled.
 */
export function createMonitorCall(
  config: { concurrency: number; timeoutMs: number; maxRetries: number },
  now: () => Date,
  time: Timekeeper = realTime,
): MonitorCall {
  const limit = pLimit(config.concurrency);
  return async <T>(spec: MonitorCallSpec<T>): Promise<Reading<T>> => {
    let deadlineAt: number | null = null;
    let last: Reading<T> | null = null;
    for (let asked = 0; ; asked += 1) {
      const attempt = await limit(
        async (): Promise<{ reading: Reading<T>; wait: number | null; error?: unknown }> => {
          deadlineAt ??= time.now() + config.timeoutMs;
          const left = deadlineAt - time.now();
          // Its turn came back after the deadline: what it was last told stands.
          if (last !== null && left <= 0) return { reading: last, wait: null };
          const { signal: deadline, cancel } = deadlineOn(time, Math.max(1, left));
          const signal = AbortSignal.any([spec.signal, deadline]);
          // A client that cannot be cancelled (the logs client drops abortSignal) is still let go of.
          const gone = abandoned<T>(signal);
          try {
            const value = await Promise.race([spec.run(signal), gone.promise]);
            return { reading: { ok: true, value, readAt: now().toISOString() }, wait: null };
          } catch (error) {
            const failure = toReadFailure(error, {
              call: spec.action,
              target: spec.target,
              timedOut: deadline.aborted,
              sweepDeadline: !deadline.aborted && endedByDeadline(spec.signal),
            });
            return {
              reading: { ok: false, error: failure, readAt: now().toISOString() },
              wait: deadline.aborted || spec.signal.aborted ? null : askedWaitOf(error),
              error,
            };
          } finally {
            cancel();
            gone.settle();
          }
        },
      );
      last = attempt.reading;
      const { wait, reading } = attempt;
      if (wait === null || deadlineAt === null) return reading;
      if (asked < config.maxRetries && wait < deadlineAt - time.now()) {
        if (await pause(wait, spec.signal, time)) continue;
        return reading;
      }
      // `wait` is only ever a 429's or a 503's (askedWaitOf).
      if (reading.ok) return reading;
      if (spec.askedToWait) {
        spec.askedToWait(wait);
        return reading;
      }
      const error = toReadFailure(attempt.error, {
        call: spec.action,
        target: spec.target,
        timedOut: false,
        askedMs: wait,
        ...(wait < deadlineAt - time.now()
          ? { notWaited: `its ARM_MAX_RETRIES (${config.maxRetries}) retries spent` }
          : {}),
      });
      return { ...reading, error };
    }
  };
}

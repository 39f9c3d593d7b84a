// The one way the data-plane adapters call Azure Monitor and Log Analytics:
// a concurrency limit of their own (their throttles are not ARM's), a deadline
// per call, the sweep's abort signal, and every failure a ReadFailure naming
// the RBAC action, as the ARM reads do.

import pLimit from "p-limit";
import type { Reading } from "../../core/model.js";
import { toReadFailure } from "../arm/errors.js";

export interface MonitorCallSpec<T> {
  /** The RBAC action the call is authorised against. */
  action: string;
  target: string;
  signal: AbortSignal;
  run: (abortSignal: AbortSignal) => Promise<T>;
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

export function createMonitorCall(
  config: { concurrency: number; timeoutMs: number },
  now: () => Date,
): MonitorCall {
  const limit = pLimit(config.concurrency);
  return <T>(spec: MonitorCallSpec<T>) =>
    limit(async (): Promise<Reading<T>> => {
      const deadline = AbortSignal.timeout(config.timeoutMs);
      const signal = AbortSignal.any([spec.signal, deadline]);
      // A client that cannot be cancelled (the logs client drops abortSignal) is still let go of.
      const gone = abandoned<T>(signal);
      try {
        const value = await Promise.race([spec.run(signal), gone.promise]);
        return { ok: true, value, readAt: now().toISOString() };
      } catch (error) {
        return {
          ok: false,
          error: toReadFailure(error, {
            call: spec.action,
            target: spec.target,
            timedOut: deadline.aborted,
          }),
          readAt: now().toISOString(),
        };
      } finally {
        gone.settle();
      }
    });
}

// The one way the reader calls ARM: a deadline per read, the sweep's abort
// signal, and every failure turned into a ReadFailure, so a read either has a
// value or says exactly why not. How fast ARM is called (per-subscription
// budgets, requests in flight) is the pacer's job, per HTTP request.

import type { ReadProgress } from "../../app/ports.js";
import type { ArmConfig } from "../../config/arm.js";
import type { Reading } from "../../core/model.js";
import { deadlineTimeout } from "../../time.js";
import { endedByDeadline } from "../aborted.js";
import { askedWaitOf } from "../retry-after.js";
import { toReadFailure } from "./errors.js";
import { ARM_OPERATIONS, type ArmOperation } from "./operations.js";
import { withReadContext, type ReadContext } from "./pacer.js";
import { realTime, type Timekeeper } from "./token-bucket.js";

export interface CallSpec<T> {
  operation: ArmOperation;
  /** What is being read, in words: "ARP table AzurePrivatePeering/primary". */
  target: string;
  signal: AbortSignal;
  onRead?: (progress: ReadProgress) => void;
  run: (abortSignal: AbortSignal, read: ReadContext) => Promise<T>;
}

export type ArmCall = <T>(spec: CallSpec<T>) => Promise<Reading<T>>;

/**
 * A deadline that only runs while the read is ARM's business: not while it
 * waits for its turn under the subscription's budget (a sweep of hundreds of
 * circuits queues thousands of reads behind a bucket refilling at 10/s).
 */
function readDeadline(timeoutMs: number, time: Timekeeper) {
  const controller = new AbortController();
  let left = timeoutMs;
  let since: number | null = null;
  let cancel: (() => void) | null = null;
  let queued = 0;
  const run = () => {
    if (controller.signal.aborted || since !== null) return;
    since = time.now();
    // The sweep's deadline's reason too: aborted.ts and the SDKs read both alike.
    cancel = time.after(Math.max(0, left), () => controller.abort(deadlineTimeout()));
  };
  const stop = () => {
    if (since === null) return;
    left -= time.now() - since;
    since = null;
    cancel?.();
    cancel = null;
  };
  return {
    signal: controller.signal,
    left: () => (since === null ? left : left - (time.now() - since)),
    start: run,
    dispose: stop,
    queueing(waiting: boolean) {
      queued += waiting ? 1 : -1;
      if (waiting && queued === 1) stop();
      if (!waiting && queued === 0) run();
    },
  };
}

export function createArmCall(
  config: Pick<ArmConfig, "timeoutMs">,
  now: () => Date,
  time: Timekeeper = realTime,
): ArmCall {
  return async <T>(spec: CallSpec<T>): Promise<Reading<T>> => {
    const started = time.now();
    const deadline = readDeadline(config.timeoutMs, time);
    const abortSignal = AbortSignal.any([spec.signal, deadline.signal]);
    const read: ReadContext = {
      queueing: deadline.queueing,
      retryAfterMs: null,
      leftMs: deadline.left,
    };
    deadline.start();
    try {
      const value = await withReadContext(read, () => spec.run(abortSignal, read));
      spec.onRead?.({ target: spec.target, ok: true, elapsedMs: time.now() - started });
      return { ok: true, value, readAt: now().toISOString() };
    } catch (error) {
      spec.onRead?.({ target: spec.target, ok: false, elapsedMs: time.now() - started });
      return {
        ok: false,
        error: toReadFailure(error, {
          call: ARM_OPERATIONS[spec.operation],
          target: spec.target,
          // Its own deadline, when that stopped it first: a stop that came
          // after it (Ctrl-C, before this read was told) is not what ended it.
          timedOut: deadline.signal.aborted && abortSignal.reason === deadline.signal.reason,
          sweepDeadline: endedByDeadline(spec.signal),
          askedMs: askedWaitOf(error),
        }),
        readAt: now().toISOString(),
      };
    } finally {
      deadline.dispose();
    }
  };
}

/**
 * Parses a value already read (a listing shared by the circuits of a sweep) for
 * one circuit; a value that cannot be understood fails like the read itself.
 */
export function parsed<T>(
  from: { operation: ArmOperation; target: string; readAt: string },
  parse: () => T,
): Reading<T> {
  try {
    return { ok: true, value: parse(), readAt: from.readAt };
  } catch (error) {
    const context = { call: ARM_OPERATIONS[from.operation], target: from.target, timedOut: false };
    return { ok: false, error: toReadFailure(error, context), readAt: from.readAt };
  }
}

/** The failed reading, retyped: a failure carries no value, so any T fits. */
export function failedLike<T>(reading: Reading<unknown>): Reading<T> {
  if (reading.ok) throw new Error("failedLike called with a successful reading");
  return reading;
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

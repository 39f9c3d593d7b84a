// The one way the reader calls ARM: a process-wide concurrency limit, a
// deadline per read, the sweep's abort signal, and every failure turned into a
// ReadFailure, so a read either has a value or says exactly why not.

import pLimit from "p-limit";
import type { ReadProgress } from "../../app/ports.js";
import type { ArmConfig } from "../../config/arm.js";
import type { Reading } from "../../core/model.js";
import { toReadFailure } from "./errors.js";
import { ARM_OPERATIONS, type ArmOperation } from "./operations.js";

export interface CallSpec<T> {
  operation: ArmOperation;
  /** What is being read, in words: "ARP table AzurePrivatePeering/primary". */
  target: string;
  signal: AbortSignal;
  onRead?: (progress: ReadProgress) => void;
  run: (abortSignal: AbortSignal) => Promise<T>;
}

export type ArmCall = <T>(spec: CallSpec<T>) => Promise<Reading<T>>;

export function createArmCall(
  config: Pick<ArmConfig, "concurrency" | "timeoutMs">,
  now: () => Date,
): ArmCall {
  // One limiter per reader, and one reader per process: ARM throttles per
  // subscription and principal, not per sweep.
  const limit = pLimit(config.concurrency);
  return <T>(spec: CallSpec<T>) =>
    limit(async (): Promise<Reading<T>> => {
      const started = Date.now();
      // The deadline starts when the read starts, not while it waits for a slot.
      const deadline = AbortSignal.timeout(config.timeoutMs);
      const abortSignal = AbortSignal.any([spec.signal, deadline]);
      try {
        const value = await spec.run(abortSignal);
        spec.onRead?.({ target: spec.target, ok: true, elapsedMs: Date.now() - started });
        return { ok: true, value, readAt: now().toISOString() };
      } catch (error) {
        spec.onRead?.({ target: spec.target, ok: false, elapsedMs: Date.now() - started });
        return {
          ok: false,
          error: toReadFailure(error, {
            call: ARM_OPERATIONS[spec.operation],
            target: spec.target,
            timedOut: deadline.aborted,
          }),
          readAt: now().toISOString(),
        };
      }
    });
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

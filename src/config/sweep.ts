// How the stateful sweep spends its interval: the age limit of every reading
// (the rotation holds it), how many named circuits POST /api/sweep answers
// synchronously, and the Service Bus queue the timer fans deep reads out on.

import type { SettingsReader } from "./reader.js";
import { readEntityName } from "./publish.js";
import { DEFAULT_MAX_READ_AGE_MINUTES, lateTickMs, readAgeCadence } from "../core/sweep-plan.js";

export interface SweepSettings {
  /** No prefix count or ARP reading older than this, whatever the cheap tier says. */
  maxReadAgeMinutes: number;
  /** POST /api/sweep naming at most this many circuits answers with their layer tables; more is 202 (fanned out with workQueue). */
  httpSyncCircuits: number;
  /** Queue of deep-read work for the Service Bus–triggered worker; null: the timer reads in process. */
  workQueue: string | null;
  /** Circuits per work message. */
  batchSize: number;
}

/** Read by the status page too: it marks a circuit stale by the age limit the rotation holds. */
export function readMaxReadAgeMinutes(r: SettingsReader): number {
  return r.tunable("SWEEP_MAX_READ_AGE_MINUTES", DEFAULT_MAX_READ_AGE_MINUTES, {
    min: 1,
    max: 24 * 60,
  });
}

export function readSweepSettings(r: SettingsReader): SweepSettings {
  return {
    maxReadAgeMinutes: readMaxReadAgeMinutes(r),
    httpSyncCircuits: r.tunable("HTTP_SWEEP_SYNC_CIRCUITS", 20, { min: 0, max: 1_000 }),
    workQueue: readEntityName(r, "SWEEP_WORK_QUEUE") ?? null,
    batchSize: r.tunable("SWEEP_WORK_BATCH", 20, { min: 1, max: 100 }),
  };
}

const minutes = (ms: number) => `${Math.round((ms / 60_000) * 10) / 10} min`;

/**
 * SWEEP_MAX_READ_AGE_MINUTES against the timer's cadence (SWEEP_SCHEDULE's
 * interval, and the window a sweep reads in): with no sweep a reading could
 * wait for, every circuit is read deep every sweep, which nothing said, and
 * with a schedule of 10 or 15 minutes and the default 15 a reading still
 * passes the limit. Both apply as set: the operator is told, not overruled.
 */
export function readAgeCadenceProblem(
  maxReadAgeMinutes: number,
  intervalMinutes: number,
  windowMs: number,
): string | null {
  const policy = {
    maxReadAgeMs: maxReadAgeMinutes * 60_000,
    intervalMs: intervalMinutes * 60_000,
    budgetMs: windowMs,
  };
  const cadence = readAgeCadence(policy);
  if (!cadence.everySweep) return null;
  const late = lateTickMs(policy.intervalMs);
  const holds = Math.ceil((policy.intervalMs + windowMs + late) / 60_000);
  const spreads = Math.ceil((2 * policy.intervalMs + windowMs + late) / 60_000);
  const cadenceWords = `SWEEP_SCHEDULE every ${minutes(policy.intervalMs)} (a sweep reads for up to ${minutes(windowMs)})`;
  const everySweep = "every circuit is read deep every sweep (the tiered sweep spares none)";
  const spread = `${spreads} or more for the rotation to spread the reads over sweeps`;
  return cadence.held
    ? `SWEEP_MAX_READ_AGE_MINUTES: ${maxReadAgeMinutes} is held with ${cadenceWords} only as ${everySweep}; set it to ${spread}, or shorten SWEEP_SCHEDULE (both apply as set)`
    : `SWEEP_MAX_READ_AGE_MINUTES: ${maxReadAgeMinutes} cannot be held with ${cadenceWords}: ${everySweep}, and still a reading taken early in one sweep is read again late in the next, up to ${minutes(cadence.worstAgeMs)} old; set it to ${holds} or more to hold it (${spread}), or shorten SWEEP_SCHEDULE (both apply as set)`;
}

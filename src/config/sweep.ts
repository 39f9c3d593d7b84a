// How the stateful sweep spends its interval: the age limit of every reading
// (the rotation holds it), how many named circuits POST /api/sweep answers
// synchronously, and the Service Bus queue the timer fans deep reads out on.

import type { SettingsReader } from "./reader.js";
import { readEntityName } from "./publish.js";
import { DEFAULT_MAX_READ_AGE_MINUTES } from "../core/sweep-plan.js";

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

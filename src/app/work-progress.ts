// How far a fanned-out sweep's workers got, for the status page and
// `erwatch alerts`. The timer's record says how many deep reads it handed out
// and by when; the workers' claims (one row per circuit of the sweep) say which
// they recorded and which they read but could not record, with why. The
// timer's own record cannot say it: it is written when the work is sent, and
// before, a worker that could not record a circuit left the page saying
// nothing of it, while that circuit's alerts went undecided.

import { truncate } from "../core/text.js";
import { NOT_RECORDED_SHOWN, type SweepRecord } from "./state-store.js";

/** A worker's hard stop past the sweep's deadline: reads in flight may land until then. */
export const WORK_STOP_GRACE_MS = 15_000;

/** One circuit's claim as the workers left it. */
export interface WorkClaimRow {
  circuitId: string;
  state: "reading" | "done";
  /** Read but not recorded: why. Absent while reading, or once recorded. */
  failed?: string | null;
}

export interface WorkClaimsReader {
  progress(sweepId: string): Promise<WorkClaimRow[]>;
}

export interface WorkersProgress {
  sweepId: string;
  /** Deep reads the timer handed to the workers. */
  handedOut: number;
  recorded: number;
  /** Read but not recorded, with why: the first NOT_RECORDED_SHOWN of `failedCount`. */
  failed: { id: string; name: string; why: string }[];
  failedCount: number;
  /**
   * Neither recorded nor failed: before the deadline, still to be read; past
   * it, not read this sweep (a worker stopped or died, or the queue backed
   * up), and the next sweep plans them again.
   */
  unfinished: number;
  deadline: string;
  /** The deadline has passed, and the workers' hard stop after it: what is not recorded will not be. */
  over: boolean;
}

/** What a worker stores as why: shown on the page, so no URL (a SAS token rides in one). */
export function failureText(message: string): string {
  return truncate(message.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, "[url]"), 300);
}

/** The workers' progress on `record`'s sweep, or null when it was not fanned out. */
export function workersProgress(
  record: SweepRecord | null,
  claims: readonly WorkClaimRow[],
  names: ReadonlyMap<string, string>,
  now: Date,
): WorkersProgress | null {
  const fanned = record?.fannedOut;
  if (!record || !fanned || !Number.isSafeInteger(fanned.deep) || fanned.deep <= 0) return null;
  const deadline = Date.parse(fanned.deadline);
  let recorded = 0;
  const failed: WorkersProgress["failed"] = [];
  for (const claim of claims) {
    if (claim.state === "done") recorded += 1;
    else if (claim.failed)
      failed.push({
        id: claim.circuitId,
        name: names.get(claim.circuitId.toLowerCase()) ?? claim.circuitId,
        why: failureText(claim.failed),
      });
  }
  failed.sort((a, b) => a.name.localeCompare(b.name));
  return {
    sweepId: record.sweepId,
    handedOut: fanned.deep,
    recorded,
    failed: failed.slice(0, NOT_RECORDED_SHOWN),
    failedCount: failed.length,
    unfinished: Math.max(0, fanned.deep - recorded - failed.length),
    deadline: fanned.deadline,
    // An unreadable deadline: say what is known as final rather than "still reading" forever.
    over: Number.isNaN(deadline) || now.getTime() >= deadline + WORK_STOP_GRACE_MS,
  };
}

// How far a fanned-out sweep's workers got, for the status page and
// `erwatch alerts`. The timer's record says how many deep reads it handed out
// and by when; the workers' claims (one row per circuit of the sweep) say which
// they recorded and which they read but could not record, with why. The
// timer's own record cannot say it: it is written when the work is sent, and
// before, a worker that could not record a circuit left the page saying
// nothing of it, while that circuit's alerts went undecided.

import { storedInstant } from "../core/instant.js";
import { truncate } from "../core/text.js";
import { NOT_RECORDED_SHOWN, type SweepRecord } from "./state-store.js";

/** A worker's hard stop past the sweep's deadline: reads in flight may land until then. */
export const WORK_STOP_GRACE_MS = 15_000;

/** How long the workers' claims are kept (the timer prunes older ones): a sweep's progress is known that long. */
export const WORK_CLAIMS_KEEP_MS = 24 * 3_600_000;

/**
 * The most a timer tick spends pruning claims older than that: a share each
 * tick, so a table that grew large is caught up over ticks and the timer is
 * never held long.
 */
export const WORK_CLAIMS_PRUNE_MS = 30_000;

/** One circuit's claim as the workers left it. */
export interface WorkClaimRow {
  circuitId: string;
  state: "reading" | "done";
  /** Read but not recorded: why. Absent while reading, or once recorded. */
  failed?: string | null;
  /** When the claim was last written (Table Storage's timestamp), when known. */
  at?: string;
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

/** Recorded, and read but not recorded (with why), counted once per circuit: recorded wins. */
function tally(claims: readonly WorkClaimRow[]) {
  let recorded = 0;
  const failed: { id: string; why: string }[] = [];
  for (const claim of claims) {
    if (claim.state === "done") recorded += 1;
    else if (claim.failed) failed.push({ id: claim.circuitId, why: failureText(claim.failed) });
  }
  return { recorded, failed };
}

/**
 * The workers' hard stop has passed. A deadline that is not an instant counts
 * as passed ("42", read as the year 2042, kept the sweep "running" for years).
 */
export const workersStopped = (deadline: string, now: Date) => {
  const at = storedInstant(deadline);
  return at === null || now.getTime() >= at + WORK_STOP_GRACE_MS;
};

/** The workers' progress on `record`'s sweep, or null when it was not fanned out. */
export function workersProgress(
  record: SweepRecord | null,
  claims: readonly WorkClaimRow[],
  names: ReadonlyMap<string, string>,
  now: Date,
): WorkersProgress | null {
  const fanned = record?.fannedOut;
  if (!record || !fanned || !Number.isSafeInteger(fanned.deep) || fanned.deep <= 0) return null;
  const counted = tally(claims);
  const failed = counted.failed
    .map((f) => ({ ...f, name: names.get(f.id.toLowerCase()) ?? f.id }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    sweepId: record.sweepId,
    handedOut: fanned.deep,
    recorded: counted.recorded,
    failed: failed.slice(0, NOT_RECORDED_SHOWN).map(({ id, name, why }) => ({ id, name, why })),
    failedCount: failed.length,
    unfinished: Math.max(0, fanned.deep - counted.recorded - failed.length),
    deadline: fanned.deadline,
    // An unreadable deadline: say what is known as final rather than "still reading" forever.
    over: workersStopped(fanned.deadline, now),
  };
}

/**
 * What a fanned-out sweep handed to the workers, as the record its status URL
 * reads keeps it (POST /api/sweep with SWEEP_WORK_QUEUE).
 */
export interface HandedOut {
  /** Deep reads sent to the workers. */
  deep: number;
  /** No read starts after it, on the sweep's clock; the workers stop WORK_STOP_GRACE_MS later. */
  deadline: string;
  /** The circuits asked for, every one handed out; null: the estate, whose plan chose the reads. */
  circuitIds: string[] | null;
  /**
   * Who sent it: the timer, or POST /api/sweep (those in flight are bounded,
   * the timer's never counts). Absent in records of earlier versions.
   */
  by?: "timer" | "request";
}

/** Circuits a status URL names at most in each list: as many as a request may name. */
export const PROGRESS_SHOWN = 1_000;

export interface SweepProgress {
  /**
   * "running" while a read handed out may still land; "done" once every one
   * is recorded or read but not recorded, or the workers' hard stop has passed.
   */
  status: "running" | "done";
  /** When it was done: the last claim written when every read landed, else the hard stop. */
  finishedAt: string | null;
  workers: {
    handedOut: number;
    recorded: number;
    /** Read but not recorded, with why (their alerts were not decided): the first PROGRESS_SHOWN. */
    failed: { id: string; name: string; why: string }[];
    failedCount: number;
    /** Neither recorded nor failed: before the hard stop still to land, after it not read this sweep. */
    unfinished: number;
    /**
     * The unfinished ones known by id (the first PROGRESS_SHOWN): for named
     * circuits every one; for the estate those a worker took and did not
     * finish (the others were never taken, and the next sweep plans them).
     */
    unfinishedCircuits: { id: string; name: string }[];
    deadline: string;
    over: boolean;
  };
}

/** A circuit's name, from its id: the status URL answers without listing the stored snapshots. */
const nameOf = (id: string) => id.split("/").filter(Boolean).pop() ?? id;

/** How far the workers got on a sweep that handed out `handed`, from its claims. */
export function sweepProgress(
  handed: HandedOut,
  claims: readonly WorkClaimRow[],
  now: Date,
): SweepProgress {
  const deep = Number.isSafeInteger(handed.deep) && handed.deep > 0 ? handed.deep : 0;
  const counted = tally(claims);
  const failed = counted.failed
    .map((f) => ({ id: f.id, name: nameOf(f.id), why: f.why }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const landed = new Set(
    claims.filter((c) => c.state === "done" || c.failed).map((c) => c.circuitId.toLowerCase()),
  );
  const unfinishedIds =
    handed.circuitIds !== null
      ? handed.circuitIds.filter((id) => !landed.has(id.toLowerCase()))
      : claims.filter((c) => c.state !== "done" && !c.failed).map((c) => c.circuitId);
  const unfinished = Math.max(0, deep - counted.recorded - failed.length);
  const over = workersStopped(handed.deadline, now);
  const complete = unfinished === 0;
  const lastWrite = claims
    .map((c) => storedInstant(c.at))
    .filter((t) => t !== null)
    .reduce((a, b) => Math.max(a, b), -Infinity);
  const deadline = storedInstant(handed.deadline);
  const finishedAt = complete
    ? new Date(Number.isFinite(lastWrite) ? lastWrite : now.getTime())
    : over
      ? new Date(deadline === null ? now.getTime() : deadline + WORK_STOP_GRACE_MS)
      : null;
  return {
    status: complete || over ? "done" : "running",
    finishedAt: finishedAt?.toISOString() ?? null,
    workers: {
      handedOut: deep,
      recorded: counted.recorded,
      failed: failed.slice(0, PROGRESS_SHOWN),
      failedCount: failed.length,
      unfinished,
      unfinishedCircuits: unfinishedIds
        .slice(0, PROGRESS_SHOWN)
        .map((id) => ({ id, name: nameOf(id) })),
      deadline: handed.deadline,
      over,
    },
  };
}

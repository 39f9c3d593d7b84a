// Sweeps this process started or joined, by id, for `GET /api/sweep/{id}`:
// a sweep too large to answer within the HTTP limit is answered 202 with
// that URL, and runs on. Only the latest few are kept.

import type { SweepResult } from "./sweep.js";

export type SweepRunStatus = "running" | "done" | "failed";

export interface SweepRun {
  sweepId: string;
  /** null: everything erwatch watches. */
  circuitIds: string[] | null;
  startedAt: string;
  status: SweepRunStatus;
  finishedAt: string | null;
  result: SweepResult | null;
  error: string | null;
  /** Settles when the sweep has ended, either way. */
  done: Promise<void>;
}

export class SweepRuns {
  private readonly runs = new Map<string, SweepRun>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly keep = 50,
  ) {}

  /** Follows a sweep (once per id: a joined request tracks the sweep it joined). */
  track(sweepId: string, circuitIds: string[] | null, result: Promise<SweepResult>): SweepRun {
    const existing = this.runs.get(sweepId);
    if (existing) return existing;
    const run: SweepRun = {
      sweepId,
      circuitIds,
      startedAt: this.now().toISOString(),
      status: "running",
      finishedAt: null,
      result: null,
      error: null,
      done: Promise.resolve(),
    };
    this.runs.set(sweepId, run);
    while (this.runs.size > this.keep) this.runs.delete(this.runs.keys().next().value!);
    run.done = result.then(
      (done) => {
        run.status = "done";
        run.result = done;
        run.finishedAt = this.now().toISOString();
      },
      (error: unknown) => {
        run.status = "failed";
        run.error = (error as Error).message ?? String(error);
        run.finishedAt = this.now().toISOString();
      },
    );
    return run;
  }

  get(sweepId: string): SweepRun | null {
    return this.runs.get(sweepId) ?? null;
  }
}

/** The promise's value if it settles within `ms`, else null (it runs on). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise<T | null>((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// Sweeps this process started or joined, by id, for `GET /api/sweep/{id}`:
// a sweep too large to answer within the HTTP limit is answered 202 with
// that URL, and runs on. Only the latest few are kept in memory. One answered
// 202 is also shared through Table Storage: on Flex Consumption the HTTP
// functions scale out, and the poll may reach an instance that never heard of
// the sweep.

import { storedInstant } from "../core/instant.js";
import type { Logger } from "../logging.js";
import { realTimers, type Timers } from "./ports.js";
import { doneAnswer } from "./sweep-answer.js";
import { isUnreadableRow, type SharedSweepRun, type StateStore } from "./state-store.js";
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
  /** Set once the run is shared: its first write. */
  shared?: Promise<void>;
  /** Set when it was shared while running: its write once it ended. */
  sharedEnd?: Promise<void>;
}

/** How long a shared record is kept. */
export const SWEEP_RUN_KEEP_DAYS = 7;
/** A running sweep's record is written again this often: the other instances see it is alive. */
export const SWEEP_RUN_HEARTBEAT_MS = 5 * 60_000;
/**
 * A record still "running" that was not written for this long (two
 * heartbeats missed) ended with its instance: scaled in or restarted.
 */
export const SWEEP_RUN_LOST_AFTER_MS = 2 * SWEEP_RUN_HEARTBEAT_MS + 60_000;
const PRUNE_EVERY_MS = 3_600_000;
/** What erwatch makes a sweep id of (a UUID): anything else is no sweep, and no storage read. */
const SWEEP_ID = /^[A-Za-z0-9-]{1,64}$/;

export interface SweepRunShelf {
  store: Pick<StateStore, "putSweepRun" | "getSweepRun" | "pruneSweepRuns">;
  log: Logger;
}

/**
 * A fanned-out sweep this process is handing out now: a request with fan-out
 * on (looking for a sweep in flight, planning, sending), or the timer's
 * (planning, sending, its bookkeeping after). A later request it covers waits
 * for it: neither has a record in storage to find before its work is sent.
 */
export interface HandingOut {
  /** What it asks for: null, the estate. */
  circuitIds: string[] | null;
  /** The timer's is never counted against the on-demand fan-outs in flight, and never sends a request's. */
  by: "timer" | "request";
  /**
   * The id of the sweep it sends, once it decided to send one: counted against
   * the on-demand fan-outs in flight before its record is written.
   */
  sending?: string;
  /** The fanned-out sweep it sent or joined; null when it ended with neither. */
  sent: Promise<SharedSweepRun | null>;
}

export class SweepRuns {
  private readonly runs = new Map<string, SweepRun>();
  /** Fanned-out sweeps handed out or joined here, as their records say: the status URL answers here if sharing failed. */
  private readonly fanned = new Map<string, SharedSweepRun>();
  /** Fanned-out sweeps this process is handing out now (requests', the timer's), in arrival order. */
  readonly handingOut = new Set<HandingOut>();
  /** Each shared run's writes, one after the other. */
  private readonly writes = new WeakMap<SweepRun, Promise<boolean>>();
  private prunedAt = -Infinity;

  /** The wall clock of its records: `now` when given, else the heartbeat's time. */
  private readonly now: () => Date;

  constructor(
    now?: () => Date,
    private readonly keep = 50,
    /** Where runs answered 202 are shared with the other instances; none: this instance only. */
    private readonly shelf: SweepRunShelf | null = null,
    /** What the heartbeat runs on: real time unless a test moves it. */
    private readonly time: Timers = realTimers,
  ) {
    // One clock for a run's stamps and its beats: a record's touchedAt, which
    // says when its instance was lost (SWEEP_RUN_LOST_AFTER_MS), moves with the
    // beats that write it.
    this.now = now ?? (() => new Date(this.time.now()));
  }

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

  /**
   * Shares a run answered 202 with the other instances: written now, again
   * every heartbeat while it runs, and when it ends, one write after the
   * other (each written as the run is when its turn comes, so the last says
   * how it ended). Resolves when the first write is done or failed; never
   * rejects. A first write that failed is tried again by the next request
   * that shares the run, and by the heartbeat; meanwhile the status URL
   * answers on this instance only, which is logged.
   */
  share(run: SweepRun): Promise<void> {
    if (!this.shelf) return Promise.resolve();
    if (run.shared) return run.shared;
    const first = this.write(run).then((ok) => {
      if (!ok && run.status === "running") run.shared = undefined;
    });
    run.shared = first;
    if (run.status === "running" && !run.sharedEnd) {
      // On real time no beat keeps the process up: the sweep it tells of does.
      let stopBeat = () => {};
      const beat = () => {
        stopBeat = this.time.after(SWEEP_RUN_HEARTBEAT_MS, () => {
          void this.write(run);
          beat();
        });
      };
      beat();
      run.sharedEnd = run.done.then(async () => {
        stopBeat();
        await this.write(run);
      });
    }
    this.prune();
    return first;
  }

  /**
   * Shares a fanned-out sweep's record (POST /api/sweep with SWEEP_WORK_QUEUE,
   * or the timer's, joined by one): no instance runs it, so no heartbeat; its
   * status URL reads the workers' claims. Resolves true when the write landed;
   * never rejects (the record is kept here either way).
   */
  async shareFannedOut(run: SharedSweepRun): Promise<boolean> {
    this.fanned.delete(run.sweepId);
    this.fanned.set(run.sweepId, run);
    while (this.fanned.size > this.keep) this.fanned.delete(this.fanned.keys().next().value!);
    if (!this.shelf) return true;
    this.prune();
    return this.putShared(
      { ...run, touchedAt: this.now().toISOString() },
      "the fanned-out sweep's record",
    );
  }

  /**
   * Registers a fan-out this process starts handing out, with those registered
   * before it (what a request may wait for). Called before anything is awaited:
   * two that arrive together must not both look in storage, find nothing and
   * both send. `settle` says what it sent or joined (null: neither), once its
   * record is shared; `end` takes it out, settled with null if it was not.
   */
  handOut(
    circuitIds: string[] | null,
    by: HandingOut["by"],
  ): {
    pending: HandingOut;
    earlier: readonly HandingOut[];
    settle: (run: SharedSweepRun | null) => void;
    end: () => void;
  } {
    const earlier = [...this.handingOut];
    let settle!: (run: SharedSweepRun | null) => void;
    const pending: HandingOut = {
      circuitIds,
      by,
      sent: new Promise<SharedSweepRun | null>((resolve) => (settle = resolve)),
    };
    this.handingOut.add(pending);
    return {
      pending,
      earlier,
      settle,
      end: () => {
        // Those waiting on it look for themselves when it ended with nothing.
        settle(null);
        this.handingOut.delete(pending);
      },
    };
  }

  /** A run this instance tracks. */
  get(sweepId: string): SweepRun | null {
    return this.runs.get(sweepId) ?? null;
  }

  /**
   * A run this instance tracks, else one shared by another; null when
   * neither knows it. Throws when Table Storage does not answer.
   */
  async find(sweepId: string): Promise<SharedSweepRun | null> {
    const run = this.runs.get(sweepId);
    if (run) return shared(run, this.now());
    const fanned = this.fanned.get(sweepId);
    // Done: as it ended. Running: another instance may have written how it ended.
    if (fanned && (fanned.status !== "running" || !this.shelf)) return fanned;
    if (!this.shelf || !SWEEP_ID.test(sweepId)) return null;
    let stored: SharedSweepRun | null;
    try {
      stored = await this.shelf.store.getSweepRun(sweepId);
    } catch (error) {
      // Asked about every 10 s for days: said as the sweep's outcome, not a 500 each time.
      if (!isUnreadableRow(error)) throw error;
      this.shelf.log.error({ err: error, sweepId }, "a sweep's shared record cannot be read");
      return {
        sweepId,
        status: "failed",
        startedAt: "",
        finishedAt: null,
        touchedAt: "",
        error: `its record cannot be read (${error.message}); the circuits' state is on the status page`,
        answer: null,
      };
    }
    if (!stored) return fanned ?? null;
    // Fanned out: no instance runs it, nobody writes it while it runs; the workers' claims say how far it is.
    if (stored.status !== "running" || stored.fannedOut) return stored;
    // A write time that is not an instant (a hand edit) counts from the start: "NaN
    // minutes ago" said nothing, and "42" (the year 2042) kept it running for years.
    const since = storedInstant(stored.touchedAt) ?? storedInstant(stored.startedAt);
    const quietMs = since === null ? Number.NaN : this.now().getTime() - since;
    if (quietMs <= SWEEP_RUN_LOST_AFTER_MS) return stored;
    const when = Number.isNaN(quietMs)
      ? "its record does not say when it was written"
      : `its record was last written ${Math.round(quietMs / 60_000)} minutes ago`;
    return {
      ...stored,
      status: "failed",
      error: `${when}, while running; a running sweep writes it every ${SWEEP_RUN_HEARTBEAT_MS / 60_000} minutes: the instance running it stopped (scaled in or restarted) before recording how it ended. Its circuits' state is on the status page; ask for a sweep again.`,
    };
  }

  /** Queued behind the run's earlier writes; true when it landed. */
  private write(run: SweepRun): Promise<boolean> {
    const next = (this.writes.get(run) ?? Promise.resolve(true)).then(() => this.put(run));
    this.writes.set(run, next);
    return next;
  }

  private put(run: SweepRun): Promise<boolean> {
    return this.putShared(shared(run, this.now()), "the sweep's record");
  }

  /** True when the write landed; a failure is logged, never thrown: the record stays known here. */
  private async putShared(record: SharedSweepRun, what: string): Promise<boolean> {
    const { store, log } = this.shelf!;
    try {
      await store.putSweepRun(record);
      return true;
    } catch (error) {
      log.warn(
        { err: error, sweepId: record.sweepId, status: record.status },
        `${what} could not be shared; its status URL answers on this instance only`,
      );
      return false;
    }
  }

  private prune(): void {
    const now = this.now().getTime();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const { store, log } = this.shelf!;
    store
      .pruneSweepRuns(new Date(now - SWEEP_RUN_KEEP_DAYS * 86_400_000))
      .catch((error: unknown) => log.warn({ err: error }, "pruning old sweep records failed"));
  }
}

/** The run as the status URL tells it, on any instance. */
function shared(run: SweepRun, now: Date): SharedSweepRun {
  return {
    sweepId: run.sweepId,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    touchedAt: now.toISOString(),
    error: run.error,
    answer: run.status === "done" && run.result ? answerOf(run, run.result) : null,
  };
}

/**
 * The answer under the id the status URL was given. A sweep that waited and
 * was answered by the timer's (sweep-coordinator.ts) has another sweep's
 * result: its id is said apart, not in place of the one asked about.
 */
function answerOf(run: SweepRun, result: SweepResult): Record<string, unknown> {
  const answer = doneAnswer(result, run.circuitIds);
  if (result.sweepId === run.sweepId) return answer;
  return { ...answer, sweepId: run.sweepId, joined: true, joinedSweepId: result.sweepId };
}

/**
 * The promise's value if it settles within `ms` on `time`, else null (it runs
 * on). On real time the wait keeps the process up: its caller is waiting on it.
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  time: Timers = realTimers,
): Promise<T | null> {
  return new Promise<T | null>((resolve, reject) => {
    const cancel = time.after(ms, () => resolve(null), { keepAlive: true });
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}

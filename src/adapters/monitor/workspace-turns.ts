// One sweep's queries of one Log Analytics workspace. Each circuit read asks
// the workspace for its own monitors' results, so a workspace refusing
// erwatch (403), gone (404), rejecting the query (400), throttling it (429)
// or failing (5xx, no answer) was asked again by every circuit writing there:
// 300 circuits, 300 refusals a sweep, and a throttled workspace met with
// more queries the more it throttled. Its failure is the workspace's, not the
// circuit's (core/dataplane/log-analytics.ts says it once per workspace), so
// the first is every later circuit's in the sweep, as it was, unasked.
//
// The sweep is its id, not one read session: a fanned-out sweep reads in
// batches, each its own session, and a failing workspace was asked once per
// batch (50 batches, 50 refusals). The turns of the sweeps a worker process
// reads are kept by sweep id, so its batches share them; another process
// keeps its own (a memo across processes would be a storage round trip per
// workspace per batch, more than the query it spares). Without a sweep id
// (diagnose, a scan) the session is the sweep.
//
// The workspace's first query of the sweep goes alone: the circuits reading
// meanwhile (32 at once) would otherwise all have asked before it failed, and
// while it waits out a 429's Retry-After (call.ts, within its deadline) none
// of them asks the throttled workspace. Once it answers, they ask at once. A
// Retry-After longer than the call waits is kept past the sweep
// (workspace-throttle.ts): no sweep asks before it has passed. The others
// wait on that first query no longer than a query's own deadline from when
// it went: it may not even have started (the four Monitor slots busy), and
// with fan-out the waiting are other batches, each of which otherwise held
// every circuit writing there until that one query ended. Past it they read
// the workspace as not answering in time, and so does the rest of the sweep
// (unless the query answers after all): a hung workspace costs one deadline
// a sweep, not one a batch.
//
// A transient failure (a 5xx, no answer in time) is not asked again later in
// the sweep: the SDK already retried a 5xx in the call, and a timeout already
// cost a whole deadline that each circuit would wait again, holding its record
// and pages. The next sweep asks again, and one sweep's end to end UNKNOWN
// for Log Analytics neither pages nor reads the circuit deep (waits on Log
// Analytics), and the workspace's health alert waits for three. So a failing
// workspace is asked once a sweep; one failing mid-sweep, once more for each
// circuit whose query was already under way. A 503 asking to wait past what
// the call waits is Log Analytics shedding overload: kept as a 429 is.

import type { ReadSession } from "../../app/ports.js";
import type { Reading } from "../../core/model.js";
import { WORKSPACE_OPERATIONS } from "../arm/operations.js";
import type { Timekeeper } from "../arm/token-bucket.js";
import { resultsTarget } from "./logs.js";
import { throttledWorkspaces } from "./workspace-throttle.js";

/** What one query of the workspace gave (LogsReader.tests). */
export interface WorkspaceAnswer<T> {
  reading: Reading<T>;
  /** Log Analytics answered: a failure is this circuit's rows', not the workspace's. */
  answered: boolean;
  /** A 429's or a 503's wait the call did not wait out. */
  retryAfterMs?: number;
}

interface Turns {
  /** The failure of the workspace's query this sweep: every later circuit's. */
  failure: Reading<never> | null;
  /** It answered a query this sweep: the circuits ask it at once. */
  answered: boolean;
  /** Settles when the query under way alone (the sweep's first) is over. */
  first: Promise<void> | null;
  /** When that query went, on the wait's clock. */
  firstSince: number;
  /** The failure given while that query had not answered in time: let go if it answers. */
  overdue: Reading<never> | null;
}

/** How long a circuit waits on the workspace's first query of the sweep, another circuit's. */
export interface FirstQueryWait {
  /** From when that query went: a query's own deadline (ARM_TIMEOUT_MS). */
  ms: number;
  time: Timekeeper;
}

/** Sweeps kept at once: a timer's, an on-demand one beside it, a batch delivered again late. */
export const SWEEPS_KEPT = 8;
/** A sweep none of whose batches read for this long is over: its workers stop at 4 minutes. */
export const SWEEP_KEPT_MS = 30 * 60_000;
/** Workspaces kept per sweep: past it, one more is asked per batch, as each batch is its own session. */
export const WORKSPACES_KEPT = 1_000;

export interface AskedIn {
  session: ReadSession;
  /** The sweep the read is part of, across its batches; absent, the session is the sweep. */
  sweepId?: string;
  /** The read's own: a query it stopped is not the workspace's failure. */
  signal: AbortSignal;
}

export interface WorkspaceTurns {
  /**
   * Ask the workspace for one circuit's results, unless it failed already
   * this sweep, or its 429's wait has not passed: then that failure as it
   * was got (kind, status, request id, message), so the circuit's row and
   * the workspace's log line read as if asked.
   */
  ask<T>(
    where: AskedIn,
    workspace: string,
    ask: () => Promise<WorkspaceAnswer<T>>,
  ): Promise<Reading<T>>;
}

const fresh = (): Turns => ({
  failure: null,
  answered: false,
  first: null,
  firstSince: 0,
  overdue: null,
});

/** A circuit's read that did not ask the workspace, as the reader's own failures name it. */
function unasked(workspace: string, message: string, readAt: Date): Reading<never> {
  return {
    ok: false,
    error: {
      kind: "timeout",
      call: WORKSPACE_OPERATIONS.queryLogs,
      target: resultsTarget(workspace),
      message,
      workspace,
    },
    readAt: readAt.toISOString(),
  };
}

/**
 * `now`: the clock a 429's wait is counted on, and a sweep's last read;
 * `first`: how long a circuit waits on another's first query of the workspace.
 */
export function workspaceTurns(now: () => Date, first: FirstQueryWait): WorkspaceTurns {
  const sweeps = new Map<string, { used: number; workspaces: Map<string, Turns> }>();
  const throttled = throttledWorkspaces();

  function ofSweep(sweepId: string, key: string): Turns | null {
    const at = now().getTime();
    const sweep = sweeps.get(sweepId) ?? { used: at, workspaces: new Map<string, Turns>() };
    // Last used last: the oldest go first.
    sweeps.delete(sweepId);
    sweeps.set(sweepId, { ...sweep, used: at });
    for (const [id, s] of sweeps)
      if (id !== sweepId && (sweeps.size > SWEEPS_KEPT || at - s.used > SWEEP_KEPT_MS))
        sweeps.delete(id);
    const held = sweep.workspaces.get(key);
    if (held) return held;
    if (sweep.workspaces.size >= WORKSPACES_KEPT) return null;
    const turns = fresh();
    sweep.workspaces.set(key, turns);
    return turns;
  }

  const turnsOf = (where: AskedIn, key: string): Promise<Turns> | Turns =>
    (where.sweepId !== undefined ? ofSweep(where.sweepId, key) : null) ??
    where.session.memo(`logs-workspace:${key}`, async () => fresh());

  /** Whether the first query ended ("over"), overran the wait ("overdue"), or the read was stopped. */
  function waitOn(turns: Turns, signal: AbortSignal): Promise<"over" | "overdue" | "stopped"> {
    return new Promise((resolve) => {
      const left = turns.firstSince + first.ms - first.time.now();
      if (signal.aborted) return resolve("stopped");
      if (left <= 0) return resolve("overdue");
      let cancel = () => {};
      const done = (how: "over" | "overdue" | "stopped") => {
        cancel();
        signal.removeEventListener("abort", stopped);
        resolve(how);
      };
      const stopped = () => done("stopped");
      signal.addEventListener("abort", stopped, { once: true });
      cancel = first.time.after(left, () => done("overdue"));
      void turns.first?.then(() => done("over"));
    });
  }

  return {
    async ask<T>(
      where: AskedIn,
      workspace: string,
      ask: () => Promise<WorkspaceAnswer<T>>,
    ): Promise<Reading<T>> {
      const turns = await turnsOf(where, workspace.toLowerCase());
      for (;;) {
        if (turns.failure) return turns.failure;
        if (turns.answered || !turns.first) break;
        const waited = await waitOn(turns, where.signal);
        // Stopped, not the workspace's failure: the sweep's others are not told it.
        if (waited === "stopped")
          return unasked(
            workspace,
            "stopped while the sweep's first query of the workspace (another circuit's) was under way",
            now(),
          );
        if (waited === "overdue" && !turns.failure)
          turns.failure = turns.overdue = unasked(
            workspace,
            `no answer within ${first.ms} ms to the sweep's first query of the workspace (another circuit's): not waited on longer`,
            now(),
          );
      }
      const waiting = throttled.waiting(workspace, now());
      if (waiting) return (turns.failure = waiting);
      const alone = !turns.answered;
      let over = () => {};
      if (alone) {
        turns.first = new Promise<void>((resolve) => (over = resolve));
        turns.firstSince = first.time.now();
      }
      try {
        const { reading, answered, retryAfterMs } = await ask();
        const overdue = turns.failure !== null && turns.failure === turns.overdue;
        // Answered yet unreadable (this circuit's monitors): the workspace answers.
        if (reading.ok || answered) {
          turns.answered = true;
          if (overdue) turns.failure = null;
        } else if (!where.signal.aborted) {
          if (retryAfterMs !== undefined)
            throttled.keep(workspace, reading.error, retryAfterMs, now());
          // The sweep that was told to wait says until when, as the sweeps after it do.
          const told =
            (retryAfterMs !== undefined && throttled.waiting(workspace, now())) || reading;
          if (!turns.failure || overdue) turns.failure = told;
          return told;
        }
        return reading;
      } finally {
        if (alone) {
          turns.first = null;
          over();
        }
      }
    },
  };
}

// POST /api/sweep with fan-out on (SWEEP_WORK_QUEUE): the whole estate, or
// more circuits than HTTP_SWEEP_SYNC_CIRCUITS, is handed to the sweepWorker
// function as the timer hands out its sweep, inside the request, so nothing of
// it runs outside an invocation (an instance with none in flight may be
// scaled in) and no instance reads the estate alone. A fanned-out sweep in
// flight that reads what the request asks for is joined instead: the timer's
// or another request's, on any instance, from the record each shares once its
// work is sent (the timer's also from the last sweep's record), and on this
// instance one still being planned or sent, once it is. Its status URL
// answers from the workers' claims. On-demand ones in flight are bounded:
// a subscription's session serves them ahead of the timer's next sweep.

import { storedInstant } from "../core/instant.js";
import { randomUUID } from "node:crypto";
import type { Logger } from "../logging.js";
import { deadlineOn } from "../time.js";
import { realTimers, type CircuitTarget, type Timers } from "./ports.js";
import type { Scope } from "./scan.js";
import type { SharedSweepRun, StateStore, SweepRecord } from "./state-store.js";
import { MAX_WAITING_SWEEPS } from "./sweep-coordinator.js";
import { within, type HandingOut, type SweepRuns } from "./sweep-runs.js";
import { sweepWindow } from "./sweep-window.js";
import type { Sweeper } from "./sweep.js";
import { fanOut, type WorkQueue } from "./work.js";
import {
  sweepProgress,
  WORK_CLAIMS_KEEP_MS,
  WORK_STOP_GRACE_MS,
  type HandedOut,
  type SweepProgress,
  type WorkClaimsReader,
} from "./work-progress.js";

const lower = (id: string) => id.toLowerCase();

/**
 * Whether a fanned-out sweep reads what a request asks for. One of the estate
 * is tiered: it hands out only the reads its plan puts deep (a quiet circuit
 * may not be among them), so it answers for the estate, not for named
 * circuits, as in one process (sweep-coordinator.ts). One of named circuits
 * hands every one out: it covers those, never the estate.
 */
export function coversFanOut(running: string[] | null, wanted: string[] | null): boolean {
  if (running === null) return wanted === null;
  if (wanted === null) return false;
  const have = new Set(running.map(lower));
  return wanted.every((id) => have.has(lower(id)));
}

export interface OnDemandDeps {
  sweeper: Sweeper;
  work: { queue: WorkQueue; claims: WorkClaimsReader };
  store: Pick<StateStore, "lastSweep" | "listFannedOutRuns">;
  runs: SweepRuns;
  /** The sweep's clock (decisions, deadlines the status URL judges). */
  now: () => Date;
  /**
   * What the request's time, its waits and the send's stop run on: real time
   * unless a test moves it.
   */
  time?: Timers;
  logger: Logger;
  batchSize: number;
  intervalMinutes: number;
}

export interface OnDemandRequest {
  /** null: the estate. */
  circuitIds: string[] | null;
  targets: CircuitTarget[] | null;
  scope: Scope;
  /**
   * How long the request may still take to answer: every wait in it (for a
   * request here it may join, the look-ups, the send, the record's write)
   * spends from this one budget, so none adds up past Azure's HTTP limit.
   */
  answerWithinMs: number;
}

export type OnDemandOutcome =
  | { kind: "sent" | "joined"; run: SharedSweepRun }
  /** Nothing, or not everything, was handed out: never answered 202. */
  | { kind: "not-sent"; why: string }
  /** MAX_WAITING_SWEEPS on-demand fan-outs are in flight already and none covers it: nothing sent. */
  | { kind: "queued"; inFlight: number };

/** How long a sent sweep's record may take to be shared before the 202 (Table Storage may hang). */
const SHARE_WITHIN_MS = 15_000;

/** The timer's fanned-out sweep from the last sweep's record, as the shared record its own write would have been. */
function fromRecord(record: SweepRecord & { fannedOut: { deep: number; deadline: string } }) {
  const run: SharedSweepRun = {
    sweepId: record.sweepId,
    status: "running",
    startedAt: record.startedAt,
    finishedAt: null,
    touchedAt: record.finishedAt,
    error: null,
    answer: null,
    fannedOut: {
      deep: record.fannedOut.deep,
      deadline: record.fannedOut.deadline,
      circuitIds: null,
      by: "timer",
    },
  };
  return run;
}

/**
 * An on-demand fan-out: what MAX_WAITING_SWEEPS bounds. A record without `by`
 * is of an earlier version, which shared on-demand sweeps' records (and the
 * timer's only when a request joined it): counted.
 */
const onDemand = (run: SharedSweepRun) => run.fannedOut?.by !== "timer";

/**
 * Before the workers' hard stop. A deadline that is not an instant has passed
 * (work-progress.ts overAt): "42", read as the year 2042, kept a sweep
 * "running" for years.
 */
const before = (deadline: string, now: Date) => {
  const at = storedInstant(deadline);
  return at !== null && now.getTime() < at + WORK_STOP_GRACE_MS;
};

interface InFlight {
  /** The latest that covers `wanted`; null: none. */
  join: { run: SharedSweepRun; share: boolean } | null;
  /** The on-demand fan-outs in storage whose reads may still be queued or read, by id. */
  onDemand: Set<string>;
}

/**
 * The fanned-out sweeps in flight, those whose reads are not all in: what a
 * request this process answers already ended up with (one it sent, or one it
 * joined) when it covers `wanted`, else those in storage. Throws when Table
 * Storage does not answer; null when the request's time ran out first.
 */
async function inFlight(
  deps: OnDemandDeps,
  earlier: readonly HandingOut[],
  wanted: string[] | null,
  left: () => number,
  time: Timers,
): Promise<InFlight | { ranOut: string }> {
  for (const pending of [...earlier].reverse()) {
    if (!coversFanOut(pending.circuitIds, wanted)) continue;
    // Settled or not, told apart by the wait itself, not by the clock after
    // it: a timer can fire a millisecond before Date.now() reaches its time,
    // and a wait that ran out then went on to look in storage with no time
    // left, answering "looking for a sweep in flight took longer".
    const settled = await within(
      pending.sent.then((run) => ({ run })),
      left(),
      time,
    );
    if (settled?.run) return { join: { run: settled.run, share: false }, onDemand: new Set() };
    if (settled === null)
      return {
        ranOut:
          pending.by === "timer"
            ? "waiting for the timer's sweep, being planned and sent on this instance,"
            : "waiting for a request that arrived before it on this instance",
      };
  }
  return (
    (await within(stored(deps, wanted), left(), time)) ?? {
      ranOut: "looking for a sweep in flight",
    }
  );
}

/** inFlight's look-ups in storage. */
async function stored(deps: OnDemandDeps, wanted: string[] | null): Promise<InFlight> {
  const now = deps.now();
  const [last, recent] = await Promise.all([
    deps.store.lastSweep(),
    deps.store.listFannedOutRuns(new Date(now.getTime() - WORK_STOP_GRACE_MS)),
  ]);
  const candidates = recent
    .filter((r) => r.status === "running" && r.fannedOut)
    .map((run) => ({ run, share: false }));
  const timer = last?.fannedOut;
  if (last && timer && !candidates.some((c) => c.run.sweepId === last.sweepId))
    candidates.push({ run: fromRecord({ ...last, fannedOut: timer }), share: true });
  candidates.sort((a, b) => b.run.startedAt.localeCompare(a.run.startedAt));
  // Before the workers' hard stop, and either joinable or counted against the bound.
  const live = candidates.filter(({ run }) => {
    const handed = run.fannedOut!;
    return (
      before(handed.deadline, now) && (coversFanOut(handed.circuitIds, wanted) || onDemand(run))
    );
  });
  const claims = await Promise.all(live.map(({ run }) => deps.work.claims.progress(run.sweepId)));
  const running = live.filter(
    ({ run }, i) => sweepProgress(run.fannedOut!, claims[i]!, now).status === "running",
  );
  return {
    join: running.find(({ run }) => coversFanOut(run.fannedOut!.circuitIds, wanted)) ?? null,
    onDemand: new Set(running.filter(({ run }) => onDemand(run)).map(({ run }) => run.sweepId)),
  };
}

/**
 * Joins a fanned-out sweep in flight that covers the request, or fans one out
 * inside the request (plan, send, what the listing could not see) within
 * `answerWithinMs`. "sent" once the broker took every work message, however
 * the rest went; "not-sent" otherwise, with why. Throws when Table Storage
 * does not answer whether one is in flight (nothing is sent then).
 */
export async function fanOutOnDemand(
  deps: OnDemandDeps,
  request: OnDemandRequest,
): Promise<OnDemandOutcome> {
  const time = deps.time ?? realTimers;
  const started = time.now();
  // Registered before anything is awaited, and waiting only on those registered
  // before it (requests, and the timer sending its sweep here): two requests
  // arriving together both looked in storage first, found nothing, and both
  // sent the estate.
  const self = deps.runs.handOut(request.circuitIds, "request");
  try {
    return await handOut(deps, request, self, started + request.answerWithinMs, time);
  } finally {
    self.end();
  }
}

async function handOut(
  deps: OnDemandDeps,
  request: OnDemandRequest,
  self: {
    pending: HandingOut;
    earlier: readonly HandingOut[];
    settle: (run: SharedSweepRun | null) => void;
  },
  answerBy: number,
  time: Timers,
): Promise<OnDemandOutcome> {
  const { settle } = self;
  const left = () => Math.max(0, answerBy - time.now());
  const looked = await inFlight(deps, self.earlier, request.circuitIds, left, time);
  if ("ranOut" in looked) {
    const why = `${looked.ranOut} took longer than the ${Math.round(request.answerWithinMs / 1000)} s the request had`;
    deps.logger.error({ why }, "the on-demand sweep could not be handed out to the workers");
    return { kind: "not-sent", why };
  }
  const found = looked.join;
  if (found) {
    // Found by the last sweep's record alone (the timer's own write failed): its status URL needs one.
    if (found.share)
      await within(deps.runs.shareFannedOut(found.run), Math.min(SHARE_WITHIN_MS, left()), time);
    // Those that waited on this request join the same sweep.
    settle(found.run);
    return { kind: "joined", run: found.run };
  }
  // Service Bus serves a subscription's session in order: every on-demand fan-out
  // in flight is read before the timer's next one, the sweep that pages. Counted
  // and claimed in one turn, so on this instance the bound is exact; two
  // instances sending at the same moment may each pass it once. The timer's
  // never says it is sending: it is never counted.
  const queued = new Set(looked.onDemand);
  for (const other of deps.runs.handingOut) if (other.sending) queued.add(other.sending);
  if (queued.size >= MAX_WAITING_SWEEPS) return { kind: "queued", inFlight: queued.size };
  const sweepId = randomUUID();
  self.pending.sending = sweepId;
  const log = deps.logger.child({ sweepId });
  const window = sweepWindow(deps.intervalMinutes);
  const now = deps.now();
  // Whatever is left of the answer's time when the send is done, the bookkeeping after it gets.
  const sendWithinMs = left();
  const stop = new AbortController();
  const cancelStop = time.after(
    sendWithinMs,
    () => stop.abort(new Error("the request's time ran out")),
    { keepAlive: true },
  );
  const windowStop = deadlineOn(time, window.stopMs);
  let sent: SharedSweepRun | null = null;
  const fanned = fanOut(
    deps.sweeper,
    deps.work.queue,
    {
      ...(request.targets
        ? { targets: request.targets }
        : { scope: request.scope, mode: "tiered" as const }),
      sweepId,
      now,
      deadline: new Date(time.now() + window.budgetMs),
      abortSignal: AbortSignal.any([stop.signal, windowStop.signal]),
    },
    {
      batchSize: deps.batchSize,
      logger: log,
      sent: async ({ deep }) => {
        sent = sentRecord(sweepId, now, {
          deep,
          // On the sweep's clock, as the timer's record says it.
          deadline: new Date(now.getTime() + window.budgetMs).toISOString(),
          circuitIds: request.circuitIds,
          by: "request",
        });
        await within(deps.runs.shareFannedOut(sent), Math.min(SHARE_WITHIN_MS, left()), time);
        // Those that waited on it are answered 202 with its status URL, as this one
        // is: not before a poll on another instance can find its record.
        settle(sent);
      },
    },
  );
  let ended: { ok: true } | { ok: false; error: Error } | null;
  try {
    ended = await within(
      fanned.then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error: error as Error }),
      ),
      sendWithinMs,
      time,
    );
  } finally {
    cancelStop();
    // The window's stop is moot once the request's stop below has fired.
    windowStop.cancel();
    // Nothing of it runs on once the request is answered.
    stop.abort(new Error("the request was answered"));
  }
  const run = sent as SharedSweepRun | null;
  // Its record's write outlasted the request's time: those waiting go with this one.
  settle(run);
  if (run) {
    if (ended && !ended.ok)
      log.error(
        { err: ended.error },
        "the on-demand sweep's work was sent; what the listing could not see was not recorded",
      );
    return { kind: "sent", run };
  }
  const why = ended
    ? ended.ok
      ? "no work was sent"
      : ended.error.message
    : `planning and sending its work took longer than the ${Math.round(sendWithinMs / 1000)} s the request had`;
  log.error({ why }, "the on-demand sweep could not be handed out to the workers");
  return { kind: "not-sent", why };
}

/** A fanned-out sweep's shared record once its work is sent. */
export function sentRecord(sweepId: string, now: Date, handed: HandedOut): SharedSweepRun {
  const running = handed.deep > 0;
  return {
    sweepId,
    status: running ? "running" : "done",
    startedAt: now.toISOString(),
    finishedAt: running ? null : now.toISOString(),
    touchedAt: now.toISOString(),
    error: null,
    answer: running ? null : fannedOutAnswer(sweepProgress(handed, [], now)),
    fannedOut: handed,
  };
}

/**
 * Shares the timer's fanned-out sweep as soon as its work is sent. Its last
 * sweep's record is written only once the bookkeeping after the send is done
 * (sight, fleets, publish, prune): a request meanwhile found nothing in flight
 * and sent the estate a second time. Bounded, and never fails the sweep that
 * pages: without the record a request still finds it by the last sweep's.
 * The record, for the requests on this instance that wait for it: kept here
 * whether or not the write landed, so their status URL answers here at least.
 */
export async function shareTimerFanOut(
  runs: SweepRuns,
  sweepId: string,
  now: Date,
  handed: { deep: number; deadline: Date },
  log: Logger,
  /** What the share's bound runs on: real time unless a test moves it. */
  time: Timers = realTimers,
): Promise<SharedSweepRun> {
  const run = sentRecord(sweepId, now, {
    deep: handed.deep,
    deadline: handed.deadline.toISOString(),
    circuitIds: null,
    by: "timer",
  });
  try {
    await within(runs.shareFannedOut(run), SHARE_WITHIN_MS, time);
  } catch (error) {
    log.warn({ err: error }, "the timer's fanned-out sweep could not be shared");
  }
  return run;
}

/** What the status URL answers of a fanned-out sweep beside its summary fields. */
export function fannedOutAnswer(progress: SweepProgress): Record<string, unknown> {
  return { fannedOut: true, workers: progress.workers };
}

/**
 * A fanned-out sweep as its status URL answers it now, from the workers'
 * claims: "running" until every read handed out is recorded or failed, or the
 * workers' hard stop has passed; then "done", written back so it no longer
 * depends on the claims (kept WORK_CLAIMS_KEEP_MS). Throws when Table Storage
 * does not answer.
 */
export async function fannedOutRun(
  deps: { claims: WorkClaimsReader | null; runs: SweepRuns; now: () => Date },
  run: SharedSweepRun & { fannedOut: HandedOut },
): Promise<SharedSweepRun> {
  if (run.status !== "running") return run;
  const now = deps.now();
  const started = storedInstant(run.startedAt);
  const keptUntil = started === null ? -Infinity : started + WORK_CLAIMS_KEEP_MS;
  if (!deps.claims || now.getTime() >= keptUntil) {
    if (before(run.fannedOut.deadline, now))
      return { ...run, answer: { fannedOut: true, workers: null } };
    return {
      ...run,
      status: "done",
      // A deadline that is not an instant: done now (new Date(NaN) threw on every poll).
      finishedAt: new Date(
        (storedInstant(run.fannedOut.deadline) ?? now.getTime() - WORK_STOP_GRACE_MS) +
          WORK_STOP_GRACE_MS,
      ).toISOString(),
      answer: { fannedOut: true, workers: null },
      answerOmitted: deps.claims
        ? `the workers' claims are kept ${WORK_CLAIMS_KEEP_MS / 3_600_000} hours and this sweep's are gone; its circuits' state is on the status page`
        : "SWEEP_WORK_QUEUE is not set on this instance, so the workers' claims are not read; its circuits' state is on the status page",
    };
  }
  const progress = sweepProgress(run.fannedOut, await deps.claims.progress(run.sweepId), now);
  const answered: SharedSweepRun = {
    ...run,
    status: progress.status,
    finishedAt: progress.finishedAt,
    answer: fannedOutAnswer(progress),
  };
  // Kept as it ended: asked again in a week, the claims are gone.
  if (progress.status === "done") await deps.runs.shareFannedOut(answered);
  return answered;
}

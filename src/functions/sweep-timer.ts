import functions, { type InvocationContext, type Timer } from "@azure/functions";
import { randomUUID } from "node:crypto";
import type { TickTime } from "../app/sweep-coordinator.js";
import { sweepWindow, windowLeft } from "../app/sweep-window.js";
import { processEnv } from "../config/env.js";
import { timerSchedule } from "../config/functions.js";
import { storedInstant } from "../core/instant.js";
import { utcMinute } from "../core/utc-time.js";
import { timeoutOn } from "../runtime/time.js";
import { sweepDeps, type SweepFunctionDeps } from "./deps.js";

/**
 * How long after the occurrence it fires for the tick fired, on the sweep's
 * clock. The host's schedule status names that occurrence (`next`, said from
 * the scheduler's side: the time it waited for). Past due by more than an
 * interval (ticks were missed), the latest occurrence on the cadence. Not known
 * (no schedule monitor, a time without its zone): none, the tick is when it fired.
 */
export function tickLateMs(timer: Timer, nowMs: number, intervalMs: number): number {
  const due = storedInstant(timer.scheduleStatus?.next);
  if (due === null || due > nowMs || !(intervalMs > 0)) return 0;
  return (nowMs - due) % intervalMs;
}

/** The stateful sweep on SWEEP_SCHEDULE. The host keeps timer functions singleton across instances. */
export function sweepTimerHandler(getDeps: () => Promise<SweepFunctionDeps>) {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    const { runtime } = deps;
    const log = runtime.logger.child({ invocationId: context.invocationId, trigger: "timer" });
    if (timer.isPastDue)
      log.warn("timer is past due: the previous sweep ran long or the host was down");
    const { arm, sweep } = runtime.config;
    // The sweeper's clock: the window's deadline and stop are counted on the one its reads keep them by.
    const time = runtime.sweeper.time;
    const interval = runtime.config.state.policy.sweepIntervalMinutes;
    // Planned against a deadline short of the next tick: what does not fit is named and read first next time.
    const window = sweepWindow(interval);
    const sweepId = randomUUID();
    const scope = { subscriptions: arm.subscriptions, circuitIds: arm.circuitIds };
    const invokedAt = time.now();
    // Its window is measured from the occurrence the tick fires for, so the
    // sweep ends before the next tick however late the tick fired or its sweep
    // started (behind an on-demand one). Its `now` is when its sweep starts,
    // as any sweep's: its readings are taken from then, and dated earlier (the
    // occurrence, or when the tick fired while an on-demand sweep still ran)
    // they aged minutes they never had and were judged at a time already past.
    const firedAt = deps.now().getTime();
    const late = tickLateMs(timer, firedAt, interval * 60_000);
    const known = storedInstant(timer.scheduleStatus?.next) !== null;
    const fired: TickTime = { wallMs: invokedAt - late, dueMs: known ? firedAt - late : null };
    /** What is left of the window of `tick` now, and the request's times by it. */
    const windowOf = (tick: TickTime) => {
      const at = time.now();
      const sinceTickMs = at - tick.wallMs;
      const left = windowLeft(window, sinceTickMs, at - invokedAt);
      if (left.short)
        log.warn(
          { sinceTickMs, budgetMs: left.budgetMs, stopMs: left.stopMs },
          "the tick's sweep starts with little of its window left: it reads the cheap tier and the trouble circuits first in a short window and runs past the next tick, which fires late",
        );
      return {
        now: deps.now(),
        ...(tick.dueMs !== null ? { tickDue: new Date(tick.dueMs) } : {}),
        deadline: new Date(at + left.budgetMs),
        stopAt: new Date(at + left.stopMs),
        abortSignal: timeoutOn(time, left.stopMs),
      };
    };
    if (runtime.work) {
      // Registered before anything is awaited, as a request is: one arriving on
      // this instance while the timer plans or sends finds no record yet, and
      // sent the estate a second time (every circuit read twice). It waits for
      // this one instead, and joins it once its record is shared. The timer
      // itself never looks for one to join (it reads no `earlier`): a
      // request's fan-out is no tick, so it always sends its own work, tick and all.
      const handing = deps.runs.handOut(null, "timer");
      try {
        // Beyond one instance: plan here, read in the sweepWorker function, one subscription per session.
        // Loaded here, not at import: the host imports every entry at start, fan-out or not.
        const { fanOut, WORK_CLAIMS_KEEP_MS, WORK_CLAIMS_PRUNE_MS } =
          await import("../app/work.js");
        const { shareTimerFanOut } = await import("../app/on-demand-fan-out.js");
        const { now, tickDue, deadline, abortSignal } = windowOf(fired);
        const sent = await fanOut(
          runtime.sweeper,
          runtime.work.queue,
          {
            scope,
            sweepId,
            mode: "tiered",
            now,
            tick: true,
            ...(tickDue ? { tickDue } : {}),
            deadline,
            abortSignal,
          },
          {
            batchSize: sweep.batchSize,
            logger: log,
            // A request on any instance joins it from now on, instead of sending the estate again.
            sent: async (handed) =>
              handing.settle(await shareTimerFanOut(deps.runs, sweepId, now, handed, log, time)),
          },
        );
        log.info({ ...sent, isPastDue: timer.isPastDue, lateMs: late }, "timer sweep fanned out");
        // A share of the old claims each tick, never past the window's stop.
        const pruneMs = Math.min(WORK_CLAIMS_PRUNE_MS, window.stopMs - (time.now() - fired.wallMs));
        const claimsBefore = new Date(deps.now().getTime() - WORK_CLAIMS_KEEP_MS);
        if (pruneMs > 0)
          await runtime.work.claims
            .prune(claimsBefore, pruneMs)
            .then((pruned) => {
              // Its cut-off named, as a failed prune names it.
              if (pruned > 0)
                log.info(
                  { pruned },
                  `work claims written before ${utcMinute(claimsBefore.toISOString())} pruned`,
                );
            })
            .catch((error: unknown) => log.warn({ err: error }, "pruning old work claims failed"));
      } finally {
        handing.end();
      }
      return;
    }
    // An on-demand sweep running is no tick: the timer's runs right after it,
    // never joins it (sweep-coordinator.ts).
    const behind = deps.coordinator.running;
    const admitted = deps.coordinator.run(
      { circuitIds: null, tiered: true },
      // Behind an on-demand sweep that was running: what is left of its
      // tick's window (or of a later tick's that joined it while it waited),
      // so it ends before the next tick.
      (tick) =>
        runtime.sweeper.sweep({
          scope,
          sweepId,
          mode: "tiered",
          tick: true,
          ...windowOf(tick ?? fired),
        }),
      sweepId,
      { urgent: true, tick: fired },
    );
    // The timer's sweep is never refused: it goes ahead of every on-demand one waiting.
    if (admitted.busy) throw new Error("the sweep coordinator refused the timer's sweep");
    const { joined, result } = admitted;
    // An on-demand request that joins this sweep can point at it.
    if (!joined) deps.runs.track(sweepId, null, result);
    if (joined)
      log.info(
        "the timer's sweep of every circuit is already running; waiting for it instead of starting another",
      );
    else if (behind)
      log.info("an on-demand sweep is running; the timer's own sweep runs right after it");
    const done = await result;
    log.info(
      {
        sweepId: done.sweepId,
        circuits: done.verdicts.length,
        quiet: done.plan.quiet,
        unreached: done.unreached.length,
        events: done.events.length,
        pending: done.pendingInOutbox,
        isPastDue: timer.isPastDue,
        lateMs: late,
      },
      "timer sweep done",
    );
  };
}

functions.app.timer("sweepTimer", {
  // The value, not "%SWEEP_SCHEDULE%": see timerSchedule.
  schedule: timerSchedule(processEnv()),
  handler: sweepTimerHandler(sweepDeps),
});

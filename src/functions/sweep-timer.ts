import functions, { type InvocationContext, type Timer } from "@azure/functions";
import { randomUUID } from "node:crypto";
import { sweepWindow } from "../app/sweep-window.js";
import { sweepDeps, type SweepFunctionDeps } from "./deps.js";

/** The stateful sweep on %SWEEP_SCHEDULE%. The host keeps timer functions singleton across instances. */
export function sweepTimerHandler(getDeps: () => Promise<SweepFunctionDeps>) {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    const { runtime } = deps;
    const log = runtime.logger.child({ invocationId: context.invocationId, trigger: "timer" });
    if (timer.isPastDue)
      log.warn("timer is past due: the previous sweep ran long or the host was down");
    const { arm } = runtime.config;
    // Planned against a deadline short of the next tick: what does not fit is named and read first next time.
    const window = sweepWindow(runtime.config.state.policy.sweepIntervalMinutes);
    const sweepId = randomUUID();
    const { joined, result } = deps.coordinator.run(
      { circuitIds: null },
      () =>
        runtime.sweeper.sweep({
          scope: { subscriptions: arm.subscriptions, circuitIds: arm.circuitIds },
          sweepId,
          now: deps.now(),
          deadline: new Date(Date.now() + window.budgetMs),
          abortSignal: AbortSignal.timeout(window.stopMs),
        }),
      sweepId,
    );
    // An on-demand request that joins this sweep can point at it.
    if (!joined) deps.runs.track(sweepId, null, result);
    if (joined)
      log.info(
        "a sweep covering every circuit is already running; waiting for it instead of starting another",
      );
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
      },
      "timer sweep done",
    );
  };
}

functions.app.timer("sweepTimer", {
  schedule: "%SWEEP_SCHEDULE%",
  handler: sweepTimerHandler(sweepDeps),
});

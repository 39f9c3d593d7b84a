import functions, { type InvocationContext } from "@azure/functions";
import { hostname } from "node:os";
import { timeoutOn } from "../runtime/time.js";
import { processEnv } from "../config/env.js";
import { readWorkQueueSetting, WORK_HARD_STOP_MS } from "../config/functions.js";
import { sweepDeps, type SweepFunctionDeps } from "./deps.js";
import { counted } from "../core/text.js";

/** Thrown so the host abandons the message and Service Bus delivers it again (another worker may take it). */
export class WorkIncomplete extends Error {
  override readonly name = "WorkIncomplete";
}

/**
 * One batch of a fanned-out sweep's deep reads (SWEEP_WORK_QUEUE, sessions
 * keyed by subscription): each circuit claimed, read, recorded and its alerts
 * published, exactly as the single-process sweep does. A message that is not
 * work is logged and completed: it would never become work by coming back.
 */
export function sweepWorkerHandler(getDeps: () => Promise<SweepFunctionDeps>) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    // Loaded on the first batch: the host imports this entry at start whether fan-out is on or not.
    const [{ processWork, workerOf, workWindDownMs, WORK_STOP_GRACE_MS }, { parseWorkMessage }] =
      await Promise.all([import("../app/work.js"), import("../app/work-message.js")]);
    const { runtime } = deps;
    const log = runtime.logger.child({
      invocationId: context.invocationId,
      host: `${hostname()}/${process.pid}`,
      trigger: "sweep-work",
    });
    const parsed = parseWorkMessage(message);
    if (!parsed.ok) {
      log.error(
        { problem: parsed.problem, messageId: context.triggerMetadata?.messageId },
        "a message on the work queue is not sweep work; dropped (its circuits stay due for the next sweep)",
      );
      return;
    }
    const work = parsed.work;
    for (const item of parsed.dropped)
      log.error(
        { ...item, sweepId: work.sweepId, messageId: context.triggerMetadata?.messageId },
        "an item of this work batch is not sweep work; the rest of the batch is read (the circuit stays due for the next sweep)",
      );
    if (!runtime.work) throw new WorkIncomplete("SWEEP_WORK_QUEUE is not set on this instance");
    // The sweeper's clock: its reads' deadlines and flushes, and the message's deadline, are on it.
    const time = runtime.sweeper.time;
    const deadline = Date.parse(work.deadline);
    // The hard stop: a little after the deadline, and within the message lock.
    const startedAt = time.now();
    const stopIn = Math.min(
      Math.max(1_000, deadline - startedAt + WORK_STOP_GRACE_MS),
      WORK_HARD_STOP_MS,
    );
    const stop = timeoutOn(time, stopIn);
    // Its claims settled after the stop, within a bound: with the claims
    // table hung, one call after another each with its own timeout held
    // the worker (and its subscription's session) 200 s past its 4-minute cap.
    const settle = timeoutOn(time, stopIn + workWindDownMs(runtime.config.state.timeoutMs));
    const done = await processWork(runtime.sweeper, runtime.work.claims, work, {
      worker: workerOf(work, {
        count: Number(context.triggerMetadata?.deliveryCount ?? 1),
        id: `${hostname()}/${process.pid}/${context.invocationId}`,
      }),
      logger: log,
      abortSignal: stop,
      stopAt: new Date(startedAt + stopIn),
      settleBy: settle,
      reader: runtime.reader,
    });
    if (done.unreached.some((u) => u.reason === "stopped"))
      throw new WorkIncomplete(
        `${counted(done.unreached.length, "circuit")} of this batch ${done.unreached.length === 1 ? "was" : "were"} not read`,
      );
  };
}

const queue = readWorkQueueSetting(processEnv());
if (queue) {
  functions.app.serviceBusQueue("sweepWorker", {
    connection: "ServiceBusConnection",
    queueName: queue,
    isSessionsEnabled: true,
    handler: sweepWorkerHandler(sweepDeps),
  });
}

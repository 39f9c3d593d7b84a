// Fan-out as Azure Functions runs it, on the loopback broker: the timer
// function plans a sweep and queues its work; two workers on concurrent
// sessions take it until the queue stays empty. The e2e cases and the fan-out
// soaks drive their sweeps with it.

import functions from "@azure/functions";
import type { ServiceBusClient } from "@azure/service-bus";
import { drainOneSession } from "../../src/adapters/servicebus/work-queue.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";

export interface FanOutDriver {
  /** What the workers' sessions reported as failing (each test expects none). */
  errors: unknown[];
  /**
   * The timer function's run for sweep `label`; `due`, the occurrence the
   * host's schedule status names (a tick fired late for it), when known.
   */
  timer(label: string | number, due?: Date): Promise<void>;
  /**
   * The timer's run where Service Bus not answering within SERVICEBUS_TIMEOUT_MS
   * is an outcome, not a failure: "late" (the timer failed saying so, and what
   * it had not sent stays due). The soaks set that deadline short so a hung
   * broker costs little, and on a loaded machine the broker answering can miss
   * it too (the first send attaches its link). Any other error throws, the
   * send's other give-up too ("stopped with the sweep"): that is the timer's
   * own window (minutes, on the sweep's clock) run out with the send under
   * way, not a broker answering late.
   */
  timerMayMiss(label: string | number): Promise<"sent" | "late">;
  /** Two workers until the queue is empty twice running; false when `withinMs` ran out first. */
  drain(withinMs?: number, options?: DrainOptions): Promise<boolean>;
}

export interface DrainOptions {
  /** Workers on concurrent sessions (default 2). */
  workers?: number;
  /**
   * Runs each batch's worker function: e.g. with Service Bus hung around it
   * (what the worker publishes), while the driver's own receive and
   * settlement, the host's in Azure, go through.
   */
  around?: (work: () => Promise<void>) => Promise<void>;
}

export function fanOutDriver(
  deps: SweepFunctionDeps,
  bus: ServiceBusClient,
  queue: string,
): FanOutDriver {
  const timer = sweepTimerHandler(async () => deps);
  const worker = sweepWorkerHandler(async () => deps);
  const errors: unknown[] = [];
  let invocation = 0;
  const tick = (label: string | number, due?: Date) =>
    timer(
      {
        isPastDue: due !== undefined && due < deps.now(),
        schedule: { adjustForDST: false },
        scheduleStatus: { last: "", next: due?.toISOString() ?? "", lastUpdated: "" },
      },
      new functions.InvocationContext({ invocationId: `timer-${label}` }),
    );
  return {
    errors,
    timer: tick,
    timerMayMiss: (label) =>
      tick(label).then(
        () => "sent" as const,
        (error: unknown) => {
          if (/Service Bus did not answer within/.test(String(error))) return "late" as const;
          throw error;
        },
      ),
    async drain(withinMs = 30_000, options: DrainOptions = {}) {
      const stop = AbortSignal.timeout(withinMs);
      const around = options.around ?? ((work) => work());
      const one = () =>
        drainOneSession(
          bus,
          queue,
          (body) =>
            around(() =>
              worker(body, new functions.InvocationContext({ invocationId: `w${++invocation}` })),
            ),
          {
            abortSignal: stop,
            maxWaitTimeInMs: 200,
            onError: (e) => errors.push(e),
            // The workers' clock, as the host's lock renewal would be counted in a test's time.
            time: deps.runtime.sweeper.time,
          },
        );
      const workers = options.workers ?? 2;
      for (let idle = 0; idle < 2 && !stop.aborted;) {
        const handled = (await Promise.all(Array.from({ length: workers }, one))).reduce(
          (a, b) => a + b,
          0,
        );
        idle = handled === 0 ? idle + 1 : 0;
      }
      return !stop.aborted;
    },
  };
}

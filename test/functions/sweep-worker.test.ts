// The sweep worker as the Functions host runs it hands its batch to the deep
// read with both the sweep's deadline and its own hard stop (stopAt): the last
// call for outages waiting to group is taken from the stop, which at the
// worker's 4-minute cap can come before the deadline. Without stopAt the
// outage held for reads the cap cuts went undecided for the sweep.

import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { DeepReadRun } from "../../src/app/deep-read.js";
import type { Timers } from "../../src/app/ports.js";
import type { WorkClaims, WorkMessage } from "../../src/app/work.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const SUB = "00000000-0000-0000-0000-00000000000a";

/** The worker on the sweeper's clock, `time`. */
function worker(time: Timers, reading: (run: DeepReadRun) => void = () => {}) {
  const runs: DeepReadRun[] = [];
  const claims: WorkClaims = {
    claim: async () => "mine",
    finish: async () => undefined,
  };
  const deps = {
    runtime: {
      config: { state: { timeoutMs: 10_000 } },
      logger: memoryLogger().logger,
      work: { claims },
      reader: {},
      sweeper: {
        time,
        deepRead: async (_targets: unknown, run: DeepReadRun) => {
          runs.push(run);
          reading(run);
          return { verdicts: [], errors: [], skipped: [], unreached: [], events: [], ignored: [] };
        },
      },
    },
  } as unknown as SweepFunctionDeps;
  return { runs, handler: sweepWorkerHandler(async () => deps) };
}

const message = (deadlineInMs: number, time: Timers): WorkMessage => ({
  version: 1,
  sweepId: "sweep-1",
  subscriptionId: SUB,
  batch: 1,
  batches: 1,
  now: new Date(time.now()).toISOString(),
  deadline: new Date(time.now() + deadlineInMs).toISOString(),
  items: [
    {
      target: {
        id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-1`,
        name: "er-1",
        subscriptionId: SUB,
        resourceGroup: "rg",
      },
      reason: "rotation",
    },
  ],
});

describe("sweep worker", () => {
  it.each([
    ["the sweep's deadline in a minute: the stop 15 s after it", 60_000, 75_000],
    ["the deadline 4.5 minutes away: the worker's 4-minute cap first", 270_000, 240_000],
  ])("%s", async (_name, deadlineInMs, stopInMs) => {
    // The sweeper's clock a month behind the machine's: the worker counts its stop on the sweeper's.
    const time = manualTime(Date.now() - 30 * 86_400_000);
    const { runs, handler } = worker(time);
    await handler(JSON.stringify(message(deadlineInMs, time)), new InvocationContext());
    expect(runs).toHaveLength(1);
    expect(runs[0]!.stopAt!.getTime()).toBe(time.now() + stopInMs);
    expect(runs[0]!.deadline!.getTime()).toBe(time.now() + deadlineInMs);
  });

  it("stops its reads when the sweeper's clock reaches the stop, not the machine's", async () => {
    const time = manualTime(Date.now() - 30 * 86_400_000);
    const stopped: boolean[] = [];
    const { handler } = worker(time, (run) => {
      // The deadline in a minute, the stop 15 s after it: a moment before, then at it.
      time.advance(75_000 - 1);
      stopped.push(run.abortSignal.aborted);
      time.advance(1);
      stopped.push(run.abortSignal.aborted);
    });
    await handler(JSON.stringify(message(60_000, time)), new InvocationContext());
    expect(stopped).toEqual([false, true]);
  });
});

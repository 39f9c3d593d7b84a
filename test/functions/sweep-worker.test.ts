// The sweep worker as the Functions host runs it hands its batch to the deep
// read with both the sweep's deadline and its own hard stop (stopAt): the last
// call for outages waiting to group is taken from the stop, which at the
// worker's 4-minute cap can come before the deadline. Without stopAt the
// outage held for reads the cap cuts went undecided for the sweep.

import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { DeepReadRun } from "../../src/app/deep-read.js";
import type { WorkClaims, WorkMessage } from "../../src/app/work.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import { memoryLogger } from "../support/test-logger.js";

const SUB = "00000000-0000-0000-0000-00000000000a";

function worker() {
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
        deepRead: async (_targets: unknown, run: DeepReadRun) => {
          runs.push(run);
          return { verdicts: [], errors: [], skipped: [], unreached: [], events: [], ignored: [] };
        },
      },
    },
  } as unknown as SweepFunctionDeps;
  return { runs, handler: sweepWorkerHandler(async () => deps) };
}

const message = (deadlineInMs: number): WorkMessage => ({
  version: 1,
  sweepId: "sweep-1",
  subscriptionId: SUB,
  batch: 1,
  batches: 1,
  now: new Date().toISOString(),
  deadline: new Date(Date.now() + deadlineInMs).toISOString(),
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
    const { runs, handler } = worker();
    const before = Date.now();
    await handler(JSON.stringify(message(deadlineInMs)), new InvocationContext());
    const after = Date.now();
    expect(runs).toHaveLength(1);
    const stopAt = runs[0]!.stopAt!.getTime();
    expect(stopAt).toBeGreaterThanOrEqual(before + stopInMs);
    expect(stopAt).toBeLessThanOrEqual(after + stopInMs);
    expect(runs[0]!.deadline!.getTime()).toBeGreaterThan(before + deadlineInMs - 1_000);
  });
});

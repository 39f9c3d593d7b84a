// The timer's fan-out tells the status page when the workers must be done:
// its budget counted on the sweeper's wall clock, where the timer set the
// deadline, then laid from the sweep's instant. Counted on the machine's
// clock while the sweeper ran on another (a test's, moved by hand), the
// deadline recorded was off by however far the two clocks stood apart.

import { expect, it } from "vitest";
import type { Sweeper } from "../../src/app/sweep.js";
import { fanOut, type WorkMessage } from "../../src/app/work.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const MIN = 60_000;

it("hands the workers the deadline the timer set on the sweeper's clock, laid from the sweep's instant, however far the machine's clock stands from it", async () => {
  // The sweeper's clock a month behind the machine's, and the sweep's instant a minute behind that.
  const time = manualTime(Date.now() - 30 * 24 * 60 * MIN);
  const now = new Date(time.now() - MIN);
  const recorded: { deadline: Date }[] = [];
  const sweeper = {
    time,
    plan: async () => ({ deep: [], quiet: [], found: { targets: [] } }),
    storedPlaces: async () => new Map(),
    fannedOut: async (
      _request: unknown,
      _planned: unknown,
      _sweepId: string,
      _log: unknown,
      workers: { deadline: Date },
    ) => void recorded.push(workers),
  } as unknown as Sweeper;
  const sentMessages: WorkMessage[] = [];
  const handed: { deadline: Date }[] = [];
  await fanOut(
    sweeper,
    { send: async (messages) => void sentMessages.push(...messages) },
    {
      scope: { subscriptions: [], circuitIds: [] },
      sweepId: "on-the-sweepers-clock",
      mode: "tiered",
      now,
      // Four minutes left on the sweeper's clock.
      deadline: new Date(time.now() + 4 * MIN),
      abortSignal: new AbortController().signal,
    },
    {
      batchSize: 20,
      logger: memoryLogger().logger,
      sent: async (h) => void handed.push(h),
    },
  );
  expect(sentMessages).toEqual([]);
  expect(handed.map((h) => h.deadline.toISOString())).toEqual([
    new Date(now.getTime() + 4 * MIN).toISOString(),
  ]);
  expect(recorded.map((r) => r.deadline.toISOString())).toEqual([
    new Date(now.getTime() + 4 * MIN).toISOString(),
  ]);
});

// The timer function as the host calls it: isPastDue is logged, and a timer
// tick that arrives while the timer's own sweep runs waits for it instead of
// starting a second one (one behind an on-demand sweep runs its own after it:
// test/app/sweep-timeline-ticks.test.ts).

import functions from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepWindow } from "../../src/app/sweep-window.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { functionDeps } from "../support/function-deps.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = () => new Date("2026-11-22T02:00:00.000Z");
const timer = (isPastDue: boolean): functions.Timer => ({
  isPastDue,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
});
const context = () => new functions.InvocationContext({ invocationId: "timer-test" });

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function setup() {
  const reader = new FakeReader();
  const deps = await functionDeps(
    azurite.connectionString,
    reader,
    { ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001" },
    NOW,
  );
  const { logger, records } = memoryLogger();
  deps.runtime = { ...deps.runtime, logger };
  return { reader, records, deps, handler: sweepTimerHandler(async () => deps) };
}

describe("sweepTimer", () => {
  it("logs a past-due tick as a warning and still sweeps", async () => {
    const { reader, records, handler } = await setup();
    await handler(timer(true), context());
    expect(reader.reads).toBe(1);
    const warn = records().find((r) => String(r.msg).includes("past due"));
    expect(warn).toMatchObject({ level: 40, trigger: "timer" });
    const done = records().find((r) => r.msg === "timer sweep done");
    expect(done).toMatchObject({ isPastDue: true, circuits: 1 });
  });

  it("gives its sweep the deadline and the hard stop: the stop is the last call for outages waiting to group", async () => {
    const { handler, deps } = await setup();
    const requests: Parameters<typeof deps.runtime.sweeper.sweep>[0][] = [];
    const sweep = deps.runtime.sweeper.sweep;
    deps.runtime = {
      ...deps.runtime,
      sweeper: {
        ...deps.runtime.sweeper,
        sweep: (request) => (requests.push(request), sweep(request)),
      },
    };
    const before = Date.now();
    await handler(timer(false), context());
    const window = sweepWindow(5);
    const request = requests[0]!;
    expect(request.deadline!.getTime() - before).toBeGreaterThanOrEqual(window.budgetMs - 5_000);
    expect(request.stopAt!.getTime() - request.deadline!.getTime()).toBeGreaterThanOrEqual(
      window.stopMs - window.budgetMs - 1_000,
    );
  });

  it("never runs two sweeps at once: a second tick joins the timer's running one", async () => {
    const { reader, records, handler } = await setup();
    await Promise.all([handler(timer(false), context()), handler(timer(false), context())]);
    expect(reader.reads).toBe(1);
    expect(records().some((r) => String(r.msg).includes("already running"))).toBe(true);
  });
});

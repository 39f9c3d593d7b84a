// The timer function as the host calls it: isPastDue is logged, and a timer
// tick that arrives while the timer's own sweep runs waits for it instead of
// starting a second one (one behind an on-demand sweep runs its own after it:
// test/app/sweep-timeline-ticks.test.ts).

import functions from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Timers } from "../../src/app/ports.js";
import { FUNCTION_TIMEOUT_MS, sweepWindow } from "../../src/app/sweep-window.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { functionDeps } from "../support/function-deps.js";
import { manualTime } from "../support/manual-time.js";
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

async function setup(now = NOW, time?: Timers) {
  const reader = new FakeReader();
  const deps = await functionDeps(
    azurite.connectionString,
    reader,
    { ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001" },
    now,
    time,
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

  describe("a tick queued behind an on-demand sweep: its window is the tick's, measured from when it was due", () => {
    const MIN = 60_000;
    const T0 = Date.parse("2026-11-22T10:00:00.000Z");
    const due = (m: number): functions.Timer => ({
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: "", next: new Date(T0 + m * MIN).toISOString(), lastUpdated: "" },
    });

    /** The handlers have taken their deps and asked for their sweep. */
    const settled = () => new Promise((resolve) => setImmediate(resolve));

    /** The timer on an injected clock from `startMs`, and its sweep's requests. */
    async function onClock(startMs: number) {
      const time = manualTime(startMs);
      const clock = () => new Date(time.now());
      // The timer keeps its window by the sweeper's clock, which plans against the deadline.
      const { deps, handler } = await setup(clock, time);
      const requests: Parameters<typeof deps.runtime.sweeper.sweep>[0][] = [];
      const sweep = deps.runtime.sweeper.sweep;
      deps.runtime = {
        ...deps.runtime,
        sweeper: {
          ...deps.runtime.sweeper,
          sweep: (request) => (requests.push(request), sweep(request)),
        },
      };
      return { deps, handler, time, requests };
    }

    /** At 10:05, an on-demand estate sweep (asked for at 10:03) running until released. */
    async function behindOnDemand() {
      const world = await onClock(T0 + 5 * MIN);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const onDemand = world.deps.coordinator.run({ circuitIds: null, tiered: true }, async () => {
        await released;
        throw new Error("the on-demand sweep's own result: not the tick's");
      });
      if (onDemand.busy) throw new Error("the on-demand sweep was refused");
      const onDemandDone = onDemand.result.catch(() => undefined);
      return { ...world, release, onDemandDone };
    }

    it("one that starts at 10:08 stops before the 10:10 tick, dated when it starts", async () => {
      const { handler, time, requests, release, onDemandDone } = await behindOnDemand();
      const timerDone = handler(due(5), context());
      // Held behind the on-demand sweep, which ends at 10:08.
      await settled();
      expect(requests).toEqual([]);
      time.advance(3 * MIN);
      release();
      await onDemandDone;
      await timerDone;
      expect(requests).toHaveLength(1);
      const request = requests[0]!;
      const window = sweepWindow(5);
      expect(request.tick).toBe(true);
      // Its readings are taken from 10:08: dated 10:05, they aged 3 minutes they never had.
      expect(request.now.toISOString()).toBe("2026-11-22T10:08:00.000Z");
      // From 10:05, not from 10:08: 10:09:30 and 10:09:45, never the 10:12:45 that ran into the 10:10 tick.
      expect(request.deadline!.getTime()).toBe(T0 + 5 * MIN + window.budgetMs);
      expect(request.stopAt!.getTime()).toBe(T0 + 5 * MIN + window.stopMs);
      expect(request.stopAt!.getTime()).toBeLessThan(T0 + 10 * MIN);
      // Its hard stop is on the same clock.
      time.advance(window.stopMs - 3 * MIN - 1);
      expect(request.abortSignal.aborted).toBe(false);
      time.advance(1);
      expect(request.abortSignal.aborted).toBe(true);
    });

    it("a tick 90 s past due stops before the next tick too", async () => {
      const { handler, requests } = await onClock(T0 + 6.5 * MIN);
      await handler({ ...due(5), isPastDue: true }, context());
      const request = requests[0]!;
      expect(request.now.getTime()).toBe(T0 + 6.5 * MIN);
      expect(request.stopAt!.getTime()).toBe(T0 + 5 * MIN + sweepWindow(5).stopMs);
    });

    it("a tick 4 m 50 s past due still sweeps the cheap tier and its trouble, in a short window it says in its log", async () => {
      const { deps, handler, requests } = await onClock(T0 + 9 * MIN + 50_000);
      const { logger, records } = memoryLogger();
      deps.runtime = { ...deps.runtime, logger };
      await handler({ ...due(5), isPastDue: true }, context());
      const request = requests[0]!;
      expect(request.now.getTime()).toBe(T0 + 9 * MIN + 50_000);
      // Nothing was left of its window: no deep read started and everything
      // stopped at once, a tick lost with nothing said.
      // A minute to plan in, stopped 15 s later (LATE_TICK_WINDOW).
      expect(request.deadline!.getTime() - request.now.getTime()).toBe(60_000);
      expect(request.stopAt!.getTime() - request.now.getTime()).toBe(75_000);
      expect(request.abortSignal.aborted).toBe(false);
      const warn = records().find((r) => String(r.msg).includes("little of its window left"));
      expect(warn).toMatchObject({ level: 40, sinceTickMs: 4 * MIN + 50_000 });
      expect(records().find((r) => r.msg === "timer sweep done")).toMatchObject({
        lateMs: 4 * MIN + 50_000,
        circuits: 1,
      });
    });

    it("one still waiting at the 10:10 tick answers for it, in the 10:10 tick's window", async () => {
      const { handler, time, requests, release, onDemandDone } = await behindOnDemand();
      const first = handler(due(5), context());
      await settled();
      time.advance(5 * MIN);
      const second = handler(due(10), context());
      await settled();
      time.advance(1 * MIN);
      release();
      await onDemandDone;
      await Promise.all([first, second]);
      // One sweep for both ticks, dated when it starts, stopped before 10:15 and
      // before the host's functionTimeout ends the 10:05 invocation.
      expect(requests).toHaveLength(1);
      const request = requests[0]!;
      expect(request.now.toISOString()).toBe("2026-11-22T10:11:00.000Z");
      expect(request.deadline!.getTime()).toBeGreaterThan(T0 + 11 * MIN);
      expect(request.stopAt!.getTime()).toBeLessThan(T0 + 15 * MIN);
      expect(request.stopAt!.getTime()).toBeLessThan(T0 + 5 * MIN + FUNCTION_TIMEOUT_MS);
    });
  });
});

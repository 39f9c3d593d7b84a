// Entries of ERWATCH_ACTION_GROUPS left out at start are said at start and
// again while the dispatcher delivers, at most every 10 minutes, so the health
// alert on the line (a 15-minute window) stands while routes are missing.

import { describe, expect, it } from "vitest";
import {
  LEFT_OUT_MESSAGE,
  LEFT_OUT_REMINDER_MS,
  remindLeftOut,
  reminderDue,
} from "../../src/app/dispatch/left-out-reminder.js";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { memoryLogger } from "../support/test-logger.js";

const MIN = 60_000;
const T0 = Date.parse("2026-11-22T02:00:00Z");

describe("reminderDue", () => {
  it.each([
    { case: "never said", last: null, now: T0, due: true },
    { case: "said just now", last: T0, now: T0, due: false },
    { case: "said 9 minutes ago", last: T0, now: T0 + 9 * MIN, due: false },
    { case: "said 10 minutes ago", last: T0, now: T0 + 10 * MIN, due: true },
    { case: "said an hour ago", last: T0, now: T0 + 60 * MIN, due: true },
    // A clock set back must not hold the reminder until it catches up.
    { case: "the clock went back", last: T0, now: T0 - MIN, due: true },
  ])("$case: $due", ({ last, now, due }) => {
    expect(reminderDue(last, now, LEFT_OUT_REMINDER_MS)).toBe(due);
  });
});

describe("remindLeftOut", () => {
  const IGNORED = ['ERWATCH_ACTION_GROUPS.routes[2].actionGroups[0]: unknown action group "x"'];
  const delivered = { settled: "complete", delivered: ["pd"], skipped: [] } as const;

  function harness(ignored: readonly string[]) {
    let now = new Date(T0);
    const log = memoryLogger();
    const seen: unknown[] = [];
    const inner = {
      dispatch: async (message: { body: unknown }) => {
        seen.push(message.body);
        return delivered;
      },
    } as unknown as Dispatcher;
    const dispatcher = remindLeftOut(inner, ignored, log.logger, () => now);
    const said = () => log.records().filter((r) => r.msg === LEFT_OUT_MESSAGE);
    const dispatchAt = async (minute: number) => {
      now = new Date(T0 + minute * MIN);
      const args = [{ body: minute }] as unknown as Parameters<Dispatcher["dispatch"]>;
      return dispatcher.dispatch(...args);
    };
    return { inner, dispatcher, said, dispatchAt, seen };
  }

  it("says the entries at start and again every 10 minutes while events are dispatched at the sweep's 5-minute cadence", async () => {
    const h = harness(IGNORED);
    expect(h.said()).toHaveLength(1);
    expect(h.said()[0]!.ignored).toEqual(IGNORED);
    expect(h.said()[0]!.level).toBe(40);
    for (const minute of [5, 10, 15, 20, 25, 30])
      expect(await h.dispatchAt(minute)).toBe(delivered);
    // Said at 0, then at the first dispatch 10 minutes on: 10, 20, 30.
    expect(h.said()).toHaveLength(4);
    // Every event still reaches the dispatcher, in order.
    expect(h.seen).toEqual([5, 10, 15, 20, 25, 30]);
  });

  it("after a quiet hour, says them with the next event", async () => {
    const h = harness(IGNORED);
    await h.dispatchAt(65);
    expect(h.said()).toHaveLength(2);
  });

  it("with nothing left out, says nothing and is the dispatcher itself", () => {
    const h = harness([]);
    expect(h.said()).toEqual([]);
    expect(h.dispatcher).toBe(h.inner);
  });
});

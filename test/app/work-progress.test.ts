// How far a fanned-out sweep's workers got, from the timer's record and the
// workers' claims: what the status page and `erwatch alerts` say of them.

import { describe, expect, it } from "vitest";
import type { SweepRecord } from "../../src/app/state-store.js";
import { NOT_RECORDED_SHOWN } from "../../src/app/state-store.js";
import { coversFanOut } from "../../src/app/on-demand-fan-out.js";
import {
  failureText,
  sweepProgress,
  workersProgress,
  type HandedOut,
  type WorkClaimRow,
} from "../../src/app/work-progress.js";

const NOW = new Date("2026-11-22T03:03:00.000Z");
const record = (fannedOut?: SweepRecord["fannedOut"]): SweepRecord => ({
  sweepId: "s-1",
  startedAt: "2026-11-22T03:00:00.000Z",
  finishedAt: "2026-11-22T03:00:20.000Z",
  circuits: 40,
  ignored: 0,
  partlyBlind: 0,
  errors: 0,
  ...(fannedOut ? { fannedOut } : {}),
});
const BEFORE = "2026-11-22T03:04:00.000Z";
const PAST = "2026-11-22T03:02:00.000Z";
const done = (id: string): WorkClaimRow => ({ circuitId: id, state: "done" });
const reading = (id: string): WorkClaimRow => ({ circuitId: id, state: "reading" });
const failed = (id: string, why: string): WorkClaimRow => ({
  circuitId: id,
  state: "reading",
  failed: why,
});
const names = new Map([
  ["/c/a", "er-a"],
  ["/c/b", "er-b"],
]);

describe("workersProgress", () => {
  it.each([
    ["not fanned out", record(), [], null],
    ["fanned out with nothing to read deep", record({ deep: 0, deadline: PAST }), [], null],
    ["a stored deep count that is not a count", record({ deep: -1, deadline: PAST }), [], null],
  ])("%s: nothing to say", (_, r, claims, expected) => {
    expect(workersProgress(r, claims, names, NOW)).toBe(expected);
  });

  it.each<[string, string, WorkClaimRow[], object]>([
    [
      "all recorded, past the deadline",
      PAST,
      [done("/c/a"), done("/c/b"), done("/c/c")],
      { recorded: 3, failedCount: 0, unfinished: 0, over: true },
    ],
    [
      "one being read, one not started, before the deadline",
      BEFORE,
      [done("/c/a"), reading("/c/b")],
      { recorded: 1, failedCount: 0, unfinished: 2, over: false },
    ],
    [
      // The workers stop 15 s after it: a read in flight may still land.
      "5 s past the deadline: not over yet",
      "2026-11-22T03:02:55.000Z",
      [done("/c/a"), reading("/c/b")],
      { recorded: 1, unfinished: 2, over: false },
    ],
    [
      "past the deadline: claimed and never finished (a worker died), and given back unread",
      PAST,
      [done("/c/a"), reading("/c/b")],
      { recorded: 1, failedCount: 0, unfinished: 2, over: true },
    ],
    [
      "read but not recorded: named with why, not counted unfinished",
      PAST,
      [done("/c/a"), failed("/C/B", "Table Storage answered 500")],
      {
        recorded: 1,
        failedCount: 1,
        unfinished: 1,
        failed: [{ id: "/C/B", name: "er-b", why: "Table Storage answered 500" }],
      },
    ],
    [
      "recorded by a later delivery after one failed: recorded wins",
      PAST,
      [{ circuitId: "/c/a", state: "done", failed: "earlier" }],
      { recorded: 1, failedCount: 0, unfinished: 2 },
    ],
    [
      "a deadline that cannot be read: judged over, not still reading for ever",
      "soon",
      [done("/c/a")],
      { over: true, unfinished: 2 },
    ],
    // Date.parse read "42" as the year 2042: a sweep still reading for years.
    ...["42", "2026-11-22", "12/24/2026"].map(
      (deadline): [string, string, WorkClaimRow[], object] => [
        `a deadline that is not an instant (${deadline}): judged over`,
        deadline,
        [done("/c/a")],
        { over: true, unfinished: 2 },
      ],
    ),
  ])("%s", (_, deadline, claims, expected) => {
    const progress = workersProgress(record({ deep: 3, deadline }), claims, names, NOW);
    expect(progress).toMatchObject({ sweepId: "s-1", handedOut: 3, deadline, ...expected });
  });

  it("names a circuit without a snapshot by its id, and at most NOT_RECORDED_SHOWN of them", () => {
    const claims = Array.from({ length: NOT_RECORDED_SHOWN + 5 }, (_, i) =>
      failed(`/c/x${String(i).padStart(2, "0")}`, "boom"),
    );
    const progress = workersProgress(record({ deep: 30, deadline: PAST }), claims, names, NOW)!;
    expect(progress.failedCount).toBe(NOT_RECORDED_SHOWN + 5);
    expect(progress.failed).toHaveLength(NOT_RECORDED_SHOWN);
    expect(progress.failed[0]).toEqual({ id: "/c/x00", name: "/c/x00", why: "boom" });
    expect(progress.unfinished).toBe(5);
  });
});

describe("failureText", () => {
  it("drops URLs (a SAS token rides in one) and cuts to 300 characters", () => {
    const text = failureText(
      `PUT https://acct.table.core.windows.net/Snapshots?sv=2024&sig=SECRET failed ${"x".repeat(400)}`,
    );
    expect(text).not.toContain("SECRET");
    expect(text).toContain("[url]");
    expect(text.length).toBeLessThanOrEqual(300);
  });
});

describe("sweepProgress: a fanned-out sweep's status URL", () => {
  const named = (deadline: string): HandedOut => ({
    deep: 3,
    deadline,
    circuitIds: ["/c/a", "/c/b", "/c/c"],
  });
  const estate = (deadline: string): HandedOut => ({ deep: 3, deadline, circuitIds: null });

  it.each<[string, HandedOut, WorkClaimRow[], object]>([
    [
      // Never "done" while a read may still land.
      "named, one recorded, one being read, one not taken, before the hard stop",
      named(BEFORE),
      [done("/c/a"), reading("/c/b")],
      { status: "running", finishedAt: null, workers: { recorded: 1, unfinished: 2 } },
    ],
    [
      "named, every read recorded or failed before the deadline: done at the last claim written",
      named(BEFORE),
      [
        { ...done("/C/A"), at: "2026-11-22T03:01:00.000Z" },
        { ...failed("/c/b", "boom"), at: "2026-11-22T03:02:30.000Z" },
        { ...done("/c/c"), at: "2026-11-22T03:02:00.000Z" },
      ],
      {
        status: "done",
        finishedAt: "2026-11-22T03:02:30.000Z",
        workers: {
          recorded: 2,
          failedCount: 1,
          failed: [{ id: "/c/b", name: "b", why: "boom" }],
          unfinished: 0,
          unfinishedCircuits: [],
          over: false,
        },
      },
    ],
    [
      // Never "running" for ever: past the workers' hard stop what is out will not land.
      "named, past the hard stop: done, naming every circuit not read (taken or not)",
      named(PAST),
      [done("/c/a"), reading("/c/b")],
      {
        status: "done",
        finishedAt: "2026-11-22T03:02:15.000Z",
        workers: {
          unfinished: 2,
          unfinishedCircuits: [
            { id: "/c/b", name: "b" },
            { id: "/c/c", name: "c" },
          ],
          over: true,
        },
      },
    ],
    [
      "the estate, past the hard stop: only the circuits a worker took are known by id",
      estate(PAST),
      [done("/c/a"), reading("/c/b")],
      {
        status: "done",
        workers: { unfinished: 2, unfinishedCircuits: [{ id: "/c/b", name: "b" }] },
      },
    ],
    [
      "nothing handed out: done at once",
      { deep: 0, deadline: BEFORE, circuitIds: null },
      [],
      { status: "done", workers: { handedOut: 0, unfinished: 0 } },
    ],
  ])("%s", (_, handed, claims, expected) => {
    expect(sweepProgress(handed, claims, NOW)).toMatchObject(expected);
  });
});

describe("coversFanOut: which fanned-out sweep in flight a request joins", () => {
  it.each([
    ["the estate covers the estate", null, null, true],
    // Tiered: it reads deep only what its plan says, a named circuit maybe not.
    ["the estate does not cover named circuits", null, ["/c/a"], false],
    ["named circuits do not cover the estate", ["/c/a"], null, false],
    ["named circuits cover a subset of them, in any case", ["/c/a", "/c/b"], ["/C/B"], true],
    ["named circuits do not cover one more", ["/c/a"], ["/c/a", "/c/b"], false],
  ])("%s", (_, running, wanted, expected) => {
    expect(coversFanOut(running, wanted)).toBe(expected);
  });
});

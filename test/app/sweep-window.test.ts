// The timer's sweep window against the host's own limit: whatever interval
// SWEEP_SCHEDULE gives, the sweep stops itself before host.json's
// functionTimeout ends the invocation from outside (a sweep killed there
// never writes "sweep finished", and what it was reading is lost).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FUNCTION_TIMEOUT_MS, sweepWindow, windowLeft } from "../../src/app/sweep-window.js";
import { CONCURRENT_SWEEP_MS } from "../../src/core/lifecycle.js";
import { SettingsReader } from "../../src/config/reader.js";
import { sweepIntervalMinutes } from "../../src/config/functions.js";

const host = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "host.json"), "utf8"),
) as { functionTimeout: string };
const [h, m, s] = host.functionTimeout.split(":").map(Number) as [number, number, number];
const functionTimeoutMs = ((h * 60 + m) * 60 + s) * 1000;

describe("the timer's sweep window", () => {
  it("knows host.json's functionTimeout", () => {
    expect(FUNCTION_TIMEOUT_MS).toBe(functionTimeoutMs);
  });

  it("is as long as the lifecycle lets a concurrent sweep's judgement run ahead of the clock", () => {
    expect(CONCURRENT_SWEEP_MS).toBe(FUNCTION_TIMEOUT_MS);
  });

  it("keeps the default 5-minute schedule's window: plan to 4.5 min, stop at 4.75", () => {
    expect(sweepWindow(5)).toEqual({ budgetMs: 270_000, stopMs: 285_000 });
  });

  it.each(["0 */5 * * * *", "0 */10 * * * *", "0 */15 * * * *", "0 */30 * * * *", "0 0 * * * *"])(
    "stops a sweep on %j before the host's functionTimeout (at 15 minutes it stopped at 14.75, the host at 10)",
    (schedule) => {
      const interval = sweepIntervalMinutes(new SettingsReader({ SWEEP_SCHEDULE: schedule }));
      const window = sweepWindow(interval);
      expect(window.stopMs).toBeLessThan(functionTimeoutMs);
      expect(window.budgetMs).toBeLessThan(window.stopMs);
      expect(window.budgetMs).toBeGreaterThanOrEqual(60_000);
    },
  );
});

describe("what is left of a tick's window when its sweep starts", () => {
  it.each([
    // since the tick was due, since the invocation, interval (minutes), expected window
    ["at once", 0, 0, 5, { budgetMs: 270_000, stopMs: 285_000, short: false }],
    // Behind an on-demand sweep until 10:08: it ends before the 10:10 tick.
    [
      "3 minutes behind an on-demand sweep",
      180_000,
      180_000,
      5,
      { budgetMs: 90_000, stopMs: 105_000, short: false },
    ],
    // Past due by 90 s: its window still ends before the next tick.
    ["fired 90 s late", 90_000, 0, 5, { budgetMs: 180_000, stopMs: 195_000, short: false }],
    // Too little left for the trouble circuits: it gets the least a late
    // tick has, past the next tick (which fires late, once it ends). With
    // nothing left, nothing was read: a tick lost.
    [
      "behind a whole window but 10 s",
      275_000,
      275_000,
      5,
      { budgetMs: 60_000, stopMs: 75_000, short: true },
    ],
    [
      "behind a whole window",
      285_000,
      285_000,
      5,
      { budgetMs: 60_000, stopMs: 75_000, short: true },
    ],
    ["fired 4 m 50 s late", 290_000, 0, 5, { budgetMs: 60_000, stopMs: 75_000, short: true }],
    // Enough left for as much as the least: its own window.
    ["fired 3.5 min late", 210_000, 0, 5, { budgetMs: 60_000, stopMs: 75_000, short: false }],
    // A later tick it answers for (joined while it waited): from that tick,
    // never past the host's functionTimeout from the first one's invocation.
    [
      "a later tick's, 1 minute after it",
      60_000,
      360_000,
      5,
      { budgetMs: 195_000, stopMs: 210_000, short: false },
    ],
    // A 10-minute schedule's window ends near the host's timeout.
    [
      "3 minutes behind on a 10-minute schedule",
      180_000,
      180_000,
      10,
      { budgetMs: 360_000, stopMs: 390_000, short: false },
    ],
    // The host's functionTimeout still wins: it ends the invocation from outside.
    ["longer than the host allows", 700_000, 700_000, 5, { budgetMs: 0, stopMs: 0, short: true }],
    [
      "short, near the host's timeout",
      290_000,
      500_000,
      5,
      { budgetMs: 55_000, stopMs: 70_000, short: true },
    ],
  ] as const)("%s", (_, sinceTick, sinceInvoked, interval, expected) => {
    const window = windowLeft(sweepWindow(interval), sinceTick, sinceInvoked);
    expect(window).toEqual(expected);
    // Stopped before the next tick, counted from the tick, unless that left too little.
    if (window.stopMs > 0 && !window.short)
      expect(sinceTick + window.stopMs).toBeLessThan(interval * 60_000);
    // Stopped, counted from the invocation, before the host's functionTimeout.
    if (sinceInvoked < functionTimeoutMs)
      expect(sinceInvoked + window.stopMs).toBeLessThan(functionTimeoutMs);
  });
});

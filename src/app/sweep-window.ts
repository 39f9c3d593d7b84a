// How long a sweep may take: planned against a deadline short of the next
// tick, so it never runs into the next sweep; reads still in flight at the
// deadline may finish until a hard stop a little later. A sweep always gets
// at least a minute, however short the schedule, and never runs into the
// host's functionTimeout, however long.

export interface SweepWindow {
  /** No deep read starts after this long. */
  budgetMs: number;
  /** Everything still in flight is stopped after this long. */
  stopMs: number;
}

/**
 * host.json's functionTimeout (a test holds them together): the host ends an
 * invocation still running then, from outside, with nothing logged or
 * finished. A longer schedule's sweep must stop itself before that.
 */
export const FUNCTION_TIMEOUT_MS = 10 * 60_000;
/** Between the hard stop and the host's timeout: what was read is recorded and the line logged. */
const WIND_DOWN_MS = 30_000;

export function sweepWindow(intervalMinutes: number): SweepWindow {
  const interval = intervalMinutes * 60_000;
  const latestStop = FUNCTION_TIMEOUT_MS - WIND_DOWN_MS;
  const budgetMs = Math.min(
    latestStop - 15_000,
    Math.max(60_000, interval - Math.min(60_000, interval / 10)),
  );
  const stopMs = Math.min(
    latestStop,
    Math.max(budgetMs + 15_000, interval - Math.min(15_000, interval / 20)),
  );
  return { budgetMs: Math.round(budgetMs), stopMs: Math.round(stopMs) };
}

/** Azure cuts an HTTP-triggered function's response at 230 s from its arrival. */
export const AZURE_HTTP_LIMIT_MS = 230_000;
/** Answer well before Azure's limit. */
export const HTTP_ANSWER_WITHIN_MS = 200_000;

/**
 * The least a tick's sweep gets however late it starts (cold start, host
 * restart, behind a sweep that overran): the cheap tier and the trouble
 * circuits, which the plan reads first. With nothing left it read nothing,
 * and the tick was lost. It runs past the next tick then, which the host
 * fires past due once it ends, with most of its own window still left.
 */
export const LATE_TICK_WINDOW: SweepWindow = { budgetMs: 60_000, stopMs: 75_000 };

export interface WindowLeft extends SweepWindow {
  /** Less than LATE_TICK_WINDOW was left of the tick's window: it got that instead. */
  short: boolean;
}

/**
 * What is left of a timer tick's window `sinceTickMs` after the tick was due.
 * Measured from the tick, not from when its sweep starts: one that waited
 * behind an on-demand sweep and took its whole window from its start ran past
 * the next tick, which then joined it (no tick of its own). Never less than
 * LATE_TICK_WINDOW (or the tick's whole window, when shorter), and never
 * stopped later than the host's functionTimeout, counted from when this
 * invocation began (`sinceInvokedMs`), allows (less the wind-down).
 */
export function windowLeft(
  window: SweepWindow,
  sinceTickMs: number,
  sinceInvokedMs: number,
): WindowLeft {
  const least = {
    budgetMs: Math.min(window.budgetMs, LATE_TICK_WINDOW.budgetMs),
    stopMs: Math.min(window.stopMs, LATE_TICK_WINDOW.stopMs),
  };
  const short = window.budgetMs - sinceTickMs < least.budgetMs;
  const hostLeft = FUNCTION_TIMEOUT_MS - WIND_DOWN_MS - sinceInvokedMs;
  const stopMs = Math.max(
    0,
    Math.min(Math.max(window.stopMs - sinceTickMs, short ? least.stopMs : 0), hostLeft),
  );
  return {
    budgetMs: Math.max(
      0,
      Math.min(
        Math.max(window.budgetMs - sinceTickMs, short ? least.budgetMs : 0),
        stopMs - 15_000,
      ),
    ),
    stopMs,
    short,
  };
}

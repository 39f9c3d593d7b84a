// How long a sweep may take: planned against a deadline short of the next
// tick, so it never runs into the next sweep; reads still in flight at the
// deadline may finish until a hard stop a little later. A sweep always gets
// at least a minute, however short the schedule.

export interface SweepWindow {
  /** No deep read starts after this long. */
  budgetMs: number;
  /** Everything still in flight is stopped after this long. */
  stopMs: number;
}

export function sweepWindow(intervalMinutes: number): SweepWindow {
  const interval = intervalMinutes * 60_000;
  const budgetMs = Math.max(60_000, interval - Math.min(60_000, interval / 10));
  const stopMs = Math.max(budgetMs + 15_000, interval - Math.min(15_000, interval / 20));
  return { budgetMs: Math.round(budgetMs), stopMs: Math.round(stopMs) };
}

/** Azure cuts an HTTP-triggered function's response at 230 s: answer well before. */
export const HTTP_ANSWER_WITHIN_MS = 200_000;

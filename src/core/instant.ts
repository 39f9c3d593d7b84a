// A time read back from storage. erwatch stores toISOString's text, but a row
// is any text to its schema (a hand edit, a cut-off write, an older erwatch).
// Date.parse reads "" and "yesterday" as NaN, which every comparison takes as
// false (an age that is never past any limit, a sort that is not an order),
// and it reads "42" as the year 2042: a reading that stays 0 min old. Only a
// date and a time with its zone is an instant here.
//
// Not for what people type (silence windows, --since): silence.ts's instantOf
// takes a date alone or a time without a zone in a named time zone.

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A stored time in ms; null when none is kept or it is not an instant (any other text, a number). */
export function storedInstant(at: unknown): number | null {
  if (typeof at !== "string" || !INSTANT.test(at)) return null;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * How far apart two erwatch processes' clocks may be (the timer, a worker, an
 * operator's `erwatch sweep`): a stored time further ahead of now than this
 * was not written by a clock erwatch can compare with, and says nothing.
 */
export const CLOCK_SKEW_MS = 60_000;

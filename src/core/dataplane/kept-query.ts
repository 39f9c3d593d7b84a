// A Log Analytics query's 429 or 503 kept past the sweep (the workspace not
// asked again before its Retry-After has passed) is said the same way
// wherever a failed read is named by its kind: the end-to-end row, a monitor
// not read, monitoring-blind. By its kind alone a kept 503 read
// "server-error", the words of a 5xx the next sweep asks again, though no
// sweep asks before the time its message gave. The time is said as the
// alert's other times are, "02:12 UTC" (an instant read on a phone as
// "2026-11-22T02:12:00.000Z" is parsed, not read), dated when it falls on
// another UTC day than the sweep's.

import type { ReadFailure } from "../model.js";
import { utcTime } from "../utc-time.js";

/**
 * The failure's kind, or for a kept Log Analytics query what was got and
 * until when, said against the UTC day of the sweep at `sweepAt`.
 */
export function failureKindWords(
  failure: Pick<ReadFailure, "kind" | "statusCode" | "notAskedBefore">,
  sweepAt: number,
): string {
  if (failure.notAskedBefore === undefined) return failure.kind;
  const until = utcTime(Date.parse(failure.notAskedBefore), sweepAt);
  if (failure.statusCode === 503)
    return `Log Analytics unavailable, not asked again before ${until}`;
  return `${failure.kind}, not asked again before ${until}`;
}

// A Log Analytics query's 429 or 503 kept past the sweep (the workspace not
// asked again before its Retry-After has passed) is said the same way
// wherever a failed read is named by its kind: the end-to-end row, a monitor
// not read, monitoring-blind. By its kind alone a kept 503 read
// "server-error", the words of a 5xx the next sweep asks again, though no
// sweep asks before the time its message gave.

import type { ReadFailure } from "../model.js";

/** The failure's kind, or for a kept Log Analytics query what was got and until when. */
export function failureKindWords(
  failure: Pick<ReadFailure, "kind" | "statusCode" | "notAskedBefore">,
): string {
  const until = failure.notAskedBefore;
  if (until === undefined) return failure.kind;
  if (failure.statusCode === 503)
    return `Log Analytics unavailable, not asked again before ${until}`;
  return `${failure.kind}, not asked again before ${until}`;
}

// Log Analytics is not ARM: a workspace ingesting late, or its query failing
// (throttled, a 5xx, the workspace unreachable), leaves end to end UNKNOWN on
// every circuit whose monitors write there, and no ARM read mends that. The
// plan takes such a row as it takes the capacity row Azure Monitor leaves
// UNKNOWN: no trouble (core/sweep-plan.ts troubleOf), read in its turn. As
// trouble, every circuit of the workspace was read deep every sweep for the
// whole incident, spending the subscriptions' ARM budget on reads that told
// nothing of it.

import type { ReadFailure, Reading } from "../model.js";
import { summarise } from "./end-to-end.js";
import type { EndToEndFacts } from "./facts.js";
import { unjudged } from "./unread-monitors.js";

const LOG_ANALYTICS = /^Microsoft\.OperationalInsights\//i;

/** The read that failed is a Log Analytics query (its action), not an ARM read. */
export const logAnalyticsFailure = (failure: Pick<ReadFailure, "call">): boolean =>
  LOG_ANALYTICS.test(failure.call);

/**
 * Whether the end-to-end read leaves the row UNKNOWN for Log Analytics alone:
 * every query failed, or what was not judged is a workspace ingesting late or
 * a monitor whose workspace's query failed. Not when the Connection Monitors
 * themselves could not be read (their Network Watchers, over ARM: the deep
 * read reads them again), when a tagged monitor is not there, or when a test
 * is Indeterminate on its own (an endpoint stopped: e2e-indeterminate's).
 */
export function waitsOnLogAnalytics(read: Reading<EndToEndFacts> | undefined): boolean {
  if (!read) return false;
  if (!read.ok) return logAnalyticsFailure(read.error);
  const summary = summarise(read.value);
  const unread = unjudged(read.value);
  return (
    summary.onlyUnread &&
    summary.late.length + unread.length > 0 &&
    unread.every((u) => logAnalyticsFailure(u.failure))
  );
}

// Log Analytics is not ARM: a workspace ingesting late, or its query failing
// (throttled, a 5xx, the workspace unreachable), leaves end to end UNKNOWN on
// every circuit whose monitors write there, and no ARM read mends that. The
// plan takes such a row as it takes the capacity row Azure Monitor leaves
// UNKNOWN: no trouble (core/sweep-plan.ts troubleOf), read in its turn. As
// trouble, every circuit of the workspace was read deep every sweep for the
// whole incident, spending the subscriptions' ARM budget on reads that told
// nothing of it.

import { eachFailure, type ReadFailure, type Reading } from "../model.js";
import { summarise } from "./end-to-end.js";
import type { EndToEndFacts } from "./facts.js";
import { logAnalyticsFailure, workspaceOf } from "./queried-workspace.js";
import { unjudged } from "./unread-monitors.js";

export { logAnalyticsFailure };

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
  if (!read.ok) return eachFailure(read.error).every(logAnalyticsFailure);
  const summary = summarise(read.value);
  const unread = unjudged(read.value);
  return (
    summary.onlyUnread &&
    summary.late.length + unread.length > 0 &&
    unread.every((u) => logAnalyticsFailure(u.failure))
  );
}

/**
 * A workspace whose Connection Monitor results query failed in a read: one
 * per workspace (its id in lower case: each monitor's output spells it its
 * own way), with the failure the query got.
 */
export interface QueryFailing {
  workspace: string;
  failure: ReadFailure;
}

/**
 * The workspaces whose Log Analytics query failed in this end-to-end read,
 * whether every query failed or some monitors' only. Said once per
 * workspace to erwatch's keeper (app/query-failing.ts), not as each
 * circuit's monitoring-blind: one workspace refusing erwatch, throttling it,
 * failing or gone is one problem however many circuits' monitors write
 * there, and as each circuit's open alert it read every circuit deep every
 * sweep, which no ARM read mends.
 */
export function queryFailing(read: Reading<EndToEndFacts> | undefined): QueryFailing[] {
  if (!read) return [];
  const failures = read.ok
    ? (read.value.unread ?? []).map((u) => u.failure)
    : eachFailure(read.error);
  const out = new Map<string, QueryFailing>();
  for (const failure of failures.filter(logAnalyticsFailure)) {
    const workspace = workspaceOf(failure);
    if (!out.has(workspace.toLowerCase())) out.set(workspace.toLowerCase(), { workspace, failure });
  }
  return [...out.values()];
}

/**
 * What the keeper does about a workspace's query failing, by what it got: a
 * query is not an ARM read, so the ARM remedies (ARM_CONCURRENCY, a grant on
 * the subscription, "drop the circuit from ERWATCH_CIRCUITS") do not apply.
 */
export function queryFailingAction(failure: ReadFailure): string {
  switch (failure.kind) {
    case "not-found":
      return `The Log Analytics workspace ${workspaceOf(failure)} no longer exists (deleted, moved, or mistyped): it is the workspace the Connection Monitors' output names, or the circuits' erwatch:workspace tag. Point the monitors' output (or the tag) at a workspace that exists. The circuits are still watched; only their end-to-end tests are not read.`;
    case "throttled":
      return "Log Analytics is throttling erwatch's queries (its own limit per workspace, apart from the ARM reads'). erwatch queries the workspace once for each circuit it reads while it answers; once throttled, the rest of that sweep does not ask it, and no sweep asks it again before its Retry-After has passed (each worker process keeps the wait it was told). If it persists: lengthen SWEEP_SCHEDULE, or have fewer circuits' monitors write to this workspace (while it answers, each circuit read is a query), and look for other tools querying it.";
    case "forbidden":
    case "unauthenticated":
      return `Grant erwatch's identity the 'erwatch Connection Monitor results reader' role on the workspace itself (add its resource id to connectionMonitorWorkspaceIds in infra/ and redeploy)${failure.missingPermission ? `; it lacks '${failure.missingPermission}'` : ""}. A grant on the subscription is not needed.`;
    case "malformed":
    case "internal":
      return "Log Analytics refused or answered erwatch's query in a way erwatch cannot use (a query it rejects, a body it cannot read): report it with the trace's message and requestId.";
    case "server-error":
      if (failure.statusCode === 503)
        return "Log Analytics answered 503: the service is unavailable or shedding load in the workspace's region, not throttling erwatch, and nothing in erwatch's settings mends it. When it asked to wait (Retry-After) longer than a call waits, no sweep asks the workspace again before that has passed (each worker process keeps the wait it was told; the message says until when); else erwatch asks again once a sweep. Look at Azure Service Health for Log Analytics in the workspace's region if it persists.";
      return "Log Analytics did not answer in time or failed; erwatch asks again once a sweep (not once a circuit) until it answers. Look at Azure Service Health for Log Analytics in the workspace's region if it persists.";
    case "timeout":
    case "network":
      return "Log Analytics did not answer in time or failed; erwatch asks again once a sweep (not once a circuit) until it answers. Look at Azure Service Health for Log Analytics in the workspace's region if it persists.";
  }
}

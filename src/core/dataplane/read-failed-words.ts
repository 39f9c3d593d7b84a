// A failed Connection Monitor read as the end-to-end row says it: which
// workspace (and which monitors) failed, then how, in the words every
// surface gives a failure's kind (kept-query.ts). The on-call reading
// "timeout" alone looked for the workspace on the log line.

import type { ReadFailure } from "../model.js";
import { failureKindWords } from "./kept-query.js";
import { logAnalyticsFailure, workspaceName, workspaceOf } from "./queried-workspace.js";

/** Monitors named at most, the rest counted: the row is one line. */
const MONITORS_NAMED = 3;

/** How it failed; a refusal with the action the identity lacks, which is what gets granted. */
function howWords(failure: ReadFailure, sweepAt: number): string {
  const missing = failure.missingPermission ? `, missing ${failure.missingPermission}` : "";
  return `${failureKindWords(failure, sweepAt)}${missing}`;
}

/** "in workspace law-network", or null for a read that was no Log Analytics query. */
function workspaceWords(failure: ReadFailure): string | null {
  return logAnalyticsFailure(failure)
    ? `in workspace ${workspaceName(workspaceOf(failure))}`
    : null;
}

function monitorWords(names: readonly string[]): string {
  const shown = names.slice(0, MONITORS_NAMED).join(", ");
  const more = names.length - MONITORS_NAMED;
  const noun = names.length === 1 ? "Connection Monitor" : "Connection Monitors";
  return `${noun} ${shown}${more > 0 ? ` and ${more} more` : ""}`;
}

/**
 * The row of a read that failed whole: "Connection Monitor cm-a read failed
 * in workspace law-network: timeout". A read that was no query (the
 * monitors' Network Watcher, over ARM) is monitoring-blind's to name. A
 * kept wait is said against the sweep at `sweepAt`.
 */
export function endToEndReadFailedWords(failure: ReadFailure, sweepAt: number): string {
  const where = workspaceWords(failure);
  if (where === null)
    return `Connection Monitor read failed: ${failureKindWords(failure, sweepAt)}`;
  const names = failure.monitors ?? [];
  const what = names.length > 0 ? monitorWords(names) : "Connection Monitor";
  return `${what} read failed ${where}: ${howWords(failure, sweepAt)}`;
}

/** "cm-b not read in workspace law-network (timeout)": one monitor beside others read. */
export function unreadMonitorWords(monitor: string, failure: ReadFailure, sweepAt: number): string {
  const where = workspaceWords(failure);
  if (where === null) return `${monitor} not read (${failureKindWords(failure, sweepAt)})`;
  return `${monitor} not read ${where} (${howWords(failure, sweepAt)})`;
}

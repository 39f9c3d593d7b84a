// A failed Connection Monitor read as the end-to-end row says it: where it
// failed (the workspace queried, or the Network Watcher asked over ARM) and
// which monitors, then how, in the words every surface gives a failure's
// kind (kept-query.ts). The on-call reading "timeout" alone looked for the
// workspace on the log line; "not-found" alone, for the monitor.

import { eachFailure, type ReadFailure } from "../model.js";
import { failureKindWords } from "./kept-query.js";
import { logAnalyticsFailure, workspaceName, workspaceOf } from "./queried-workspace.js";

/** Monitors named at most, the rest counted: the row is one line. */
const MONITORS_NAMED = 3;

/** How it failed; a refusal with the action the identity lacks, which is what gets granted. */
function howWords(failure: ReadFailure, sweepAt: number): string {
  const missing = failure.missingPermission ? `, missing ${failure.missingPermission}` : "";
  return `${failureKindWords(failure, sweepAt)}${missing}`;
}

/**
 * "in workspace law-network", "in Network Watcher NetworkWatcher_westeurope",
 * or, when the read asked neither (the gateway a monitor is matched by, the
 * subscription's Network Watchers), what it failed on: "read failed reading
 * …" said read twice.
 */
function whereWords(failure: ReadFailure): string {
  if (logAnalyticsFailure(failure)) return `in workspace ${workspaceName(workspaceOf(failure))}`;
  const watchers = failure.networkWatchers ?? [];
  if (watchers.length > 0)
    return `in ${watchers.length === 1 ? "Network Watcher" : "Network Watchers"} ${watchers.join(", ")}`;
  return failure.target ? `on ${failure.target}` : "";
}

/**
 * "no Network Watcher in westeurope": why a monitor is not there when no
 * Network Watcher was there to ask, said instead of where it was asked.
 */
function absentWords(failure: ReadFailure): string | null {
  const regions = failure.noNetworkWatcherIn ?? [];
  return regions.length > 0 ? `no Network Watcher in ${regions.join(" or ")}` : null;
}

function shown(names: readonly string[]): string {
  const more = names.length - MONITORS_NAMED;
  return `${names.slice(0, MONITORS_NAMED).join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

function monitorWords(names: readonly string[]): string {
  const noun = names.length === 1 ? "Connection Monitor" : "Connection Monitors";
  return `${noun} ${shown(names)}`;
}

const spaced = (words: string) => (words ? ` ${words}` : "");

/** One of several failures: "cm-a in workspace law-1 (timeout)". */
function partWords(failure: ReadFailure, sweepAt: number): string {
  const names = failure.monitors ?? [];
  const absent = absentWords(failure);
  if (absent)
    return `${names.length > 0 ? `${shown(names)}: ` : ""}${absent} (${howWords(failure, sweepAt)})`;
  const where = whereWords(failure);
  const what = names.length > 0 ? `${shown(names)}${spaced(where)}` : where || "read";
  return `${what} (${howWords(failure, sweepAt)})`;
}

/**
 * The row of a read that failed whole: "Connection Monitor cm-a read failed
 * in workspace law-network: timeout"; failing in several places, each named:
 * "Connection Monitor read failed: cm-a in workspace law-1 (timeout); cm-b in
 * workspace law-2 (forbidden, missing …)". A kept wait is said against the
 * sweep at `sweepAt`.
 */
export function endToEndReadFailedWords(failure: ReadFailure, sweepAt: number): string {
  const all = eachFailure(failure);
  if (all.length > 1)
    return `Connection Monitor read failed: ${all.map((f) => partWords(f, sweepAt)).join("; ")}`;
  const names = failure.monitors ?? [];
  const what = names.length > 0 ? monitorWords(names) : "Connection Monitor";
  const absent = absentWords(failure);
  if (absent) return `${what} read failed: ${absent} (${howWords(failure, sweepAt)})`;
  return `${what} read failed${spaced(whereWords(failure))}: ${howWords(failure, sweepAt)}`;
}

/** "cm-b not read in workspace law-network (timeout)": one monitor beside others read. */
export function unreadMonitorWords(monitor: string, failure: ReadFailure, sweepAt: number): string {
  const absent = absentWords(failure);
  if (absent) return `${monitor} not read: ${absent} (${howWords(failure, sweepAt)})`;
  const where =
    logAnalyticsFailure(failure) || failure.networkWatchers?.length ? whereWords(failure) : "";
  return `${monitor} not read${spaced(where)} (${howWords(failure, sweepAt)})`;
}

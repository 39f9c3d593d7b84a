// Which Log Analytics workspace a failed Connection Monitor query asked, and
// the name an operator finds it by in the portal. The end-to-end row said
// "Connection Monitor read failed: timeout" with the workspace on the log
// line alone: with several workspaces, the on-call could not tell from the
// status which one to look at.

import type { ReadFailure } from "../model.js";

const LOG_ANALYTICS = /^Microsoft\.OperationalInsights\//i;

/** The read that failed is a Log Analytics query (its action), not an ARM read. */
export const logAnalyticsFailure = (failure: Pick<ReadFailure, "call">): boolean =>
  LOG_ANALYTICS.test(failure.call);

/** The workspace a failed query asked, as the failure names it (its id when the reader kept it). */
export const workspaceOf = (failure: Pick<ReadFailure, "workspace" | "target">): string =>
  failure.workspace ?? failure.target.replace(/^Connection Monitor results in workspace /, "");

const NAMED = /\/workspaces\/([^/\s]+)\/*$/i;

/**
 * A workspace by its name: the last segment of its resource id, or as given
 * when it is no path (a workspace GUID). An id that ends in no name (cut
 * short, or something else's) is given whole: a part of it would name the
 * wrong thing, and a blank one says so rather than nothing.
 */
export function workspaceName(workspace: string): string {
  const id = workspace.trim();
  const named = NAMED.exec(id)?.[1];
  if (named) return named;
  if (id === "") return "(blank id)";
  return id;
}

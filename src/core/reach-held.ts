// A peering's Global Reach row read down while what is beneath it is down:
// no global-reach-down is raised then (one fault, one page: the outage below
// pages and explains the connection), yet the status page drew the row
// "stuck since 01:05 UTC" or "Disconnected" in red with no alert beside it,
// as if erwatch had missed it. The row says what holds it instead.

import type { PeeringVerdict } from "./model.js";
import { PATHS } from "./model.js";
import { pathStatus } from "./snapshot.js";

/**
 * The peering's verdict with its Global Reach row, when it is down, saying
 * "…; held: <why>" on both paths (the row is the peering's, the same on each).
 */
export function heldReach(verdict: PeeringVerdict, why: string): PeeringVerdict {
  const row = verdict.paths.primary.globalReach;
  if (row.status !== "down") return verdict;
  const held = { status: row.status, detail: `${row.detail}; held: ${why}` };
  const paths = Object.fromEntries(
    PATHS.map((path) => [path, { ...verdict.paths[path], globalReach: held }]),
  ) as PeeringVerdict["paths"];
  return { ...verdict, paths };
}

/** What holds the rows above the paths when no path carries: "both paths down", else that none carries. */
export function noPathCarrying(verdict: PeeringVerdict): string {
  return PATHS.every((path) => pathStatus(verdict.paths[path]) === "down")
    ? "both paths down"
    : "no path carrying";
}

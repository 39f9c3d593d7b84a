// The rows above a peering's paths (its gateway wiring, its Global Reach)
// read as trouble while what is beneath them is down: no gateway-not-connected
// or global-reach-down is raised then (one fault, one page: the outage below
// pages and explains them), yet the status page drew the row red ("no
// connection", "stuck since 01:05 UTC") with no alert beside it, as if
// erwatch had missed it. The row says what holds it instead, in the same
// words on every layer. Where what is beneath was not read (the peering's
// state left out, its paths unread), nothing is known to hold it: the row
// says it was not judged, and why, rather than "held" or a bare red.

import type { LayerCell, LayerStatus, PeeringVerdict } from "./model.js";
import { PATHS } from "./model.js";
import { pathStatus } from "./snapshot.js";

type AboveLayer = "gateway" | "globalReach";

/**
 * The statuses whose finding would page were nothing held. A gateway row
 * warns for a connection lost beside one still Connected: its own Sev1. A
 * Global Reach row warns for a connection settling within its wait: no page.
 */
const PAGING: Record<AboveLayer, readonly LayerStatus[]> = {
  gateway: ["down", "warn"],
  globalReach: ["down"],
};

type Why = "held" | "not judged";

/** The row, when its finding would page, saying "…; held: <why>" or "…; not judged: <why>". */
function aboveRow(layer: AboveLayer, row: LayerCell, word: Why, why: string): LayerCell {
  if (!PAGING[layer].includes(row.status)) return row;
  return { ...row, detail: `${row.detail}; ${word}: ${why}` };
}

/** Both rows above the paths, on both paths (the rows are the peering's, the same on each). */
function withAboveRows(
  verdict: PeeringVerdict,
  word: Why,
  why: string,
): { verdict: PeeringVerdict; marked: AboveLayer[] } {
  const above = verdict.paths.primary;
  const gateway = aboveRow("gateway", above.gateway, word, why);
  const globalReach = aboveRow("globalReach", above.globalReach, word, why);
  const marked: AboveLayer[] = [
    ...(gateway === above.gateway ? [] : ["gateway" as const]),
    ...(globalReach === above.globalReach ? [] : ["globalReach" as const]),
  ];
  if (marked.length === 0) return { verdict, marked };
  const paths = Object.fromEntries(
    PATHS.map((path) => [path, { ...verdict.paths[path], gateway, globalReach }]),
  ) as PeeringVerdict["paths"];
  return { verdict: { ...verdict, paths }, marked };
}

/** The peering's verdict with its gateway and Global Reach rows saying what holds them. */
export function heldBeneath(verdict: PeeringVerdict, why: string): PeeringVerdict {
  return withAboveRows(verdict, "held", why).verdict;
}

/**
 * The peering's verdict when what is beneath its gateway and Global Reach
 * rows was not read: whether a path carries (and so whether they page) is
 * unknown. A row that would page is marked so that its open alert neither
 * resolves nor counts a clean sweep on it (observe.ts): the connection is
 * still not up. A row read up resolves its alert as ever.
 */
export function notJudgedBeneath(verdict: PeeringVerdict, why: string): PeeringVerdict {
  const out = withAboveRows(verdict, "not judged", why);
  return out.marked.length === 0 ? out.verdict : { ...out.verdict, aboveNotJudged: out.marked };
}

/** What holds the rows above the paths when no path carries: "both paths down", else that none carries. */
export function noPathCarrying(verdict: PeeringVerdict): string {
  return PATHS.every((path) => pathStatus(verdict.paths[path]) === "down")
    ? "both paths down"
    : "no path carrying";
}

// The rows above a peering's paths (its gateway wiring, its Global Reach)
// read as trouble while what is beneath them is down: no gateway-not-connected
// or global-reach-down is raised then (one fault, one page: the outage below
// pages and explains them), yet the status page drew the row red ("no
// connection", "stuck since 01:05 UTC") with no alert beside it, as if
// erwatch had missed it. The row says what holds it instead, in the same
// words on every layer.

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

/** The row, when its finding would page, saying "…; held: <why>". */
function heldRow(layer: AboveLayer, row: LayerCell, why: string): LayerCell {
  if (!PAGING[layer].includes(row.status)) return row;
  return { ...row, detail: `${row.detail}; held: ${why}` };
}

/**
 * The peering's verdict with its gateway and Global Reach rows saying what
 * holds them, on both paths (the rows are the peering's, the same on each).
 */
export function heldBeneath(verdict: PeeringVerdict, why: string): PeeringVerdict {
  const above = verdict.paths.primary;
  const gateway = heldRow("gateway", above.gateway, why);
  const globalReach = heldRow("globalReach", above.globalReach, why);
  if (gateway === above.gateway && globalReach === above.globalReach) return verdict;
  const paths = Object.fromEntries(
    PATHS.map((path) => [path, { ...verdict.paths[path], gateway, globalReach }]),
  ) as PeeringVerdict["paths"];
  return { ...verdict, paths };
}

/** What holds the rows above the paths when no path carries: "both paths down", else that none carries. */
export function noPathCarrying(verdict: PeeringVerdict): string {
  return PATHS.every((path) => pathStatus(verdict.paths[path]) === "down")
    ? "both paths down"
    : "no path carrying";
}

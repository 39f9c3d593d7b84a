// Whether the rows behind a data-plane alert could be read this sweep: an
// alert whose rows are UNKNOWN neither opens nor resolves (observe.ts).

import type { AlertFamily, CircuitVerdict, LayerCell, PathLayers } from "../model.js";
import { PATHS } from "../model.js";
import { sameName } from "../names.js";

export const DATA_PLANE_FAMILIES = ["traffic", "capacity", "end-to-end", "config-drift"] as const;
export type DataPlaneFamily = (typeof DATA_PLANE_FAMILIES)[number];

export const isDataPlaneFamily = (family: AlertFamily): family is DataPlaneFamily =>
  (DATA_PLANE_FAMILIES as readonly string[]).includes(family);

/** The per-path rows each data-plane family is judged from. */
export const DATA_PLANE_ROWS: Record<DataPlaneFamily, (l: PathLayers) => LayerCell[]> = {
  // Traffic stopped is judged on an Established path: its control-plane rows count too.
  traffic: (l) => [l.provider, l.bgp, l.routes, l.capacity],
  capacity: (l) => [l.capacity],
  "end-to-end": (l) => [l.endToEnd],
  "config-drift": (l) => [l.peering, l.gateway],
};

export function dataPlaneKnown(
  verdict: CircuitVerdict,
  family: DataPlaneFamily,
  peering: string | null,
): boolean {
  if (!verdict.circuitRead) return false;
  // Circuit-wide alerts (capacity, drift) need every peering's rows; a peering alert its own.
  const peerings =
    peering === null ? verdict.peerings : verdict.peerings.filter((p) => sameName(p.name, peering));
  return peerings.every((p) =>
    PATHS.every((path) =>
      DATA_PLANE_ROWS[family](p.paths[path]).every((c) => c.status !== "unknown"),
    ),
  );
}

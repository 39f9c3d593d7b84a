// The last known state of a circuit, kept between sweeps. A layer that could
// not be read keeps its last known value (and the time it was known), so an
// UNKNOWN never looks like a change.

import type { LayerStatus, PathName } from "./model.js";
import { TABLE_LAYERS } from "./model.js";
import type { ReadAges } from "./read-age.js";

/** The path as a whole: can it carry traffic? Flap detection counts changes of this row. */
export const SNAPSHOT_LAYERS = [...TABLE_LAYERS, "path"] as const;
export type SnapshotLayer = (typeof SNAPSHOT_LAYERS)[number];

export interface SnapshotCell {
  status: LayerStatus;
  detail: string;
  /** When this status was first seen. */
  since: string;
}

export interface SnapshotPeering {
  paths: Record<PathName, Record<SnapshotLayer, SnapshotCell>>;
  prefixes: Record<PathName, number | null>;
}

export interface Snapshot {
  circuitId: string;
  circuitName: string;
  takenAt: string;
  /** Last known carrier provisioning state. */
  providerState: string | null;
  providerWasProvisioned: boolean;
  peerings: Record<string, SnapshotPeering>;
  /** How old each reading is (the tiered sweep does not read every path every time); absent before it was kept. */
  reads?: ReadAges;
}

export function pathStatus(
  cells: Record<Exclude<SnapshotLayer, "path">, { status: LayerStatus }>,
): LayerStatus {
  const lower = [
    cells.provider.status,
    cells.bgp.status,
    cells.peering.status,
    cells.routes.status,
  ];
  if (lower.includes("down")) return "down";
  if (lower.includes("unknown")) return "unknown";
  return "up";
}

export function readPreviousFacts(
  snapshot: Snapshot | null,
): { providerWasProvisioned: boolean; peerings: string[] } | undefined {
  if (!snapshot) return undefined;
  return {
    providerWasProvisioned: snapshot.providerWasProvisioned,
    peerings: Object.keys(snapshot.peerings),
  };
}

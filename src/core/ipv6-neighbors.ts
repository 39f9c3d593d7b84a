// Which paths of a peering have no IPv6 neighbor any more. The snapshot keeps
// a path's IPv6 count once had (the drop and the trend need it), and a path
// whose count was never had reads "never up" on the status page: kept so, an
// IPv6 neighbor taken out of the configuration before it ever came up was
// "never up" for good, as was a path that never had one beside one that does.

import type { CircuitReading, PathName } from "./model.js";
import { PATHS } from "./model.js";
import { byName } from "./names.js";
import { familyOf } from "./path-analysis.js";
import type { SnapshotPeering } from "./snapshot.js";

/**
 * The paths whose latest route summary read whole lists no IPv6 neighbor
 * (with a Disabled IPv6 side's rows already left out of the reading). A path
 * not read this time, or read in part, keeps what was known: a summary that
 * failed says nothing of which neighbors are configured.
 */
export function ipv6NoNeighborPaths(
  reading: CircuitReading,
  name: string,
  before: SnapshotPeering | undefined,
): PathName[] {
  const kept = keptNoNeighbor(before?.ipv6NoNeighbor);
  const reads = reading.circuit.ok ? byName(reading.paths, name) : undefined;
  return PATHS.filter((path) => {
    const summary = reads?.[path]?.summary;
    if (!summary?.ok || summary.partial) return kept.includes(path);
    return !summary.value.some((row) => familyOf(row) === "ipv6");
  });
}

/** The paths as stored: any value a hand edit or another erwatch left is read as none. */
export function keptNoNeighbor(value: unknown): PathName[] {
  return Array.isArray(value) ? PATHS.filter((path) => value.includes(path)) : [];
}

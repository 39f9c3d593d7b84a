// Whether a peering carried traffic (a BGP session Established on a path) at
// some earlier sweep, kept in the snapshot. Disabled after that, both its
// paths stopped: Sev0 like any traffic stop, whether or not a tag or
// ERWATCH_EXPECTED_PEERINGS names it (the default names only the private
// peering: a working Microsoft peering disabled was a Sev3 note). The memory
// holds while the peering is Disabled, down or unread, and ends only when the
// peering is gone from the circuit: to retire one, delete it or silence it.

import type { CircuitVerdict } from "./model.js";
import { byName, namesWhere, sameName as same } from "./names.js";
import type { Snapshot, SnapshotPeering } from "./snapshot.js";

function remembered(peering: SnapshotPeering | undefined): boolean {
  if (!peering) return false;
  // Snapshots written before the memory was kept: the last known rows say.
  const kept: unknown = peering.carried;
  if (typeof kept === "boolean") return kept;
  const paths: unknown = peering.paths;
  if (typeof paths !== "object" || paths === null) return false;
  return Object.values(paths).some(
    (row: unknown) => (row as { bgp?: { status?: unknown } } | null)?.bgp?.status === "up",
  );
}

/** Peerings that carried traffic at some earlier sweep. */
export function peeringsCarried(previous: Snapshot | null): string[] {
  return namesWhere(previous?.peerings, remembered);
}

/** The memory to keep with the next snapshot, per peering the snapshot holds. */
export function carriedMemory(
  previous: Snapshot | null,
  verdict: CircuitVerdict,
  peerings: string[],
): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of peerings) {
    const before = byName(previous?.peerings, name);
    const now = verdict.circuitRead ? verdict.peerings.find((p) => same(p.name, name)) : undefined;
    const carrying =
      now !== undefined &&
      (now.paths.primary.bgp.status === "up" || now.paths.secondary.bgp.status === "up");
    out[name] = carrying || remembered(before);
  }
  return out;
}

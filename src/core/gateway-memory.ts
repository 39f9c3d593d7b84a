// Whether a peering's gateway wiring was ever seen Connected, kept in the
// snapshot: a connection that was Connected and is not any more has stopped
// VNet traffic (Sev1), while one that never was is wiring not yet done (Sev3).
// The memory holds while the wiring is down or unread, and ends when the row
// is not used (a peering without a gateway row, or erwatch:expect-gateway=false).

import type { CircuitVerdict } from "./model.js";
import type { Snapshot, SnapshotPeering } from "./snapshot.js";
import { sameName as same } from "./names.js";

function remembered(peering: SnapshotPeering | undefined): boolean {
  if (!peering) return false;
  // Snapshots written before the memory was kept: the last known row says.
  // Either may be missing or odd in a stored row (an older erwatch, a hand
  // edit): a missing gateway row threw for every evaluation of the circuit.
  const kept: unknown = peering.gatewayWasConnected;
  if (typeof kept === "boolean") return kept;
  return peering.paths.primary.gateway?.status === "up";
}

/** Peerings whose gateway wiring was Connected at some earlier sweep and not lost since. */
export function gatewaysOnceConnected(previous: Snapshot | null): string[] {
  if (!previous) return [];
  return Object.entries(previous.peerings)
    .filter(([, p]) => remembered(p))
    .map(([name]) => name);
}

/** The memory to keep with the next snapshot, per peering the snapshot holds. */
export function gatewayMemory(
  previous: Snapshot | null,
  verdict: CircuitVerdict,
  peerings: string[],
): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of peerings) {
    const before = previous
      ? Object.entries(previous.peerings).find(([n]) => same(n, name))?.[1]
      : undefined;
    const now = verdict.circuitRead
      ? verdict.peerings.find((p) => same(p.name, name))?.paths.primary.gateway.status
      : undefined;
    out[name] = now === "up" ? true : now === "n/a" ? false : remembered(before);
  }
  return out;
}

// Whether a peering's route summaries make its ARP reads redundant. The ARP
// table is the layer-2 view that tells a carrier fault from a routing one, and
// it earns its long-running POST when something is wrong; on a peering whose
// every session is Established and receiving prefixes, layer 2 is proven from
// above on both paths, and reading ARP there would double the sweep's POSTs
// (ARM's scarcest budget) to learn nothing. Both paths or neither: a one-path
// fault's carrier ticket compares the broken path's ARP table with the working
// one's.

import { thousands } from "./text.js";
import { parseStatePfxRcd } from "./bgp-state.js";
import type { BgpNeighborRow, Layer2Proof, PathName, Reading } from "./model.js";
import { PATHS } from "./model.js";
import { familyOf } from "./path-analysis.js";

/** What proves layer 2 on one path: every session Established and prefixes received; null when nothing does. */
export function sessionsProveLayer2(summary: Reading<BgpNeighborRow[]>): string | null {
  if (!summary.ok || summary.value.length === 0) return null;
  let received = 0;
  for (const row of summary.value) {
    const session = parseStatePfxRcd(row.statePfxRcd);
    if (session.kind !== "established") return null;
    received += session.prefixes;
  }
  return received > 0 ? `BGP Established with ${thousands(received)} prefixes received` : null;
}

/**
 * The proofs that stand in for both paths' ARP reads, or null when ARP must be
 * read. `ipv6Disabled`: the peering's IPv6 side is Disabled on purpose
 * (core/disabled-ipv6.ts), so an IPv6 neighbor ARM still lists Idle is no
 * session down and no reason to read ARP; the IPv4 sessions prove layer 2 alone.
 */
export function layer2Proofs(
  summaries: Record<PathName, Reading<BgpNeighborRow[]>>,
  ipv6Disabled = false,
): Record<PathName, Layer2Proof> | null {
  const proofs: Partial<Record<PathName, Layer2Proof>> = {};
  for (const path of PATHS) {
    const summary = summaries[path];
    const by = sessionsProveLayer2(ipv6Disabled ? ipv4Rows(summary) : summary);
    if (by === null) return null;
    proofs[path] = { ok: "proven", by, readAt: summary.readAt };
  }
  return proofs as Record<PathName, Layer2Proof>;
}

function ipv4Rows(summary: Reading<BgpNeighborRow[]>): Reading<BgpNeighborRow[]> {
  return summary.ok
    ? { ...summary, value: summary.value.filter((row) => familyOf(row) !== "ipv6") }
    : summary;
}

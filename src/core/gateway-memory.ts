// Whether a peering's gateway wiring was ever seen Connected, and which of
// its connections were, kept in the snapshot: a connection that was Connected
// and is not any more has stopped VNet traffic behind its gateway (Sev1),
// even beside others that are fine, while wiring that never was is not yet
// done (Sev3). The memory holds while the wiring is down or unread, and ends
// when the row is not used (a peering without a gateway row, or
// erwatch:expect-gateway=false): that is how a connection deleted on purpose
// is forgotten. With no gateway expected a lost connection is forgotten even
// while another keeps the row up: nothing pages for it, and kept it would
// hold the row on its loss for good.

import type { CircuitVerdict, GatewayConnectionFacts, Reading } from "./model.js";
import type { Snapshot, SnapshotPeering } from "./snapshot.js";
import { byName, namesWhere, sameName as same } from "./names.js";
import { sameId } from "./resource-id.js";
import {
  connectionsOf,
  gatewayOf,
  isConnected,
  lostConnections,
  type RememberedConnection,
} from "./wiring.js";

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
  return namesWhere(previous?.peerings, remembered);
}

/** The memory to keep with the next snapshot, per peering the snapshot holds. */
export function gatewayMemory(
  previous: Snapshot | null,
  verdict: CircuitVerdict,
  peerings: string[],
): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of peerings) {
    const before = byName(previous?.peerings, name);
    const now = verdict.circuitRead
      ? verdict.peerings.find((p) => same(p.name, name))?.paths.primary.gateway.status
      : undefined;
    out[name] = now === "up" ? true : now === "n/a" ? false : remembered(before);
  }
  return out;
}

/**
 * The connections a stored peering remembers, or undefined when it keeps
 * none (written before they were kept). Stored rows are not checked with
 * the snapshot (adapters/tables/row-schemas.ts): an entry that is not one is
 * left out rather than thrown on at every evaluation of the circuit.
 */
function keptConnections(peering: SnapshotPeering | undefined): RememberedConnection[] | undefined {
  const kept: unknown = peering?.gatewayConnections;
  if (!Array.isArray(kept)) return undefined;
  return kept.flatMap((c: unknown) => {
    if (typeof c !== "object" || c === null) return [];
    const { id, name, gatewayId } = c as Record<string, unknown>;
    if (typeof id !== "string" || id === "") return [];
    return [
      {
        id,
        name: typeof name === "string" ? name : (id.split("/").pop() ?? id),
        gatewayId: typeof gatewayId === "string" ? gatewayId : null,
      },
    ];
  });
}

/** Per peering that keeps them, the connections seen Connected at an earlier sweep. */
export function connectionsOnceConnected(
  previous: Snapshot | null,
): Record<string, RememberedConnection[]> {
  const out: Record<string, RememberedConnection[]> = {};
  for (const [name, p] of Object.entries(previous?.peerings ?? {})) {
    const kept = keptConnections(p);
    if (kept) out[name] = kept;
  }
  return out;
}

const remembering = (c: GatewayConnectionFacts): RememberedConnection => ({
  id: c.id,
  name: c.name,
  gatewayId: gatewayOf(c),
});

/**
 * The connections to keep with the next snapshot, per peering it holds: those
 * Connected now, and those remembered that are still listed or still lost
 * (where a gateway is expected). One gone whose gateway has another Connected
 * connection to the circuit was replaced: the new one is remembered in its
 * place.
 */
export function connectionMemory(
  previous: Snapshot | null,
  verdict: CircuitVerdict,
  gateway: Reading<GatewayConnectionFacts[]>,
  peerings: string[],
  expectGateway: boolean,
): Record<string, RememberedConnection[]> {
  const out: Record<string, RememberedConnection[]> = {};
  for (const name of peerings) {
    const before = keptConnections(byName(previous?.peerings, name)) ?? [];
    const row = verdict.circuitRead
      ? verdict.peerings.find((p) => same(p.name, name))?.paths.primary.gateway.status
      : undefined;
    if (row === "n/a") out[name] = [];
    else if (row === undefined || !gateway.ok) out[name] = before;
    else {
      const listed = connectionsOf(name, gateway.value);
      const partial = gateway.partial === true;
      const lost = lostConnections(listed, before, partial);
      const forgotten = expectGateway ? [] : lost;
      // A list read in part forgets nothing it could not see.
      const held = before.filter(
        (r) =>
          !forgotten.some((c) => sameId(c.id, r.id)) &&
          (partial || [...listed, ...lost].some((c) => sameId(c.id, r.id))),
      );
      const now = listed.filter((c) => isConnected(c) && c.id !== "").map(remembering);
      out[name] = [
        ...held.map((r) => {
          const fresh = now.find((c) => sameId(c.id, r.id));
          return fresh ? { ...fresh, gatewayId: fresh.gatewayId ?? r.gatewayId } : r;
        }),
        ...now.filter((c) => !held.some((r) => sameId(r.id, c.id))),
      ];
    }
  }
  return out;
}

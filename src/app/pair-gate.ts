// Circuit pairs within one run of deep reads. A circuit tagged erwatch:pair is
// graded by whether its partner still carries the site (core/pairs.ts), so its
// partner's state must be known when it is judged. A partner read in this same
// run is waited for (its reading is held, not its verdict, so two partners
// never wait on each other); a partner not in the run is taken from its
// stored snapshot while that is fresh. Readings are released as soon as every
// partner they wait on has arrived; what still waits when the run ends goes
// out with what is known.
// The peer circuit of a Global Reach connection that is not Connected is
// told, never waited for: its global-reach-down says whether that peer is
// down (core/reach-peers.ts), from its reading when it arrived earlier in this
// run, else from its stored snapshot while fresh (dated), else not at all. A
// circuit whose own outage took its connections down must not wait for a
// healthy peer read late in the run to page (a wording is not worth a Sev0's
// minutes).

import { pairTag } from "../core/circuit-settings.js";
import { readablePeerings, type CircuitReading } from "../core/model.js";
import { peerCircuitOf, peerCircuitSpelled } from "../core/dataplane/global-reach.js";
import { partnerOfSnapshot, type PairContext, type PartnerState } from "../core/pairs.js";
import {
  downReach,
  reachPeerOfSnapshot,
  withDownSince,
  type ReachPeer,
} from "../core/reach-peers.js";
import type { Snapshot } from "../core/snapshot.js";
import { assessGlobalReach } from "../core/wiring.js";
import type { Logger } from "../logging.js";
import type { CircuitTarget } from "./ports.js";
import type { StateStore } from "./state-store.js";

export interface PairMember {
  id: string;
  name: string;
  /** Its last stored snapshot, null when none. */
  snapshot: Snapshot | null;
}

/** Pair name (lower case) → the circuits known to carry it. */
export type PairMembers = Map<string, PairMember[]>;

export interface PairGateOptions {
  members: PairMembers;
  /** Circuits read in this run (lower-case ids): a partner among them is waited for. */
  inRun: Set<string>;
  now: Date;
  /** A stored partner older than this proves nothing. */
  maxAgeMs: number;
  /** The site state (control plane and traffic) of a reading that arrived in this run, judged on its own. */
  judge: (reading: CircuitReading) => PartnerState;
  /**
   * What a Global Reach peer's reading that arrived in this run says of the
   * peering a connection reaches (core/reach-peers.ts reachPeerOfReading).
   * Absent: Global Reach peers are not told.
   */
  reachJudge?: (reading: CircuitReading, peerCircuitPeeringId: string) => ReachPeer | null;
  /** Stored snapshots of Global Reach peers, by lower-case circuit id (reachPeerSnapshots). */
  reachSnapshots?: ReadonlyMap<string, Snapshot>;
}

export interface Released {
  reading: CircuitReading;
  pair: PairContext | null;
  /** What is known of the peers of its Global Reach connections that are not Connected; absent: nothing. */
  reach?: ReachPeer[];
}

export interface PairGate {
  /** A reading arrived: what may be judged now (it, and partners that waited for it). */
  offer(reading: CircuitReading): Released[];
  /** The run is over: everything still held, with what is known of its partners. */
  flush(): Released[];
  /** Readings still held (the run was stopped before their partners arrived). */
  held(): CircuitReading[];
}

const key = (id: string) => id.toLowerCase();

/**
 * How old another circuit's stored snapshot may be and still say something
 * of it: a circuit read in rotation is at most this old while its reads are
 * on time.
 */
export function storedPeerMaxAgeMs(deps: {
  maxReadAgeMinutes?: number;
  policy: { alerts: { sweepIntervalMinutes: number } };
}): number {
  return ((deps.maxReadAgeMinutes ?? 15) + deps.policy.alerts.sweepIntervalMinutes) * 60_000;
}

export function createPairGate(o: PairGateOptions): PairGate {
  const arrived = new Map<string, CircuitReading>();
  const judged = new Map<string, PartnerState>();
  const held = new Map<string, CircuitReading>();
  let over = false;
  // Judged only when a partner asks, and once.
  const statusOf = (id: string): PartnerState | undefined => {
    const reading = arrived.get(id);
    if (!reading) return undefined;
    if (!judged.has(id)) judged.set(id, o.judge(reading));
    return judged.get(id);
  };

  const partnersOf = (reading: CircuitReading) => {
    const name = reading.settings.pair;
    if (!name) return null;
    const self = key(reading.ref.id);
    const partners = (o.members.get(name.toLowerCase()) ?? []).filter((m) => key(m.id) !== self);
    return { name, partners };
  };
  const waits = (reading: CircuitReading) =>
    !over &&
    (partnersOf(reading)?.partners ?? []).some(
      (p) => o.inRun.has(key(p.id)) && !arrived.has(key(p.id)),
    );
  const reachOf = (reading: CircuitReading): ReachPeer[] => {
    const judge = o.reachJudge;
    if (!judge) return [];
    const self = key(reading.ref.id);
    return downReach(reading).flatMap((g) => {
      const id = peerCircuitOf(g.peerCircuitPeeringId);
      if (id === self) return [];
      const peer = arrived.get(id);
      const stored = o.reachSnapshots?.get(id) ?? null;
      if (!peer) {
        const known = reachPeerOfSnapshot(stored, g.peerCircuitPeeringId, o.now, o.maxAgeMs);
        return known ? [known] : [];
      }
      // Read now: since when it is down is what its snapshot before this sweep saw.
      const known = judge(peer, g.peerCircuitPeeringId);
      return known ? [withDownSince(known, stored, o.now, o.maxAgeMs)] : [];
    });
  };
  const contextOf = (reading: CircuitReading): PairContext | null => {
    const known = partnersOf(reading);
    if (!known || known.partners.length === 0) return null;
    return {
      name: known.name,
      partners: known.partners.map((p) => ({
        id: p.id,
        name: p.name,
        ...partnerState(statusOf(key(p.id)), partnerOfSnapshot(p.snapshot, o.now, o.maxAgeMs)),
      })),
    };
  };
  const release = (): Released[] => {
    const out: Released[] = [];
    for (const [id, reading] of held)
      if (!waits(reading)) {
        held.delete(id);
        const reach = reachOf(reading);
        out.push({ reading, pair: contextOf(reading), ...(reach.length > 0 ? { reach } : {}) });
      }
    return out;
  };

  return {
    offer(reading) {
      const id = key(reading.ref.id);
      arrived.set(id, reading);
      // No pair: nothing to wait for; a down connection's peer is told as known now.
      if (!reading.settings.pair && held.size === 0) {
        const reach = reachOf(reading);
        return [{ reading, pair: null, ...(reach.length > 0 ? { reach } : {}) }];
      }
      held.set(id, reading);
      return release();
    },
    flush() {
      over = true;
      return release();
    },
    held: () => [...held.values()],
  };
}

const pairTagOf = (t: CircuitTarget) => {
  const tags = t.listed?.tags ?? t.tags;
  return tags ? pairTag(tags) : undefined;
};

/**
 * A partner as this run knows it: its reading in the run, else its stored
 * snapshot. Read in the run with its throughput unknown (a gap in Azure
 * Monitor, a metrics read that failed), its traffic is what its stored
 * reading showed while that is fresh: a gap of one sweep on the active
 * circuit escalated the passive one's stop to a Sev1 page and back.
 */
function partnerState(inRun: PartnerState | undefined, stored: PartnerState): PartnerState {
  if (!inRun) return stored;
  return inRun.traffic === "unknown" ? { ...inRun, traffic: stored.traffic } : inRun;
}

/**
 * Who carries which pair: the run's targets by their tags, and every stored
 * snapshot that kept a pair (partners read elsewhere). Null when no target is
 * in a pair, so a run without pairs costs no storage read.
 */
export async function pairMembers(
  store: StateStore,
  targets: CircuitTarget[],
  log: Logger,
): Promise<PairMembers | null> {
  if (!targets.some((t) => pairTagOf(t))) return null;
  const members: PairMembers = new Map();
  const add = (pair: string, member: PairMember) => {
    const list = members.get(pair.toLowerCase()) ?? [];
    const at = list.findIndex((m) => key(m.id) === key(member.id));
    if (at >= 0) list[at] = { ...list[at]!, snapshot: list[at]!.snapshot ?? member.snapshot };
    else list.push(member);
    members.set(pair.toLowerCase(), list);
  };
  let snapshots: Snapshot[] = [];
  try {
    snapshots = await store.listSnapshots();
  } catch (error) {
    log.warn({ err: error }, "stored circuits could not be listed; pairs go by this run alone");
  }
  const byId = new Map(snapshots.map((s) => [key(s.circuitId), s]));
  // A circuit in the run goes by its tags now; one read elsewhere by what its snapshot kept.
  const inRun = new Set(targets.map((t) => key(t.id)));
  for (const s of snapshots)
    if (s.pair && !inRun.has(key(s.circuitId)))
      add(s.pair, { id: s.circuitId, name: s.circuitName, snapshot: s });
  for (const t of targets) {
    const pair = pairTagOf(t);
    if (pair) add(pair, { id: t.id, name: t.name, snapshot: byId.get(key(t.id)) ?? null });
  }
  return members;
}

/**
 * The stored snapshots of the circuits the run's targets reach by a Global
 * Reach connection the listing shows not Connected (lower-case ids), read
 * once per run: a peer not read in this run is told by its last reading.
 * Nothing is read when no listed connection is down; a snapshot that cannot
 * be read is no snapshot (the peer proves nothing then).
 */
export async function reachPeerSnapshots(
  store: Pick<StateStore, "getSnapshot" | "listSnapshots">,
  targets: CircuitTarget[],
  log: Logger,
): Promise<Map<string, Snapshot>> {
  const ids = new Map<string, string>();
  const targetIds = new Map(targets.map((t) => [key(t.id), t.id]));
  for (const t of targets)
    for (const p of t.listed ? readablePeerings(t.listed.facts) : [])
      // Down as the finding judges it (a connection whose status ARM left out is not).
      for (const g of assessGlobalReach(p).down) {
        // The table keys keep the name's case: the id as the connection spells it.
        const id = peerCircuitSpelled(g.peerCircuitPeeringId);
        if (key(id) !== key(t.id)) ids.set(key(id), targetIds.get(key(id)) ?? id);
      }
  const out = new Map<string, Snapshot>();
  const notFound = new Set<string>();
  await Promise.all(
    [...ids].map(async ([lower, id]) => {
      try {
        const stored = await store.getSnapshot(id);
        if (stored) out.set(lower, stored.value);
        else notFound.add(lower);
      } catch (error) {
        log.warn({ err: error, circuitId: id }, "a Global Reach peer's snapshot could not be read");
      }
    }),
  );
  if (notFound.size > 0) {
    // ARM ids are case-insensitive, and a connection may spell its peer's
    // name in another case than the listing that keyed its snapshot (whose
    // partition keeps the name's case: keys.ts circuitPartition). Only a
    // listing of them all finds it then; a peer never stored costs that one
    // listing a run, while its connection is down.
    try {
      for (const s of await store.listSnapshots())
        if (notFound.has(key(s.circuitId))) out.set(key(s.circuitId), s);
    } catch (error) {
      log.warn({ err: error }, "Global Reach peers' snapshots could not be listed");
    }
  }
  return out;
}

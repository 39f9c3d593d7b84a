// The circuit at the far end of a Global Reach connection. A connection reads
// Disconnected when its peer circuit is down: its carrier de-provisioned it,
// both paths of the peering it reaches are down, or that peering is gone or
// Disabled. Nothing on this circuit needs recreating then, and its
// global-reach-down says so (circuit-findings.ts globalReachFinding). What
// the peer is known to be comes from its reading in the same sweep, or from
// its stored snapshot while that is fresh, dated; a peer erwatch did not read
// (another subscription, a failed read, too old) proves nothing either way.
// The peer's broken layer has an owner (its carrier, for one it de-provisioned
// or whose layer 2 is gone): global-reach-down names that owner, not you.

import type {
  CircuitReading,
  CircuitVerdict,
  FindingCode,
  GlobalReachConnection,
  LayerStatus,
  Owner,
  PathName,
} from "./model.js";
import { PATHS, readablePeerings } from "./model.js";
import { storedInstant } from "./instant.js";
import { byName, sameName } from "./names.js";
import { isRecord } from "./record.js";
import {
  keptMissingSince,
  keptPeeringsGone,
  pathStatus,
  type Snapshot,
  type SnapshotCell,
  type SnapshotLayer,
} from "./snapshot.js";
import { utcTime } from "./utc-time.js";
import { assessGlobalReach } from "./wiring.js";

export const PEER_DOWN_CAUSES = [
  "provider",
  "paths-down",
  "peering-missing",
  "peering-disabled",
] as const;
export type PeerDownCause = (typeof PEER_DOWN_CAUSES)[number];

/** What is known of the peer circuit of one Global Reach connection. */
export interface ReachPeer {
  /** The peer circuit peering the connection reaches (lower case). */
  peerCircuitPeeringId: string;
  /** The peer circuit's resource id (lower case). */
  circuitId: string;
  name: string;
  state: "down" | "up";
  /** Why it is down (`state` down only). */
  cause?: PeerDownCause;
  /** "both private paths down", "its private peering is Disabled", … */
  detail: string;
  /** Who owns the peer's broken layer (`state` down only): its own alert's owner when read in this sweep. */
  owner?: Owner;
  /** When what `detail` says was read. */
  readAt: string;
  /**
   * Since when erwatch has seen the peer down (`state` down only): when its
   * stored snapshot first saw both paths of the peering down, or the peering
   * missing, from before `readAt`. Absent when its history does not say: "read down at" is all
   * that is known, not since when.
   */
  downSince?: string;
  /** Read in this sweep; false: taken from its stored snapshot, so the wording is dated. */
  thisSweep: boolean;
}

const PRIVATE = "AzurePrivatePeering";

const normalId = (id: string): string => id.replace(/\/+$/, "").toLowerCase();

/** The peering a connection reaches on its peer circuit ("AzurePrivatePeering"). */
export const peerPeeringOf = (peerCircuitPeeringId: string): string =>
  /\/peerings\/([^/]+)\/?$/i.exec(peerCircuitPeeringId)?.[1] ?? PRIVATE;

const label = (peering: string): string => (sameName(peering, PRIVATE) ? "private" : peering);

/** Every Global Reach connection of the reading that is not Connected (as global-reach-down counts them). */
export function downReach(reading: CircuitReading): GlobalReachConnection[] {
  if (!reading.circuit.ok) return [];
  return readablePeerings(reading.circuit.value).flatMap((p) => assessGlobalReach(p).down);
}

type Known = Pick<ReachPeer, "state" | "cause" | "detail" | "owner">;

/**
 * A stored peer keeps no findings: a layer 2 row down on both paths is its
 * carrier's; the peering's own configuration is shared, as peering-missing
 * and peering-disabled name it on an own-edge circuit; a session is yours.
 */
const STORED_OWNER: Record<PeerDownCause, Owner> = {
  provider: "carrier",
  "paths-down": "you",
  "peering-missing": "shared",
  "peering-disabled": "shared",
};

const down = (cause: PeerDownCause, detail: string, owner: Owner = STORED_OWNER[cause]): Known => ({
  state: "down",
  cause,
  detail,
  owner,
});

const notProvisioned = (state: string) =>
  down("provider", `not provisioned by its carrier: service provider state ${state}`);

/**
 * Two path rows: both down is the peering down; one up is it carrying;
 * anything else proves nothing. `layer2Down`: both paths' layer 2 rows are down.
 */
function fromRows(peering: string, rows: LayerStatus[], layer2Down = false): Known | null {
  if (rows.every((r) => r === "down"))
    return down("paths-down", `both ${label(peering)} paths down`, layer2Down ? "carrier" : "you");
  if (rows.includes("up")) return { state: "up", detail: `${label(peering)} peering carrying` };
  return null;
}

/** The peer circuit as its reading in this sweep (and the verdict erwatch judged it to) shows it. */
export function reachPeerOfReading(
  reading: CircuitReading,
  verdict: CircuitVerdict,
  peerCircuitPeeringId: string,
): ReachPeer | null {
  if (!reading.circuit.ok || !verdict.circuitRead) return null;
  const peering = peerPeeringOf(peerCircuitPeeringId);
  const facts = reading.circuit.value;
  const known = ((): Known | null => {
    const state = facts.serviceProviderProvisioningState;
    if (state !== null && state !== "Provisioned") return notProvisioned(state);
    const p = readablePeerings(facts).find((x) => sameName(x.name, peering));
    // Not among a list read in part: it may be the entry that could not be read.
    if (!p && facts.peerings === null) return null;
    if (!p) return down("peering-missing", `its ${label(peering)} peering is missing`);
    if (p.state === null) return null;
    if (p.state !== "Enabled")
      return down("peering-disabled", `its ${label(peering)} peering is ${p.state}`);
    const judged = verdict.peerings.find((x) => sameName(x.name, peering));
    if (!judged) return null;
    return fromRows(
      peering,
      PATHS.map((path) => pathStatus(judged.paths[path])),
    );
  })();
  if (!known) return null;
  if (known.cause) known.owner = ownerJudged(verdict, known.cause, peering) ?? known.owner;
  return {
    peerCircuitPeeringId: normalId(peerCircuitPeeringId),
    circuitId: reading.ref.id.toLowerCase(),
    name: reading.ref.name,
    ...known,
    readAt: reading.circuit.readAt,
    thisSweep: true,
  };
}

/**
 * The peer circuit as its stored snapshot last read it, while that reading is
 * no older than `maxAgeMs`: the circuit body by `reads.circuitAt`, the paths
 * by `reads.pathsReadAt` (the snapshot's time in snapshots kept before them).
 */
export function reachPeerOfSnapshot(
  snapshot: Snapshot | null,
  peerCircuitPeeringId: string,
  now: Date,
  maxAgeMs: number,
): ReachPeer | null {
  if (!snapshot) return null;
  const peering = peerPeeringOf(peerCircuitPeeringId);
  // A stored time that is not an instant (core/instant.ts: "", "yesterday",
  // a number, a time without its zone) is of unknown age: not fresh.
  // Date.parse read "42" as the year 2042, fresh for ever.
  const fresh = (at: unknown): at is string => {
    const ms = storedInstant(at);
    return ms !== null && now.getTime() - ms <= maxAgeMs;
  };
  const reads: unknown = snapshot.reads;
  const kept = (time: "circuitAt" | "pathsReadAt"): unknown =>
    isRecord(reads) ? reads[time] : undefined;
  const circuitAt = kept("circuitAt") ?? snapshot.takenAt;
  const pathsAt = kept("pathsReadAt") === undefined ? snapshot.takenAt : kept("pathsReadAt");
  const found = ((): (Known & { readAt: string }) | null => {
    const state = snapshot.providerState;
    if (fresh(circuitAt) && state !== null && state !== "Provisioned")
      return { ...notProvisioned(state), readAt: circuitAt };
    if (fresh(circuitAt) && keptPeeringsGone(snapshot).some((p) => sameName(p, peering)))
      return {
        ...down("peering-missing", `its ${label(peering)} peering is missing`),
        readAt: circuitAt,
      };
    const p = byName(snapshot.peerings, peering);
    if (!p) return null;
    // A peering whose paths were not read because it is not Enabled (classify.ts unreadRows).
    // A stored row may lack a layer's cell (an older erwatch, a hand edit): it proves nothing.
    const cells: Partial<typeof p.paths.primary> = p.paths.primary;
    if (
      fresh(circuitAt) &&
      cells.peering?.status === "down" &&
      cells.bgp?.detail === "peering disabled"
    )
      return {
        ...down(
          "peering-disabled",
          `its ${label(peering)} peering is ${cells.peering.detail.replace(/^peering /, "")}`,
        ),
        readAt: circuitAt,
      };
    if (!fresh(pathsAt)) return null;
    // A reading without the path's row (a hand edit) proves nothing either way.
    const rows = PATHS.map((path) => p.paths[path].path?.status ?? "unknown");
    const layer2 = PATHS.every((path) => p.paths[path].provider?.status === "down");
    const known = fromRows(peering, rows, layer2);
    return known ? { ...known, readAt: pathsAt } : null;
  })();
  if (!found) return null;
  const peer: ReachPeer = {
    peerCircuitPeeringId: normalId(peerCircuitPeeringId),
    circuitId: snapshot.circuitId.toLowerCase(),
    name: snapshot.circuitName,
    ...found,
    thisSweep: false,
  };
  return withDownSince(peer, snapshot, now, maxAgeMs);
}

const CAUSE_CODES: Record<PeerDownCause, readonly FindingCode[]> = {
  provider: ["provider-not-provisioned"],
  "paths-down": ["arp-missing", "bgp-down", "no-prefixes-received"],
  "peering-missing": ["peering-missing"],
  "peering-disabled": ["peering-disabled"],
};

/**
 * The owner the peer's own alerts name for the cause (its connectivity model
 * decides, which a stored snapshot does not keep); several: shared.
 */
function ownerJudged(verdict: CircuitVerdict, cause: PeerDownCause, peering: string): Owner | null {
  const owners = new Set(
    verdict.findings
      .filter(
        (f) =>
          CAUSE_CODES[cause].includes(f.code) &&
          (cause === "provider" || sameName(f.peering, peering)),
      )
      .map((f) => f.owner),
  );
  if (owners.size === 0) return null;
  return owners.size === 1 ? [...owners][0]! : "shared";
}

/** What is known of a connection's peer circuit, if anything. */
export function peerOf(
  peers: readonly ReachPeer[] | undefined,
  connection: GlobalReachConnection,
): ReachPeer | null {
  const id = normalId(connection.peerCircuitPeeringId);
  return peers?.find((p) => p.peerCircuitPeeringId === id) ?? null;
}

/**
 * "both private paths down", "…; down since 01:40 UTC" when erwatch's
 * history of the peer says it was down before the read (the time of a read
 * alone made a peer down for an hour look just gone), and "…, as last read
 * at 01:55 UTC" when not read in this sweep (each dated when not on the UTC
 * day of `sweepAt`, the sweep's reading).
 */
export function peerDetail(peer: ReachPeer, sweepAt: string): string {
  const sweep = Date.parse(sweepAt);
  const downSince = peer.downSince === undefined ? Number.NaN : Date.parse(peer.downSince);
  // Down since the read itself says no more than the read.
  const since =
    downSince < Date.parse(peer.readAt) ? `; down since ${utcTime(downSince, sweep)}` : "";
  const read = peer.thisSweep ? "" : `, as last read at ${utcTime(Date.parse(peer.readAt), sweep)}`;
  return `${peer.detail}${since}${read}`;
}

/**
 * When a stored snapshot first saw both paths of `peering` down (the later
 * path's row `since`: the peering carried nothing from then); null when it
 * does not show both down, or a time is not an instant (a stored row is any
 * text to its schema).
 */
function bothDownSince(snapshot: Snapshot, peering: string): number | null {
  type Rows = Partial<Record<PathName, Partial<Record<SnapshotLayer, Partial<SnapshotCell>>>>>;
  const rows = byName(snapshot.peerings, peering)?.paths as Rows | undefined;
  let since: number | null = null;
  for (const path of PATHS) {
    const row = rows?.[path]?.path;
    const at = row?.status === "down" ? storedInstant(row.since) : null;
    if (at === null) return null;
    since = since === null ? at : Math.max(since, at);
  }
  return since;
}

/**
 * When a stored snapshot first saw `peering` missing (snapshot.ts
 * peeringsMissingSince); null when it does not keep it so: a row kept
 * before the time was, or one that still had the peering.
 */
function missingSince(snapshot: Snapshot, peering: string): number | null {
  return storedInstant(byName(keptMissingSince(snapshot), peering));
}

/**
 * The peer with since when it is down, by its stored snapshot (the one
 * before this sweep's reading, for a peer read in it) while that is no older
 * than `maxAgeMs`: a peer its snapshot saw down since 01:40 and read down
 * now said "read down at 02:00", the time of the read, as if it had just
 * gone. A peer missing its peering is down since the snapshot first saw it
 * missing (it has no path rows to say). A peer up is as it was.
 */
export function withDownSince(
  peer: ReachPeer,
  snapshot: Snapshot | null,
  now: Date,
  maxAgeMs: number,
): ReachPeer {
  if (!snapshot || peer.state !== "down") return peer;
  const takenAt = storedInstant(snapshot.takenAt);
  if (takenAt === null || now.getTime() - takenAt > maxAgeMs) return peer;
  const peering = peerPeeringOf(peer.peerCircuitPeeringId);
  const since =
    peer.cause === "peering-missing"
      ? missingSince(snapshot, peering)
      : bothDownSince(snapshot, peering);
  const readAt = Date.parse(peer.readAt);
  if (since === null || !(since <= readAt)) return peer;
  return { ...peer, downSince: new Date(since).toISOString() };
}

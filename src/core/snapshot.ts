// The last known state of a circuit, kept between sweeps. A layer that could
// not be read keeps its last known value (and the time it was known), so an
// UNKNOWN never looks like a change.

import type { CircuitReading, LayerStatus, PathName, ReadFailure } from "./model.js";
import type { CarryRuns, TrafficMemory, TrafficSeen } from "./dataplane/metrics.js";
import { TABLE_LAYERS } from "./model.js";
import { peeringsCarried } from "./peering-memory.js";
import { rememberedReach, type ReachSighting } from "./reach-memory.js";
import { connectionsOnceConnected, gatewaysOnceConnected } from "./gateway-memory.js";
import type { RememberedConnection } from "./wiring.js";
import type { EndToEndVoice } from "./dataplane/shared-monitor.js";
import type { ReadAges } from "./read-age.js";
import type { FamilyLoads } from "./route-limits.js";
import { CLOCK_SKEW_MS, storedInstant } from "./instant.js";
import { byName } from "./names.js";

/** The path as a whole: can it carry traffic? Flap detection counts changes of this row. */
export const SNAPSHOT_LAYERS = [...TABLE_LAYERS, "path"] as const;
export type SnapshotLayer = (typeof SNAPSHOT_LAYERS)[number];

export interface SnapshotCell {
  status: LayerStatus;
  detail: string;
  /** When this status was first seen. */
  since: string;
  /**
   * What the latest reading shows, when `status` is kept from before for the
   * memories that read it: a layer it could not read or judge (UNKNOWN is no
   * change), or an IPv6 state not understood beside IPv4 carrying (the BGP
   * row warns now; IPv6's last up stays for the flap history and the prefix
   * drop). The status page draws this one, naming the kept one as last
   * known. Absent when the reading shows `status`.
   */
  shown?: { status: LayerStatus; detail: string; since: string };
}

/** The last route summary read that saw every neighbor of a path (of one family) Established. */
export interface SessionMark {
  readAt: string;
  /** The shortest uptime among the neighbors, as printed. */
  upDown: string;
}

/** A sudden drop of the received-prefix count on a session that stayed Established. */
export interface PrefixDrop {
  /** When the drop was first seen. */
  at: string;
  before: number;
  after: number;
  limit: number | null;
}

export interface SnapshotPeering {
  paths: Record<PathName, Record<SnapshotLayer, SnapshotCell>>;
  /** The IPv4 count (the only count kept before IPv6 was: an older snapshot's is IPv4). */
  prefixes: Record<PathName, number | null>;
  /**
   * The IPv6 sessions' last count per path; null on a path whose IPv6
   * sessions were never seen Established. Absent when the peering has no
   * IPv6 neighbor, and in older snapshots (which kept it only once a count was had).
   */
  ipv6Prefixes?: Record<PathName, number | null>;
  /**
   * Beside `ipv6Prefixes`: the paths whose last route summary read listed no
   * IPv6 neighbor (taken out of the configuration, or never configured on that
   * path), kept while a path is not read (ipv6-neighbors.ts). Absent when none.
   */
  ipv6NoNeighbor?: PathName[];
  /**
   * Per path, the IPv4 sessions' mark, null while not Established. Absent in snapshots
   * written before resets were tracked; before IPv6 was marked apart it covered every neighbor.
   */
  sessions?: Record<PathName, SessionMark | null>;
  /** The same for the IPv6 sessions. Absent in snapshots written before they were marked apart. */
  ipv6Sessions?: Record<PathName, SessionMark | null>;
  /** Per path, the drop still in force. Absent in snapshots written before drops were tracked. */
  drops?: Record<PathName, PrefixDrop | null>;
  /** The same for the IPv6 count, held apart: an IPv6 drop is judged against IPv6 numbers. */
  ipv6Drops?: Record<PathName, PrefixDrop | null>;
  /** The gateway wiring was seen Connected and has not been unused since (gateway-memory.ts). */
  gatewayWasConnected?: boolean;
  /** A BGP session of the peering was seen Established at some sweep (peering-memory.ts). Absent in older snapshots. */
  carried?: boolean;
  /**
   * Each gateway connection seen Connected and not unused since
   * (gateway-memory.ts): one of several that is lost pages on its own.
   * Absent in snapshots written before it was kept: `gatewayWasConnected` says.
   */
  gatewayConnections?: RememberedConnection[];
  /** Per path, each family's near-limit load (route-limits.ts prefixLoad's `was`). Absent: none near, or written before it was kept. */
  loads?: Record<PathName, FamilyLoads>;
  /**
   * Its Global Reach connections as sweeps saw them: one Connecting since it
   * appeared is being set up, one seen otherwise before has dropped
   * (reach-memory.ts). Absent in snapshots written before it was kept.
   */
  reach?: ReachSighting[];
}

export interface Snapshot {
  circuitId: string;
  circuitName: string;
  takenAt: string;
  /** Which write left it (one attempt of one sweep): a write whose answer was lost is known by it. */
  writeId?: string;
  /** Last known carrier provisioning state. */
  providerState: string | null;
  providerWasProvisioned: boolean;
  peerings: Record<string, SnapshotPeering>;
  /** The carrier and peering location (status page filters); absent in older snapshots. */
  provider?: string | null;
  peeringLocation?: string | null;
  /** The service key as last read: an alert told while the circuit cannot be listed still names it. Absent in older snapshots. */
  serviceKey?: string | null;
  /** When each path last carried traffic (Azure Monitor): "stopped" needs a before. */
  lastCarriedAt?: TrafficMemory;
  /**
   * Per path, its run of readings able to carry since the last outage erwatch
   * read, and whether it was stopped before (dataplane/metrics.ts
   * nextCarryRun). Absent in older snapshots: judged as before.
   */
  carryRuns?: CarryRuns;
  /**
   * What each path's throughput showed at the latest reading that could say
   * whether its private traffic flows (dataplane/metrics.ts PathCarry):
   * whether the circuit carries its site, for a partner in its pair
   * (pairs.ts), as of `trafficAt`. A reading that cannot say (Azure Monitor not
   * read, failed, or a gap) keeps the one before: it was overwritten, and a
   * gap of two sweeps on the active circuit paged the passive one Sev1 and
   * back. Absent until a reading judged its throughput, and in older
   * snapshots: unknown.
   */
  traffic?: TrafficSeen;
  /** When `traffic` was read (a sweep's instant); absent in older snapshots: their `takenAt`. */
  trafficAt?: string;
  /** The circuit's erwatch:pair tag when it was read (partners are found by it). */
  pair?: string;
  /**
   * Its end-to-end alerts as judged at `takenAt`, with the monitors behind
   * them: another circuit those monitors test pages once with it
   * (dataplane/shared-monitor.ts). Absent when none, and in older snapshots.
   */
  endToEnd?: EndToEndVoice[];
  /**
   * The circuit's tags when it was read, kept beside `endToEnd` only: routes
   * may choose receivers by them, and an alert speaks for another only when
   * it reaches everyone that one would.
   */
  circuitTags?: Record<string, string>;
  /**
   * "log-analytics": this evaluation's end-to-end row was UNKNOWN for Log
   * Analytics alone (a workspace ingesting late, or its query failing:
   * dataplane/log-analytics.ts), which no deep read mends, so the plan reads
   * the circuit in its turn (sweep-plan.ts troubleOf). Absent otherwise.
   */
  endToEndWaitsOn?: "log-analytics";
  /** How old each reading is (the tiered sweep does not read every path every time); absent before it was kept. */
  reads?: ReadAges;
  /**
   * Expected peerings that were there at an earlier sweep and are missing
   * since: still "gone" (Sev0), not "never configured", while they stay away.
   * Absent before it was kept.
   */
  peeringsGone?: string[];
  /**
   * Expected peerings missing at this reading, gone or never configured
   * (kept as they were while the circuit could not be read): a partner in a
   * pair without its private peering carries nothing of its site (pairs.ts).
   * Absent when none, and before it was kept: `peeringsGone` says for those.
   */
  peeringsMissing?: string[];
  /**
   * When each peering of `peeringsMissing` was first seen missing (a sweep's
   * instant): a Global Reach connection into it on another circuit says
   * since when its peer is down (reach-peers.ts withDownSince), as for a peer
   * whose paths are down. Absent when none, and in rows kept before it was:
   * the next sweep that reads the peering missing starts it then.
   */
  peeringsMissingSince?: Record<string, string>;
  /**
   * The circuit's own read failed at this evaluation (ARM refused it, or
   * erwatch failed on it): every layer is kept as last read, for the
   * memories, and none of them was read. Since the first evaluation of that
   * run of failures, with this one's failure. Absent when the circuit was read.
   */
  circuitUnread?: CircuitUnread;
  /** Its erwatch tags the last reading was resolved without, each with why (tag-problems.ts). Absent when none. */
  tagProblems?: string[];
}

export interface CircuitUnread {
  since: string;
  failure: ReadFailure;
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

/**
 * The peerings a snapshot keeps as gone, as stored: only names. It is not
 * checked with the row (adapters/tables/row-schemas.ts), and one that was not
 * a list (a hand edit, a cut-off write) made every evaluation of the circuit
 * throw, again when judged blind: it was recorded at no sweep.
 */
export function keptPeeringsGone(snapshot: Snapshot | null): string[] {
  return keptNames(snapshot?.peeringsGone);
}

/** The peerings a snapshot keeps as missing, as stored: only names (as `keptPeeringsGone`). */
export function keptPeeringsMissing(snapshot: Snapshot | null): string[] {
  return keptNames(snapshot?.peeringsMissing);
}

/**
 * A snapshot's `peeringsMissingSince` as stored: only entries whose time is
 * an instant (it is not checked with the row: a hand edit, a cut-off write).
 */
export function keptMissingSince(snapshot: Snapshot | null): Record<string, string> {
  const value: unknown = snapshot?.peeringsMissingSince;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => storedInstant(e[1]) !== null),
  );
}

function keptNames(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === "string") : [];
}

export function readPreviousFacts(snapshot: Snapshot | null):
  | {
      providerWasProvisioned: boolean;
      peerings: string[];
      gatewaysOnceConnected: string[];
      peeringsCarried: string[];
      gatewayConnections: Record<string, RememberedConnection[]>;
      loads: Record<string, Record<PathName, FamilyLoads>>;
      reach: Record<string, ReachSighting[] | null>;
    }
  | undefined {
  if (!snapshot) return undefined;
  const loads: Record<string, Record<PathName, FamilyLoads>> = {};
  for (const [name, p] of Object.entries(snapshot.peerings)) if (p.loads) loads[name] = p.loads;
  return {
    providerWasProvisioned: snapshot.providerWasProvisioned,
    peerings: [...Object.keys(snapshot.peerings), ...keptPeeringsGone(snapshot)],
    gatewaysOnceConnected: gatewaysOnceConnected(snapshot),
    peeringsCarried: peeringsCarried(snapshot),
    gatewayConnections: connectionsOnceConnected(snapshot),
    loads,
    reach: Object.fromEntries(
      Object.keys(snapshot.peerings).map((name) => [name, rememberedReach(snapshot, name)]),
    ),
  };
}

/**
 * The expected peerings missing from this verdict that were there before
 * (kept as they were while the circuit could not be read).
 */
export function peeringsGone(
  previous: Snapshot | null,
  verdict: { circuitRead: boolean; findings: { code: string; peering: string | null }[] },
): string[] {
  if (!verdict.circuitRead) return keptPeeringsGone(previous);
  const before = readPreviousFacts(previous)?.peerings ?? [];
  const same = (a: string) => (b: string) => a.toLowerCase() === b.toLowerCase();
  return verdict.findings
    .filter((f) => f.code === "peering-missing" && f.peering !== null)
    .map((f) => f.peering as string)
    .filter((name) => before.some(same(name)));
}

/** The expected peerings missing from this verdict (kept as they were while the circuit could not be read). */
export function peeringsMissing(
  previous: Snapshot | null,
  verdict: { circuitRead: boolean; findings: { code: string; peering: string | null }[] },
): string[] {
  if (!verdict.circuitRead) return keptPeeringsMissing(previous);
  return verdict.findings
    .filter((f) => f.code === "peering-missing" && f.peering !== null)
    .map((f) => f.peering as string);
}

/**
 * When each of `missing` (peeringsMissing) was first seen missing: as kept
 * by `previous`, else `at` (the sweep's instant) for a circuit read now. A
 * kept time after `at` by more than two clocks differ is none: it would say
 * the peer went down in the future. A circuit not read keeps only what was
 * kept: it did not see the peering missing now.
 */
export function peeringsMissingSince(
  previous: Snapshot | null,
  missing: readonly string[],
  circuitRead: boolean,
  at: string,
): Record<string, string> {
  const kept = keptMissingSince(previous);
  const now = Date.parse(at);
  const out: Record<string, string> = {};
  for (const name of missing) {
    const since = byName(kept, name);
    const ms = storedInstant(since);
    if (since !== undefined && ms !== null && ms - now <= CLOCK_SKEW_MS) out[name] = since;
    else if (circuitRead) out[name] = at;
  }
  return out;
}

/**
 * The circuit's own read failure to keep with this evaluation's snapshot:
 * since the first evaluation of the run of failures (the previous one's,
 * as stored, when it is an instant). Absent when the circuit was read.
 */
export function circuitUnreadOf(
  reading: Pick<CircuitReading, "circuit">,
  previous: Snapshot | null,
  at: string,
): Pick<Snapshot, "circuitUnread"> {
  if (reading.circuit.ok) return {};
  const since = keptCircuitUnread(previous?.circuitUnread)?.since;
  return { circuitUnread: { since: since ?? at, failure: reading.circuit.error } };
}

/**
 * A snapshot's `circuitUnread` as stored: not checked with the row, so any
 * text; null when it is not one erwatch wrote (a since that is not an
 * instant, a failure without its kind or message).
 */
export function keptCircuitUnread(value: unknown): CircuitUnread | null {
  if (typeof value !== "object" || value === null) return null;
  const { since, failure } = value as Record<string, unknown>;
  if (storedInstant(since) === null || typeof failure !== "object" || failure === null) return null;
  const f = failure as Record<string, unknown>;
  if (typeof f.kind !== "string" || typeof f.message !== "string") return null;
  const text = (key: string) => (typeof f[key] === "string" ? { [key]: f[key] } : {});
  return {
    since: since as string,
    failure: {
      kind: f.kind as ReadFailure["kind"],
      call: typeof f.call === "string" ? f.call : "",
      target: typeof f.target === "string" ? f.target : "",
      message: f.message,
      ...(typeof f.statusCode === "number" ? { statusCode: f.statusCode } : {}),
      ...text("missingPermission"),
      ...text("requestId"),
    },
  };
}

// Global Reach throughput from Azure Monitor (GlobalReachBitsIn/OutPerSecond,
// split by the peer circuit's service key), judged per connection the control
// plane reads as Connected. It corroborates and never pages: the row shows the
// newest throughput, and a connection that carried traffic earlier in the
// look-back but nothing either way for the traffic-stopped window is a note.

import type { GlobalReachConnection, ReadFailure } from "../model.js";
import type { CircuitMetrics, GlobalReachMetric, OddPoint } from "./facts.js";
import { oddGroupsOf, oddRead } from "./metrics.js";
import type { DataPlanePolicy } from "./policy.js";
import {
  bothOf,
  bps,
  hhmm,
  MINUTE,
  minutesOfSeries,
  newest,
  windowOf,
  type Minutes,
} from "./series.js";

export type ReachTraffic =
  /** No series for the connection, or its newest data too old: say nothing about it. */
  | { kind: "unknown"; detail: string }
  /** The newest minute; `stopped` when quiet for the window after carrying traffic earlier. */
  | { kind: "known"; inBps: number; outBps: number; at: number; stopped: StoppedReach | null };

export interface StoppedReach {
  lastCarriedAt: string;
  minutes: number;
}

/** The peer circuit's resource id (lower case) from the peer peering's id. */
export const peerCircuitOf = (peerCircuitPeeringId: string): string =>
  peerCircuitSpelled(peerCircuitPeeringId).toLowerCase();

/** The peer circuit's resource id as the connection spells it (storage keys keep a name's case). */
export const peerCircuitSpelled = (peerCircuitPeeringId: string): string =>
  peerCircuitPeeringId.replace(/\/peerings\/[^/]+\/?$/i, "");

/** Which series belong to a connection: the peer's known service key, or every series of the circuit's only connection. */
export interface ReachMatch {
  peerServiceKey: string | null;
  /** The circuit has this one Global Reach connection, so every series is its own. */
  sole: boolean;
}

/** Whether a series toward `peerServiceKey` is the connection's. */
function matches(match: ReachMatch, peerServiceKey: string | undefined): boolean {
  const key = match.peerServiceKey?.toLowerCase() ?? null;
  return key !== null ? (peerServiceKey ?? "").toLowerCase() === key : match.sole;
}

function minutesOf(metrics: CircuitMetrics, metric: GlobalReachMetric, match: ReachMatch): Minutes {
  const out: Minutes = new Map();
  for (const s of metrics.globalReach ?? []) {
    if (s.metric !== metric) continue;
    if (!matches(match, s.peerServiceKey)) continue;
    for (const [at, value] of minutesOfSeries(s.points)) out.set(at, (out.get(at) ?? 0) + value);
  }
  return out;
}

/** One Connected Global Reach connection's throughput; only meaningful when `metrics.globalReach` was read. */
export function judgeReach(
  metrics: CircuitMetrics,
  match: ReachMatch,
  policy: DataPlanePolicy,
  now: Date,
): ReachTraffic {
  if (match.peerServiceKey === null && !match.sole)
    return { kind: "unknown", detail: "peer circuit's service key unknown" };
  const bitsIn = minutesOf(metrics, "GlobalReachBitsInPerSecond", match);
  const bitsOut = minutesOf(metrics, "GlobalReachBitsOutPerSecond", match);
  const busiest = bothOf(bitsIn, bitsOut, Math.max);
  const at = newest(busiest);
  if (at === null) return { kind: "unknown", detail: "no throughput data" };
  if (now.getTime() - at > policy.staleMinutes * MINUTE)
    return { kind: "unknown", detail: `no throughput data since ${hhmm(at)} UTC` };
  const floor = policy.trafficStopped.floorBps;
  const minutes = policy.trafficStopped.minutes;
  const window = windowOf(busiest, at, minutes);
  const latest = { inBps: bitsIn.get(at) ?? 0, outBps: bitsOut.get(at) ?? 0, at };
  const quiet = window.values.every((v) => v.value <= floor);
  if (!quiet) return { kind: "known", ...latest, stopped: null };
  // Quiet on too few minutes to say so, as the capacity row judges a path.
  if (window.coverage < policy.coverage)
    return {
      kind: "unknown",
      detail: `throughput data for ${window.values.length} of the last ${minutes} minutes`,
    };
  let carried: number | null = null;
  for (const [minute, value] of busiest)
    if (value > floor && minute < window.from && (carried === null || minute > carried))
      carried = minute;
  return {
    kind: "known",
    ...latest,
    stopped:
      carried === null
        ? null
        : {
            lastCarriedAt: new Date(carried).toISOString(),
            minutes: Math.round((at - carried) / MINUTE),
          },
  };
}

/** "gr-to-dr Connected · 12 Mbps in / 3 Mbps out" */
export function reachDetail(connection: GlobalReachConnection, traffic: ReachTraffic): string {
  const head = `${connection.name} ${connection.status ?? "status not reported"}`;
  if (traffic.kind === "unknown") return `${head} · ${traffic.detail}`;
  return `${head} · ${bps(traffic.inBps)} in / ${bps(traffic.outBps)} out`;
}

/** A Connected connection that carried nothing either way for the window after carrying traffic: a note, not paged. */
export function reachNote(connection: GlobalReachConnection, traffic: ReachTraffic): string | null {
  if (traffic.kind !== "known" || traffic.stopped === null) return null;
  const s = traffic.stopped;
  return `Global Reach ${connection.name} reads Connected but Azure Monitor shows ~0 bits both ways for ${s.minutes} min (last carried ${hhmm(Date.parse(s.lastCarriedAt))} UTC): check the routes exchanged with the peer circuit; a note, not paged`;
}

/**
 * The values Azure Monitor sent for a connection's own series since `from`
 * that the metric cannot have, one read per metric: when they leave its
 * throughput unknown, erwatch cannot tell a quiet connection, and says so as
 * it does for a path's capacity row (a `monitoring-blind` read).
 */
export function reachOddReads(
  metrics: CircuitMetrics,
  connection: GlobalReachConnection,
  match: ReachMatch,
  from: number,
): ReadFailure[] {
  const own = (o: OddPoint) => o.peering === null && matches(match, o.peerServiceKey);
  return oddGroupsOf(metrics, own, from).map((sorted) =>
    oddRead(sorted, `${sorted[0]!.metric} of Global Reach ${connection.name}`),
  );
}

// One circuit, one sweep, everything that decides: the verdict (classified,
// with flaps, the prefix trend and the circuit's criticality applied here and
// nowhere else), the next snapshot and its changes, and what each alert key
// observes. Pure: the previous snapshot, history, policy and clock come in.

import { classifyCircuit, type ClassifyOptions } from "./classify.js";
import { diffSnapshot } from "./diff.js";
import { ipv6Disabled, withoutDisabledIpv6 } from "./disabled-ipv6.js";
import { flappingFindings } from "./flapping.js";
import { tagProblemsOf } from "./tag-problems.js";
import { ipv6NoNeighborPaths } from "./ipv6-neighbors.js";
import { carriedMemory } from "./peering-memory.js";
import { connectionMemory, gatewayMemory } from "./gateway-memory.js";
import type { HistoryEntry } from "./history.js";
import type { AlertFamily, CircuitReading, CircuitVerdict, PathName } from "./model.js";
import { readablePeerings } from "./model.js";
import { byName, sameName } from "./names.js";
import { nextSightings, rememberedReach } from "./reach-memory.js";
import { observe, type Observation } from "./observe.js";
import { gradeForPair, keptTraffic, type PairContext } from "./pairs.js";
import { tickSlackMs, type AlertPolicy } from "./policy.js";
import type { ReachPeer } from "./reach-peers.js";
import { prefixDrops } from "./prefix-drop.js";
import type { AddressFamily } from "./route-limits.js";
import { applyCriticality } from "./severity.js";
import { sessionResets } from "./session-resets.js";
import {
  circuitUnreadOf,
  peeringsGone,
  peeringsMissing,
  peeringsMissingSince,
  readPreviousFacts,
  type Snapshot,
  type SnapshotPeering,
} from "./snapshot.js";
import { withPrefixTrend } from "./trend.js";
import { unjudgedReading } from "./unjudged.js";
import { applyDataPlane } from "./dataplane/apply.js";
import { DEFAULT_DATA_PLANE_POLICY } from "./dataplane/policy.js";
import { endToEndVoices, monitorSetOf } from "./dataplane/shared-monitor.js";
import { waitsOnLogAnalytics } from "./dataplane/log-analytics.js";

export interface EvaluationPolicy {
  classify: ClassifyOptions;
  alerts: Pick<AlertPolicy, "flap" | "trendWindowHours" | "prefixDrop" | "sweepIntervalMinutes">;
}

/** What other circuits say about this one's findings. */
export interface EvaluationContext {
  /** Its erwatch:pair partners and whether they carry the site. */
  pair?: PairContext | null;
  /**
   * The peer circuits of its Global Reach connections that are not
   * Connected, as far as erwatch read them (reach-peers.ts): one known down
   * explains its connection's global-reach-down.
   */
  reach?: ReachPeer[] | null;
}

/** An alert key stored for this circuit, so a condition that is gone is observed as clean. */
export interface KnownAlert {
  key: string;
  family: AlertFamily;
  peering: string | null;
}

export interface Evaluation {
  verdict: CircuitVerdict;
  snapshot: Snapshot;
  /** Layer transitions and prefix samples, for the append-only history. */
  changes: HistoryEntry[];
  observations: Observation[];
}

export function evaluateCircuit(
  read: CircuitReading,
  previous: Snapshot | null,
  history: HistoryEntry[],
  known: KnownAlert[],
  policy: EvaluationPolicy,
  now: Date,
  context: EvaluationContext = {},
): Evaluation {
  // A Disabled IPv6 side's neighbors are judged by nothing (disabled-ipv6.ts).
  const reading = withoutDisabledIpv6(read);
  const previousFacts = readPreviousFacts(previous);
  const dataPlane = applyDataPlane(
    classifyCircuit(reading, {
      ...policy.classify,
      ...(previousFacts ? { previous: previousFacts } : {}),
      ...(context.reach && context.reach.length > 0 ? { reachPeers: context.reach } : {}),
      at: now.toISOString(),
    }),
    reading,
    policy.classify.dataPlane ?? DEFAULT_DATA_PLANE_POLICY,
    { lastCarriedAt: previous?.lastCarriedAt ?? null, carryRuns: previous?.carryRuns ?? null },
    now,
    policy.classify.severity.blind,
  );
  const classified = dataPlane.verdict;
  const limits = (peering: string, path: PathName, family: AddressFamily) => {
    const p = classified.peerings.find((x) => x.name === peering);
    return (family === "ipv6" ? p?.ipv6?.limits[path] : p?.limits[path]) ?? null;
  };
  const warnPercent = policy.classify.routeLimits.warnPercent;
  const diff = diffSnapshot(previous, classified, limits, now, {
    everySweepFromPercent: warnPercent,
  });
  const sessions = sessionResets(reading, previous, now);
  const changes: HistoryEntry[] = [...diff.transitions, ...diff.prefixSamples, ...sessions.resets];
  const recent = [...history, ...changes];
  // Its changes from before it was disabled are still in the window: no flap of a side that is off.
  const flaps = flappingFindings(
    classified,
    recent,
    policy.alerts.flap,
    warnPercent,
    now,
    tickSlackMs(policy.alerts.sweepIntervalMinutes),
  ).filter((f) => f.addressFamily !== "ipv6" || !ipv6Disabled(reading, f.peering));
  const drops = prefixDrops(
    previous,
    classified,
    sessions.resets,
    policy.alerts.prefixDrop,
    now,
    warnPercent,
    tickSlackMs(policy.alerts.sweepIntervalMinutes),
  );
  const findings = withPrefixTrend(
    [...classified.findings, ...drops.findings, ...flaps],
    classified,
    recent,
    policy.alerts.trendWindowHours,
    now,
  );
  // Whole-circuit loss is graded by whether its pair still carries the site, then by criticality.
  const graded = gradeForPair(findings, context.pair ?? null).map((f) => ({
    ...f,
    severity: applyCriticality(f.severity, reading.settings.criticality),
  }));
  const verdict: CircuitVerdict = { ...classified, findings: graded };
  const wired = gatewayMemory(previous, verdict, Object.keys(diff.next.peerings));
  const carried = carriedMemory(previous, verdict, Object.keys(diff.next.peerings));
  const connections = connectionMemory(
    previous,
    verdict,
    reading.gateway,
    Object.keys(diff.next.peerings),
    reading.settings.expectGateway,
  );
  const gone = peeringsGone(previous, classified);
  const missing = peeringsMissing(previous, classified);
  const missingSince = peeringsMissingSince(
    previous,
    missing,
    classified.circuitRead,
    now.toISOString(),
  );
  const snapshot: Snapshot = {
    ...diff.next,
    // A peering that was there stays "gone" (Sev0) while it is missing, not "never configured".
    ...(gone.length > 0 ? { peeringsGone: gone } : {}),
    // A partner without its private peering does not carry its pair's site, as a later sweep reads it back.
    ...(missing.length > 0 ? { peeringsMissing: missing } : {}),
    // Since when, for a Global Reach connection into it from another circuit (reach-peers.ts).
    ...(Object.keys(missingSince).length > 0 ? { peeringsMissingSince: missingSince } : {}),
    // Kept so a partner read elsewhere (another sweep, a fan-out worker) finds its pair.
    ...(reading.settings.pair ? { pair: reading.settings.pair } : {}),
    // Kept so another circuit its Connection Monitor tests pages once with it (shared-monitor.ts).
    ...endToEndOf(reading, verdict, now),
    // Its picture is kept whole while it cannot be read: the status page says that none of it is current, and why.
    ...circuitUnreadOf(reading, previous, now.toISOString()),
    // Said on the status page where the sweep's log alone said it.
    ...tagProblemsOf(reading, previous),
    // No trouble for the plan: only Log Analytics mends it (sweep-plan.ts troubleOf).
    ...(reading.circuit.ok && waitsOnLogAnalytics(reading.dataPlane?.endToEnd)
      ? { endToEndWaitsOn: "log-analytics" as const }
      : {}),
    peerings: Object.fromEntries(
      Object.entries(diff.next.peerings).map(([name, p]) => {
        const marks = sessions.marks[name];
        const ipv6Marks = sessions.ipv6Marks[name];
        const dropped = drops.drops[name];
        const dropped6 = drops.ipv6Drops[name];
        // A circuit not read says nothing of its counts: the loads it had stay.
        const loads = classified.circuitRead
          ? classified.peerings.find((x) => x.name === name)?.loads
          : byName(previous?.peerings, name)?.loads;
        return [
          name,
          {
            ...p,
            ...(marks ? { sessions: marks } : {}),
            ...(ipv6Marks ? { ipv6Sessions: ipv6Marks } : {}),
            ...(dropped ? { drops: dropped } : {}),
            ...(dropped6 ? { ipv6Drops: dropped6 } : {}),
            ...(loads ? { loads } : {}),
            ...ipv6NoNeighborOf(reading, name, p, byName(previous?.peerings, name)),
            gatewayWasConnected: wired[name] ?? false,
            carried: carried[name] ?? false,
            gatewayConnections: connections[name] ?? [],
            ...reachKept(reading, previous, name, now.toISOString()),
          },
        ];
      }),
    ),
  };
  const observations = observe(verdict, known, previous?.takenAt ?? null);
  // When each path last carried traffic: "stopped" needs a before; and its run
  // since its last outage, whose quiet is no stop.
  const remembered: Snapshot = {
    ...snapshot,
    ...(Object.keys(dataPlane.memory).length > 0 ? { lastCarriedAt: dataPlane.memory } : {}),
    ...(Object.keys(dataPlane.runs).length > 0 ? { carryRuns: dataPlane.runs } : {}),
    // What it carried, for a partner in its pair: this sweep's when it can say, else the last that could.
    ...keptTraffic(dataPlane.seen, previous, now),
  };
  return { verdict, snapshot: remembered, changes, observations };
}

/** Kept beside the IPv6 counts alone: a peering without them has no IPv6 side to say anything of. */
function ipv6NoNeighborOf(
  reading: CircuitReading,
  name: string,
  next: SnapshotPeering,
  previous: SnapshotPeering | undefined,
): Pick<SnapshotPeering, "ipv6NoNeighbor"> {
  if (!next.ipv6Prefixes) return {};
  const gone = ipv6NoNeighborPaths(reading, name, previous);
  return gone.length > 0 ? { ipv6NoNeighbor: gone } : {};
}

/** The peering's Global Reach sightings (reach-memory.ts): as read now, or as kept while unread. */
function reachKept(
  reading: CircuitReading,
  previous: Snapshot | null,
  name: string,
  /** The sweep's instant: a new Connecting one's start, which the plan counts its hold from. */
  at: string,
): Partial<Pick<SnapshotPeering, "reach">> {
  const facts = reading.circuit.ok
    ? readablePeerings(reading.circuit.value).find((p) => sameName(p.name, name))
    : undefined;
  const kept = byName(previous?.peerings, name)?.reach;
  if (facts) return { reach: nextSightings(rememberedReach(previous, name), facts, at) };
  return kept !== undefined ? { reach: kept } : {};
}

/** The circuit's end-to-end alerts and the monitors behind them, for the snapshot. */
function endToEndOf(
  reading: CircuitReading,
  verdict: CircuitVerdict,
  now: Date,
): Pick<Snapshot, "endToEnd"> {
  const got = reading.dataPlane?.endToEnd;
  const monitors = got?.ok ? monitorSetOf(got.value.monitors) : null;
  const voices = endToEndVoices(verdict, monitors, now.toISOString());
  return voices.length > 0 ? { endToEnd: voices } : {};
}

/**
 * evaluateCircuit, except that a verdict that throws (a bug on an odd reading)
 * makes the circuit UNKNOWN with a blind finding instead of dropping it; the
 * error comes back for the log.
 */
export function evaluateOrBlind(
  reading: CircuitReading,
  previous: Snapshot | null,
  history: HistoryEntry[],
  known: KnownAlert[],
  policy: EvaluationPolicy,
  now: Date,
  context: EvaluationContext = {},
): Evaluation & { error: unknown } {
  try {
    return {
      ...evaluateCircuit(reading, previous, history, known, policy, now, context),
      error: undefined,
    };
  } catch (error) {
    const blind = unjudgedReading(reading.ref, error, now, reading.settings);
    return { ...evaluateCircuit(blind, previous, history, known, policy, now), error };
  }
}

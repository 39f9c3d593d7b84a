// Azure Monitor as the tiered sweep's cheap signal: one batch call tells, for
// up to 50 circuits, whether any BGP or ARP session dipped since the
// circuit's last deep read, and whether the numbers already show what the
// data-plane families alert on (traffic stopped on a path that carried
// traffic, saturation). A signal only sends the circuit to a deep read this
// sweep; it never pages on its own (metrics corroborate, the deep read's
// judgement decides). A gap is not a dip: Azure's pipeline is minutes late
// and sometimes silent, and the rotation still bounds how old a quiet
// circuit's readings get.

import { otherPath, PATHS, type PathName } from "../model.js";
import type { CircuitMetrics } from "./facts.js";
import {
  judgeLink,
  judgeTraffic,
  quietWords,
  standbyIdle,
  standbyJudged,
  type PathTraffic,
} from "./metrics.js";
import type { DataPlanePolicy } from "./policy.js";
import { bps, MINUTE } from "./series.js";

const AVAILABILITY = new Set(["BgpAvailability", "ArpAvailability"]);

/** One minute a BGP or ARP session of a path was not fully up, as Azure Monitor dated it. */
export interface AvailabilityDip {
  metric: string;
  peering: string;
  path: PathName;
  /** The minute's start (Azure Monitor's timestamp at the PT1M grain). */
  at: string;
  /** Availability in %, under 100. */
  value: number;
}

/**
 * The BGP / ARP availability minutes under 100 % in the last `windowMinutes`.
 * Only of `peerings` when known (the listing's Enabled ones, as the deep read
 * judges): a peering disabled on purpose has its sessions down for good, and
 * sent the circuit deep every sweep; one disabled by mistake is a change the
 * listing shows.
 */
export function availabilityDips(
  metrics: CircuitMetrics,
  now: Date,
  windowMinutes: number,
  peerings: readonly string[] | null = null,
): AvailabilityDip[] {
  const from = now.getTime() - windowMinutes * MINUTE;
  const judged = peerings && new Set(peerings.map((p) => p.toLowerCase()));
  const dips: AvailabilityDip[] = [];
  for (const s of metrics.series) {
    if (!AVAILABILITY.has(s.metric)) continue;
    if (judged && !judged.has(s.peering.toLowerCase())) continue;
    for (const p of s.points) {
      const at = Date.parse(p.at);
      if (p.value === null || !Number.isFinite(p.value) || !(at >= from) || p.value >= 100)
        continue;
      dips.push({ metric: s.metric, peering: s.peering, path: s.path, at: p.at, value: p.value });
    }
  }
  return dips;
}

/**
 * The dips a deep read that began at `deepReadAt` (ms; null: none known) has
 * not seen: those in or after the minute it began. One whose minute ended
 * before was read deep already (what the session did since is in that read:
 * its state, and a BGP reset in its uptime), however late Azure delivered it;
 * looked back for as long as Azure may deliver a minute, it sent the circuit
 * deep again on every sweep whose look-back still held it.
 */
export function dipsSince(
  dips: readonly AvailabilityDip[],
  deepReadAt: number | null,
): AvailabilityDip[] {
  if (deepReadAt === null) return [...dips];
  // The minute the read began in may hold the dip after it.
  return dips.filter((d) => Date.parse(d.at) + MINUTE > deepReadAt);
}

/** The lowest of `dips`, in words; null when none. */
export function dipWords(dips: readonly AvailabilityDip[]): string | null {
  let worst: AvailabilityDip | null = null;
  for (const d of dips) if (worst === null || d.value < worst.value) worst = d;
  return worst
    ? `Azure Monitor: ${worst.metric} ${Math.round(worst.value * 10) / 10} % on ${worst.peering} ${worst.path} at ${worst.at}`
    : null;
}

/** What the cheap tier knows of a circuit beside its metrics: its body in this sweep's listing. */
export interface SignalCircuit {
  /** Saturation is judged against it; null (not listed, or ARM left it out): no saturation signal. */
  bandwidthMbps: number | null;
  /** ExpressRoute Direct: not rate-limited to its bandwidth unless so configured (plausible.ts). */
  direct?: boolean;
  /** The peerings a deep read judges (Enabled in the listing); null: every peering Azure Monitor sent. */
  peerings: readonly string[] | null;
  /** erwatch:standby-path: its quiet while the other path carries is no signal (standbyIdle). */
  standbyPath?: PathName | null;
}

/**
 * What the data-plane families would alert on, as this batch of metrics
 * already shows it, in words; null when nothing. The deep read's own
 * judgements (judgeTraffic, judgeLink) with its policy, so the signal and the
 * alert never disagree on a threshold. What the cheap tier cannot know is
 * taken the way that reads rather than waits: the control plane as carrying
 * (a path that is down is read deep as trouble anyway), and no traffic memory,
 * so "last carried" must lie inside the batch's look-back (the policy's
 * longest window + 30 minutes), which a stop that just began does. A stop or
 * saturation a deep read has judged leaves its capacity row down or warn,
 * which is trouble every sweep until it clears: the signal only adds a read
 * while the deep read has not yet seen what the metrics show.
 */
export function dataPlaneSignal(
  metrics: CircuitMetrics,
  circuit: SignalCircuit,
  policy: DataPlanePolicy,
  now: Date,
): string | null {
  const peerings = circuit.peerings ?? peeringsOf(metrics);
  const parts: string[] = [];
  for (const peering of peerings) {
    const traffic = cheapTraffic(metrics, peering, circuit, policy, now);
    const standby = circuit.standbyPath;
    const idle = standbyIdle(traffic, standby, policy)?.path;
    for (const path of PATHS) {
      const { state } = traffic[path];
      if (state.kind === "stopped" && path !== idle)
        parts.push(quietWords(state, `on ${peering} ${path}`));
    }
  }
  const bandwidth = circuit.bandwidthMbps;
  if (bandwidth !== null && bandwidth > 0)
    for (const path of PATHS) {
      const load = judgeLink(metrics, [...peerings], path, bandwidth, policy, now);
      if (load.saturated.length > 0)
        parts.push(
          `${path} ${load.saturated.map((d) => `${d} ≥ ${load.floorPercent[d]}%`).join(", ")} of ${bps(bandwidth * 1e6)} for ${policy.saturation.minutes} min`,
        );
    }
  return parts.length > 0 ? `Azure Monitor: ${parts.join("; ")}` : null;
}

/** Each path's traffic on one peering as the cheap tier can judge it (dataPlaneSignal). */
function cheapTraffic(
  metrics: CircuitMetrics,
  peering: string,
  circuit: SignalCircuit,
  policy: DataPlanePolicy,
  now: Date,
): Record<PathName, PathTraffic> {
  const traffic = Object.fromEntries(
    PATHS.map((path) => [path, judgeTraffic(metrics, peering, path, true, null, policy, now)]),
  ) as Record<PathName, PathTraffic>;
  // As the deep read judges the standby: beside an active path whose
  // throughput cannot be judged, its quiet cannot be either (no read for it).
  const standby = circuit.standbyPath;
  const unjudged = standby
    ? standbyJudged(metrics, peering, traffic, standby, false, null, policy)
    : null;
  if (standby && unjudged) traffic[standby] = unjudged;
  return traffic;
}

/** A capacity row's place: its peering and path, in lower case. */
export const capacityRowKey = (peering: string, path: PathName): string =>
  `${peering.toLowerCase()}/${path}`;

/**
 * The paths (capacityRowKey) whose throughput this batch of metrics can
 * judge, as the deep read judges it: a capacity row that was UNKNOWN for want
 * of a series reads again from these (the plan reads the circuit deep for
 * them, rather than leaving the row UNKNOWN until the circuit's turn).
 */
export function judgedThroughput(
  metrics: CircuitMetrics,
  circuit: SignalCircuit,
  policy: DataPlanePolicy,
  now: Date,
): string[] {
  const judged: string[] = [];
  const standby = circuit.standbyPath;
  for (const peering of circuit.peerings ?? peeringsOf(metrics)) {
    const traffic = cheapTraffic(metrics, peering, circuit, policy, now);
    // Beside an active path not judged, the deep read leaves a standby it
    // remembers carrying (or failing over) UNKNOWN, which the cheap tier,
    // with no memory, reads idle once that traffic is older than its
    // look-back: taken as judged, the circuit was read deep every sweep.
    const activeUnjudged =
      standby && ["unknown", "contradicted"].includes(traffic[otherPath(standby)].state.kind);
    for (const path of PATHS) {
      if (traffic[path].state.kind === "unknown") continue;
      if (path === standby && activeUnjudged) continue;
      judged.push(capacityRowKey(peering, path));
    }
  }
  return judged;
}

/** Every peering Azure Monitor sent a series of, named as its first series spells it. */
export function peeringsOf(metrics: CircuitMetrics): string[] {
  const byKey = new Map<string, string>();
  for (const s of metrics.series)
    if (!byKey.has(s.peering.toLowerCase())) byKey.set(s.peering.toLowerCase(), s.peering);
  return [...byKey.values()];
}

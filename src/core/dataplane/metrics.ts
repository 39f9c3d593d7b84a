// What Azure Monitor's numbers say, judged against the control plane. Metrics
// corroborate; they are never the truth on their own: a dip or gap the ARM
// reads contradict pages nobody, and traffic is only "stopped" when the
// session is Established with prefixes, Azure Monitor agrees the session is
// up, and both directions sat at the floor for the whole window after the path
// had carried traffic, and since the path came back from any outage erwatch
// read, unless it was already stopped when it went down (CarryRun).

import type { PathName, ReadFailure } from "../model.js";
import { otherPath, PATHS } from "../model.js";
import type { CircuitMetrics, OddPoint } from "./facts.js";
import type { DataPlanePolicy } from "./policy.js";
import {
  bothOf,
  bps,
  hhmm,
  MINUTE,
  newest,
  seriesOf,
  sumOf,
  windowOf,
  type Minutes,
} from "./series.js";
import { counted } from "../text.js";
import { storedInstant } from "../instant.js";
import { isRecord } from "../record.js";

/** When each path last carried more than the floor: kept between sweeps in the snapshot. */
export type TrafficMemory = Record<string, Partial<Record<PathName, string>>>;

/**
 * A path's run of readings able to carry, kept between sweeps in the
 * snapshot (nextCarryRun): since when it has carried with no outage erwatch
 * read between (null: since before runs were kept), whether its last readable
 * reading was an outage (a layer read down), and whether it was judged
 * stopped at its last reading able to carry.
 */
export interface CarryRun {
  since: string | null;
  down: boolean;
  stopped: boolean;
}
export type CarryRuns = Record<string, Partial<Record<PathName, CarryRun>>>;

/** What a reading of the control plane says of a path's ability to carry. */
export type CarryReading = "carrying" | "down" | "unread";

/** The run as judgeTraffic needs it at a reading able to carry: null when nothing is known. */
export interface RunAtReading {
  /** When the run began (ms); null: before runs were kept. */
  since: number | null;
  stoppedBefore: boolean;
}

const isRun = (r: unknown): r is CarryRun =>
  isRecord(r) &&
  typeof r.down === "boolean" &&
  typeof r.stopped === "boolean" &&
  (r.since === null || typeof r.since === "string");

/**
 * The run a reading able to carry belongs to: it begins now when the last
 * reading was an outage. Kept as a time that is not an instant
 * (core/instant.ts), it began at a time not known, as before runs were kept:
 * Date.parse read "42" as 2042, held to now, and the path was "back from an
 * outage" for a window, its stop taken for the outage's quiet.
 */
export function runAtReading(previous: unknown, now: Date): RunAtReading | null {
  if (!isRun(previous)) return null;
  if (previous.down) return { since: now.getTime(), stoppedBefore: previous.stopped };
  const since = storedInstant(previous.since);
  return {
    since: since !== null ? Math.min(since, now.getTime()) : null,
    stoppedBefore: previous.stopped,
  };
}

/**
 * The run after this reading. An unread path keeps its run (an unread sweep
 * is neither an outage nor carrying); a path read down marks the outage and
 * keeps whether it was stopped before it; one able to carry begins a run when
 * it comes back, and records whether it was judged stopped (null: not judged
 * this time, kept).
 */
export function nextCarryRun(
  previous: unknown,
  reading: CarryReading,
  stopped: boolean | null,
  now: Date,
): CarryRun | null {
  const run = isRun(previous) ? previous : null;
  if (reading === "unread") return run;
  if (reading === "down") return { since: null, down: true, stopped: run?.stopped ?? false };
  const at = runAtReading(run, now);
  return {
    since: at?.since != null ? new Date(at.since).toISOString() : null,
    down: false,
    stopped: stopped ?? run?.stopped ?? false,
  };
}

export type TrafficState =
  /** Newest data too old, or too little of the window has data: say nothing. */
  | { kind: "unknown"; detail: string }
  | { kind: "flowing"; inBps: number; outBps: number; at: number }
  /** Quiet for the whole window, but never seen carrying traffic: nothing to compare with. */
  | {
      kind: "idle";
      at: number;
      /** Back from an outage erwatch read at this time (ms): its quiet is the outage's until a window after it. */
      afterOutage?: number;
    }
  | {
      kind: "stopped";
      /** When it last carried; null: at a time not known (kept as one that is not an instant), before the metrics. */
      since: string | null;
      /** Quiet this long; with `since` null, at least this long (all the metrics returned). */
      minutes: number;
      at: number;
      /** Azure Monitor's own availability for the path over the window (null: none reported). */
      bgpAvailability: number | null;
      /** Stopped before an outage it came back from at this time (ms), within the window. */
      afterOutage?: number;
      /** The standby, never seen carrying: quiet since this path last carried (`since`), which failed. */
      failoverFrom?: PathName;
    }
  /** Quiet, but Azure Monitor says the session was down meanwhile while ARM says up: a metrics dip. */
  | { kind: "contradicted"; detail: string }
  /** The control plane says the path cannot carry traffic: the layer that is down explains any silence. */
  | { kind: "path-down" };

export interface PathTraffic {
  state: TrafficState;
  lastCarriedAt: string | null;
}

/**
 * "no traffic either way for 20 min (last carried 01:38 UTC)", or, not known
 * when, "for at least …"; `where` ("on P primary") after "either way".
 */
export function quietWords(s: Extract<TrafficState, { kind: "stopped" }>, where = ""): string {
  const quiet = `no traffic either way${where ? ` ${where}` : ""}`;
  return s.since === null
    ? `${quiet} for at least ${s.minutes} min (when it last carried is not known)`
    : `${quiet} for ${s.minutes} min (last carried ${hhmm(Date.parse(s.since))} UTC)`;
}

/**
 * What a path's throughput showed at a reading, kept in the snapshot for the
 * circuit's pair partners (pairs.ts): flowing (above the floor within the
 * window, fresh), quiet (idle or stopped, a standby's quiet by design too),
 * down (the control plane read it unable to carry), or unknown (no fresh
 * data, a metrics dip, a path ARM could not read).
 */
export type PathCarry = "flowing" | "quiet" | "down" | "unknown";
/** Peering → path → what its throughput showed. */
export type TrafficSeen = Record<string, Partial<Record<PathName, PathCarry>>>;

export function pathCarry(state: TrafficState, reading: CarryReading): PathCarry {
  switch (state.kind) {
    case "flowing":
      return "flowing";
    case "idle":
    case "stopped":
      return "quiet";
    case "path-down":
      return reading === "down" ? "down" : "unknown";
    default:
      return "unknown";
  }
}

/** The standby path whose quiet is by design, and until when. */
export interface StandbyQuiet {
  path: PathName;
  /** Failing over: a stop only if still quiet past this (ms); null while the other path carries. */
  until: number | null;
}

/**
 * The standby path (erwatch:standby-path) reading stopped while its quiet is
 * by design: while the other path carries (idle after a failback), and for a
 * window after the other path last carried once it stops (down, or quiet): a
 * failover has that long to move traffic onto the standby. With the other
 * path quiet longer nothing flows at all, and the standby's quiet counts.
 */
export function standbyIdle(
  traffic: Record<PathName, Pick<PathTraffic, "state" | "lastCarriedAt">>,
  standby: PathName | null | undefined,
  policy: Pick<DataPlanePolicy, "trafficStopped">,
): StandbyQuiet | null {
  if (!standby) return null;
  const quiet = traffic[standby].state;
  if (quiet.kind !== "stopped") return null;
  const other = traffic[otherPath(standby)];
  if (other.state.kind === "flowing") return { path: standby, until: null };
  const last = other.lastCarriedAt === null ? Number.NaN : Date.parse(other.lastCarriedAt);
  const until = last + policy.trafficStopped.minutes * MINUTE;
  return Number.isFinite(until) && until > quiet.at ? { path: standby, until } : null;
}

/**
 * The standby's quiet judged against the other path, where standbyIdle has
 * no say: beside a path whose traffic could not be judged it cannot be
 * judged either (UNKNOWN, never a page); never seen carrying, once the other
 * path has been read down and carried nothing for a window after it last did
 * (and the standby has been back a window from any outage it was not already
 * stopped before), the failover onto it did not happen: a stop, dated from
 * the other path's last traffic, which goes on while the other path is back
 * but quiet within its window. null: as judged.
 */
export function standbyJudged(
  metrics: CircuitMetrics,
  peering: string,
  traffic: Record<PathName, PathTraffic>,
  standby: PathName | null | undefined,
  /** Whether the other path was read down this sweep (CarryReading "down"), not merely unread. */
  otherReadDown: boolean,
  /** The standby's run at this reading (runAtReading); null: not known. */
  run: RunAtReading | null,
  policy: DataPlanePolicy,
  /** The other path unread by ARM and its throughput unjudged by Azure Monitor too: nothing seen of it. */
  otherUnseen = false,
): PathTraffic | null {
  if (!standby) return null;
  const own = traffic[standby];
  const from = otherPath(standby);
  const other = traffic[from];
  const unjudged = otherUnseen || ["unknown", "contradicted"].includes(other.state.kind);
  // A never-carried standby judged stopped at its last reading reads idle now
  // only because the other path is no longer read down: unjudged beside it, it
  // is unknown too (idle, its failover alert resolved unseen).
  const wasFailover = own.lastCarriedAt === null && run?.stoppedBefore === true;
  if ((own.state.kind === "stopped" || wasFailover) && unjudged)
    return {
      ...own,
      state: {
        kind: "unknown",
        detail: `standby (erwatch:standby-path): quiet, and the ${from} path's throughput could not be judged, so neither can its quiet`,
      },
    };
  // The active path up and quiet is no failover to wait for: its own stop says it.
  if (own.state.kind !== "idle" || own.lastCarriedAt !== null) return null;
  // The active path back from its outage but quiet yet (judged a window after
  // its return) is no failover done: the stop judged at the last reading goes
  // on (resolved, it paged anew once the active path's window passed).
  const backQuiet =
    other.state.kind === "idle" &&
    other.state.afterOutage !== undefined &&
    run?.stoppedBefore === true;
  if (!backQuiet && (other.state.kind !== "path-down" || !otherReadDown)) return null;
  const last = other.lastCarriedAt === null ? Number.NaN : Date.parse(other.lastCarriedAt);
  if (!Number.isFinite(last)) return null;
  const at = own.state.at;
  const window = policy.trafficStopped.minutes * MINUTE;
  // Back from its own outage it waits a window, unless it was stopped before it.
  const back = run?.stoppedBefore ? null : (run?.since ?? null);
  const since = Math.max(last, back ?? last);
  if (at < since + window) return null;
  const bgp = lowestAvailability(
    seriesOf(metrics, "BgpAvailability", peering, standby),
    at - window,
    at,
  );
  // Azure Monitor says the session dropped meanwhile: a dip, as judgeTraffic takes it
  // (not for a stop judged at the last reading, which goes on).
  if (bgp !== null && bgp.value < 100 && run?.stoppedBefore !== true) return null;
  return {
    ...own,
    state: {
      kind: "stopped",
      since: new Date(last).toISOString(),
      minutes: Math.round((at - last) / MINUTE),
      at,
      bgpAvailability: bgp?.value ?? null,
      failoverFrom: from,
    },
  };
}

const isFresh = (at: number | null, now: Date, policy: DataPlanePolicy): at is number =>
  at !== null && now.getTime() - at <= policy.staleMinutes * MINUTE;

/** The lowest availability Azure Monitor reported for the path in [from, to], or null. */
function lowestAvailability(
  m: Minutes,
  from: number,
  to: number,
): { value: number; at: number } | null {
  let low: { value: number; at: number } | null = null;
  for (const [at, value] of m)
    if (at >= from && at <= to && (low === null || value < low.value)) low = { value, at };
  return low;
}

/**
 * One peering's path. `carrying` says whether the control plane lets the path
 * carry traffic at all (Established with prefixes); when it does not, the
 * layer that is down explains any silence and no traffic state is judged.
 */
/** No circuit carried traffic before ExpressRoute was offered (2014). */
const EXPRESSROUTE_EPOCH = Date.UTC(2014, 0, 1);

export function judgeTraffic(
  metrics: CircuitMetrics,
  peering: string,
  path: PathName,
  carrying: boolean,
  /** When it last carried, as the snapshot kept it (TrafficMemory): null, none. */
  previous: unknown,
  policy: DataPlanePolicy,
  now: Date,
  /** The path's run of readings able to carry (runAtReading); null: nothing known. */
  run: RunAtReading | null = null,
): PathTraffic {
  const bitsIn = seriesOf(metrics, "BitsInPerSecond", peering, path);
  const bitsOut = seriesOf(metrics, "BitsOutPerSecond", peering, path);
  const floor = policy.trafficStopped.floorBps;
  const busiest = bothOf(bitsIn, bitsOut, Math.max);
  // Remembered from a point dated in the future (before the adapter dropped those): no later than now.
  // One dated before ExpressRoute existed came from a stray point (a .NET default
  // 0001-01-01, before the adapter dropped points older than the query): never seen carrying.
  const kept = storedInstant(previous);
  const remembered = kept !== null && kept < EXPRESSROUTE_EPOCH ? null : kept;
  // Kept as a time that is not an instant (core/instant.ts): it carried (erwatch
  // keeps only a time it saw carry), when is not known, never within the window.
  // Date.parse read "42" as 2042, held to now: "carried now", a stop idle for a
  // window; "yesterday" as NaN: "never seen carrying", a stop quiet longer than
  // the metrics never paged, and an open one resolved.
  const carriedUnknown = previous != null && kept === null;
  let carried = remembered !== null ? Math.min(remembered, now.getTime()) : null;
  for (const [at, value] of busiest)
    if (value > floor && (carried === null || at > carried)) carried = at;
  const lastCarriedAt = carried === null ? null : new Date(carried).toISOString();
  if (!carrying) return { state: { kind: "path-down" }, lastCarriedAt };
  const at = newest(busiest);
  if (!isFresh(at, now, policy))
    return {
      state: {
        kind: "unknown",
        detail: at === null ? "no throughput data" : `no throughput data since ${hhmm(at)} UTC`,
      },
      lastCarriedAt,
    };
  const minutes = policy.trafficStopped.minutes;
  const window = windowOf(busiest, at, minutes);
  const quiet = window.values.every((v) => v.value <= floor);
  if (!quiet)
    return {
      state: { kind: "flowing", inBps: bitsIn.get(at) ?? 0, outBps: bitsOut.get(at) ?? 0, at },
      lastCarriedAt,
    };
  if (window.coverage < policy.coverage)
    return {
      state: {
        kind: "unknown",
        detail: `throughput data for ${window.values.length} of the last ${minutes} minutes`,
      },
      lastCarriedAt,
    };
  if (carried === null ? !carriedUnknown : carried >= window.from)
    return { state: { kind: "idle", at }, lastCarriedAt };
  // Back from an outage erwatch read within the window: the quiet before it
  // was the outage's, alerted as itself (Azure Monitor's availability stays
  // at 100 % through a zero-prefix outage), unless the path was already
  // stopped when it went down: that stop goes on.
  const back = run?.since != null && window.from < run.since ? run.since : null;
  if (back !== null && run?.stoppedBefore !== true)
    return { state: { kind: "idle", at, afterOutage: back }, lastCarriedAt };
  const bgp = lowestAvailability(
    seriesOf(metrics, "BgpAvailability", peering, path),
    window.from,
    window.to,
  );
  // The session down in Azure Monitor during the outage erwatch read is that
  // outage, not a metrics dip; and a stop judged at the last reading, quiet
  // since, goes on whatever a minute of Azure Monitor's availability says
  // (taken for a dip, it resolved the page and opened it again a window later).
  if (bgp !== null && bgp.value < 100 && back === null && run?.stoppedBefore !== true)
    return {
      state: {
        kind: "contradicted",
        detail: `Azure Monitor shows no traffic and BgpAvailability ${round(bgp.value)} % at ${hhmm(bgp.at)} UTC while ARM reads Established with prefixes: a metrics dip, not paged`,
      },
      lastCarriedAt,
    };
  return {
    state: {
      kind: "stopped",
      since: lastCarriedAt,
      // Not known when: quiet at least since the first minute the metrics hold.
      minutes: Math.round((at - (carried ?? Math.min(...busiest.keys()))) / MINUTE),
      at,
      bgpAvailability: bgp?.value ?? null,
      ...(back !== null ? { afterOutage: back } : {}),
    },
    lastCarriedAt,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

export type Direction = "in" | "out";

export interface LinkLoad {
  /** Newest minute with data, per direction. */
  percent: Record<Direction, number | null>;
  bps: Record<Direction, number | null>;
  /** Directions at or above the saturation share for the whole window. */
  saturated: Direction[];
  /** Lowest share over the window, per saturated direction: "held at least this". */
  floorPercent: Partial<Record<Direction, number>>;
  at: number | null;
  stale: boolean;
}

/**
 * One path (primary or secondary link) across every peering: the bandwidth is
 * the link's, shared by the peerings riding it.
 */
export function judgeLink(
  metrics: CircuitMetrics,
  peerings: string[],
  path: PathName,
  bandwidthMbps: number | null,
  policy: DataPlanePolicy,
  now: Date,
): LinkLoad {
  const sum = (metric: "BitsInPerSecond" | "BitsOutPerSecond") =>
    sumOf(...peerings.map((p) => seriesOf(metrics, metric, p, path)));
  const series: Record<Direction, Minutes> = {
    in: sum("BitsInPerSecond"),
    out: sum("BitsOutPerSecond"),
  };
  const capacity = bandwidthMbps !== null && bandwidthMbps > 0 ? bandwidthMbps * 1e6 : null;
  const load: LinkLoad = {
    percent: { in: null, out: null },
    bps: { in: null, out: null },
    saturated: [],
    floorPercent: {},
    at: null,
    stale: true,
  };
  for (const direction of ["in", "out"] as const) {
    const m = series[direction];
    const at = newest(m);
    if (!isFresh(at, now, policy)) continue;
    load.stale = false;
    load.at = Math.max(load.at ?? 0, at);
    const value = m.get(at) as number;
    load.bps[direction] = value;
    if (capacity === null) continue;
    load.percent[direction] = round((value / capacity) * 100);
    const window = windowOf(m, at, policy.saturation.minutes);
    if (window.coverage < policy.coverage) continue;
    const lowest = Math.min(...window.values.map((v) => v.value));
    if ((lowest / capacity) * 100 >= policy.saturation.percent) {
      load.saturated.push(direction);
      load.floorPercent[direction] = round((lowest / capacity) * 100);
    }
  }
  return load;
}

export function loadDetail(load: LinkLoad, bandwidthMbps: number | null): string {
  const part = (d: Direction) =>
    load.percent[d] !== null
      ? `${d} ${load.percent[d]}%`
      : load.bps[d] !== null
        ? `${d} ${bps(load.bps[d] as number)}`
        : `${d} ?`;
  // No bandwidth from ARM: the row says saturation went unjudged rather than read as fine.
  const of = bandwidthMbps
    ? ` of ${bps(bandwidthMbps * 1e6)}`
    : "; bandwidth not reported, saturation not judged";
  return `${part("in")} · ${part("out")}${of}`;
}

export type Corroboration = { agrees: boolean | null; detail: string };

/**
 * What Azure Monitor says about a path the control plane reads as down:
 * `ArpAvailability` for layer 2, `BgpAvailability` for the session.
 */
export function corroborate(
  metrics: CircuitMetrics,
  peering: string,
  paths: PathName[],
  metric: "ArpAvailability" | "BgpAvailability",
  policy: DataPlanePolicy,
  now: Date,
): Corroboration {
  const parts: string[] = [];
  let agrees: boolean | null = null;
  for (const path of paths) {
    const m = seriesOf(metrics, metric, peering, path);
    const at = newest(m);
    if (!isFresh(at, now, policy)) {
      parts.push(`no ${metric} data for the ${path} path`);
      continue;
    }
    const value = m.get(at) as number;
    const down = value < 100;
    agrees = (agrees ?? true) && down;
    parts.push(`${metric} ${round(value)} % on the ${path} path at ${hhmm(at)} UTC`);
  }
  const verdict =
    agrees === null
      ? "Azure Monitor has no recent data (its metrics are minutes late)"
      : agrees
        ? "Azure Monitor agrees"
        : "Azure Monitor does not show it yet (its metrics are minutes late; ARM is read live)";
  return { agrees, detail: `${verdict}: ${parts.join("; ")}` };
}

/**
 * Availability dips on paths the control plane reads as healthy: a note, never
 * a page (Azure's metrics dip during Microsoft maintenance and have gaps).
 */
export function dipNotes(
  metrics: CircuitMetrics,
  peering: string,
  healthy: PathName[],
  policy: DataPlanePolicy,
  now: Date,
): string[] {
  const notes: string[] = [];
  const from =
    now.getTime() - Math.max(policy.trafficStopped.minutes, policy.saturation.minutes) * MINUTE;
  for (const path of PATHS.filter((p) => healthy.includes(p))) {
    for (const metric of ["ArpAvailability", "BgpAvailability"] as const) {
      const low = lowestAvailability(seriesOf(metrics, metric, peering, path), from, now.getTime());
      if (low !== null && low.value < 100)
        notes.push(
          `Azure Monitor shows ${metric} ${round(low.value)} % on the ${path} path at ${hhmm(low.at)} UTC while ARM reads it healthy: a metrics dip, not paged`,
        );
    }
  }
  return notes;
}

/** The odd points that `belongs` picks since `from`, by metric and path, oldest first. */
export function oddGroupsOf(
  metrics: CircuitMetrics,
  belongs: (o: OddPoint) => boolean,
  from: number,
): OddPoint[][] {
  const groups = new Map<string, OddPoint[]>();
  for (const o of metrics.odd ?? []) {
    if (!belongs(o) || !(Date.parse(o.at) >= from)) continue;
    const key = `${o.metric}|${o.path ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.values()].map((points) => [...points].sort((a, b) => a.at.localeCompare(b.at)));
}

/** The odd points of a peering (null: the Global Reach series), and of one path when given. */
const oddGroups = (
  metrics: CircuitMetrics,
  peering: string | null,
  from: number,
  path?: PathName,
): OddPoint[][] =>
  oddGroupsOf(
    metrics,
    (o) =>
      (peering === null
        ? o.peering === null
        : (o.peering ?? "").toLowerCase() === peering.toLowerCase()) &&
      (path === undefined || o.path === path),
    from,
  );

/**
 * The values Azure Monitor sent that the metric cannot have, of one peering
 * (null: the Global Reach series) since `from`: left out as gaps, named here
 * so a reader of the verdict knows why the data is thinner than it looks.
 */
export function oddNotes(
  metrics: CircuitMetrics,
  peering: string | null,
  from: number,
  path?: PathName,
): string[] {
  return oddGroups(metrics, peering, from, path).map((sorted) => {
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const where = first.path ? ` for the ${first.path} path` : "";
    const more =
      sorted.length > 1
        ? ` (and ${counted(sorted.length - 1, "more minute", "more minutes")} to ${hhmm(Date.parse(last.at))} UTC)`
        : "";
    return `Azure Monitor sent ${first.metric} ${first.value}${where} at ${hhmm(Date.parse(first.at))} UTC${more}: ${first.reason}, left out as no data, never read as traffic or health`;
  });
}

/** Azure Monitor's metrics batch, as the RBAC action list names it (adapters/arm/operations.ts). */
const METRICS_CALL = "Microsoft.Insights/metrics/read";

/** One series' odd minutes (oldest first) as a read erwatch could not understand, aimed at `target`. */
export function oddRead(sorted: OddPoint[], target: string): ReadFailure {
  const first = sorted[0]!;
  return {
    kind: "malformed",
    call: METRICS_CALL,
    target,
    message: `${target}: ${first.value} (${first.reason}), ${counted(sorted.length, "minute")} since ${hhmm(Date.parse(first.at))} UTC`,
  };
}

/**
 * The odd values of one path since `from` as reads erwatch could not
 * understand, one per metric: what a `monitoring-blind` finding names when
 * they leave the path's capacity row unknown.
 */
export function oddReads(
  metrics: CircuitMetrics,
  peering: string,
  path: PathName,
  from: number,
): ReadFailure[] {
  return oddGroups(metrics, peering, from, path).map((sorted) =>
    oddRead(sorted, `${sorted[0]!.metric} of ${peering}/${path}`),
  );
}

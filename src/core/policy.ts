// How findings become notifications: hysteresis, repeat intervals, blind and
// flap thresholds, silences. Plain data, validated at start by src/config.

import type { AlertFamily, PathName, Severity } from "./model.js";
import { refusedReadsToOpen } from "./refused-blind-open.js";
import { DEFAULT_PREFIX_DROP_POLICY, type PrefixDropPolicy } from "./prefix-drop.js";
import { DEFAULT_ROUTE_TABLE_POLICY, type RouteTablePolicy } from "./route-tables.js";

export type PerSeverity<T> = Record<Severity, T>;

export interface HysteresisPolicy {
  /** Consecutive sweeps a condition must hold before it opens. */
  openAfter: PerSeverity<number>;
  /** Consecutive clean sweeps before it resolves. */
  resolveAfter: PerSeverity<number>;
  /** And for at least this long since it was last seen clean. */
  openAfterMs: PerSeverity<number>;
  /** And clean for at least this long since it was last seen. */
  resolveAfterMs: PerSeverity<number>;
  /**
   * On the timer's own sweep (a tick), a count of sweeps is a count of ticks:
   * the Nth tick in a row that reads it firing opens it, however late the
   * tick before ran (a past-due tick after a restart or an overrun) or
   * whatever on-demand sweep read it clean in between, once at least this long
   * has passed since the last clean reading (N − 1 intervals: two ticks
   * seconds apart are not two intervals). Measured in time alone, a clean
   * reading 2 min before the tick held a Sev0 to the next one. Null where
   * minutes were given: they are minutes.
   */
  openAfterTicksMs: PerSeverity<number | null>;
  /** ... and the Mth clean tick in a row resolves it, as long after the last firing reading. */
  resolveAfterTicksMs: PerSeverity<number | null>;
  /**
   * One sweep interval: a key never seen clean (a circuit erwatch had not
   * read before) counts openAfterMs as if it was clean one interval before
   * it was first seen firing, as a known circuit's would be.
   */
  intervalMs: number;
  /**
   * monitoring-blind alone: readings of its run whose condition named only
   * reads refused for good or fields of the circuit's body (read in the
   * rotation's turn) that open it at such a reading, once it has stood its
   * time; the sweeps skipped between two of them count toward `openAfter`
   * (refused-blind-open.ts). Absent for any other alert.
   */
  openAfterRefusedReads?: number;
}

export interface AlertPolicy {
  openAfter: PerSeverity<number>;
  resolveAfter: PerSeverity<number>;
  /** Minimum time before opening; default: the count times the timer interval. */
  openAfterMinutes: Partial<PerSeverity<number>>;
  /** Minimum clean time before resolving; default: the count times the timer interval. */
  resolveAfterMinutes: Partial<PerSeverity<number>>;
  /** The timer's interval, from SWEEP_SCHEDULE: sweep counts become times with it. */
  sweepIntervalMinutes: number;
  repeatEveryMinutes: PerSeverity<number>;
  /** Consecutive sweeps with a layer UNKNOWN before `monitoring-blind` opens. */
  blindAfterSweeps: number;
  flap: { transitions: number; windowMinutes: number };
  /** Prefix trend look-back. */
  trendWindowHours: number;
  /** What counts as a sudden drop of the received-prefix count (`prefix-drop`). */
  prefixDrop: PrefixDropPolicy;
  /** How the stateful sweep keeps each path's route table, the baseline `diagnose --routes` compares with. */
  routeTables: RouteTablePolicy;
  /** Per-circuit hysteresis, keyed by circuit name or resource id (lower-case). */
  circuits: Record<
    string,
    { openAfter?: Partial<PerSeverity<number>>; resolveAfter?: Partial<PerSeverity<number>> }
  >;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  openAfter: { Sev0: 1, Sev1: 2, Sev2: 2, Sev3: 2, Sev4: 2 },
  resolveAfter: { Sev0: 2, Sev1: 2, Sev2: 2, Sev3: 2, Sev4: 2 },
  openAfterMinutes: {},
  resolveAfterMinutes: {},
  sweepIntervalMinutes: 5,
  repeatEveryMinutes: { Sev0: 240, Sev1: 240, Sev2: 1440, Sev3: 1440, Sev4: 1440 },
  blindAfterSweeps: 3,
  // More than three changes in an hour: two down/up cycles. At a 5-minute
  // cadence a 30-minute window cannot see a session that is down for two
  // sweeps and up for two.
  flap: { transitions: 3, windowMinutes: 60 },
  trendWindowHours: 24,
  prefixDrop: DEFAULT_PREFIX_DROP_POLICY,
  routeTables: DEFAULT_ROUTE_TABLE_POLICY,
  circuits: {},
};

export type SilenceWindow =
  /**
   * `start` and `end` in ISO 8601; one without an offset is a reading of the
   * clock in `timezone` (UTC when none is given), never of the host's.
   */
  | { kind: "once"; start: string; end: string; timezone?: string }
  | { kind: "recurring"; cron: string; durationMinutes: number; timezone: string };

export interface Silence {
  id: string;
  /** Circuit name or resource id. */
  circuit: string;
  peering?: string;
  path?: PathName;
  comment?: string;
  window: SilenceWindow;
}

const every = (n: number): PerSeverity<number> => ({ Sev0: n, Sev1: n, Sev2: n, Sev3: n, Sev4: n });
const bySeverity = <T>(f: (s: Severity) => T): PerSeverity<T> => ({
  Sev0: f("Sev0"),
  Sev1: f("Sev1"),
  Sev2: f("Sev2"),
  Sev3: f("Sev3"),
  Sev4: f("Sev4"),
});

/**
 * A timer tick runs a little late or early, and a sweep's clock is when it
 * started: a span measured between two sweeps may come out a few hundred
 * milliseconds short. Allow a fifth of an interval, at most a minute, so a
 * span of whole intervals is never pushed to the next tick.
 */
export function tickSlackMs(intervalMinutes: number): number {
  return Math.min(60_000, (intervalMinutes * 60_000) / 5);
}

/** N sweeps of the timer span N intervals (counted from the last read that saw otherwise). */
function sweepsAsMs(count: number, intervalMinutes: number): number {
  return Math.max(0, count * intervalMinutes * 60_000 - tickSlackMs(intervalMinutes));
}

/**
 * The hysteresis one alert key follows: the circuit's own override of the
 * policy, except that blind alerts open on failed sweeps in a row, and flap alerts open at once (flapping is already judged
 * over a window of history), as does a key whose observation is proven
 * already (`atOnce`: a fleet alert one of whose members would page alone now).
 */
export function hysteresisOf(
  policy: AlertPolicy,
  circuit: { id: string; name: string },
  family: AlertFamily,
  atOnce = false,
): HysteresisPolicy {
  const override =
    policy.circuits[circuit.id.toLowerCase()] ?? policy.circuits[circuit.name.toLowerCase()] ?? {};
  let openAfter = { ...policy.openAfter, ...override.openAfter };
  const resolveAfter = { ...policy.resolveAfter, ...override.resolveAfter };
  // Blind opens on failed sweeps in a row, and resolves as any alert does (two
  // good reads by default): a read that fails three sweeps in four is still
  // blind, not an alert opened and resolved every 20 minutes.
  if (family === "monitoring-blind") openAfter = every(policy.blindAfterSweeps);
  const opensAtOnce = atOnce || family === "session-flapping";
  if (opensAtOnce) openAfter = every(1);
  // Minutes given are measured between sweeps too: a tick a moment early
  // must not hold them a whole interval more (10 min opened at 15, not 10).
  const minutes = (given: number | undefined, count: number) =>
    given === undefined
      ? sweepsAsMs(count, policy.sweepIntervalMinutes)
      : Math.max(0, given * 60_000 - tickSlackMs(policy.sweepIntervalMinutes));
  // Sweeps counted in the timer's ticks: one interval fewer than in time
  // alone (the ticks make up the rest), minutes given excepted.
  const ticks = (given: number | undefined, count: number) =>
    given === undefined ? sweepsAsMs(count - 1, policy.sweepIntervalMinutes) : null;
  return {
    openAfter,
    resolveAfter,
    openAfterMs: opensAtOnce
      ? every(0)
      : bySeverity((s) => minutes(policy.openAfterMinutes[s], openAfter[s])),
    resolveAfterMs: bySeverity((s) => minutes(policy.resolveAfterMinutes[s], resolveAfter[s])),
    openAfterTicksMs: bySeverity((s) =>
      opensAtOnce ? 0 : ticks(policy.openAfterMinutes[s], openAfter[s]),
    ),
    resolveAfterTicksMs: bySeverity((s) => ticks(policy.resolveAfterMinutes[s], resolveAfter[s])),
    intervalMs: policy.sweepIntervalMinutes * 60_000,
    ...(family === "monitoring-blind" && !opensAtOnce
      ? { openAfterRefusedReads: refusedReadsToOpen(policy.blindAfterSweeps) }
      : {}),
  };
}

/**
 * Keys of a setting keyed by circuit that are a name several of `circuits`
 * share (names are unique in a resource group only: prod and dev
 * subscriptions often name theirs alike). Such a key applies to each of them:
 * a silence meant for dev's er-ams held prod's er-ams's page too.
 */
export function sharedCircuitNames(
  keys: readonly string[],
  circuits: readonly { id: string; name: string }[],
): { key: string; ids: string[] }[] {
  return keys.flatMap((key) => {
    const ids = circuits
      .filter((c) => c.name.toLowerCase() === key.trim().toLowerCase())
      .map((c) => c.id);
    return ids.length > 1 ? [{ key, ids }] : [];
  });
}

/**
 * Keys of a setting keyed by circuit (lower-case name or resource id, looked
 * up as hysteresisOf and baselineFor do) that match none of `circuits`: a
 * typo there applies to nothing, silently.
 */
export function unmatchedCircuitKeys(
  keys: readonly string[],
  circuits: readonly { id: string; name: string }[],
): string[] {
  const known = new Set(circuits.flatMap((c) => [c.id.toLowerCase(), c.name.toLowerCase()]));
  return keys.filter((key) => !known.has(key.toLowerCase()));
}

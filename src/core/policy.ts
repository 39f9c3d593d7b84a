// How findings become notifications: hysteresis, repeat intervals, blind and
// flap thresholds, silences. Plain data, validated at start by src/config.

import type { PathName, Severity } from "./model.js";

export type PerSeverity<T> = Record<Severity, T>;

export interface HysteresisPolicy {
  /** Consecutive sweeps a condition must hold before it opens. */
  openAfter: PerSeverity<number>;
  /** Consecutive clean sweeps before it resolves. */
  resolveAfter: PerSeverity<number>;
}

export interface AlertPolicy extends HysteresisPolicy {
  repeatEveryMinutes: PerSeverity<number>;
  /** Consecutive sweeps with a layer UNKNOWN before `monitoring-blind` opens. */
  blindAfterSweeps: number;
  flap: { transitions: number; windowMinutes: number };
  /** Prefix trend look-back. */
  trendWindowHours: number;
  /** Per-circuit hysteresis, keyed by circuit name or resource id (lower-case). */
  circuits: Record<
    string,
    { openAfter?: Partial<PerSeverity<number>>; resolveAfter?: Partial<PerSeverity<number>> }
  >;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  openAfter: { Sev0: 1, Sev1: 2, Sev2: 2, Sev3: 2, Sev4: 2 },
  resolveAfter: { Sev0: 2, Sev1: 2, Sev2: 2, Sev3: 2, Sev4: 2 },
  repeatEveryMinutes: { Sev0: 240, Sev1: 240, Sev2: 1440, Sev3: 1440, Sev4: 1440 },
  blindAfterSweeps: 3,
  flap: { transitions: 4, windowMinutes: 30 },
  trendWindowHours: 24,
  circuits: {},
};

export type SilenceWindow =
  | { kind: "once"; start: string; end: string }
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

export function hysteresisFor(
  policy: AlertPolicy,
  circuit: { id: string; name: string },
): HysteresisPolicy {
  const override =
    policy.circuits[circuit.id.toLowerCase()] ?? policy.circuits[circuit.name.toLowerCase()] ?? {};
  return {
    openAfter: { ...policy.openAfter, ...override.openAfter },
    resolveAfter: { ...policy.resolveAfter, ...override.resolveAfter },
  };
}

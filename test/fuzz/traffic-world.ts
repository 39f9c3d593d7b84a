// The random worlds of the traffic properties: each path up, down or unread
// in spells (sweep by sweep), carrying or quiet minute by minute (nothing while
// truly down), Azure Monitor's data missing in spells, a standby path tagged or
// not; and what the world truly did, as Azure Monitor delivered it.

import fc from "fast-check";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { CircuitMetrics, MetricName, MetricSeries } from "../../src/core/dataplane/facts.js";
import type { EvaluationPolicy } from "../../src/core/evaluate.js";
import type { CircuitReading } from "../../src/core/model.js";
import type { PathName } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, failed, type PathSpec } from "../support/readings.js";

export const PRIVATE = "AzurePrivatePeering";
export const PATHS: PathName[] = ["primary", "secondary"];
export const T0 = Date.parse("2026-11-22T00:00:00.000Z");
export const MINUTE = 60_000;
export const SWEEPS = 36;
/** Azure Monitor's delivery delay, and the look-back each sweep asks for. */
export const LAG = 2;
export const LOOK_BACK = 60;
/** traffic-stopped's window (the default policy). */
export const WINDOW = 15;
export const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

export type Control = "up" | "down" | "unread";

export interface World {
  standby: PathName | null;
  /** Per path, per sweep. */
  control: Record<PathName, Control[]>;
  /** Per path, per minute from T0 − LOOK_BACK: carrying (when up), quiet. */
  busy: Record<PathName, boolean[]>;
  /** Per path, per minute: Azure Monitor has nothing. */
  gap: Record<PathName, boolean[]>;
}

export const MINUTES = SWEEPS * 5 + LOOK_BACK;
/** Index of minute `m` (minutes after T0, may be negative down to −LOOK_BACK). */
export const ix = (m: number) => m + LOOK_BACK;

/** Spells of values: [value, length] pairs laid end to end, cut to `n`. */
export function spells<T>(arb: fc.Arbitrary<T>, n: number, maxLength: number): fc.Arbitrary<T[]> {
  return fc
    .array(fc.tuple(arb, fc.integer({ min: 1, max: maxLength })), { minLength: 1, maxLength: n })
    .map((runs) => {
      const out: T[] = [];
      while (out.length < n)
        for (const [v, len] of runs) for (let i = 0; i < len && out.length < n; i += 1) out.push(v);
      return out;
    });
}

export const worldArb: fc.Arbitrary<World> = fc.record({
  standby: fc.constantFrom<PathName | null>(null, null, "primary", "secondary"),
  control: fc.record({
    primary: spells(fc.constantFrom<Control>("up", "up", "up", "down", "unread"), SWEEPS, 8),
    secondary: spells(fc.constantFrom<Control>("up", "up", "up", "down", "unread"), SWEEPS, 8),
  }),
  busy: fc.record({
    primary: spells(fc.boolean(), MINUTES, 40),
    secondary: spells(fc.boolean(), MINUTES, 40),
  }),
  gap: fc.record({
    primary: spells(fc.constantFrom(false, false, false, false, true), MINUTES, 20),
    secondary: spells(fc.constantFrom(false, false, false, false, true), MINUTES, 20),
  }),
});

/** The path's control state at minute m: the state of the sweep that minute falls before. */
export function controlAt(w: World, path: PathName, m: number): Control {
  const s = Math.min(SWEEPS - 1, Math.max(0, Math.ceil(m / 5)));
  return w.control[path][s]!;
}
/** What the path truly carried at minute m: nothing while down. */
export const carried = (w: World, path: PathName, m: number) =>
  w.busy[path][ix(m)]! && controlAt(w, path, m) !== "down";

export function metricsAt(w: World, sweep: number): CircuitMetrics {
  const now = sweep * 5;
  const end = now - LAG;
  const series: MetricSeries[] = [];
  const value = (metric: MetricName, path: PathName, m: number): number | null => {
    if (w.gap[path][ix(m)]) return null;
    if (metric.startsWith("Bits")) return carried(w, path, m) ? 240e6 : 0;
    return controlAt(w, path, m) === "down" ? 0 : 100;
  };
  for (const path of PATHS)
    for (const metric of [
      "BgpAvailability",
      "ArpAvailability",
      "BitsInPerSecond",
      "BitsOutPerSecond",
    ] as MetricName[])
      series.push({
        metric,
        peering: PRIVATE,
        path,
        points: Array.from({ length: LOOK_BACK - LAG }, (_, i) => {
          const m = end - (LOOK_BACK - LAG - 1) + i;
          return { at: new Date(T0 + m * MINUTE).toISOString(), value: value(metric, path, m) };
        }),
      });
  return {
    from: new Date(T0 + (now - LOOK_BACK) * MINUTE).toISOString(),
    to: new Date(T0 + now * MINUTE).toISOString(),
    series,
  };
}

export function pathSpec(control: Control): PathSpec {
  if (control === "up") return {};
  if (control === "down") return { arp: "empty", bgp: "Idle" };
  const unread = failed<never>({ kind: "server-error" });
  return { arp: unread, bgp: unread };
}

/** The circuit as ARM and Azure Monitor showed it at sweep `s`. */
export function readingAt(w: World, s: number): CircuitReading {
  const now = new Date(T0 + s * 5 * MINUTE);
  return circuitReading({
    readAt: now.toISOString(),
    settings: { standbyPath: w.standby ?? undefined },
    paths: {
      [PRIVATE]: {
        primary: pathSpec(w.control.primary[s]!),
        secondary: pathSpec(w.control.secondary[s]!),
      },
    },
    dataPlane: { metrics: { ok: true, value: metricsAt(w, s), readAt: now.toISOString() } },
  });
}

/** The path's newest minute Azure Monitor has delivered by `end`: the window a judgement ends at. */
export function newestSeen(w: World, path: PathName, end: number): number {
  let m = end;
  while (m > end - LOOK_BACK && w.gap[path][ix(m)]) m -= 1;
  return m;
}

/** The window ending at the path's newest delivered minute, all quiet, truly (one minute of slack at its far edge). */
export const quietWindow = (w: World, path: PathName, end: number) => {
  const at = newestSeen(w, path, end);
  return quietOver(w, path, at - WINDOW + 1, at);
};

/**
 * Minutes [from, to] all quiet on the path as Azure Monitor delivered them:
 * what the path carried in a gap erwatch cannot know, and is not judged on.
 */
export const quietOver = (w: World, path: PathName, from: number, to: number) => {
  for (let m = from; m <= to; m += 1) if (carried(w, path, m) && !w.gap[path][ix(m)]) return false;
  return true;
};

/** The sweep at which the path last came back up from a sweep read down (unread sweeps between count for neither). */
export function returnedAt(w: World, path: PathName, sweep: number): number | null {
  let s = sweep;
  while (s >= 0 && w.control[path][s] !== "down") s -= 1;
  if (s < 0) return null;
  let back = s + 1;
  while (back <= sweep && w.control[path][back] !== "up") back += 1;
  return back <= sweep ? back : null;
}

/** The five minutes before sweep `s` on the path, for a failure's reader: # carried, _ quiet, . no data. */
export function minutesOf(w: World, path: PathName, s: number): string {
  let t = "";
  for (let m = s * 5 - 4; m <= s * 5; m += 1)
    t += w.gap[path][ix(m)] ? "." : carried(w, path, m) ? "#" : "_";
  return t;
}

// Minute series as the judgements need them: points on epoch minutes, the
// window that ends at the newest point Azure has delivered (it is 1–3 minutes
// late), and how much of that window actually has data. A minute without data
// is a gap, never a zero.

import type { PathName } from "../model.js";
import type { CircuitMetrics, MetricName, MetricPoint } from "./facts.js";
import { forEachMinute } from "./points.js";

export const MINUTE = 60_000;

/** epoch-minute → value, for the minutes that have data. */
export type Minutes = Map<number, number>;

export const minuteOf = (iso: string): number => Math.floor(Date.parse(iso) / MINUTE) * MINUTE;

/**
 * One series' minutes. A minute sent twice (or split below the minute) is one
 * minute: its mean, never a sum that doubles the traffic. Azure Monitor's
 * reader never hands one on: two different values for a minute fail the
 * circuit's read there (adapters/monitor/metrics.ts), as a mean of 100 and 0
 * is a dip that never was.
 */
export function minutesOfSeries(points: Iterable<MetricPoint>): Minutes {
  const sums: Minutes = new Map();
  const counts = new Map<number, number>();
  forEachMinute(points, (atMs, value) => {
    if (value === null || !Number.isFinite(value)) return;
    const at = Math.floor(atMs / MINUTE) * MINUTE;
    sums.set(at, (sums.get(at) ?? 0) + value);
    counts.set(at, (counts.get(at) ?? 0) + 1);
  });
  for (const [at, n] of counts) if (n > 1) sums.set(at, sums.get(at)! / n);
  return sums;
}

export function seriesOf(
  metrics: CircuitMetrics,
  metric: MetricName,
  peering: string,
  path: PathName,
): Minutes {
  const out: Minutes = new Map();
  for (const s of metrics.series) {
    if (s.metric !== metric || s.path !== path) continue;
    if (s.peering.toLowerCase() !== peering.toLowerCase()) continue;
    for (const [at, value] of minutesOfSeries(s.points)) {
      const before = out.get(at);
      // Two series of one path (the reader keeps IPv4's availability only, but a
      // path may yet come twice): traffic adds up, availability is the worst.
      out.set(
        at,
        before === undefined
          ? value
          : metric.endsWith("Availability")
            ? Math.min(before, value)
            : before + value,
      );
    }
  }
  return out;
}

/** Per-minute sum of several series; a minute counts when any of them has data. */
export function sumOf(...all: Minutes[]): Minutes {
  const out: Minutes = new Map();
  for (const m of all) for (const [at, v] of m) out.set(at, (out.get(at) ?? 0) + v);
  return out;
}

/** Minutes where both series have data, combined. */
export function bothOf(a: Minutes, b: Minutes, f: (x: number, y: number) => number): Minutes {
  const out: Minutes = new Map();
  for (const [at, x] of a) {
    const y = b.get(at);
    if (y !== undefined) out.set(at, f(x, y));
  }
  return out;
}

export const newest = (m: Minutes): number | null => (m.size === 0 ? null : Math.max(...m.keys()));

export interface Window {
  /** First and last minute of the window (inclusive). */
  from: number;
  to: number;
  values: { at: number; value: number }[];
  /** Share of the window's minutes that have data. */
  coverage: number;
}

/** The `minutes`-long window ending at minute `end`. */
export function windowOf(m: Minutes, end: number, minutes: number): Window {
  const from = end - (minutes - 1) * MINUTE;
  const values = [...m.entries()]
    .filter(([at]) => at >= from && at <= end)
    .sort(([a], [b]) => a - b)
    .map(([at, value]) => ({ at, value }));
  return { from, to: end, values, coverage: values.length / minutes };
}

export const hhmm = (epoch: number): string => new Date(epoch).toISOString().slice(11, 16);

/** "1 Gbps", "250 Mbps", "12.5 kbps" */
export function bps(value: number): string {
  const units: [number, string][] = [
    [1e9, "Gbps"],
    [1e6, "Mbps"],
    [1e3, "kbps"],
  ];
  for (const [scale, unit] of units)
    if (value >= scale) return `${Number((value / scale).toPrecision(3))} ${unit}`;
  return `${Math.round(value)} bps`;
}

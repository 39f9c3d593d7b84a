// Throughput a circuit cannot carry. An ExpressRoute circuit bursts to twice
// its bandwidth and no further, so a minute above that is Azure Monitor's
// error, not traffic: taken as traffic, one such minute on a stopped path
// reads as "flowing" for the whole window (the stop goes unpaged), and on a
// quiet one as saturation. It becomes a gap, named among the odd points.

import type { CircuitMetrics, MetricSeries, OddPoint } from "./facts.js";
import { forEachMinute } from "./points.js";

/** ExpressRoute lets a circuit burst to twice its bandwidth. */
export const BURST_FACTOR = 2;

const THROUGHPUT = new Set(["BitsInPerSecond", "BitsOutPerSecond"]);

export function withoutImpossibleThroughput(
  metrics: CircuitMetrics,
  bandwidthMbps: number | null,
): CircuitMetrics {
  if (bandwidthMbps === null || !(bandwidthMbps > 0)) return metrics;
  const limit = bandwidthMbps * 1e6 * BURST_FACTOR;
  const odd: OddPoint[] = [];
  // Almost every sweep finds none: look before copying each minute into an object.
  const over = (s: MetricSeries) => {
    let found = false;
    forEachMinute(s.points, (_, value) => {
      if (value !== null && !(value <= limit)) found = true;
    });
    return found;
  };
  const series = metrics.series.map((s): MetricSeries => {
    if (!THROUGHPUT.has(s.metric) || !over(s)) return s;
    let changed = false;
    const points = [...s.points].map((p) => {
      if (p.value === null || p.value <= limit) return p;
      changed = true;
      odd.push({
        metric: s.metric,
        peering: s.peering,
        path: s.path,
        at: p.at,
        value: String(p.value),
        reason: `more than twice the circuit's ${bandwidthMbps} Mbps, which it cannot carry`,
      });
      return { at: p.at, value: null };
    });
    return changed ? { ...s, points } : s;
  });
  if (odd.length === 0) return metrics;
  return { ...metrics, series, odd: [...(metrics.odd ?? []), ...odd] };
}

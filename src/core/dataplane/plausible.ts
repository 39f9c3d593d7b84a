// Throughput a circuit cannot carry. An ExpressRoute circuit over a provider's
// port is rate-limited to its bandwidth on each link, twice it across both,
// so a minute above that is Azure Monitor's error, not traffic: taken as
// traffic, one such minute on a stopped path reads as "flowing" for the whole
// window (the stop goes unpaged), and on a quiet one as saturation. It becomes
// a gap, named among the odd points. An ExpressRoute Direct circuit is
// rate-limited only when its owner enables rate limiting (off by default):
// without it a link carries up to its port (10 or 100 Gbps), so a 1 Gbps
// circuit on a 10 Gbps port at 2.5 Gbps is traffic, and saturation, not a gap
// (a monitoring-blind finding, the saturation unjudged).

import type { CircuitMetrics, MetricSeries, OddPoint } from "./facts.js";
import { forEachMinute } from "./points.js";
import { thousands } from "../text.js";

/** ExpressRoute lets a circuit burst to twice its bandwidth. */
export const BURST_FACTOR = 2;

const THROUGHPUT = new Set(["BitsInPerSecond", "BitsOutPerSecond"]);

export function withoutImpossibleThroughput(
  metrics: CircuitMetrics,
  bandwidthMbps: number | null,
  /** An ExpressRoute Direct circuit: bounded by its port, not its bandwidth (points.ts bounds every port). */
  circuit: { direct?: boolean } = {},
): CircuitMetrics {
  if (circuit.direct || bandwidthMbps === null || !(bandwidthMbps > 0)) return metrics;
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
        reason: `more than twice the circuit's ${thousands(bandwidthMbps)} Mbps, which it cannot carry`,
      });
      return { at: p.at, value: null };
    });
    return changed ? { ...s, points } : s;
  });
  if (odd.length === 0) return metrics;
  return { ...metrics, series, odd: [...(metrics.odd ?? []), ...odd] };
}

// Azure Monitor as the tiered sweep's cheap signal: one batch call tells, for
// up to 50 circuits, whether any BGP or ARP session dipped since the last
// sweep. A dip only sends the circuit to a deep read this sweep; it never
// pages on its own (metrics corroborate, the control plane decides). A gap is
// not a dip: Azure's pipeline is minutes late and sometimes silent, and the
// rotation still bounds how old a quiet circuit's readings get.

import type { CircuitMetrics } from "./facts.js";

const AVAILABILITY = new Set(["BgpAvailability", "ArpAvailability"]);

/** The lowest BGP / ARP availability under 100 % in the last `windowMinutes`, in words; null when none. */
export function metricsSignal(
  metrics: CircuitMetrics,
  now: Date,
  windowMinutes: number,
): string | null {
  const from = now.getTime() - windowMinutes * 60_000;
  let worst: { text: string; value: number } | null = null;
  for (const s of metrics.series) {
    if (!AVAILABILITY.has(s.metric)) continue;
    for (const p of s.points) {
      const at = Date.parse(p.at);
      if (p.value === null || !Number.isFinite(p.value) || !(at >= from) || p.value >= 100)
        continue;
      if (worst === null || p.value < worst.value)
        worst = {
          value: p.value,
          text: `Azure Monitor: ${s.metric} ${Math.round(p.value * 10) / 10} % on ${s.peering} ${s.path} at ${p.at}`,
        };
    }
  }
  return worst?.text ?? null;
}

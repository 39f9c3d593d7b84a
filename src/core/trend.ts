// Growth of the received-prefix count, from history samples, and when it will
// reach the limit at that rate: the warning that lets people summarise on a
// schedule instead of at 2 a.m.

import type { HistoryEntry, PrefixSample } from "./history.js";
import type { CircuitVerdict, Finding } from "./model.js";

export interface PrefixTrend {
  samples: number;
  /** Least-squares slope, prefixes per hour; null with fewer than two samples. */
  perHour: number | null;
  /** When the count reaches the limit at this rate; null when not growing. */
  reachesLimitAt: string | null;
}

export function prefixTrend(
  samples: Pick<PrefixSample, "at" | "after">[],
  current: { at: Date; count: number },
  limit: number,
): PrefixTrend {
  const points = [
    ...samples.map((s) => ({ t: Date.parse(s.at), y: s.after })),
    { t: current.at.getTime(), y: current.count },
  ];
  const unique = points.filter((p, i) => points.findIndex((q) => q.t === p.t) === i);
  if (unique.length < 2) return { samples: unique.length, perHour: null, reachesLimitAt: null };
  const hours = unique.map((p) => (p.t - (unique[0] as { t: number }).t) / 3_600_000);
  const meanX = hours.reduce((a, b) => a + b, 0) / hours.length;
  const meanY = unique.reduce((a, p) => a + p.y, 0) / unique.length;
  let num = 0;
  let den = 0;
  unique.forEach((p, i) => {
    const dx = (hours[i] as number) - meanX;
    num += dx * (p.y - meanY);
    den += dx * dx;
  });
  if (den === 0) return { samples: unique.length, perHour: null, reachesLimitAt: null };
  const perHour = Math.round((num / den) * 100) / 100;
  const reachesLimitAt =
    perHour > 0 && current.count < limit
      ? new Date(
          current.at.getTime() + ((limit - current.count) / (num / den)) * 3_600_000,
        ).toISOString()
      : null;
  return { samples: unique.length, perHour, reachesLimitAt };
}

/** Adds the growth trend of each near-limit path to its finding's evidence. */
export function withPrefixTrend(
  findings: Finding[],
  verdict: CircuitVerdict,
  history: HistoryEntry[],
  windowHours: number,
  now: Date,
): Finding[] {
  const since = now.getTime() - windowHours * 3_600_000;
  return findings.map((f) => {
    if (f.code !== "prefix-limit-near" || !f.peering) return f;
    const peering = verdict.peerings.find((p) => p.name === f.peering);
    const limit = typeof f.evidence.limit === "number" ? f.evidence.limit : null;
    const trend: Record<string, PrefixTrend> = {};
    for (const path of f.paths) {
      const count = peering?.prefixes[path];
      if (count === null || count === undefined || limit === null) continue;
      const samples = history.filter(
        (e): e is PrefixSample =>
          e.kind === "prefixes" &&
          e.peering === f.peering &&
          e.path === path &&
          Date.parse(e.at) >= since,
      );
      trend[path] = prefixTrend(samples, { at: now, count }, limit);
    }
    return { ...f, evidence: { ...f.evidence, trend } };
  });
}

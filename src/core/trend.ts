// Growth of the received-prefix count, from history samples, and when it will
// reach the limit at that rate: the warning that lets people summarise on a
// schedule instead of at 2 a.m.
//
// Only the current growth run is fitted: the samples since the last drop or
// outage (a path going down, a session reset, a fall of more than
// RUN_BREAK_PERCENT). An outage dip hours ago says nothing about today's
// growth, and fitting through it drags the slope (the demo's 09:10 estimate was
// 10:40 when the count passed 95 % at 09:15). Within the run, recent samples
// weigh more: a sample's weight halves every TREND_HALF_LIFE_MINUTES, so a
// count that jumped in the last quarter hour is extrapolated at today's pace.

import { thousands } from "./text.js";
import { sampleFamily, type HistoryEntry, type PrefixSample } from "./history.js";
import type { CircuitVerdict, Finding, PathName } from "./model.js";
import type { AddressFamily } from "./route-limits.js";
import { sameName } from "./names.js";

/** Three sweeps at the default 5-minute cadence. */
export const TREND_HALF_LIFE_MINUTES = 15;
/** A fall larger than this share of the count ends the growth run. */
export const RUN_BREAK_PERCENT = 5;

export interface PrefixTrend {
  /** Points in the fit: the run's samples and the current count. */
  samples: number;
  /** Weighted least-squares slope, prefixes per hour; null with fewer than two points. */
  perHour: number | null;
  /** When the count reaches the limit at this rate; null when not growing. */
  reachesLimitAt: string | null;
  /** When the growth run began (after the last drop or outage); null without samples. */
  since: string | null;
}

interface Point {
  t: number;
  y: number;
}

/** The points since the last drop or outage, oldest first, ending with the current count. */
function growthRun(points: Point[], outages: number[]): Point[] {
  const lastOutage = outages.length > 0 ? Math.max(...outages) : -Infinity;
  const run: Point[] = [];
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const p = points[i] as Point;
    if (p.t < lastOutage || p.y === 0) break;
    const next = run[0];
    // Walking back in time: an earlier count well above the later one is the drop.
    if (next && p.y - next.y > (p.y * RUN_BREAK_PERCENT) / 100) break;
    run.unshift(p);
  }
  return run;
}

export function prefixTrend(
  samples: Pick<PrefixSample, "at" | "after">[],
  current: { at: Date; count: number },
  limit: number,
  options: { outages?: string[]; halfLifeMinutes?: number } = {},
): PrefixTrend {
  const now = current.at.getTime();
  const byTime = new Map<number, number>();
  for (const s of samples) {
    const t = Date.parse(s.at);
    if (!Number.isNaN(t) && t <= now) byTime.set(t, s.after);
  }
  byTime.set(now, current.count);
  const points = [...byTime.entries()].map(([t, y]) => ({ t, y })).sort((a, b) => a.t - b.t);
  const run = growthRun(
    points,
    (options.outages ?? []).map((o) => Date.parse(o)).filter((t) => !Number.isNaN(t)),
  );
  const since = run.length > 1 ? new Date((run[0] as Point).t).toISOString() : null;
  if (run.length < 2) return { samples: run.length, perHour: null, reachesLimitAt: null, since };

  const halfLifeHours = (options.halfLifeMinutes ?? TREND_HALF_LIFE_MINUTES) / 60;
  const xs = run.map((p) => (p.t - now) / 3_600_000);
  const ws = xs.map((x) => 2 ** (x / halfLifeHours));
  const sumW = ws.reduce((a, b) => a + b, 0);
  const meanX = xs.reduce((a, x, i) => a + (ws[i] as number) * x, 0) / sumW;
  const meanY = run.reduce((a, p, i) => a + (ws[i] as number) * p.y, 0) / sumW;
  let num = 0;
  let den = 0;
  run.forEach((p, i) => {
    const w = ws[i] as number;
    const dx = (xs[i] as number) - meanX;
    num += w * dx * (p.y - meanY);
    den += w * dx * dx;
  });
  if (den === 0) return { samples: run.length, perHour: null, reachesLimitAt: null, since };
  const slope = num / den;
  const perHour = Math.round(slope * 100) / 100;
  const reachesLimitAt =
    perHour > 0 && current.count < limit
      ? new Date(now + ((limit - current.count) / slope) * 3_600_000).toISOString()
      : null;
  return { samples: run.length, perHour, reachesLimitAt, since };
}

/** When a growing count reaches `target` at the trend's rate; null when it is not growing or already there. */
export function reachesAt(
  trend: PrefixTrend,
  current: { at: Date; count: number },
  target: number,
) {
  if (trend.perHour === null || trend.perHour <= 0) return null;
  if (current.count >= target) return current.at.toISOString();
  return new Date(
    current.at.getTime() + ((target - current.count) / trend.perHour) * 3_600_000,
  ).toISOString();
}

/** "about 15 min", "about 3 h", "about 2 days": what a headline can carry. */
export function inAbout(minutes: number): string {
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `about ${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `about ${Math.round(hours)} h`;
  return `about ${Math.round(hours / 24)} days`;
}

/**
 * Adds the growth trend of each near-limit path to its finding's evidence, and
 * the soonest time to the limit to its headline ("reaches 4,000 in about 15 min").
 * The trend is the finding's family's: IPv6 samples and count against IPv6's
 * limit, never IPv4's counts (a steady 120 would say IPv6 is not growing).
 */
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
    const family: AddressFamily = f.evidence.family === "ipv6" ? "ipv6" : "ipv4";
    const peering = verdict.peerings.find((p) => p.name === f.peering);
    const counts = family === "ipv6" ? peering?.ipv6?.prefixes : peering?.prefixes;
    const limit = typeof f.evidence.limit === "number" ? f.evidence.limit : null;
    const trend: Partial<Record<PathName, PrefixTrend>> = {};
    let soonest: string | null = null;
    for (const path of f.paths) {
      const count = counts?.[path];
      if (count === null || count === undefined || limit === null) continue;
      const mine = history.filter(
        (e) =>
          e.kind !== "alert" &&
          sameName(e.peering, f.peering) &&
          e.path === path &&
          Date.parse(e.at) >= since,
      );
      const samples = mine.filter(
        (e): e is PrefixSample => e.kind === "prefixes" && sampleFamily(e) === family,
      );
      const outages = mine
        .filter(
          (e) =>
            // A reset of the other family's session does not restart this one's growth.
            (e.kind === "reset" && sampleFamily(e) === family) ||
            (e.kind === "transition" && e.layer === "path" && e.after === "down"),
        )
        .map((e) => e.at);
      const t = prefixTrend(samples, { at: now, count }, limit, { outages });
      trend[path] = t;
      if (t.reachesLimitAt && (soonest === null || t.reachesLimitAt < soonest))
        soonest = t.reachesLimitAt;
    }
    const title =
      soonest !== null && limit !== null
        ? `${f.title} — reaches ${thousands(limit)} in ${inAbout((Date.parse(soonest) - now.getTime()) / 60_000)}`
        : f.title;
    return { ...f, title, evidence: { ...f.evidence, trend } };
  });
}

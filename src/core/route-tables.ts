// The last received route table kept per path, so that after a prefix drop
// `erwatch diagnose --routes` can list the prefixes that vanished. Keeping a
// full table every sweep would be too costly (ARM POSTs, and a 10,000-route
// table is ~180 KB of JSON), so:
//   - the stateful sweep keeps a baseline: a few circuits per sweep whose kept
//     tables are missing or older than `keepEveryHours` have their route tables
//     read along with their normal read;
//   - `diagnose --routes` with state configured keeps what it read.
// A table is only kept for a path that is Established with prefixes and has no
// drop in force: while a drop lasts, the kept table is the one from before it.
// Pure: what to read, what to keep and what vanished; the app does the I/O.

import { CLOCK_SKEW_MS, storedInstant } from "./instant.js";
import { sessionCarries } from "./path-analysis.js";
import type { CircuitReading, CircuitVerdict, PathName, RouteRow } from "./model.js";
import { PATHS } from "./model.js";
import type { Snapshot } from "./snapshot.js";
import { byName } from "./names.js";

export interface RouteTablePolicy {
  /** Keep a fresh table for each healthy path at least this often. */
  keepEveryHours: number;
  /** At most this many circuits have their route tables read per sweep (0: never). */
  perSweep: number;
}

export const DEFAULT_ROUTE_TABLE_POLICY: RouteTablePolicy = { keepEveryHours: 24, perSweep: 2 };

export interface KeptRouteTable {
  circuitId: string;
  peering: string;
  path: PathName;
  /** When the table was read. */
  readAt: string;
  /** The received networks, sorted, each once. */
  networks: string[];
}

/** When the sweep last read a circuit's route tables, kept or not (a failed read is not retried every sweep). */
export interface KeptTableMark {
  circuitId: string;
  attemptedAt: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** IPv4 networks in address order (then prefix length), before anything else in text order. */
export function compareNetworks(a: string, b: string): number {
  const x = IPV4.exec(a);
  const y = IPV4.exec(b);
  if (x && y) {
    for (let i = 1; i <= 5; i += 1) {
      const d = Number(x[i] ?? 32) - Number(y[i] ?? 32);
      if (d !== 0) return d;
    }
    return 0;
  }
  if (x) return -1;
  if (y) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function networksOf(rows: RouteRow[]): string[] {
  return [...new Set(rows.map((r) => r.network.trim()).filter((n) => n.length > 0))].sort(
    compareNetworks,
  );
}

const lower = (s: string) => s.toLowerCase();

/** Paths whose table may be kept now: Established with prefixes, no drop in force. */
export function keepablePaths(
  verdict: CircuitVerdict,
  dropped: (peering: string) => PathName[],
): { peering: string; path: PathName }[] {
  return verdict.peerings.flatMap((p) =>
    PATHS.filter(
      (path) =>
        sessionCarries(p.paths[path].bgp) &&
        // Either family receiving is a table worth keeping: an IPv6-only session has no IPv4 count.
        ((p.prefixes[path] ?? 0) > 0 || (p.ipv6?.prefixes[path] ?? 0) > 0) &&
        !dropped(p.name).includes(path),
    ).map((path) => ({ peering: p.name, path })),
  );
}

/** The paths a prefix-drop finding of this verdict covers: their kept tables are frozen. */
export function droppedPathsOf(verdict: CircuitVerdict) {
  return (peering: string): PathName[] =>
    verdict.findings
      .filter((f) => f.code === "prefix-drop" && f.peering === peering)
      .flatMap((f) => f.paths);
}

/** The paths with a drop (of either family) in force in a stored snapshot (whatever the count is now). */
export function droppedPathsIn(snapshot: Snapshot | null) {
  return (peering: string): PathName[] => {
    const stored = byName(snapshot?.peerings, peering);
    return PATHS.filter((p) => stored?.drops?.[p] || stored?.ipv6Drops?.[p]);
  };
}

/**
 * Which circuits should have their route tables read this sweep: never tried
 * first, then the longest since the last attempt, at most `perSweep`.
 */
export function baselineDue(
  circuitIds: string[],
  marks: KeptTableMark[],
  policy: RouteTablePolicy,
  now: Date,
): string[] {
  if (policy.perSweep <= 0) return [];
  const staleBefore = now.getTime() - policy.keepEveryHours * 3_600_000;
  const last = new Map<string, number>();
  for (const m of marks) {
    // A mark that is not an instant, or is ahead of now by more than clocks differ,
    // says nothing: never tried ("42" read as the year 2042 kept a circuit's
    // baseline from being read for good).
    const t = storedInstant(m.attemptedAt);
    if (t !== null && t <= now.getTime() + CLOCK_SKEW_MS)
      last.set(lower(m.circuitId), Math.max(last.get(lower(m.circuitId)) ?? t, t));
  }
  return circuitIds
    .map((id) => ({ id, t: last.get(lower(id)) ?? -Infinity }))
    .filter((c) => c.t <= staleBefore)
    .sort((a, b) => a.t - b.t)
    .slice(0, policy.perSweep)
    .map((c) => c.id);
}

/** The tables to keep from a reading that carries route tables (a path whose read failed keeps its old one). */
export function tablesToKeep(
  reading: CircuitReading,
  keepable: { peering: string; path: PathName }[],
): KeptRouteTable[] {
  const keep: KeptRouteTable[] = [];
  for (const { peering, path } of keepable) {
    const routes = reading.paths[peering]?.[path]?.routes;
    if (routes?.ok && routes.value.length > 0)
      keep.push({
        circuitId: reading.ref.id,
        peering,
        path,
        readAt: routes.readAt,
        networks: networksOf(routes.value),
      });
  }
  return keep;
}

export interface RouteChange {
  peering: string;
  path: PathName;
  /** The kept table compared with; null when none was kept for the path. */
  keptAt: string | null;
  kept: number | null;
  now: number;
  /** In the kept table, not received now. */
  vanished: string[];
  /** Received now, not in the kept table. */
  appeared: string[];
  /** The kept table is frozen: it is the one from before a drop still in force. */
  frozenByDrop: boolean;
}

/**
 * The table kept for the path, the newest of them: a table is kept under the
 * peering's name as ARM spelt it, so a peering ARM has since spelt in another
 * case has its older table under the old spelling too, and that one is stale.
 */
function keptFor(kept: KeptRouteTable[], peering: string, path: PathName) {
  // A time that is not an instant is older than any ("42" was the year 2042: the newest for good).
  const readAtOf = (k: KeptRouteTable) => storedInstant(k.readAt) ?? Number.NEGATIVE_INFINITY;
  let newest: KeptRouteTable | undefined;
  for (const k of kept)
    if (
      lower(k.peering) === lower(peering) &&
      k.path === path &&
      (!newest || readAtOf(k) > readAtOf(newest))
    )
      newest = k;
  return newest;
}

/** Compares each path's route table read now with the one kept for it. */
export function routeChanges(
  reading: CircuitReading,
  kept: KeptRouteTable[],
  droppedPaths: (peering: string) => PathName[],
): RouteChange[] {
  const out: RouteChange[] = [];
  for (const [peering, byPath] of Object.entries(reading.paths)) {
    for (const path of PATHS) {
      const routes = byPath[path].routes;
      if (!routes?.ok) continue;
      const current = networksOf(routes.value);
      const before = keptFor(kept, peering, path);
      const had = new Set(before?.networks ?? []);
      const has = new Set(current);
      out.push({
        peering,
        path,
        keptAt: before?.readAt ?? null,
        kept: before ? before.networks.length : null,
        now: current.length,
        vanished: before ? before.networks.filter((n) => !has.has(n)) : [],
        appeared: before ? current.filter((n) => !had.has(n)) : [],
        frozenByDrop: droppedPaths(peering).includes(path),
      });
    }
  }
  return out;
}

/** The reading as the sweep judges it: route tables read for the baseline are bookkeeping, not a monitored read. */
export function withoutRouteTables(reading: CircuitReading): CircuitReading {
  const paths: CircuitReading["paths"] = {};
  for (const [peering, byPath] of Object.entries(reading.paths)) {
    const strip = (p: (typeof byPath)[PathName]) => ({ arp: p.arp, summary: p.summary });
    paths[peering] = { primary: strip(byPath.primary), secondary: strip(byPath.secondary) };
  }
  return { ...reading, paths };
}

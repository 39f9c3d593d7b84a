// A sudden fall of the received-prefix count on a session that stayed
// Established (3,000 → 40 between two sweeps) is route advertisement failing
// while every headline stays green: a route-map or redistribution change on
// your edge, a withdrawn aggregate. Zero is `no-prefixes-received`; this is
// the partial loss nothing else sees.
//
// The drop is kept in the snapshot (before, after, when) and stays a finding
// while the count stays down, until it recovers or `holdHours` pass: by then
// the lower count is the new normal (an intended summarisation looks the same;
// a silence keeps it quiet meanwhile).
//
// IPv4 and IPv6 counts are judged apart, each against its own numbers and
// limit: 90 → 10 IPv6 prefixes is a drop however steady IPv4 stays, and the
// two are never added up (3,090 → 3,010 would hide it).
//
// Own family, not route-limit: the near-limit warning and a drop are different
// incidents with different next actions, can be true on different paths at
// once, and must not share one alert's title, severity and lifecycle.

import { storedInstant } from "./instant.js";
import { thousands } from "./text.js";
import { sessionCarries } from "./path-analysis.js";
import { sampleFamily, type SessionReset } from "./history.js";
import type { CircuitVerdict, Finding, PathName, Severity } from "./model.js";
import { PATHS } from "./model.js";
import type { AddressFamily } from "./route-limits.js";
import type { PrefixDrop, Snapshot } from "./snapshot.js";
import { byName, DIAGNOSE_CIRCUIT, sameName } from "./names.js";

export interface PrefixDropPolicy {
  /** A drop leaves fewer than this share of the previous count… */
  belowPercent: number;
  /** …and removes at least this many prefixes. */
  minPrefixes: number;
  /** After this long the lower count is accepted as the new normal. */
  holdHours: number;
}

export const DEFAULT_PREFIX_DROP_POLICY: PrefixDropPolicy = {
  belowPercent: 50,
  minPrefixes: 50,
  holdHours: 12,
};

/**
 * Whether `before` → `after` is a drop. The least removed is `minPrefixes`,
 * but at most half the family's route limit (`limit`, when known): a
 * `minPrefixes` set for a private peering's 4,000 routes (200, say) would
 * otherwise switch drops off, silently, for IPv6 (100) and the Microsoft
 * peering (200), whose whole count is below it.
 */
export function isDrop(
  before: number,
  after: number,
  policy: PrefixDropPolicy,
  limit: number | null = null,
): boolean {
  const least = limit === null ? policy.minPrefixes : Math.min(policy.minPrefixes, limit / 2);
  return after < (before * policy.belowPercent) / 100 && before - after >= least;
}

export interface DropResult {
  /** peering → path → the IPv4 drop still in force, for the next snapshot. */
  drops: Record<string, Record<PathName, PrefixDrop | null>>;
  /** The same for IPv6, for peerings that have an IPv6 count. */
  ipv6Drops: Record<string, Record<PathName, PrefixDrop | null>>;
  findings: Finding[];
}

interface ActiveDrop {
  path: PathName;
  family: AddressFamily;
  drop: PrefixDrop;
  count: number;
}

function dropFinding(peering: string, active: ActiveDrop[], policy: PrefixDropPolicy): Finding {
  const paths = PATHS.filter((p) => active.some((a) => a.path === p));
  // Sev1 when one family's routes fell on both paths. IPv4 falling on the
  // primary while IPv6 falls on the secondary leaves each family its routes on
  // the other path (as flapping.ts judges it): redundancy at risk, Sev2, not
  // the Sev1 the union of their paths paged before.
  const bothFor = (family: AddressFamily) =>
    PATHS.every((p) => active.some((a) => a.path === p && a.family === family));
  const severity: Severity = bothFor("ipv4") || bothFor("ipv6") ? "Sev1" : "Sev2";
  const where = `the ${paths.join(" and ")} path${paths.length > 1 ? "s" : ""} of ${peering}`;
  const change = (a: ActiveDrop) =>
    `${a.family === "ipv6" ? "IPv6 " : ""}${thousands(a.drop.before)} → ${thousands(a.drop.after)}${a.count !== a.drop.after ? ` (now ${thousands(a.count)})` : ""}`;
  const what =
    paths.length === 1
      ? active.map(change).join(", ")
      : active.map((a) => `${a.path} ${change(a)}`).join(", ");
  const evidenceOf = (family: AddressFamily) =>
    Object.fromEntries(
      active
        .filter((a) => a.family === family)
        .map((a) => [
          a.path,
          {
            at: a.drop.at,
            before: a.drop.before,
            after: a.drop.after,
            now: a.count,
            limit: a.drop.limit,
          },
        ]),
    );
  const v6 = active.some((a) => a.family === "ipv6");
  return {
    code: "prefix-drop",
    layer: "routes",
    owner: "you",
    severity,
    peering,
    paths,
    title: `Received prefixes dropped on ${where}: ${what} while the session stayed Established`,
    evidence: {
      drops: evidenceOf("ipv4"),
      ...(v6 ? { ipv6Drops: evidenceOf("ipv6") } : {}),
      threshold: { belowPercent: policy.belowPercent, minPrefixes: policy.minPrefixes },
    },
    nextAction: `The session${paths.length > 1 ? "s" : ""} stayed up but most routes vanished: check what your edge stopped announcing (a route-map or redistribution change, a withdrawn aggregate, an on-premises router that lost its routes). \`${DIAGNOSE_CIRCUIT} --routes\` lists the prefixes that vanished against the last route table kept for the path. If the drop was intended (summarisation), it clears by itself after ${policy.holdHours} h or when the count returns; a silence keeps it quiet meanwhile. Not a carrier ticket.`,
  };
}

/**
 * A fall from at or above the route limit's warning line is the summarisation
 * the near-limit alert asked for, not routes lost: it is not a drop.
 */
function summarised(lastCount: number, limit: number | null, warnPercent: number): boolean {
  return limit !== null && limit > 0 && (lastCount / limit) * 100 >= warnPercent;
}

/** One family's counts on a peering, now and at the last sweep. */
interface FamilyCounts {
  family: AddressFamily;
  counts: Record<PathName, number | null>;
  limits: Record<PathName, number | null>;
  lastCounts: Record<PathName, number | null> | undefined;
  existing: Record<PathName, PrefixDrop | null> | undefined;
  /** Whether the previous read saw this family's session Established on the path. */
  wasEstablished: (path: PathName) => boolean;
}

export function prefixDrops(
  previous: Snapshot | null,
  verdict: CircuitVerdict,
  resets: SessionReset[],
  policy: PrefixDropPolicy,
  now: Date,
  warnPercent = 100,
  /**
   * How early a tick may come and still end the hold (policy.ts
   * tickSlackMs): measured to the millisecond, a drop seen by a tick a
   * second late was held a sweep past holdHours.
   */
  tickSlackMs = 0,
): DropResult {
  const drops: DropResult["drops"] = {};
  const ipv6Drops: DropResult["ipv6Drops"] = {};
  const findings: Finding[] = [];
  // Nothing read: nothing changes.
  if (!verdict.circuitRead) {
    for (const [name, p] of Object.entries(previous?.peerings ?? {})) {
      if (p.drops) drops[name] = p.drops;
      if (p.ipv6Drops) ipv6Drops[name] = p.ipv6Drops;
    }
    return { drops, ipv6Drops, findings };
  }
  for (const peering of verdict.peerings) {
    const before = byName(previous?.peerings, peering.name);
    const bgpBefore = (path: PathName) => before?.paths[path]?.bgp ?? null;
    const families: FamilyCounts[] = [
      {
        family: "ipv4",
        counts: peering.prefixes,
        limits: peering.limits,
        lastCounts: before?.prefixes,
        existing: before?.drops,
        wasEstablished: (path) => sessionCarries(bgpBefore(path)),
      },
    ];
    // A BGP row that was a warning had the IPv6 session down (IPv4 carried on).
    if (peering.ipv6 || before?.ipv6Drops)
      families.push({
        family: "ipv6",
        counts: peering.ipv6?.prefixes ?? { primary: null, secondary: null },
        limits: peering.ipv6?.limits ?? { primary: null, secondary: null },
        lastCounts: before?.ipv6Prefixes,
        existing: before?.ipv6Drops,
        wasEstablished: (path) => bgpBefore(path)?.status === "up",
      });
    const active: ActiveDrop[] = [];
    for (const f of families) {
      const out = {} as Record<PathName, PrefixDrop | null>;
      for (const path of PATHS) {
        const count = f.counts[path];
        const existing = f.existing?.[path] ?? null;
        // Not Established (or unread): the path alerts speak; the drop is kept as it was.
        if (count === null) {
          out[path] = existing;
          continue;
        }
        let drop = existing;
        if (drop) {
          // Kept at a time that is not an instant (core/instant.ts), its age is
          // unknown: over, not held for good (Date.parse's NaN never expired).
          const since = storedInstant(drop.at);
          const expired =
            since === null || now.getTime() - since >= policy.holdHours * 3_600_000 - tickSlackMs;
          if (expired || !isDrop(drop.before, count, policy, drop.limit ?? f.limits[path]))
            drop = null;
        } else {
          const lastCount = f.lastCounts?.[path] ?? null;
          // Only this family's own session coming back explains its refill; IPv6 resetting says nothing of IPv4's count.
          const reset = resets.some(
            (r) =>
              sameName(r.peering, peering.name) && r.path === path && sampleFamily(r) === f.family,
          );
          if (
            f.wasEstablished(path) &&
            !reset &&
            lastCount !== null &&
            count > 0 &&
            isDrop(lastCount, count, policy, f.limits[path]) &&
            !summarised(lastCount, f.limits[path], warnPercent)
          )
            drop = {
              at: now.toISOString(),
              before: lastCount,
              after: count,
              limit: f.limits[path],
            };
        }
        out[path] = drop;
        // Zero is no-prefixes-received's: one finding per broken thing.
        if (drop && count > 0) active.push({ path, family: f.family, drop, count });
      }
      if (f.family === "ipv4") drops[peering.name] = out;
      else ipv6Drops[peering.name] = out;
    }
    if (active.length > 0) findings.push(dropFinding(peering.name, active, policy));
  }
  return { drops, ipv6Drops, findings };
}

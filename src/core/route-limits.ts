// Published ExpressRoute route limits (routes Microsoft accepts from you per
// session). Crossing one drops the session rather than degrading it, which is
// why erwatch warns on the way up.

export type AddressFamily = "ipv4" | "ipv6";

export interface RouteLimitSettings {
  privateStandardIpv4: number;
  privatePremiumIpv4: number;
  privateIpv6: number;
  microsoft: number;
  warnPercent: number;
  criticalPercent: number;
  /**
   * How far under a line a count that reached it must fall before it is below
   * it again, in points of the limit: a count hovering at the line is one
   * warning, not one opened and resolved (or Sev2 and Sev3 in turn) every few
   * sweeps.
   */
  clearMarginPercent: number;
}

export const DEFAULT_ROUTE_LIMITS: RouteLimitSettings = {
  privateStandardIpv4: 4000,
  privatePremiumIpv4: 10000,
  privateIpv6: 100,
  microsoft: 200,
  warnPercent: 80,
  criticalPercent: 95,
  clearMarginPercent: 2,
};

/** Tiers that carry the Premium add-on's larger private-peering table. */
const PREMIUM_TIERS = new Set(["premium"]);
/** Tiers documented with Standard's private-peering table. */
const STANDARD_TIERS = new Set(["standard", "local", "basic"]);

export function routeLimitFor(
  peeringType: string,
  skuTier: string | null,
  family: AddressFamily,
  limits: RouteLimitSettings,
): number {
  if (peeringType.toLowerCase() === "microsoftpeering") return limits.microsoft;
  if (family === "ipv6") return limits.privateIpv6;
  return PREMIUM_TIERS.has((skuTier ?? "").toLowerCase())
    ? limits.privatePremiumIpv4
    : limits.privateStandardIpv4;
}

/**
 * Why a private IPv4 session's limit is Standard's only by assumption (the tier
 * ARM gave does not say which table the circuit has), or null when the tier
 * decides it or the limit does not depend on the tier. Standard's is the lower
 * table, so the assumption can warn early but never late; the operator still
 * has to be told the number is a guess.
 */
export function limitAssumption(
  peeringType: string,
  skuTier: string | null,
  family: AddressFamily,
): string | null {
  if (peeringType.toLowerCase() === "microsoftpeering" || family === "ipv6") return null;
  if (skuTier === null) return "the circuit's SKU tier is not reported";
  const tier = skuTier.trim().toLowerCase();
  if (PREMIUM_TIERS.has(tier) || STANDARD_TIERS.has(tier)) return null;
  return `the circuit's SKU tier "${skuTier}" has no known route limit`;
}

export type PrefixLoad = "ok" | "warn" | "critical";

/** Each address family's load on one path, as judged at a sweep (ok left out). */
export type FamilyLoads = Partial<Record<AddressFamily, PrefixLoad>>;

/**
 * A count's share of its limit as people read it, to one decimal: rounded,
 * except never up onto a line the count has not reached (the warning and
 * critical shares, and the limit itself). 3,799 of 4,000 is 94.975 %: "95%"
 * beside a Sev3 read as the Sev2 line, and 3,999 of 4,000 as "100%" of a
 * limit the session is still under.
 */
export function shownPercent(count: number, limit: number, lines: readonly number[]): number {
  if (limit <= 0) return 0;
  const exact = (count / limit) * 100;
  const rounded = Math.round((count * 1000) / limit) / 10;
  const crosses = lines.some((line) => exact < line && rounded >= line);
  return crosses ? Math.floor((count * 1000) / limit) / 10 : rounded;
}

/**
 * A count's load against its limit. `was`, the load the same session's family
 * had at the last sweep that read it, lowers the line it already reached by
 * `clearMarginPercent`: 3,199 of 4,000 after 3,201 stays a warning, so a
 * count at the line does not resolve and reopen its alert every 20 minutes,
 * nor de-escalate and escalate at every sweep at 95 %.
 */
export function prefixLoad(
  count: number,
  limit: number,
  limits: RouteLimitSettings,
  was: PrefixLoad | null = null,
): { load: PrefixLoad; percent: number } {
  // Compare the exact ratio; round only what people read, or 79.98 % warns.
  const exact = limit > 0 ? (count / limit) * 100 : 0;
  const percent = shownPercent(count, limit, [limits.warnPercent, limits.criticalPercent, 100]);
  const margin = limits.clearMarginPercent;
  const critical = limits.criticalPercent - (was === "critical" ? margin : 0);
  const warn = limits.warnPercent - (was === "critical" || was === "warn" ? margin : 0);
  if (exact >= critical) return { load: "critical", percent };
  if (exact >= warn) return { load: "warn", percent };
  return { load: "ok", percent };
}

/** The heaviest load of each family among these sessions, ok left out. */
export function loadsOf(
  neighbors: readonly { family: AddressFamily; load: PrefixLoad | null }[],
): FamilyLoads {
  const out: FamilyLoads = {};
  for (const n of neighbors) {
    if (n.load !== "warn" && n.load !== "critical") continue;
    if (out[n.family] !== "critical") out[n.family] = n.load;
  }
  return out;
}

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
}

export const DEFAULT_ROUTE_LIMITS: RouteLimitSettings = {
  privateStandardIpv4: 4000,
  privatePremiumIpv4: 10000,
  privateIpv6: 100,
  microsoft: 200,
  warnPercent: 80,
  criticalPercent: 95,
};

/** Tiers that carry the Premium add-on's larger private-peering table. */
const PREMIUM_TIERS = new Set(["premium"]);

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

export type PrefixLoad = "ok" | "warn" | "critical";

export function prefixLoad(
  count: number,
  limit: number,
  limits: RouteLimitSettings,
): { load: PrefixLoad; percent: number } {
  // Compare the exact ratio; round only what people read, or 79.98 % warns.
  const exact = limit > 0 ? (count / limit) * 100 : 0;
  const percent = Math.round(exact * 10) / 10;
  if (exact >= limits.criticalPercent) return { load: "critical", percent };
  if (exact >= limits.warnPercent) return { load: "warn", percent };
  return { load: "ok", percent };
}

// Why a family's session flaps, after the runbook, judged on that family's
// own evidence: a neighbor of that family shut as `Idle (PfxCt)`, or that
// family's received-prefix count near its own limit, is the route limit
// resetting the session (yours: summarise). Otherwise an IPv4 flap is layer 1
// (a marginal optic, an errored link: the carrier's), and an IPv6 one is the
// IPv6 session's configuration: its changes are seen while IPv4 stays
// Established on the same link, so they are never layer 1.
//
// The families never judge each other: Microsoft shuts only the neighbor that
// exceeds its maximum prefixes, so an IPv6 session at its limit of 100 resets
// IPv6 alone and takes no carrier ticket from an IPv4 layer-1 flap, and IPv4's
// count near its own limit resets no IPv6 session.

import { thousands } from "./text.js";
import { sampleFamily, type PrefixSample } from "./history.js";
import type { FlapHistory } from "./flap-history.js";
import type { PeeringVerdict } from "./model.js";
import { PATHS } from "./model.js";
import { shownPercent, type AddressFamily } from "./route-limits.js";

export type FlapCause = "route-limit" | "layer-1" | "ipv6-session";

export interface FlapJudgement {
  cause: FlapCause;
  why: string;
  /** The `Idle (PfxCt)` seen for this family: when and where, or now. */
  pfxCt: string | null;
  /** This family's sample nearest its limit, when one sat at or over the warning share. */
  nearLimit: PrefixSample | null;
}

// Never "100 %" of a limit the count is still under (route-limits.ts shownPercent).
const pct = (count: number, limit: number) => shownPercent(count, limit, [100]);

/** What a sample counts: IPv4 keeps the words people have always read here. */
const countWords = (s: PrefixSample) =>
  sampleFamily(s) === "ipv6" ? "received IPv6 prefix count" : "received-prefix count";

/** A BGP row naming an IPv6 neighbor down beside Established IPv4 starts "IPv6 …" (path-analysis.ts). */
const SHUT: Record<AddressFamily, RegExp> = {
  ipv4: /^(?!IPv6 ).*pfxct/i,
  ipv6: /^IPv6 .*pfxct/i,
};

/** The family's neighbor shut at its limit and its count near the limit, in the window or now. */
function limitEvidence(
  family: AddressFamily,
  h: FlapHistory,
  current: PeeringVerdict | undefined,
  warnPercent: number,
): Pick<FlapJudgement, "pfxCt" | "nearLimit"> {
  const shut = SHUT[family];
  const pfxTransition = (family === "ipv6" ? h.ipv6 : h.bgp).find((t) => shut.test(t.afterDetail));
  const pfxNow = current ? PATHS.find((p) => shut.test(current.paths[p].bgp.detail)) : undefined;
  const pfxCt = pfxTransition
    ? `${pfxTransition.at} ${pfxTransition.path}: ${pfxTransition.afterDetail}`
    : pfxNow && current
      ? `now ${pfxNow}: ${current.paths[pfxNow].bgp.detail}`
      : null;
  const nearLimit =
    h.samples
      .filter(
        (s) =>
          sampleFamily(s) === family &&
          s.limit !== null &&
          s.limit > 0 &&
          (s.after / s.limit) * 100 >= warnPercent,
      )
      .sort((a, b) => b.after / (b.limit as number) - a.after / (a.limit as number))[0] ?? null;
  return { pfxCt, nearLimit };
}

/** The highest count of each family with a known limit. */
function highestCounts(h: FlapHistory): PrefixSample[] {
  return (["ipv4", "ipv6"] as const)
    .map((family) =>
      h.samples
        .filter((s) => sampleFamily(s) === family && s.limit)
        .reduce<PrefixSample | null>((a, s) => (a === null || s.after > a.after ? s : a), null),
    )
    .filter((s): s is PrefixSample => s !== null);
}

/**
 * Layer 1 with every family healthy says so for each. With the IPv6 session at
 * its own limit beside it, the carrier reads why that is not this flap's cause.
 */
function layer1Why(h: FlapHistory, ipv6: Pick<FlapJudgement, "pfxCt" | "nearLimit">): string {
  const highest = highestCounts(h);
  const { pfxCt, nearLimit } = ipv6;
  const ipv6AtLimit =
    pfxCt ??
    (nearLimit
      ? `${thousands(nearLimit.after)} of ${thousands(nearLimit.limit as number)} on the ${nearLimit.path} path`
      : null);
  if (ipv6AtLimit === null)
    return highest.length > 0
      ? `the received prefixes stayed healthy (at most ${highest.map((s) => `${thousands(s.after)} of ${thousands(s.limit as number)}${sampleFamily(s) === "ipv6" ? " IPv6" : highest.length > 1 ? " IPv4" : ""}`).join(", ")}) and no Idle (PfxCt) was seen`
      : "the received prefixes stayed healthy and no Idle (PfxCt) was seen";
  const v4 = highest.find((s) => sampleFamily(s) === "ipv4");
  return (
    `the received IPv4 prefixes stayed healthy${v4 ? ` (at most ${thousands(v4.after)} of ${thousands(v4.limit as number)})` : ""} and no IPv4 neighbor was shut as Idle (PfxCt); ` +
    `the IPv6 session at its own limit (${ipv6AtLimit}) resets IPv6 alone, never the path`
  );
}

export function flapCause(
  family: AddressFamily,
  h: FlapHistory,
  current: PeeringVerdict | undefined,
  warnPercent: number,
): FlapJudgement {
  const { pfxCt, nearLimit } = limitEvidence(family, h, current, warnPercent);
  if (pfxCt)
    return {
      cause: "route-limit",
      why: `the neighbor was shut for exceeding its maximum prefixes (${pfxCt})`,
      pfxCt,
      nearLimit,
    };
  if (nearLimit)
    return {
      cause: "route-limit",
      why: `the ${countWords(nearLimit)} sat at ${thousands(nearLimit.after)} of ${thousands(nearLimit.limit as number)} (${pct(nearLimit.after, nearLimit.limit as number)} %) on the ${nearLimit.path} path while it flapped`,
      pfxCt,
      nearLimit,
    };
  if (family === "ipv6")
    return {
      cause: "ipv6-session",
      why: "only the IPv6 session went down and came back while IPv4 stayed Established on the same link, with the received IPv6 prefixes healthy and no Idle (PfxCt) seen",
      pfxCt,
      nearLimit,
    };
  return {
    cause: "layer-1",
    why: layer1Why(h, limitEvidence("ipv6", h, current, warnPercent)),
    pfxCt,
    nearLimit,
  };
}

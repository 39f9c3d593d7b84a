// A session that keeps going up and down gets one alert, not a stream of
// open/resolve pairs. Changes are the path's up/down transitions plus the
// resets seen only in the session uptime (each one down and up again: two).
//
// IPv4 and IPv6 are counted apart. An IPv6 session going down beside an
// Established IPv4 one does not stop the path (its BGP row warns, `IPv6 Idle
// (PfxCt); IPv4 Established`), so its changes are that row's up ↔ warn
// transitions and its own resets, never added to the path's: an IPv6 session
// shut at its limit every few minutes is an IPv6 flap, and an IPv4 layer-1
// flap is counted on IPv4's changes alone.
//
// The cause follows the runbook: a flap while a received-prefix count sits
// near its route limit, or with a neighbor shut as `Idle (PfxCt)`, is the
// route limit resetting the session (yours: summarise); a flap with every
// count healthy is layer 1 (a marginal optic, an errored link: the carrier's,
// with the ARP and route summaries over time as the ticket's evidence). IPv4
// and IPv6 are judged apart, each against its own limit. Only IPv6 flapping
// while IPv4 stays up is never layer 1 (the link carries IPv4 throughout): at
// a healthy IPv6 count it is the IPv6 session's configuration.
//
// One path flapping is redundancy at risk (Sev2); both paths flapping means
// traffic on the peering keeps stopping (Sev1). Only IPv6 flapping, IPv4
// carrying: Sev3 on one path (IPv6 redundancy at risk), Sev2 on both (IPv6
// traffic keeps stopping), as an IPv6 session down beside IPv4 is graded below
// a session down.

import {
  sampleFamily,
  type HistoryEntry,
  type LayerTransition,
  type PrefixSample,
  type SessionReset,
} from "./history.js";
import type { CircuitVerdict, Finding, PathName, Severity } from "./model.js";
import { PATHS } from "./model.js";

export interface FlapPolicy {
  /** A path flaps with more than this many changes in the window. */
  transitions: number;
  windowMinutes: number;
}

export type FlapCause = "route-limit" | "layer-1" | "ipv6-session";

const fmt = (n: number) => n.toLocaleString("en-US");
const pct = (count: number, limit: number) => Math.round((count / limit) * 1000) / 10;

interface PeeringHistory {
  paths: LayerTransition[];
  arp: LayerTransition[];
  bgp: LayerTransition[];
  /** The BGP row's up ↔ warn changes: an IPv6 session down and up beside an Established IPv4 one. */
  ipv6: LayerTransition[];
  resets: SessionReset[];
  samples: PrefixSample[];
}

/**
 * An IPv6 session going down or coming back while IPv4 stays Established: the
 * BGP row warns only for that (path-analysis.ts), so up ↔ warn is exactly it.
 * History written before IPv6 changes were counted holds these rows already.
 */
const ipv6SessionChange = (t: LayerTransition) =>
  t.layer === "bgp" &&
  ((t.before === "up" && t.after === "warn") || (t.before === "warn" && t.after === "up"));

/** What a sample counts: IPv4 keeps the words people have always read here. */
const countWords = (s: PrefixSample) =>
  sampleFamily(s) === "ipv6" ? "received IPv6 prefix count" : "received-prefix count";

function causeOf(
  h: PeeringHistory,
  current: CircuitVerdict["peerings"][number] | undefined,
  warnPercent: number,
  ipv6Only: boolean,
): { cause: FlapCause; why: string; pfxCt: string | null; nearLimit: PrefixSample | null } {
  // Only IPv6 flapping: an IPv6 neighbor shut at its limit, not an IPv4 one.
  const shut = ipv6Only ? /^IPv6 .*pfxct/i : /pfxct/i;
  const pfxTransition = (ipv6Only ? h.ipv6 : h.bgp).find((t) => shut.test(t.afterDetail));
  const pfxNow = current ? PATHS.find((p) => shut.test(current.paths[p].bgp.detail)) : undefined;
  const pfxCt = pfxTransition
    ? `${pfxTransition.at} ${pfxTransition.path}: ${pfxTransition.afterDetail}`
    : pfxNow && current
      ? `now ${pfxNow}: ${current.paths[pfxNow].bgp.detail}`
      : null;
  // Each sample against its own family's limit: an IPv6 session at 98 of 100 is
  // the route limit however healthy the IPv4 count beside it.
  // Only IPv6 flapping: IPv4's count, however near its own limit, resets no IPv6 session.
  const samples = ipv6Only ? h.samples.filter((s) => sampleFamily(s) === "ipv6") : h.samples;
  const nearLimit =
    [...samples]
      .filter((s) => s.limit !== null && s.limit > 0 && (s.after / s.limit) * 100 >= warnPercent)
      .sort((a, b) => b.after / (b.limit as number) - a.after / (a.limit as number))[0] ?? null;
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
      why: `the ${countWords(nearLimit)} sat at ${fmt(nearLimit.after)} of ${fmt(nearLimit.limit as number)} (${pct(nearLimit.after, nearLimit.limit as number)} %) on the ${nearLimit.path} path while it flapped`,
      pfxCt,
      nearLimit,
    };
  if (ipv6Only)
    return {
      cause: "ipv6-session",
      why: "only the IPv6 session went down and came back while IPv4 stayed Established on the same link, with the received IPv6 prefixes healthy and no Idle (PfxCt) seen",
      pfxCt,
      nearLimit,
    };
  // Layer 1 is only claimed when every family stayed healthy: say so for each.
  const highest = (["ipv4", "ipv6"] as const)
    .map((family) =>
      h.samples
        .filter((s) => sampleFamily(s) === family && s.limit)
        .reduce<PrefixSample | null>((a, s) => (a === null || s.after > a.after ? s : a), null),
    )
    .filter((s): s is PrefixSample => s !== null);
  return {
    cause: "layer-1",
    why:
      highest.length > 0
        ? `the received prefixes stayed healthy (at most ${highest.map((s) => `${fmt(s.after)} of ${fmt(s.limit as number)}${sampleFamily(s) === "ipv6" ? " IPv6" : highest.length > 1 ? " IPv4" : ""}`).join(", ")}) and no Idle (PfxCt) was seen`
        : "the received prefixes stayed healthy and no Idle (PfxCt) was seen",
    pfxCt,
    nearLimit,
  };
}

function ticketText(
  verdict: CircuitVerdict,
  peering: string,
  flapping: PathName[],
  title: string,
  why: string,
  h: PeeringHistory,
): string {
  const current = verdict.peerings.find((p) => p.name === peering);
  // With IPv6 on the peering each count names its family, so the carrier reads
  // 98 of 100 as IPv6's and 120 of 4,000 as IPv4's.
  const dual = current?.ipv6 !== undefined || h.samples.some((s) => sampleFamily(s) === "ipv6");
  const line = (t: LayerTransition) =>
    `  ${t.at}  ${t.path.padEnd(9)} ${t.beforeDetail || t.before} -> ${t.afterDetail || t.after}`;
  const summaryLines = [
    ...h.bgp.map((t) => ({ at: t.at, text: line(t) })),
    ...h.resets.map((r) => ({
      at: r.at,
      text: `  ${r.at}  ${r.path.padEnd(9)} reset between reads: uptime ${r.upDown}, previous read ${r.sincePreviousReadSeconds} s earlier (still Established)`,
    })),
    ...h.samples.map((s) => ({
      at: s.at,
      text: `  ${s.at}  ${s.path.padEnd(9)} ${fmt(s.after)} ${dual ? `${sampleFamily(s) === "ipv6" ? "IPv6" : "IPv4"} ` : ""}prefixes received${s.limit ? ` of ${fmt(s.limit)}` : ""}`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [
    `ExpressRoute session flapping: ${title}`,
    `Circuit: ${verdict.name} (${verdict.id})`,
    `Service key: ${verdict.serviceKey ?? "unknown"}`,
    `Provider: ${verdict.serviceProviderName ?? "unknown"}; peering location: ${verdict.peeringLocation ?? "unknown"}`,
    `Peering: ${peering}; affected path(s): ${flapping.join(", ")}`,
    `Why layer 1: ${why}.`,
    "Path up/down (UTC):",
    ...h.paths.map(line),
    "ARP over time (UTC):",
    ...(h.arp.length > 0 ? h.arp.map(line) : ["  (ARP resolved at every read)"]),
    "Route summary over time (UTC):",
    ...(summaryLines.length > 0 ? summaryLines.map((l) => l.text) : ["  (no change recorded)"]),
    ...(current
      ? [
          "Now:",
          ...PATHS.map(
            (p) =>
              `  ${p.padEnd(9)} ARP ${current.paths[p].provider.detail}; BGP ${current.paths[p].bgp.detail}; routes ${current.paths[p].routes.detail}`,
          ),
        ]
      : []),
  ].join("\n");
}

export function flappingFindings(
  verdict: CircuitVerdict,
  history: HistoryEntry[],
  policy: FlapPolicy,
  warnPercent: number,
  now: Date,
): Finding[] {
  const since = now.getTime() - policy.windowMinutes * 60_000;
  // ExpressRoute Direct: layer 1 is your optic and cross-connect, then Microsoft's port; no carrier.
  const direct = !!verdict.expressRoutePortId?.trim();
  const inWindow = (e: HistoryEntry) =>
    Date.parse(e.at) >= since && e.circuitId.toLowerCase() === verdict.id.toLowerCase();
  const recent = history.filter(inWindow);
  const peerings = [
    ...new Set(
      recent
        .filter(
          (e): e is LayerTransition | SessionReset =>
            (e.kind === "transition" && (e.layer === "path" || ipv6SessionChange(e))) ||
            e.kind === "reset",
        )
        .map((e) => e.peering),
    ),
  ];
  const findings: Finding[] = [];
  for (const peering of peerings) {
    const mine = recent.filter(
      (e): e is LayerTransition | SessionReset | PrefixSample =>
        (e.kind === "transition" || e.kind === "reset" || e.kind === "prefixes") &&
        e.peering === peering,
    );
    const transitions = (layer: LayerTransition["layer"]) =>
      mine.filter((e): e is LayerTransition => e.kind === "transition" && e.layer === layer);
    const h: PeeringHistory = {
      paths: transitions("path"),
      arp: transitions("provider"),
      bgp: transitions("bgp"),
      ipv6: transitions("bgp").filter(ipv6SessionChange),
      resets: mine.filter((e): e is SessionReset => e.kind === "reset"),
      samples: mine.filter((e): e is PrefixSample => e.kind === "prefixes"),
    };
    const per = (list: { path: PathName }[]) =>
      Object.fromEntries(PATHS.map((p) => [p, list.filter((e) => e.path === p).length])) as Record<
        PathName,
        number
      >;
    const byPath = (f: (p: PathName) => number) =>
      Object.fromEntries(PATHS.map((p) => [p, f(p)])) as Record<PathName, number>;
    // Each family on its own changes: IPv4's are the path's up/down and its resets.
    const pathChanges = per(h.paths);
    const resets = per(h.resets.filter((r) => sampleFamily(r) === "ipv4"));
    const counts = byPath((p) => pathChanges[p] + 2 * resets[p]);
    const ipv6Changes = per(h.ipv6);
    const ipv6Resets = per(h.resets.filter((r) => sampleFamily(r) === "ipv6"));
    const ipv6Counts = byPath((p) => ipv6Changes[p] + 2 * ipv6Resets[p]);
    const ipv4Flapping = PATHS.filter((p) => counts[p] > policy.transitions);
    const ipv6Flapping = PATHS.filter((p) => ipv6Counts[p] > policy.transitions);
    const flapping = PATHS.filter((p) => ipv4Flapping.includes(p) || ipv6Flapping.includes(p));
    if (flapping.length === 0) continue;
    // Only IPv6 flapping: IPv4 carries on, on every path.
    const ipv6Only = ipv4Flapping.length === 0;
    /** What a path's count in the title is: IPv4's where IPv4 flaps, else IPv6's. */
    const v4 = (p: PathName) => ipv4Flapping.includes(p);
    const shown = byPath((p) => (v4(p) ? counts[p] : ipv6Counts[p]));
    const resetsShown = byPath((p) => (v4(p) ? resets[p] : ipv6Resets[p]));

    const current = verdict.peerings.find((p) => p.name === peering);
    const { cause, why, pfxCt, nearLimit } = causeOf(h, current, warnPercent, ipv6Only);
    const severity: Severity = ipv6Only
      ? flapping.length === 2
        ? "Sev2"
        : "Sev3"
      : ipv4Flapping.length === 2
        ? "Sev1"
        : "Sev2";
    const resetCount = flapping.reduce((n, p) => n + resetsShown[p], 0);
    // Beside an IPv4 flap, a path where only IPv6 flaps is named as such.
    const pathWords = flapping.map((p) => (!ipv6Only && !v4(p) ? `${p} (IPv6)` : p));
    const where = `the ${pathWords.join(" and ")} path${flapping.length > 1 ? "s" : ""} of ${peering}`;
    const consequence = ipv6Only
      ? ` — ${flapping.length === 2 ? "IPv6 traffic keeps stopping" : "IPv6 redundancy at risk"}; IPv4 carries on`
      : ipv4Flapping.length === 2
        ? " — traffic on the peering keeps stopping"
        : "";
    const title =
      `${ipv6Only ? "IPv6 " : ""}BGP session flapping on ${where}${cause === "route-limit" ? " at the route limit" : ""}: ` +
      `${flapping.map((p) => shown[p]).join(" / ")} changes in ${policy.windowMinutes} min` +
      (resetCount > 0 ? ` (${resetCount} reset${resetCount > 1 ? "s" : ""} between reads)` : "") +
      consequence;
    const provider = verdict.serviceProviderName ?? "the connectivity provider";
    const providerManaged = verdict.settings.connectivityModel === "provider-managed";
    const finding: Finding = {
      code: "session-flapping",
      layer: "bgp",
      owner:
        cause === "route-limit" || direct
          ? "you"
          : cause === "ipv6-session"
            ? providerManaged
              ? "carrier"
              : "you"
            : "carrier",
      severity,
      peering,
      paths: flapping,
      title,
      evidence: {
        cause,
        why,
        counts,
        resets,
        ipv6Counts,
        ipv6Resets,
        families: { ipv4: ipv4Flapping, ipv6: ipv6Flapping },
        windowMinutes: policy.windowMinutes,
        transitions: h.paths.map((t) => ({ at: t.at, path: t.path, from: t.before, to: t.after })),
        ipv6Transitions: h.ipv6.map((t) => ({
          at: t.at,
          path: t.path,
          from: t.beforeDetail,
          to: t.afterDetail,
        })),
        resetsSeen: h.resets.map((r) => ({
          at: r.at,
          path: r.path,
          family: sampleFamily(r),
          upDown: r.upDown,
          sincePreviousReadSeconds: r.sincePreviousReadSeconds,
        })),
        pfxCt,
        prefixNearLimit: nearLimit !== null,
        prefixSamples: h.samples.map((s) => ({
          at: s.at,
          path: s.path,
          family: sampleFamily(s),
          count: s.after,
          limit: s.limit,
        })),
        currentPrefixes: current?.prefixes ?? null,
        ...(current?.ipv6 ? { currentIpv6Prefixes: current.ipv6.prefixes } : {}),
      },
      nextAction:
        cause === "route-limit"
          ? ipv6Only
            ? `The IPv6 route limit is resetting the IPv6 session: ${why}. Summarise the on-premises IPv6 advertisements well under the limit (Premium does not raise it); IPv4 is unaffected and the carrier cannot fix this.`
            : `The route limit is resetting the session: ${why}. Summarise the on-premises advertisements well under the limit (or add Premium if the count is legitimately large); the carrier cannot fix this.`
          : cause === "ipv6-session"
            ? providerManaged
              ? `Only the IPv6 session flaps: ${why}. Open a ticket with ${provider} for the IPv6 sessions (provider-managed model); IPv4 is unaffected.`
              : `Only the IPv6 session flaps: ${why}. Check the IPv6 BGP configuration on your edge for this peering (its IPv6 /126, neighbor statements, timers); IPv4 is unaffected.`
            : direct
              ? `Layer-1 evidence (marginal optic, errored link): ${why}. ExpressRoute Direct has no carrier: check your router's optic and the cross-connect at the colocation (the ExpressRoute port's Rx Light Level and Line Protocol metrics); if they are good, open an Azure support case for the port.`
              : `Layer-1 evidence (marginal optic, errored link): ${why}. Open a ticket with ${verdict.serviceProviderName ?? "the carrier"}; the ticket text with the ARP and route summaries over time is attached.`,
    };
    if (cause === "layer-1" && !direct)
      finding.ticket = ticketText(verdict, peering, flapping, title, why, h);
    findings.push(finding);
  }
  return findings;
}

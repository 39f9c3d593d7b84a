// A session that keeps going up and down gets one alert, not a stream of
// open/resolve pairs. Changes are the path's up/down transitions plus the
// resets seen only in the session uptime (each one down and up again: two).
//
// Each address family's flap is its own alert, judged on its own evidence
// (flap-history.ts says what each family's changes are, flap-cause.ts why it
// flaps). IPv4 and IPv6 are separate BGP sessions carrying separate traffic:
// an IPv4 layer-1 flap on the primary path keeps its carrier ticket while the
// IPv6 session on the secondary resets at its own limit (yours), and IPv4
// losing the primary while IPv6 loses the secondary is not both paths lost:
// each family still has a path. The IPv4 flap keeps the alert identity every
// flap had (circuit, peering, session-flapping); the IPv6 one adds its family.
//
// IPv4 flapping on one path is redundancy at risk (Sev2); on both, traffic on
// the peering keeps stopping (Sev1). The IPv6 session flapping is graded as an
// IPv6 session down beside IPv4 is, below a session down: Sev3 on one path
// (IPv6 redundancy at risk), Sev2 on both (IPv6 traffic keeps stopping).

import { flapCause, type FlapJudgement } from "./flap-cause.js";
import {
  familyCounts,
  flapHistory,
  ipv6SessionChange,
  linkHistory,
  type FlapHistory,
  type PerPath,
} from "./flap-history.js";
import { flapTicket } from "./flap-ticket.js";
import {
  sampleFamily,
  type HistoryEntry,
  type LayerTransition,
  type PrefixSample,
  type SessionReset,
} from "./history.js";
import type { CircuitVerdict, Finding, PathName, PeeringVerdict, Severity } from "./model.js";
import { PATHS } from "./model.js";
import type { AddressFamily } from "./route-limits.js";
import { sameName } from "./names.js";

export interface FlapPolicy {
  /** A path flaps with more than this many changes in the window. */
  transitions: number;
  windowMinutes: number;
}

/** One peering's flap window, as both families' alerts read it. */
interface PeeringFlaps {
  verdict: CircuitVerdict;
  peering: string;
  current: PeeringVerdict | undefined;
  h: FlapHistory;
  windowMinutes: number;
  counts: Record<AddressFamily, { counts: PerPath; resets: PerPath }>;
  /** The paths each family flaps on. */
  flapping: Record<AddressFamily, PathName[]>;
}

const pathsWords = (paths: PathName[]) =>
  `${paths.join(" and ")} path${paths.length > 1 ? "s" : ""}`;

function title(
  f: PeeringFlaps,
  family: AddressFamily,
  judged: FlapJudgement,
  consequence: string,
): string {
  const paths = f.flapping[family];
  const { counts, resets } = f.counts[family];
  const resetCount = paths.reduce((n, p) => n + resets[p], 0);
  return (
    `${family === "ipv6" ? "IPv6 " : ""}BGP session flapping on the ${pathsWords(paths)} of ${f.peering}${judged.cause === "route-limit" ? " at the route limit" : ""}: ` +
    `${paths.map((p) => counts[p]).join(" / ")} changes in ${f.windowMinutes} min` +
    (resetCount > 0 ? ` (${resetCount} reset${resetCount > 1 ? "s" : ""} between reads)` : "") +
    consequence
  );
}

/** What every flap alert on the peering carries: both families' counts and the window's record. */
function evidenceOf(f: PeeringFlaps, family: AddressFamily, judged: FlapJudgement) {
  const { h, current } = f;
  return {
    family,
    cause: judged.cause,
    why: judged.why,
    counts: f.counts.ipv4.counts,
    resets: f.counts.ipv4.resets,
    ipv6Counts: f.counts.ipv6.counts,
    ipv6Resets: f.counts.ipv6.resets,
    families: f.flapping,
    windowMinutes: f.windowMinutes,
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
    pfxCt: judged.pfxCt,
    prefixNearLimit: judged.nearLimit !== null,
    prefixSamples: h.samples.map((s) => ({
      at: s.at,
      path: s.path,
      family: sampleFamily(s),
      count: s.after,
      limit: s.limit,
    })),
    currentPrefixes: current?.prefixes ?? null,
    ...(current?.ipv6 ? { currentIpv6Prefixes: current.ipv6.prefixes } : {}),
  };
}

function ipv4Flap(f: PeeringFlaps, warnPercent: number): Finding {
  const { verdict } = f;
  const paths = f.flapping.ipv4;
  const judged = flapCause("ipv4", f.h, f.current, warnPercent);
  // ExpressRoute Direct: layer 1 is your optic and cross-connect, then Microsoft's port; no carrier.
  const direct = !!verdict.expressRoutePortId?.trim();
  const text = title(
    f,
    "ipv4",
    judged,
    paths.length === 2 ? " — traffic on the peering keeps stopping" : "",
  );
  const ipv6 = f.flapping.ipv6;
  const alsoIpv6 =
    ipv6.length > 0
      ? ` The IPv6 session flapping on the ${pathsWords(ipv6)} is its own alert.`
      : "";
  const finding: Finding = {
    code: "session-flapping",
    layer: "bgp",
    owner: judged.cause === "route-limit" || direct ? "you" : "carrier",
    severity: paths.length === 2 ? "Sev1" : "Sev2",
    peering: f.peering,
    paths,
    title: text,
    evidence: evidenceOf(f, "ipv4", judged),
    nextAction:
      (judged.cause === "route-limit"
        ? `The route limit is resetting the session: ${judged.why}. Summarise the on-premises advertisements well under the limit (or add Premium if the count is legitimately large); the carrier cannot fix this.`
        : direct
          ? `Layer-1 evidence (marginal optic, errored link): ${judged.why}. ExpressRoute Direct has no carrier: check your router's optic and the cross-connect at the colocation (the ExpressRoute port's Rx Light Level and Line Protocol metrics); if they are good, open an Azure support case for the port.`
          : `Layer-1 evidence (marginal optic, errored link): ${judged.why}. Open a ticket with ${verdict.serviceProviderName ?? "the carrier"}; the ticket text with the ARP and route summaries over time is attached.`) +
      alsoIpv6,
  };
  if (judged.cause === "layer-1" && !direct)
    finding.ticket = flapTicket(verdict, f.peering, paths, text, judged.why, linkHistory(f.h));
  return finding;
}

function ipv6Flap(f: PeeringFlaps, warnPercent: number): Finding {
  const { verdict } = f;
  const paths = f.flapping.ipv6;
  const judged = flapCause("ipv6", f.h, f.current, warnPercent);
  const direct = !!verdict.expressRoutePortId?.trim();
  const providerManaged = verdict.settings.connectivityModel === "provider-managed";
  const ipv4 = f.flapping.ipv4;
  const severity: Severity = paths.length === 2 ? "Sev2" : "Sev3";
  const consequence =
    ` — ${paths.length === 2 ? "IPv6 traffic keeps stopping" : "IPv6 redundancy at risk"}; ` +
    (ipv4.length === 0
      ? "IPv4 carries on"
      : `IPv4 flaps on the ${pathsWords(ipv4)} (its own alert)`);
  const ipv4Words =
    ipv4.length === 0
      ? "IPv4 is unaffected"
      : `IPv4's flap on the ${pathsWords(ipv4)} is its own alert`;
  const lead =
    ipv4.length === 0 ? "Only the IPv6 session flaps" : "The IPv6 session flaps on its own";
  const provider = verdict.serviceProviderName ?? "the connectivity provider";
  return {
    code: "session-flapping",
    addressFamily: "ipv6",
    layer: "bgp",
    owner: judged.cause === "route-limit" || direct ? "you" : providerManaged ? "carrier" : "you",
    severity,
    peering: f.peering,
    paths,
    title: title(f, "ipv6", judged, consequence),
    evidence: evidenceOf(f, "ipv6", judged),
    nextAction:
      judged.cause === "route-limit"
        ? `The IPv6 route limit is resetting the IPv6 session: ${judged.why}. Summarise the on-premises IPv6 advertisements well under the limit (Premium does not raise it); ${ipv4.length === 0 ? "IPv4 is unaffected and the carrier cannot fix this." : `the carrier cannot fix this. ${ipv4Words}.`}`
        : providerManaged
          ? `${lead}: ${judged.why}. Open a ticket with ${provider} for the IPv6 sessions (provider-managed model); ${ipv4Words}.`
          : `${lead}: ${judged.why}. Check the IPv6 BGP configuration on your edge for this peering (its IPv6 /126, neighbor statements, timers); ${ipv4Words}.`,
  };
}

/**
 * When a reset's session came back up, at the latest: the read that saw it
 * (the previous read and the time since) less the uptime it showed. Both of
 * its changes were before then. A reset is recorded at the sweep that sees
 * it, which after a gap in the sweeps (the function app stopped for a day)
 * can be long after it happened: counted at the sweep, a reset a day old was
 * two changes "in 60 min", and one blip after the restart made a flap alert
 * with a carrier ticket. A row whose numbers cannot be read counts at the sweep.
 */
function cameBackAt(r: SessionReset): number {
  const up = Date.parse(r.previousReadAt) + (r.sincePreviousReadSeconds - r.uptimeSeconds) * 1000;
  const at = Date.parse(r.at);
  return Number.isFinite(up) ? Math.min(up, at) : at;
}

/**
 * An IPv6 reset the same read saw IPv4 reset beside it on that path is the
 * path's (flap-history.ts), so it leaves the window with that IPv4 reset,
 * when the path came back: counted where its own session came back (IPv6
 * most often comes up later), it stayed after the IPv4 half had left, was
 * counted as the IPv6 session's own, and with one IPv6 drop of its own made
 * an IPv6 flap alert for the carrier's link.
 */
function resetTimes(history: HistoryEntry[]): (r: SessionReset) => number {
  const ipv4 = new Map<string, SessionReset>();
  const twin = (r: SessionReset) =>
    [r.circuitId.toLowerCase(), r.peering.toLowerCase(), r.path, r.at].join("|");
  for (const e of history)
    if (e.kind === "reset" && sampleFamily(e) === "ipv4") ipv4.set(twin(e), e);
  return (r) => cameBackAt(sampleFamily(r) === "ipv6" ? (ipv4.get(twin(r)) ?? r) : r);
}

export function flappingFindings(
  verdict: CircuitVerdict,
  history: HistoryEntry[],
  policy: FlapPolicy,
  warnPercent: number,
  now: Date,
  /**
   * How late a tick may run and its window still reach the change the tick
   * one window before it recorded (policy.ts tickSlackMs): measured to the
   * millisecond, that change was in the window of a tick on time and out of
   * one 0.9 s late, and a flap opened or ended a sweep apart on the jitter.
   */
  tickSlackMs = 0,
): Finding[] {
  const since = now.getTime() - policy.windowMinutes * 60_000 - tickSlackMs;
  const resetAt = resetTimes(history);
  const inWindow = (e: HistoryEntry) =>
    (e.kind === "reset" ? resetAt(e) : Date.parse(e.at)) >= since &&
    e.circuitId.toLowerCase() === verdict.id.toLowerCase();
  const recent = history.filter(inWindow);
  // One peering however its name was spelt over the window, named as it is read now.
  const spelt = new Map<string, string>();
  for (const e of recent)
    if (
      (e.kind === "transition" && (e.layer === "path" || ipv6SessionChange(e))) ||
      e.kind === "reset"
    )
      if (!spelt.has(e.peering.toLowerCase())) spelt.set(e.peering.toLowerCase(), e.peering);
  const peerings = [...spelt.values()].map(
    (name) => verdict.peerings.find((p) => sameName(p.name, name))?.name ?? name,
  );
  const findings: Finding[] = [];
  for (const peering of peerings) {
    const h = flapHistory(
      recent.filter(
        (e): e is LayerTransition | SessionReset | PrefixSample =>
          (e.kind === "transition" || e.kind === "reset" || e.kind === "prefixes") &&
          sameName(e.peering, peering),
      ),
    );
    const counts = { ipv4: familyCounts(h, "ipv4"), ipv6: familyCounts(h, "ipv6") };
    const flapsOn = (family: AddressFamily) =>
      PATHS.filter((p) => counts[family].counts[p] > policy.transitions);
    const f: PeeringFlaps = {
      verdict,
      peering,
      current: verdict.peerings.find((p) => sameName(p.name, peering)),
      h,
      windowMinutes: policy.windowMinutes,
      counts,
      flapping: { ipv4: flapsOn("ipv4"), ipv6: flapsOn("ipv6") },
    };
    if (f.flapping.ipv4.length > 0) findings.push(ipv4Flap(f, warnPercent));
    if (f.flapping.ipv6.length > 0) findings.push(ipv6Flap(f, warnPercent));
  }
  return findings;
}

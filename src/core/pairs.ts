// Circuit pairs: two circuits serving one site through different providers or
// locations (the seed's second circuit). The tag erwatch:pair=<name> joins
// them. Losing one circuit whole while its pair carries traffic is redundancy
// lost, not traffic stopped: Sev1 "site redundancy holding". Both down is
// Sev0. A pair that could not be read proves nothing: Sev0 stays, "unverified".
// A private peering that carries nothing (traffic-stopped Sev1) while a
// partner's private peering is seen carrying traffic by Azure Monitor is the
// site's traffic on its partner (an active/passive pair's DR circuit after a
// failback): Sev2 "site traffic holding". A partner up on the control plane
// alone proves nothing of traffic: the Sev1 stays.

import type { CircuitVerdict, Finding } from "./model.js";
import { PATHS } from "./model.js";
import { FAMILY_OF } from "./alert-identity.js";
import { storedInstant } from "./instant.js";
import { sameName } from "./names.js";
import type { TrafficSeen } from "./dataplane/metrics.js";
import { NOTHING_CARRIES_ACTION } from "./dataplane/traffic-verdict.js";
import { keptPeeringsGone, keptPeeringsMissing, pathStatus, type Snapshot } from "./snapshot.js";

/**
 * The partner's site by the control plane: a private path up (rows read)
 * and its gateway wiring not down; down (its private paths, its gateway
 * wiring, or the peering missing); or not known.
 */
export type SiteStatus = "carrying" | "down" | "unknown";

/**
 * The partner's site by the data plane: Azure Monitor's throughput flowing on
 * a private path ("carrying"), every private path quiet or read down
 * ("quiet"), or not known (not read, a metrics gap, stale).
 */
export type SiteTraffic = "carrying" | "quiet" | "unknown";

export interface PartnerState {
  status: SiteStatus;
  traffic: SiteTraffic;
}

export interface PairPartner extends PartnerState {
  id: string;
  name: string;
}

export interface PairContext {
  name: string;
  partners: PairPartner[];
}

const isPrivate = (name: string | null) => sameName(name, "AzurePrivatePeering");

type Row = "up" | "down" | "other";

/**
 * The site's traffic, judged on the private peering alone. Without one it
 * carries nothing: down when it is expected (its own peering-missing), else
 * not known. Judged on the first peering instead, a partner whose private
 * peering was gone read "carrying" on its Microsoft peering. Its gateway row
 * down (a connection that was Connected lost, or none where one is
 * expected) is its VNet traffic stopped, whatever its paths read; a gateway
 * row not known proves nothing either way and leaves the paths to say.
 */
function statusOfRows(
  peerings: { name: string; rows: Row[]; gateway: Row[] }[],
  privateMissing: boolean,
): SiteStatus {
  const peering = peerings.find((p) => isPrivate(p.name));
  if (!peering) return privateMissing ? "down" : "unknown";
  if (peering.gateway.includes("down")) return "down";
  if (peering.rows.includes("up")) return "carrying";
  if (peering.rows.length > 0 && peering.rows.every((r) => r === "down")) return "down";
  return "unknown";
}

const row = (status: string | undefined): Row =>
  status === "up" ? "up" : status === "down" ? "down" : "other";

export function siteStatusOfVerdict(verdict: CircuitVerdict): SiteStatus {
  if (!verdict.circuitRead) return "unknown";
  if (verdict.findings.some((f) => f.code === "provider-not-provisioned" && f.severity === "Sev0"))
    return "down";
  return statusOfRows(
    verdict.peerings.map((p) => ({
      name: p.name,
      rows: PATHS.map((path) => row(pathStatus(p.paths[path]))),
      gateway: PATHS.map((path) => row(p.paths[path].gateway.status)),
    })),
    verdict.findings.some((f) => f.code === "peering-missing" && isPrivate(f.peering)),
  );
}

/**
 * A Sev0 that takes the whole circuit out for its site: the carrier's side
 * gone, or the private peering down on both paths, Disabled or gone. Partners are judged on
 * their private peering, which carries nothing of another peering's traffic:
 * the Microsoft peering down on both paths was graded Sev1 "site redundancy
 * holding" while this circuit's own private peering carried the site.
 */
const takesCircuitOut = (f: Finding): boolean =>
  f.severity === "Sev0" &&
  (f.code === "provider-not-provisioned" ||
    ((FAMILY_OF[f.code] === "path-down" ||
      f.code === "peering-disabled" ||
      f.code === "peering-missing") &&
      isPrivate(f.peering)));

/**
 * What a reading's throughput says of the site, on the private peering alone
 * (the site's traffic): a path flowing carries it; every path quiet (idle,
 * stopped, a standby's quiet by design) or read down carries nothing; else
 * (no reading, a gap, a dip, a path unread) nothing is known.
 */
export function siteTrafficOf(seen: TrafficSeen | undefined): SiteTraffic {
  const peering = Object.entries(seen ?? {}).find(([name]) => isPrivate(name))?.[1];
  if (!peering || typeof peering !== "object") return "unknown";
  const paths = PATHS.map((path) => peering[path]);
  if (paths.includes("flowing")) return "carrying";
  if (paths.every((p) => p === "quiet" || p === "down")) return "quiet";
  return "unknown";
}

/** A partner judged in this sweep: its verdict, and the snapshot its judgement would keep. */
export function partnerOfEvaluation(verdict: CircuitVerdict, snapshot: Snapshot): PartnerState {
  return { status: siteStatusOfVerdict(verdict), traffic: siteTrafficOf(snapshot.traffic) };
}

/**
 * The traffic a snapshot keeps, with when it was read: this reading's when it
 * says whether the private traffic flows, else the last kept (a gap in Azure
 * Monitor, a metrics read that failed, a sweep that read none).
 */
export function keptTraffic(
  seen: TrafficSeen,
  previous: Snapshot | null,
  now: Date,
): Pick<Snapshot, "traffic" | "trafficAt"> {
  if (siteTrafficOf(seen) !== "unknown") return { traffic: seen, trafficAt: now.toISOString() };
  if (previous?.traffic)
    return { traffic: previous.traffic, trafficAt: previous.trafficAt ?? previous.takenAt };
  return Object.keys(seen).length > 0 ? { traffic: seen, trafficAt: now.toISOString() } : {};
}

/**
 * A stored time no older than `maxAgeMs`. One that is not an instant
 * (core/instant.ts: "", "yesterday", a number, a time without its zone) is
 * of unknown age: never fresh. Date.parse read "42" as the year 2042 (a
 * partner carrying for ever, its pair's outage graded down for good), and
 * an age of NaN was past no limit for the control plane.
 */
function freshAt(at: unknown, now: Date, maxAgeMs: number): boolean {
  const ms = storedInstant(at);
  return ms !== null && now.getTime() - ms <= maxAgeMs;
}

/** A partner read earlier, by both planes; older than `maxAgeMs` it proves nothing. */
export function partnerOfSnapshot(
  snapshot: Snapshot | null,
  now: Date,
  maxAgeMs: number,
): PartnerState {
  return {
    status: siteStatusOfSnapshot(snapshot, now, maxAgeMs),
    // Aged by when it was read: a snapshot may keep it over sweeps that could not say.
    traffic:
      snapshot !== null && freshAt(snapshot.trafficAt ?? snapshot.takenAt, now, maxAgeMs)
        ? siteTrafficOf(snapshot.traffic)
        : "unknown",
  };
}

/** A partner read earlier; older than `maxAgeMs`, or read at no known time, it proves nothing. */
export function siteStatusOfSnapshot(
  snapshot: Snapshot | null,
  now: Date,
  maxAgeMs: number,
): SiteStatus {
  if (!snapshot || !freshAt(snapshot.takenAt, now, maxAgeMs)) return "unknown";
  return statusOfRows(
    Object.entries(snapshot.peerings).map(([name, p]) => ({
      name,
      // A reading without the path's row (a hand edit) proves nothing either way.
      rows: [row(p.paths.primary.path?.status), row(p.paths.secondary.path?.status)],
      gateway: [row(p.paths.primary.gateway?.status), row(p.paths.secondary.gateway?.status)],
    })),
    [...keptPeeringsMissing(snapshot), ...keptPeeringsGone(snapshot)].some(isPrivate),
  );
}

/**
 * A private peering that carries nothing (traffic-stopped Sev1), graded by
 * whether a partner's private peering carries the site's traffic now (Azure
 * Monitor's throughput, not a path up): Sev2 while one does; still Sev1, and
 * said, when every partner carries nothing too; as it was while a partner's
 * traffic is not known. Tests failing end to end over it (folded into it)
 * say the site is not fine, whatever the partner carries.
 */
function gradeStop(f: Finding, pair: PairContext): Finding {
  if (f.code !== "traffic-stopped" || f.severity !== "Sev1" || !isPrivate(f.peering)) return f;
  if (f.evidence["endToEnd"] !== undefined) return f;
  const evidence = { ...f.evidence, pair: { name: pair.name, partners: pair.partners } };
  const carrying = pair.partners.filter((p) => p.traffic === "carrying").map((p) => p.name);
  if (carrying.length > 0) {
    const names = carrying.join(", ");
    return {
      ...f,
      severity: "Sev2",
      title: `${f.title} — site traffic holding on pair ${pair.name}: ${names} carrying`,
      evidence,
      nextAction:
        `The site is fine: Azure Monitor shows its traffic flowing on ${names}, the other circuit of pair ${pair.name}; this circuit's private peering carries none of it. ` +
        `Either by design (this is the pair's passive DR circuit, kept idle by AS-path prepending or local preference while ${names} carries, as after a DR test or a failback) or this circuit lost a route it should carry. ` +
        `If it should carry: ${f.nextAction.replace(NOTHING_CARRIES_ACTION, "")}`,
    };
  }
  if (pair.partners.every((p) => p.traffic === "quiet")) {
    const all =
      pair.partners.length === 1 ? "both circuits" : `all ${pair.partners.length + 1} circuits`;
    return {
      ...f,
      title: `${f.title} — ${all} of pair ${pair.name} carry nothing: the site is cut off`,
      evidence,
    };
  }
  return f;
}

/**
 * Findings of a circuit graded by whether its pair still carries the site:
 * a whole-circuit loss by the partners' control plane, a private peering
 * that carries nothing by the partners' traffic.
 */
export function gradeForPair(findings: Finding[], pair: PairContext | null): Finding[] {
  if (!pair || pair.partners.length === 0) return findings;
  const carrying = pair.partners.filter((p) => p.status === "carrying");
  const unknown = pair.partners.filter((p) => p.status === "unknown");
  return findings.map((f) => {
    if (f.code === "traffic-stopped") return gradeStop(f, pair);
    if (!takesCircuitOut(f)) return f;
    const evidence = { ...f.evidence, pair: { name: pair.name, partners: pair.partners } };
    if (carrying.length > 0)
      return {
        ...f,
        severity: "Sev1",
        title: `${f.title} — site redundancy holding (pair ${pair.name}: ${carrying.map((p) => p.name).join(", ")} carrying traffic)`,
        evidence,
      };
    if (unknown.length > 0)
      return {
        ...f,
        title: `${f.title} — site redundancy unverified (pair ${pair.name}: ${unknown.map((p) => p.name).join(", ")} not known to carry the site)`,
        evidence,
      };
    return {
      ...f,
      title: `${f.title} — both circuits of pair ${pair.name} are down: the site is cut off`,
      evidence,
    };
  });
}

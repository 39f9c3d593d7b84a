// Circuit pairs: two circuits serving one site through different providers or
// locations (the seed's second circuit). The tag erwatch:pair=<name> joins
// them. Losing one circuit whole while its pair carries traffic is redundancy
// lost, not traffic stopped: Sev1 "site redundancy holding". Both down is
// Sev0. A pair that could not be read proves nothing: Sev0 stays, "unverified".

import type { AlertFamily, CircuitVerdict, Finding } from "./model.js";
import { FAMILY_OF } from "./alert-identity.js";
import { pathStatus, type Snapshot } from "./snapshot.js";

export type SiteStatus = "carrying" | "down" | "unknown";

export interface PairPartner {
  id: string;
  name: string;
  status: SiteStatus;
}

export interface PairContext {
  name: string;
  partners: PairPartner[];
}

const PRIVATE = "azureprivatepeering";
const WHOLE: readonly AlertFamily[] = ["provider", "path-down"];

/** Private traffic, judged on the private peering (else the first peering). */
function statusOfRows(peerings: { name: string; rows: ("up" | "down" | "other")[] }[]): SiteStatus {
  const peering = peerings.find((p) => p.name.toLowerCase() === PRIVATE) ?? peerings[0];
  if (!peering) return "unknown";
  if (peering.rows.includes("up")) return "carrying";
  if (peering.rows.length > 0 && peering.rows.every((r) => r === "down")) return "down";
  return "unknown";
}

const row = (status: string | undefined): "up" | "down" | "other" =>
  status === "up" ? "up" : status === "down" ? "down" : "other";

export function siteStatusOfVerdict(verdict: CircuitVerdict): SiteStatus {
  if (!verdict.circuitRead) return "unknown";
  if (verdict.findings.some((f) => f.code === "provider-not-provisioned" && f.severity === "Sev0"))
    return "down";
  return statusOfRows(
    verdict.peerings.map((p) => ({
      name: p.name,
      rows: (["primary", "secondary"] as const).map((path) => row(pathStatus(p.paths[path]))),
    })),
  );
}

/** A partner read earlier; older than `maxAgeMs` it proves nothing. */
export function siteStatusOfSnapshot(
  snapshot: Snapshot | null,
  now: Date,
  maxAgeMs: number,
): SiteStatus {
  if (!snapshot || now.getTime() - Date.parse(snapshot.takenAt) > maxAgeMs) return "unknown";
  return statusOfRows(
    Object.entries(snapshot.peerings).map(([name, p]) => ({
      name,
      // A reading without the path's row (a hand edit) proves nothing either way.
      rows: [row(p.paths.primary.path?.status), row(p.paths.secondary.path?.status)],
    })),
  );
}

/** Traffic-stopped findings of a circuit graded by whether its pair still carries the site. */
export function gradeForPair(findings: Finding[], pair: PairContext | null): Finding[] {
  if (!pair || pair.partners.length === 0) return findings;
  const carrying = pair.partners.filter((p) => p.status === "carrying");
  const unknown = pair.partners.filter((p) => p.status === "unknown");
  return findings.map((f) => {
    if (f.severity !== "Sev0" || !WHOLE.includes(FAMILY_OF[f.code])) return f;
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
        title: `${f.title} — site redundancy unverified (pair ${pair.name}: ${unknown.map((p) => p.name).join(", ")} not read)`,
        evidence,
      };
    return {
      ...f,
      title: `${f.title} — both circuits of pair ${pair.name} are down: the site is cut off`,
      evidence,
    };
  });
}

// Fleet grouping, as Alertmanager's group_by: circuits that share provider and
// peering location and break at the same layer in the same sweep are one
// incident (one page naming them all, one carrier ticket listing every service
// key), not one identical page per circuit.

import { createHash } from "node:crypto";
import type { Finding, Layer, Severity } from "./model.js";
import { FAMILY_OF } from "./alert-identity.js";
import { mostSevere } from "./severity.js";

/** A circuit's newly opening outage, a candidate for grouping. */
export interface FleetCandidate {
  circuitId: string;
  circuitName: string;
  subscriptionId: string;
  serviceKey: string | null;
  provider: string | null;
  location: string | null;
  finding: Finding;
}

export interface FleetGroup {
  /** Stable identity: provider, location and layer, lower-cased. */
  id: string;
  provider: string;
  location: string;
  layer: Layer;
  members: FleetCandidate[];
}

/** Grouping starts at two circuits: one is just an outage. */
export const FLEET_MIN_CIRCUITS = 2;

const groupable = (f: Finding) => ["provider", "path-down"].includes(FAMILY_OF[f.code]);

/** The pseudo-circuit a fleet alert lives under (its storage partition and alert key). */
export function fleetCircuitId(provider: string, location: string, layer: Layer): string {
  const slug = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-");
  const hash = createHash("sha256")
    .update([provider, location, layer].map((s) => s.trim().toLowerCase()).join("|"))
    .digest("hex")
    .slice(0, 12);
  return `/erwatch/fleet/${slug(provider)}/${slug(location)}/${layer}-${hash}`;
}

export function fleetGroups(candidates: FleetCandidate[]): FleetGroup[] {
  const groups = new Map<string, FleetGroup>();
  for (const c of candidates) {
    if (!groupable(c.finding) || !c.provider || !c.location) continue;
    const id = fleetCircuitId(c.provider, c.location, c.finding.layer);
    const group = groups.get(id) ?? {
      id,
      provider: c.provider,
      location: c.location,
      layer: c.finding.layer,
      members: [],
    };
    if (!group.members.some((m) => m.circuitId.toLowerCase() === c.circuitId.toLowerCase()))
      group.members.push(c);
    groups.set(id, group);
  }
  return [...groups.values()]
    .filter((g) => g.members.length >= FLEET_MIN_CIRCUITS)
    .map((g) => ({
      ...g,
      members: g.members.sort((a, b) => a.circuitName.localeCompare(b.circuitName)),
    }));
}

/** The one finding a group pages with. */
export function fleetFinding(group: FleetGroup): Finding {
  const first = group.members[0]!.finding;
  const severity = mostSevere(group.members.map((m) => m.finding.severity)) as Severity;
  const names = group.members.map((m) => m.circuitName);
  const where = `${group.provider} at ${group.location}`;
  const carrier = group.members.every((m) => m.finding.owner === "carrier");
  return {
    code: "fleet-outage",
    layer: group.layer,
    owner: carrier ? "carrier" : first.owner,
    severity,
    peering: null,
    paths: [],
    title: `${names.length} circuits through ${where} broke at the same layer: ${names.join(", ")} — ${first.title}`,
    evidence: {
      provider: group.provider,
      peeringLocation: group.location,
      circuits: group.members.map((m) => ({
        id: m.circuitId,
        name: m.circuitName,
        serviceKey: m.serviceKey,
        code: m.finding.code,
        severity: m.finding.severity,
        paths: m.finding.paths,
        title: m.finding.title,
      })),
    },
    nextAction: carrier
      ? `One outage at ${where}, not ${names.length}: open one ticket with ${group.provider} listing every service key (attached), and do not change router or gateway configuration.`
      : `The same failure on ${names.length} circuits through ${where} points at what they share (the provider's edge at ${group.location}, or a change pushed to several of your routers): ${first.nextAction}`,
    ticket: [
      `ExpressRoute outage affecting ${names.length} circuits through ${where}`,
      `Layer: ${group.layer}`,
      "Circuits (service key, name, affected paths):",
      ...group.members.map(
        (m) =>
          `  ${m.serviceKey ?? "unknown"}  ${m.circuitName}  ${m.finding.paths.join(" and ") || "circuit"}`,
      ),
      "",
      ...group.members.filter((m) => m.finding.ticket).map((m) => m.finding.ticket as string),
    ].join("\n"),
  };
}

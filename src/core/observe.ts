// One sweep's verdict, seen from each alert key: firing (with the merged
// finding), clean, or unknown (the layers feeding that key could not be read,
// so the key must neither open nor resolve).

import { alertKey, FAMILY_OF } from "./alert-identity.js";
import type {
  AlertFamily,
  BlindCause,
  CircuitVerdict,
  Finding,
  LayerCell,
  PathLayers,
  PathName,
} from "./model.js";
import { LAYERS, PATHS } from "./model.js";
import { mostSevere, severityRank } from "./severity.js";
import { DATA_PLANE_ROWS, dataPlaneKnown, isDataPlaneFamily } from "./dataplane/known.js";
import { sameName } from "./names.js";
import { withoutIpv6FlapChurn } from "./flap-churn.js";

export interface Observation {
  key: string;
  family: AlertFamily;
  circuitId: string;
  peering: string | null;
  state: "firing" | "clean" | "unknown";
  finding: Finding | null;
  /** When the circuit was read before this sweep (null: never): a key that starts firing now was clean then. */
  previousReadAt: string | null;
  /**
   * Opens in this sweep whatever the hysteresis: what it stands for is already
   * proven (a fleet alert one of whose members would page alone now, so that
   * grouping never pages later than the members would have).
   */
  opensAtOnce?: boolean;
  /**
   * Paths whose layers feeding this key could not be read this sweep: a path
   * missing from a firing finding is not known to have recovered.
   */
  unreadPaths?: PathName[];
  /**
   * Unknown only because a broken layer below took this key's layers over
   * (the provider de-provisioned the circuit): the circuit was read, so this
   * is no blindness, though the key neither opens nor resolves on it.
   */
  masked?: boolean;
  /**
   * Unknown only because a path the receivers' grade rests on could not be
   * read (lifecycle.ts `unreadDownPaths`): `paths` still read as the alert
   * says. Its holder is told that much, not that nothing behind it reads.
   */
  partlyRead?: { unread: PathName[]; paths: PathName[] };
  /**
   * Unknown only because the circuit's history could not be read from Table
   * Storage (a flap alert is counted from it): its sessions were read, so
   * the holder is told that its flaps cannot be counted, not that erwatch
   * cannot see the circuit, and no monitoring-blind opens for it.
   */
  blindCause?: BlindCause;
  /**
   * A fleet alert the fan-out timer judges blind (fleet.ts `fleetBlindTicks`):
   * the sweeps, and of them the timer's ticks, that could not read it, as its
   * members' own outage alerts counted them. No sweep judges it blind sweep by
   * sweep there, so its own count said one, and its notice went by time: after
   * a past-due tick, a sweep after the single process's.
   */
  membersBlind?: { sweeps: number; ticks: number };
  /**
   * A fleet alert's latest sighting that its own row does not record: when
   * every circuit it names had last been read (fleet.ts `fleetMembersReadAt`).
   * A sweep whose commit of the fleet alert failed in storage read its
   * members all the same; blind only from the sweep after, counted from the
   * fleet alert's last commit its holder heard "Blind:" about circuits read
   * a sweep before (storage soak seed 963).
   */
  membersReadAt?: string;
  /** No path of its peering carries this sweep (PeeringVerdict.noPathCarrying). */
  noPathCarrying?: true;
}

/** Several findings of one family on one peering are one alert: merge them. */
export function mergeFindings(findings: Finding[]): Finding {
  const sorted = [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer),
  );
  const first = sorted[0] as Finding;
  if (sorted.length === 1) return first;
  const paths = PATHS.filter((p) => sorted.some((f) => f.paths.includes(p)));
  const tickets = sorted.map((f) => f.ticket).filter((t): t is string => t !== undefined);
  const merged: Finding = {
    ...first,
    severity: mostSevere(sorted.map((f) => f.severity)) ?? first.severity,
    paths,
    title: sorted.map((f) => f.title).join("; "),
    nextAction: sorted.map((f) => f.nextAction).join(" Also: "),
    evidence: {
      ...first.evidence,
      findings: sorted.map((f) => ({
        code: f.code,
        owner: f.owner,
        paths: f.paths,
        title: f.title,
        // Which family each is about: a merge of IPv6's findings alone holds as IPv6's (inhibit.ts).
        ...(f.addressFamily === "ipv6" || f.evidence.family === "ipv6" ? { family: "ipv6" } : {}),
      })),
    },
  };
  if (tickets.length > 0) merged.ticket = tickets.join("\n\n");
  return merged;
}

const unknownIn = (cells: LayerCell[]) => cells.some((c) => c.status === "unknown");

/** The per-path rows that feed a family read from the layer table (null: not judged from them). */
function rowsOf(family: AlertFamily): ((l: PathLayers) => LayerCell[]) | null {
  switch (family) {
    case "path-down":
      return (l) => [l.provider, l.bgp, l.routes];
    case "route-limit":
    case "prefix-drop":
      return (l) => [l.routes];
    case "gateway":
      return (l) => [l.gateway];
    case "peering-config":
      return (l) => [l.peering];
    case "global-reach":
      return (l) => [l.globalReach];
    default:
      // A path of a traffic-stopped alert whose throughput went unread has not recovered.
      return isDataPlaneFamily(family) ? DATA_PLANE_ROWS[family] : null;
  }
}

/** The paths of a peering whose rows feeding `family` could not be read. */
function unreadPathsOf(
  verdict: CircuitVerdict,
  family: AlertFamily,
  peering: string | null,
): PathName[] {
  const pick = rowsOf(family);
  const p = verdict.peerings.find((x) => sameName(x.name, peering));
  if (!pick || !p) return [];
  return PATHS.filter((path) => unknownIn(pick(p.paths[path])));
}

/** Are the layers that feed this family readable this sweep? */
function known(verdict: CircuitVerdict, family: AlertFamily, peering: string | null): boolean {
  if (family === "monitoring-blind") return true;
  if (!verdict.circuitRead) return false;
  // A provider state ARM left out says nothing: an open provider alert must not resolve on it.
  if (family === "provider") return verdict.providerState !== null;
  if (family === "circuit-state") return (verdict.circuitState ?? null) !== null;
  // Judged over history, or across circuits by the fleet step: never from one verdict's rows.
  if (family === "session-flapping") return !sessionsUnread(verdict, peering);
  if (family === "fleet") return true;
  if (isDataPlaneFamily(family)) return dataPlaneKnown(verdict, family, peering);
  const p = verdict.peerings.find((x) => sameName(x.name, peering));
  // Not in a peering list that was read: truly absent, which the findings already say.
  if (!p) return true;
  // A path layer down with no path-down finding is a broken layer below that
  // took the finding over (the provider de-provisioned the circuit: nothing
  // above it is judged): the path is masked, not seen up, so its alert neither
  // counts a clean sweep nor resolves until the path itself is read again.
  if (family === "path-down" && PATHS.some((path) => masked(p.paths[path]))) return false;
  // A connection still down above paths that were not read: no finding only
  // because nothing beneath was judged, so its alert must not resolve on it.
  const above = ABOVE_LAYER[family];
  if (above && p.aboveNotJudged?.includes(above)) return false;
  return unreadPathsOf(verdict, family, peering).length === 0;
}

/**
 * A flap is judged over its window's history, but opened, changed or
 * resolved only on a sweep that read its sessions: with neither path's
 * session readable now, whether it still flaps is unknown (UNKNOWN neither
 * opens nor resolves), and it waits for a sweep that reads one.
 */
function sessionsUnread(verdict: CircuitVerdict, peering: string | null): boolean {
  if (!verdict.circuitRead) return true;
  const p = verdict.peerings.find((x) => sameName(x.name, peering));
  if (!p) return false;
  return PATHS.every((path) => unknownIn([p.paths[path].provider, p.paths[path].bgp]));
}

const carriesNothing = (verdict: CircuitVerdict, peering: string | null): boolean =>
  verdict.peerings.find((x) => sameName(x.name, peering))?.noPathCarrying === true;

const ABOVE_LAYER: Partial<Record<AlertFamily, "gateway" | "globalReach">> = {
  gateway: "gateway",
  "global-reach": "globalReach",
};

const masked = (l: PathLayers) => [l.provider, l.bgp, l.routes].some((c) => c.status === "down");

/** A path-down key unknown only by masking: every row feeding it was read, some path is masked. */
function maskedOnly(verdict: CircuitVerdict, family: AlertFamily, peering: string | null): boolean {
  if (family !== "path-down" || !verdict.circuitRead) return false;
  const p = verdict.peerings.find((x) => sameName(x.name, peering));
  return (
    p !== undefined &&
    PATHS.some((path) => masked(p.paths[path])) &&
    unreadPathsOf(verdict, family, peering).length === 0
  );
}

export function observe(
  verdict: CircuitVerdict,
  existing: { key: string; family: AlertFamily; peering: string | null }[],
  previousReadAt: string | null = null,
): Observation[] {
  const groups = new Map<
    string,
    { family: AlertFamily; peering: string | null; findings: Finding[] }
  >();
  for (const finding of withoutIpv6FlapChurn(verdict.findings)) {
    const family = FAMILY_OF[finding.code];
    const key = alertKey(verdict.id, finding.peering, family, finding.addressFamily);
    const group = groups.get(key) ?? { family, peering: finding.peering, findings: [] };
    group.findings.push(finding);
    groups.set(key, group);
  }
  const observations: Observation[] = [...groups.entries()].map(([key, g]) => {
    const blind = g.family === "session-flapping" && sessionsUnread(verdict, g.peering);
    return {
      key,
      family: g.family,
      circuitId: verdict.id,
      peering: g.peering,
      state: blind ? "unknown" : "firing",
      finding: blind ? null : mergeFindings(g.findings),
      previousReadAt,
      unreadPaths: unreadPathsOf(verdict, g.family, g.peering),
      ...(carriesNothing(verdict, g.peering) ? { noPathCarrying: true as const } : {}),
    };
  });
  for (const e of existing) {
    if (groups.has(e.key)) continue;
    const clean = known(verdict, e.family, e.peering);
    observations.push({
      key: e.key,
      family: e.family,
      circuitId: verdict.id,
      peering: e.peering,
      state: clean ? "clean" : "unknown",
      finding: null,
      previousReadAt,
      ...(!clean && maskedOnly(verdict, e.family, e.peering) ? { masked: true } : {}),
      // Which paths went unread: a traffic alert whose own paths were read is judged (alert-step.ts).
      ...(!clean ? { unreadPaths: unreadPathsOf(verdict, e.family, e.peering) } : {}),
    });
  }
  return observations;
}

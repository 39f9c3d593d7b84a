// Readings in, verdict out: the layer table per peering and path, and the
// findings as the layers grade them. Pure: the previous sweep's facts and the
// thresholds come in as arguments. The circuit's criticality, flaps and trends
// are applied after this, in evaluate.ts.

import { blindFindings } from "./blind.js";
import { blindReadsOf, failedReadsOf } from "./blind-reads.js";
import {
  assessGateway,
  assessGlobalReach,
  reachStatusText,
  type GatewayAssessment,
  type GlobalReachAssessment,
  type RememberedConnection,
} from "./wiring.js";
import {
  circuitStateFinding,
  disabledPeeringFinding,
  globalReachFinding,
  missingPeeringFinding,
  providerFinding,
} from "./circuit-findings.js";
import { gatewayFinding } from "./gateway-findings.js";
import type {
  CircuitFacts,
  CircuitReading,
  CircuitSettings,
  CircuitVerdict,
  Finding,
  GlobalReachConnection,
  LayerCell,
  PathLayers,
  PathName,
  PathReading,
  PeeringFacts,
  PeeringVerdict,
  Severity,
} from "./model.js";
import { PATHS, readablePeerings } from "./model.js";
import { analysePath, peeringCell, peeringShutCell, type PathAnalysis } from "./path-analysis.js";
import { pathFindings } from "./path-findings.js";
import { heldBeneath, noPathCarrying, notJudgedBeneath } from "./held-beneath.js";
import { DEFAULT_ROUTE_LIMITS, type FamilyLoads, type RouteLimitSettings } from "./route-limits.js";
import type { DataPlanePolicy } from "./dataplane/policy.js";
import { byName, sameName as same } from "./names.js";
import type { ReachPeer } from "./reach-peers.js";
import { connectingOf, connectingWords, type ReachSighting } from "./reach-memory.js";
import { LEFT_OUT_OF_BODY } from "./unknown-trouble.js";

export interface ClassifyOptions {
  routeLimits: RouteLimitSettings;
  /** Grades for findings that are not about traffic on a path. */
  severity: { blind: Severity; gateway: Severity; globalReach: Severity };
  /** What the previous sweep saw, when there was one. */
  previous?: {
    providerWasProvisioned: boolean;
    peerings: string[];
    /** Peerings whose gateway wiring was Connected before (absent: none). */
    gatewaysOnceConnected?: string[];
    /** Peerings that carried traffic at an earlier sweep (absent: none). */
    peeringsCarried?: string[];
    /** Per peering, the gateway connections seen Connected before (absent: none, or not kept yet). */
    gatewayConnections?: Record<string, RememberedConnection[]>;
    /** Each peering's near-limit loads per path at the last sweep (absent: none near). */
    loads?: Record<string, Record<PathName, FamilyLoads>>;
    /**
     * Per peering, its Global Reach connections as earlier sweeps saw them
     * (reach-memory.ts rememberedReach; null: seen, kept before sightings
     * were). Absent: none seen, so one Connecting is being set up.
     */
    reach?: Record<string, ReachSighting[] | null>;
  };
  /** Saturation, traffic-stopped and drift thresholds (core/dataplane); the defaults when absent. */
  dataPlane?: DataPlanePolicy;
  /** What other circuits say about the peers of its Global Reach connections (EvaluationContext.reach). */
  reachPeers?: readonly ReachPeer[];
  /**
   * The sweep's instant (its `now`), which a Global Reach connection's
   * set-up hold is judged at, as the plan judges its end; absent: the
   * listing's (the circuit's readAt).
   */
  at?: string;
}

export const DEFAULT_CLASSIFY_OPTIONS: ClassifyOptions = {
  routeLimits: DEFAULT_ROUTE_LIMITS,
  severity: { blind: "Sev3", gateway: "Sev3", globalReach: "Sev3" },
};

const cell = (status: LayerCell["status"], detail: string): LayerCell => ({ status, detail });

/** How many connections are Connected, as a row says it: none is said, not counted ("0 connected"). */
const connectedWords = (n: number): string =>
  n === 0 ? "no connection connected" : `${n} connected`;

function gatewayCell(wiring: GatewayAssessment, expectGateway: boolean): LayerCell {
  switch (wiring.state) {
    case "not-used":
      return cell("n/a", "not used");
    case "unread":
      return cell("unknown", `connections read failed: ${wiring.failure.kind}`);
    case "connected":
      return cell("up", `${wiring.connected} connected`);
    case "lost": {
      const lost = wiring.lost.map((c) => `${c.name} ${c.status ?? "gone"}`).join(", ");
      const detail = `${lost} (was Connected); ${connectedWords(wiring.connected)}`;
      // Not expected: the row decides nothing, and another still Connected
      // carries, so it stays up (as "unseen"), naming the loss once: the lost
      // ones are forgotten (gateway-memory.ts), and n/a then "1 connected" at
      // the next sweep was two changes for one.
      if (!expectGateway)
        return wiring.connected > 0
          ? cell("up", `${detail}; no gateway expected`)
          : cell("n/a", `${detail} (no gateway expected)`);
      // Another connection still Connected: its VNets carry (a pair partner
      // that lost only its DR hub still carries the site), the lost ones'
      // do not. Its own Sev1 names them either way.
      return cell(wiring.connected > 0 ? "warn" : "down", detail);
    }
    case "none":
      return cell(expectGateway ? "down" : "n/a", "no connection");
    case "elsewhere":
      // Not seen, so not judged: neither a red row nor an UNKNOWN one, which
      // would be trouble read deep every sweep for as long as it is wired so.
      return cell(
        "n/a",
        `connected through authorization ${wiring.authorizations.join(", ")} (InUse) from a subscription erwatch does not watch: add that subscription to ERWATCH_SUBSCRIPTIONS to see the connection`,
      );

    case "not-connected": {
      const statuses = wiring.connections.map((c) => c.status).join(", ");
      // Not expected (erwatch:expect-gateway=false): no finding, so no red row either, and
      // not trouble that would have the circuit read deep every sweep.
      return expectGateway
        ? cell("down", statuses)
        : cell("n/a", `${statuses} (no gateway expected)`);
    }
    case "unseen": {
      const missing = `${connectedWords(wiring.connected)}; ${wiring.unseen.map((c) => c.name).join(", ")} not in the list read per resource group (Resource Graph failed)`;
      // Not expected: the row decides nothing, so what it showed stands (up:
      // these were Connected when last read whole). n/a would flip it at each
      // Resource Graph outage and back after, and forget them (gateway-memory.ts).
      return expectGateway
        ? cell("unknown", `${missing}: not known`)
        : cell("up", `${missing}: Connected when last read whole; no gateway expected`);
    }
    case "partial": {
      const listed =
        wiring.connections.length === 0
          ? "no connection"
          : `${wiring.connections.map((c) => `${c.name} ${c.status ?? "(status not reported)"}`).join(", ")}; none Connected`;
      const redeemed = wiring.connections.length === 0 && wiring.authorizations.length > 0;
      // Read whole, this would be "elsewhere" (an unwatched subscription); in
      // part it may as well be a watched group the list did not cover.
      const detail = redeemed
        ? `connected through authorization ${wiring.authorizations.join(", ")} (InUse) by a connection not in the list read per resource group (Resource Graph failed): it may be in a resource group that list does not cover, or in a subscription erwatch does not watch: not confirmed`
        : `${listed} in the list read per resource group (Resource Graph failed): one in another resource group or subscription would not be in it: not known`;
      if (expectGateway) return cell("unknown", detail);
      // As "unseen" with no gateway expected: the row stands (up) rather than
      // flip to n/a and back over the outage, and forget it was Connected.
      return wiring.wasConnected
        ? cell(
            "up",
            `${detail}; the wiring was Connected when last read whole; no gateway expected`,
          )
        : cell("n/a", `${detail}; no gateway expected`);
    }
    case "unsure": {
      const detail = `connection status not known (${wiring.connections.map((c) => `${c.name}: ${c.status ?? "not reported"}`).join(", ")})`;
      // Not expected: what it is decides nothing, so it is not a blind spot either.
      return expectGateway
        ? cell("unknown", detail)
        : cell("n/a", `${detail}; no gateway expected`);
    }
  }
}

/**
 * `settling`: connections being set up within their wait (reach-memory.ts),
 * already left out of `reach.down`: the row warns, naming them.
 */
function globalReachCell(
  reach: GlobalReachAssessment,
  words: (g: GlobalReachConnection) => string,
  settling: readonly GlobalReachConnection[],
): LayerCell {
  if (reach.down.length > 0) return cell("down", reach.down.map(words).join(", "));
  if (reach.unread) return cell("unknown", "Global Reach connections not readable");
  if (reach.all.length === 0) return cell("n/a", "none");
  if (reach.unsure.length > 0)
    return cell(
      "unknown",
      `status not reported for ${reach.unsure.map((g) => (g.status === null ? g.name : `${g.name} (IPv6)`)).join(", ")}`,
    );
  const connected = reach.all.length - settling.length;
  if (settling.length > 0)
    return cell(
      "warn",
      [settling.map(words).join(", "), ...(connected > 0 ? [`${connected} connected`] : [])].join(
        "; ",
      ),
    );
  return cell("up", `${reach.all.length} connected`);
}

function providerRow(state: string | null): LayerCell {
  if (state === null) return cell("unknown", LEFT_OUT_OF_BODY.provider);
  return cell(state === "Provisioned" ? "up" : "down", `provider ${state}`);
}

const PATHS_NOT_READ = "paths not read this sweep";

/** Rows filled per peering, not per path: the wiring above the circuit, and the data-plane rows. */
type AbovePath = "gateway" | "globalReach" | "endToEnd" | "capacity";

/** Until the data plane is judged (core/dataplane/apply.ts), its rows say it was not read. */
const NOT_READ = {
  endToEnd: cell("n/a", "not read"),
  capacity: cell("n/a", "not read"),
} as const;

/**
 * Rows for a peering whose paths were not read: a disabled one says why; one
 * of unknown state says nothing; an Enabled one (read Enabled, its paths not
 * read) is UNKNOWN below its peering row, not "peering disabled" beside a red
 * "peering Enabled".
 */
function unreadRows(
  peering: PeeringFacts,
  providerState: string | null,
): Omit<PathLayers, AbovePath> {
  if (peering.state === null) {
    const unknown = cell("unknown", LEFT_OUT_OF_BODY.peering);
    return { provider: unknown, bgp: unknown, peering: unknown, routes: unknown };
  }
  if (peering.state === "Enabled") {
    const unread = cell("unknown", PATHS_NOT_READ);
    return {
      provider: providerRow(providerState),
      bgp: unread,
      peering: peeringCell(peering),
      routes: unread,
    };
  }
  return {
    provider: providerRow(providerState),
    bgp: cell("n/a", "peering disabled"),
    peering: peeringShutCell(peering.state),
    routes: cell("n/a", "peering disabled"),
  };
}

function pathLayers(
  analysis: PathAnalysis | null,
  peering: PeeringFacts,
  providerState: string | null,
  wiring: Pick<PathLayers, AbovePath>,
): PathLayers {
  if (analysis) return { ...analysis.cells, ...wiring };
  return { ...unreadRows(peering, providerState), ...wiring };
}

/** When ARM left the peering list out: the peerings erwatch expects or saw last time, every row unknown. */
function unknownPeerings(
  expected: string[],
  previous: string[],
  listed: boolean,
): PeeringVerdict[] {
  const names: string[] = [];
  for (const name of [...expected, ...previous])
    if (!names.some((n) => same(n, name))) names.push(name);
  const unknown = cell(
    "unknown",
    listed ? LEFT_OUT_OF_BODY.peeringUnreadable : LEFT_OUT_OF_BODY.peerings,
  );
  const row: PathLayers = {
    provider: unknown,
    bgp: unknown,
    peering: unknown,
    routes: unknown,
    gateway: unknown,
    globalReach: unknown,
    endToEnd: unknown,
    capacity: unknown,
  };
  return names.map((name) => ({
    name,
    paths: { primary: { ...row }, secondary: { ...row } },
    prefixes: { primary: null, secondary: null },
    limits: { primary: null, secondary: null },
  }));
}

function missingPeerings(
  facts: CircuitFacts & { peerings: readonly PeeringFacts[] },
  settings: CircuitSettings,
  options: ClassifyOptions,
): Finding[] {
  return settings.expectedPeerings
    .filter((expected) => !facts.peerings.some((p) => same(p.name, expected)))
    .map((expected) => {
      const seen = options.previous?.peerings.some((p) => same(p, expected)) ?? false;
      return missingPeeringFinding(expected, settings, facts, seen);
    });
}

/** One peering's layer table and findings. */
function judgePeering(
  reading: CircuitReading,
  facts: CircuitFacts,
  peering: PeeringFacts,
  notProvisioned: boolean,
  options: ClassifyOptions,
): { verdict: PeeringVerdict; findings: Finding[] } {
  const { ref, settings } = reading;
  const wasConnected = (options.previous?.gatewaysOnceConnected ?? []).some((p) =>
    same(p, peering.name),
  );
  const wiring = assessGateway(peering, reading.gateway, {
    remembered: byName(options.previous?.gatewayConnections, peering.name) ?? [],
    authorizations: facts.authorizations ?? [],
    wasConnected,
  });
  const assessed = assessGlobalReach(peering);
  // Null: seen, in a snapshot kept before sightings were; nothing kept: none seen.
  const kept = byName(options.previous?.reach, peering.name);
  const seen = kept === undefined ? [] : kept;
  const how = new Map(
    assessed.down.map(
      (g) => [g, connectingOf(g, seen, options.at ?? reading.circuit.readAt)] as const,
    ),
  );
  const connecting = (g: GlobalReachConnection) => how.get(g) ?? null;
  const settling = assessed.down.filter((g) => connecting(g)?.kind === "settling");
  const reach = { ...assessed, down: assessed.down.filter((g) => !settling.includes(g)) };
  const words = (g: GlobalReachConnection) => {
    const c = connecting(g);
    return `${g.name} ${reachStatusText(g)}${c ? ` — ${connectingWords(c, reading.circuit.readAt)}` : ""}`;
  };
  const cells = {
    gateway: gatewayCell(wiring, settings.expectGateway),
    globalReach: globalReachCell(reach, words, settling),
    ...NOT_READ,
  };
  const reads = reading.paths[peering.name];
  const was = byName(options.previous?.loads, peering.name);
  const analyse = (path: PathName, read: PathReading) =>
    analysePath(path, facts, peering, read, options.routeLimits, was?.[path] ?? {});
  const analyses: Record<PathName, PathAnalysis> | null =
    peering.state === "Enabled" && reads !== undefined
      ? {
          primary: analyse("primary", reads.primary),
          secondary: analyse("secondary", reads.secondary),
        }
      : null;
  const state = facts.serviceProviderProvisioningState;
  const verdict: PeeringVerdict = {
    name: peering.name,
    paths: {
      primary: pathLayers(analyses?.primary ?? null, peering, state, cells),
      secondary: pathLayers(analyses?.secondary ?? null, peering, state, cells),
    },
    prefixes: {
      primary: analyses?.primary.prefixes ?? null,
      secondary: analyses?.secondary.prefixes ?? null,
    },
    limits: {
      primary: analyses?.primary.prefixLimit ?? null,
      secondary: analyses?.secondary.prefixLimit ?? null,
    },
  };
  if (analyses && PATHS.some((p) => Object.keys(analyses[p].loads).length > 0))
    verdict.loads = { primary: analyses.primary.loads, secondary: analyses.secondary.loads };
  const ipv6Unknown = PATHS.filter((p) => analyses?.[p].ipv6Unknown);
  if (ipv6Unknown.length > 0) verdict.ipv6StateUnknown = ipv6Unknown;
  if (analyses && PATHS.some((p) => analyses[p].neighbors.some((n) => n.family === "ipv6")))
    verdict.ipv6 = {
      prefixes: {
        primary: analyses.primary.ipv6Prefixes,
        secondary: analyses.secondary.ipv6Prefixes,
      },
      limits: { primary: analyses.primary.ipv6Limit, secondary: analyses.secondary.ipv6Limit },
    };
  // Above a provider that is not provisioned, and for a peering of unknown state, nothing is a finding.
  if (notProvisioned)
    return {
      verdict: heldBeneath(verdict, "circuit not provisioned by its carrier"),
      findings: [],
    };
  if (peering.state === null)
    return { verdict: notJudgedBeneath(verdict, LEFT_OUT_OF_BODY.peering), findings: [] };
  if (peering.state !== "Enabled") {
    const expected = settings.expectedPeerings.some((p) => same(p, peering.name));
    const carried = (options.previous?.peeringsCarried ?? []).some((p) => same(p, peering.name));
    return {
      verdict: heldBeneath(verdict, `peering ${peering.state}`),
      findings: [disabledPeeringFinding(peering, settings, expected || carried, carried)],
    };
  }
  if (!analyses) return { verdict: notJudgedBeneath(verdict, PATHS_NOT_READ), findings: [] };
  const result = pathFindings({
    ref,
    circuit: facts,
    peering,
    model: settings.connectivityModel,
    analyses,
    readAt: reading.circuit.readAt,
  });
  const findings = [...result.findings];
  if (result.carrying.length > 0) {
    const unwired = gatewayFinding(
      peering,
      wiring,
      settings,
      options.severity.gateway,
      wasConnected,
    );
    if (unwired) findings.push(unwired);
    const unreached = globalReachFinding(
      peering,
      reach,
      options.severity.globalReach,
      reading.circuit.readAt,
      options.reachPeers,
      connecting,
    );
    if (unreached) findings.push(unreached);
    return { verdict, findings };
  }
  return {
    verdict: { ...heldBeneath(verdict, noPathCarrying(verdict)), noPathCarrying: true },
    findings,
  };
}

export function classifyCircuit(
  reading: CircuitReading,
  options: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS,
): CircuitVerdict {
  const { ref, settings } = reading;
  const failures = failedReadsOf(reading);
  const findings: Finding[] = blindFindings(
    blindReadsOf(reading),
    ref.subscriptionId,
    options.severity.blind,
    // Classify takes no clock: the circuit's reading is this sweep's.
    Date.parse(reading.circuit.readAt),
  );
  const base = {
    id: ref.id,
    name: ref.name,
    subscriptionId: ref.subscriptionId,
    resourceGroup: ref.resourceGroup,
    tags: ref.tags,
    settings,
    readAt: reading.circuit.readAt,
    failedReads: failures.map((f) => f.failure),
  };
  if (!reading.circuit.ok) {
    return {
      ...base,
      serviceKey: null,
      serviceProviderName: null,
      peeringLocation: null,
      circuitRead: false,
      providerState: null,
      circuitState: null,
      peerings: [],
      findings,
    };
  }

  const facts = reading.circuit.value;
  const providerState = facts.serviceProviderProvisioningState;
  // Only a state ARM reported, and not Provisioned, is the carrier's; null is UNKNOWN.
  const notProvisioned = providerState !== null && providerState !== "Provisioned";
  const readAt = reading.circuit.readAt;
  const peerings: PeeringVerdict[] = [];

  if (notProvisioned) {
    findings.push(
      providerFinding(ref, facts, options.previous?.providerWasProvisioned ?? false, readAt),
    );
  }
  // The Azure side is its own fact, apart from the carrier's.
  const disabled = circuitStateFinding(facts);
  if (disabled) findings.push(disabled);
  // Before the carrier provisions, no peering can exist: only then is one
  // missing, and never from a list read in part.
  if (facts.peerings !== null && providerState === "Provisioned")
    findings.push(...missingPeerings({ ...facts, peerings: facts.peerings }, settings, options));
  const read = readablePeerings(facts);
  for (const peering of read) {
    const judged = judgePeering(reading, facts, peering, notProvisioned, options);
    peerings.push(judged.verdict);
    findings.push(...judged.findings);
  }
  // A list left out, or read in part: any other peering it may hold is UNKNOWN.
  if (facts.peerings === null)
    peerings.push(
      ...unknownPeerings(
        settings.expectedPeerings,
        options.previous?.peerings ?? [],
        facts.peeringsUnread !== undefined,
      ).filter((v) => !read.some((p) => same(p.name, v.name))),
    );

  return {
    ...base,
    serviceKey: facts.serviceKey,
    serviceProviderName: facts.serviceProviderName,
    ...(facts.expressRoutePortId ? { expressRoutePortId: facts.expressRoutePortId } : {}),
    peeringLocation: facts.peeringLocation,
    circuitRead: true,
    providerState: facts.serviceProviderProvisioningState,
    circuitState: facts.circuitProvisioningState,
    peerings,
    findings,
  };
}

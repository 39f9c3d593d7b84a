// Readings in, verdict out: the layer table per peering and path, and the
// findings. Pure: the previous sweep's facts and the thresholds come in as
// arguments.

import { blindFindings, type BlindRead } from "./blind.js";
import {
  disabledPeeringFinding,
  gatewayFinding,
  globalReachFinding,
  missingPeeringFinding,
  providerFinding,
} from "./circuit-findings.js";
import type {
  CircuitReading,
  CircuitVerdict,
  Finding,
  LayerCell,
  PathLayers,
  PathName,
  PeeringFacts,
  PeeringVerdict,
  Severity,
} from "./model.js";
import { analysePath, type PathAnalysis } from "./path-analysis.js";
import { pathFindings } from "./path-findings.js";
import { DEFAULT_ROUTE_LIMITS, type RouteLimitSettings } from "./route-limits.js";
import { applyCriticality } from "./severity.js";
import {
  assessGateway,
  assessGlobalReach,
  type GatewayAssessment,
  type GlobalReachAssessment,
} from "./wiring.js";

export interface ClassifyOptions {
  routeLimits: RouteLimitSettings;
  /** Grades for findings that are not about traffic on a path. */
  severity: { blind: Severity; gateway: Severity; globalReach: Severity };
  /** What the previous sweep saw, when there was one. */
  previous?: { providerWasProvisioned: boolean; peerings: string[] };
}

export const DEFAULT_CLASSIFY_OPTIONS: ClassifyOptions = {
  routeLimits: DEFAULT_ROUTE_LIMITS,
  severity: { blind: "Sev3", gateway: "Sev3", globalReach: "Sev3" },
};

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const cell = (status: LayerCell["status"], detail: string): LayerCell => ({ status, detail });

function gatewayCell(wiring: GatewayAssessment, expectGateway: boolean): LayerCell {
  switch (wiring.state) {
    case "not-used":
      return cell("n/a", "not used");
    case "unread":
      return cell("unknown", `connections read failed: ${wiring.failure.kind}`);
    case "connected":
      return cell("up", `${wiring.connected} connected`);
    case "none":
      return cell(expectGateway ? "down" : "n/a", "no connection");
    case "not-connected":
      return cell("down", wiring.connections.map((c) => c.status).join(", "));
  }
}

function globalReachCell(reach: GlobalReachAssessment): LayerCell {
  if (reach.all.length === 0) return cell("n/a", "none");
  return reach.down.length === 0
    ? cell("up", `${reach.all.length} connected`)
    : cell("down", reach.down.map((g) => `${g.name} ${g.status}`).join(", "));
}

function pathLayers(
  analysis: PathAnalysis | null,
  peering: PeeringFacts,
  providerState: string,
  gateway: LayerCell,
  globalReach: LayerCell,
): PathLayers {
  if (analysis) return { ...analysis.cells, gateway, globalReach };
  // A disabled peering is not read per path: its rows say why.
  return {
    provider: cell(providerState === "Provisioned" ? "up" : "down", `provider ${providerState}`),
    bgp: cell("n/a", "peering disabled"),
    peering: cell("down", `peering ${peering.state}`),
    routes: cell("n/a", "peering disabled"),
    gateway,
    globalReach,
  };
}

function collectFailures(reading: CircuitReading): BlindRead[] {
  // Without the circuit nothing else was read: that one failure is the story.
  if (!reading.circuit.ok) return [{ peering: null, path: null, failure: reading.circuit.error }];
  const out: BlindRead[] = [];
  if (!reading.gateway.ok) out.push({ peering: null, path: null, failure: reading.gateway.error });
  for (const [peering, paths] of Object.entries(reading.paths)) {
    for (const path of ["primary", "secondary"] as const) {
      const r = paths[path];
      if (!r.arp.ok) out.push({ peering, path, failure: r.arp.error });
      if (!r.summary.ok) out.push({ peering, path, failure: r.summary.error });
      if (r.routes && !r.routes.ok) out.push({ peering, path, failure: r.routes.error });
    }
  }
  return out;
}

export function classifyCircuit(
  reading: CircuitReading,
  options: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS,
): CircuitVerdict {
  const { ref, settings } = reading;
  const failures = collectFailures(reading);
  const findings: Finding[] = blindFindings(failures, ref.subscriptionId, options.severity.blind);
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
  const graded = (list: Finding[]): Finding[] =>
    list.map((f) => ({ ...f, severity: applyCriticality(f.severity, settings.criticality) }));
  if (!reading.circuit.ok) {
    return {
      ...base,
      serviceKey: null,
      serviceProviderName: null,
      peeringLocation: null,
      circuitRead: false,
      providerState: null,
      peerings: [],
      findings: graded(findings),
    };
  }

  const facts = reading.circuit.value;
  const providerState = facts.serviceProviderProvisioningState ?? "unknown";
  const provisioned = providerState === "Provisioned";
  const readAt = reading.circuit.readAt;
  const peerings: PeeringVerdict[] = [];

  if (!provisioned) {
    findings.push(
      providerFinding(ref, facts, options.previous?.providerWasProvisioned ?? false, readAt),
    );
  }
  for (const expected of settings.expectedPeerings) {
    if (!facts.peerings.some((p) => same(p.name, expected))) {
      const seen = options.previous?.peerings.some((p) => same(p, expected)) ?? false;
      if (provisioned) findings.push(missingPeeringFinding(expected, settings, facts, seen));
    }
  }

  for (const peering of facts.peerings) {
    const wiring = assessGateway(peering, reading.gateway);
    const reach = assessGlobalReach(peering);
    const gateway = gatewayCell(wiring, settings.expectGateway);
    const globalReach = globalReachCell(reach);
    const reads = reading.paths[peering.name];
    const enabled = peering.state === "Enabled" && reads !== undefined;
    const analyses: Record<PathName, PathAnalysis> | null = enabled
      ? {
          primary: analysePath("primary", facts, peering, reads.primary, options.routeLimits),
          secondary: analysePath("secondary", facts, peering, reads.secondary, options.routeLimits),
        }
      : null;
    peerings.push({
      name: peering.name,
      paths: {
        primary: pathLayers(
          analyses?.primary ?? null,
          peering,
          providerState,
          gateway,
          globalReach,
        ),
        secondary: pathLayers(
          analyses?.secondary ?? null,
          peering,
          providerState,
          gateway,
          globalReach,
        ),
      },
      prefixes: {
        primary: analyses?.primary.prefixes ?? null,
        secondary: analyses?.secondary.prefixes ?? null,
      },
      limits: {
        primary: analyses?.primary.prefixLimit ?? null,
        secondary: analyses?.secondary.prefixLimit ?? null,
      },
    });
    if (!provisioned) continue;

    if (peering.state !== "Enabled") {
      const expected = settings.expectedPeerings.some((p) => same(p, peering.name));
      findings.push(disabledPeeringFinding(peering, settings, expected));
      continue;
    }
    if (!analyses) continue;
    const result = pathFindings({
      ref,
      circuit: facts,
      peering,
      model: settings.connectivityModel,
      analyses,
      readAt,
    });
    findings.push(...result.findings);
    if (result.carrying.length > 0) {
      const unwired = gatewayFinding(peering, wiring, settings, options.severity.gateway);
      if (unwired) findings.push(unwired);
      const unreached = globalReachFinding(peering, reach, options.severity.globalReach);
      if (unreached) findings.push(unreached);
    }
  }

  return {
    ...base,
    serviceKey: facts.serviceKey,
    serviceProviderName: facts.serviceProviderName,
    peeringLocation: facts.peeringLocation,
    circuitRead: true,
    providerState: facts.serviceProviderProvisioningState,
    peerings,
    findings: graded(findings),
  };
}

// The JSON document erwatch prints (`--output json`) and answers with
// (POST /api/sweep). A public contract documented in the README: fields are
// added, never renamed.

import type {
  CircuitReading,
  CircuitVerdict,
  Finding,
  PathName,
  ReadFailure,
  RouteRow,
} from "../core/model.js";
import type { DiscoveryFailure } from "./ports.js";

export const REPORT_VERSION = 1;

export interface ReportPath {
  provider: { status: string; detail: string };
  bgp: { status: string; detail: string };
  peering: { status: string; detail: string };
  routes: { status: string; detail: string };
  gateway: { status: string; detail: string };
  globalReach: { status: string; detail: string };
  endToEnd: { status: string; detail: string };
  capacity: { status: string; detail: string };
  prefixes: number | null;
  /** Only with diagnose --routes. */
  receivedRoutes?: RouteRow[] | { error: ReadFailure };
}

/** A finding exactly as the domain states it: the report adds nothing and hides nothing. */
export type ReportFinding = Pick<
  Finding,
  | "code"
  | "layer"
  | "owner"
  | "severity"
  | "peering"
  | "paths"
  | "title"
  | "evidence"
  | "nextAction"
  | "ticket"
>;

export interface ReportCircuit {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  serviceKey: string | null;
  provider: string | null;
  peeringLocation: string | null;
  readAt: string;
  settings: CircuitVerdict["settings"];
  /** `notes`: what pages nobody (path asymmetry, a metrics dip the control plane contradicts). */
  peerings: { name: string; paths: Record<PathName, ReportPath>; notes?: string[] }[];
  findings: ReportFinding[];
  failedReads: ReadFailure[];
}

export interface Report {
  version: typeof REPORT_VERSION;
  generatedAt: string;
  circuits: ReportCircuit[];
  ignored: { id: string; name: string }[];
  discoveryFailures: DiscoveryFailure[];
  errors: { id: string; name: string; message: string }[];
}

function finding(f: Finding): ReportFinding {
  const out: ReportFinding = {
    code: f.code,
    layer: f.layer,
    owner: f.owner,
    severity: f.severity,
    peering: f.peering,
    paths: f.paths,
    title: f.title,
    evidence: f.evidence,
    nextAction: f.nextAction,
  };
  if (f.ticket !== undefined) out.ticket = f.ticket;
  return out;
}

export function reportCircuit(verdict: CircuitVerdict, reading?: CircuitReading): ReportCircuit {
  return {
    id: verdict.id,
    name: verdict.name,
    subscriptionId: verdict.subscriptionId,
    resourceGroup: verdict.resourceGroup,
    serviceKey: verdict.serviceKey,
    provider: verdict.serviceProviderName,
    peeringLocation: verdict.peeringLocation,
    readAt: verdict.readAt,
    settings: verdict.settings,
    peerings: verdict.peerings.map((p) => {
      const path = (name: PathName): ReportPath => {
        const out: ReportPath = { ...p.paths[name], prefixes: p.prefixes[name] };
        const routes = reading?.paths[p.name]?.[name].routes;
        if (routes) out.receivedRoutes = routes.ok ? routes.value : { error: routes.error };
        return out;
      };
      return {
        name: p.name,
        paths: { primary: path("primary"), secondary: path("secondary") },
        ...(p.notes && p.notes.length > 0 ? { notes: p.notes } : {}),
      };
    }),
    findings: verdict.findings.map(finding),
    failedReads: verdict.failedReads,
  };
}

export function buildReport(input: {
  verdicts: CircuitVerdict[];
  readings?: CircuitReading[];
  ignored?: Report["ignored"];
  discoveryFailures?: DiscoveryFailure[];
  errors?: Report["errors"];
  generatedAt: Date;
}): Report {
  return {
    version: REPORT_VERSION,
    generatedAt: input.generatedAt.toISOString(),
    circuits: input.verdicts.map((v) =>
      reportCircuit(
        v,
        input.readings?.find((r) => r.ref.id === v.id),
      ),
    ),
    ignored: input.ignored ?? [],
    discoveryFailures: input.discoveryFailures ?? [],
    errors: input.errors ?? [],
  };
}

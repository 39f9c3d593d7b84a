// The running configuration against the one the circuit's owners declared:
// each field that differs, expected vs running, and the paths it concerns. A
// session down on a path whose parameters drifted cites the drift: a changed
// VLAN, /30 or ASN is usually why it will not come up.

import type { CircuitReading, Finding, PathName, PeeringFacts } from "../model.js";
import { PATHS, readablePeerings } from "../model.js";
import type { CircuitBaseline, PeeringBaseline } from "./policy.js";
import { sameName as same } from "../names.js";

export interface DriftItem {
  /** Where, in words: "AzurePrivatePeering VLAN", "SKU tier". */
  field: string;
  peering: string | null;
  expected: unknown;
  running: unknown;
  /** Paths the field concerns (VLAN and ASN: both; a /30: its own path; circuit fields: none). */
  paths: PathName[];
}

function peeringDrift(
  name: string,
  declared: PeeringBaseline,
  running: PeeringFacts | null,
): DriftItem[] {
  if (!running)
    return [
      {
        field: `${name}`,
        peering: name,
        expected: "configured",
        running: "absent",
        paths: [...PATHS],
      },
    ];
  const items: DriftItem[] = [];
  const check = (
    field: string,
    expected: string | number | undefined,
    actual: string | number | null,
    paths: PathName[],
  ) => {
    // A value ARM left out is UNKNOWN: not drift.
    if (expected === undefined || actual === null) return;
    const differs =
      typeof expected === "string" && typeof actual === "string"
        ? !same(expected, actual)
        : expected !== actual;
    if (differs)
      items.push({ field: `${name} ${field}`, peering: name, expected, running: actual, paths });
  };
  check("peer ASN", declared.peerASN, running.peerASN, [...PATHS]);
  check("VLAN", declared.vlanId, running.vlanId, [...PATHS]);
  check("primary /30", declared.primaryPeerAddressPrefix, running.primaryPeerAddressPrefix, [
    "primary",
  ]);
  check("secondary /30", declared.secondaryPeerAddressPrefix, running.secondaryPeerAddressPrefix, [
    "secondary",
  ]);
  return items;
}

export function driftItems(reading: CircuitReading, baseline: CircuitBaseline): DriftItem[] {
  if (!reading.circuit.ok) return [];
  const facts = reading.circuit.value;
  const items: DriftItem[] = [];
  const circuitField = (field: string, expected: unknown, running: unknown, differs: boolean) => {
    if (differs) items.push({ field, peering: null, expected, running, paths: [] });
  };
  if (baseline.skuTier !== undefined && facts.skuTier !== null)
    circuitField(
      "SKU tier",
      baseline.skuTier,
      facts.skuTier,
      !same(baseline.skuTier, facts.skuTier),
    );
  if (baseline.bandwidthInMbps !== undefined && facts.bandwidthInMbps !== null)
    circuitField(
      "bandwidth (Mbps)",
      baseline.bandwidthInMbps,
      facts.bandwidthInMbps,
      baseline.bandwidthInMbps !== facts.bandwidthInMbps,
    );
  if (baseline.connectivityModel !== undefined)
    circuitField(
      "connectivity model (erwatch:connectivity-model tag or ERWATCH_CONNECTIVITY_MODEL)",
      baseline.connectivityModel,
      reading.settings.connectivityModel,
      baseline.connectivityModel !== reading.settings.connectivityModel,
    );
  if (baseline.gatewayConnections !== undefined && reading.gateway.ok) {
    const running = reading.gateway.value.map((c) => c.name);
    const matches = (want: string) =>
      reading.gateway.ok &&
      reading.gateway.value.some((c) => same(c.name, want) || same(c.id, want));
    const missing = baseline.gatewayConnections.filter((want) => !matches(want));
    if (missing.length > 0)
      items.push({
        field: "gateway connections",
        peering: null,
        expected: baseline.gatewayConnections,
        running,
        paths: [],
      });
  }
  const read = readablePeerings(facts);
  for (const [name, declared] of Object.entries(baseline.peerings ?? {})) {
    const running = read.find((p) => same(p.name, name)) ?? null;
    // A list ARM left out, or read in part: one not read may be there all the same.
    if (!running && facts.peerings === null) continue;
    items.push(...peeringDrift(name, declared, running));
  }
  return items;
}

const shown = (v: unknown) => (Array.isArray(v) ? `[${v.join(", ")}]` : String(v));

export function itemWords(item: DriftItem): string {
  return `${item.field} expected ${shown(item.expected)}, running ${shown(item.running)}`;
}

export function driftFinding(circuitName: string, items: DriftItem[]): Finding | null {
  if (items.length === 0) return null;
  const first = items.slice(0, 3).map(itemWords).join("; ");
  const more = items.length > 3 ? ` and ${items.length - 3} more` : "";
  return {
    code: "config-drift",
    layer: "peering",
    owner: "you",
    severity: "Sev3",
    peering: null,
    paths: PATHS.filter((p) => items.some((i) => i.paths.includes(p))),
    title: `${circuitName} drifted from its declared baseline: ${first}${more}`,
    evidence: {
      drift: items.map((i) => ({
        field: i.field,
        peering: i.peering,
        expected: i.expected,
        running: i.running,
        paths: i.paths,
      })),
    },
    nextAction:
      "If the change was intended, update the baseline (ERWATCH_BASELINE / ERWATCH_BASELINE_FILE); if not, put the running configuration back. A drifted VLAN, /30 or peer ASN stops the BGP session on the paths it concerns.",
  };
}

/** A `bgp-down` on a path whose parameters drifted says so: that is usually the cause. */
export function citeDrift(finding: Finding, items: DriftItem[]): Finding {
  if (finding.code !== "bgp-down" || finding.peering === null) return finding;
  const cited = items.filter(
    (i) =>
      i.peering !== null &&
      same(i.peering, finding.peering as string) &&
      i.paths.some((p) => finding.paths.includes(p)),
  );
  if (cited.length === 0) return finding;
  const words = cited.map(itemWords).join("; ");
  return {
    ...finding,
    evidence: {
      ...finding.evidence,
      drift: cited.map((i) => ({
        field: i.field,
        expected: i.expected,
        running: i.running,
        paths: i.paths,
      })),
    },
    nextAction: `The declared baseline differs on this path (${words}): that is usually why the session does not come up. ${finding.nextAction}`,
  };
}

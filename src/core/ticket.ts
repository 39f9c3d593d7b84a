// The ticket a carrier can act on without a round trip: the service key (how
// they find the circuit), which path(s), when it was read, what the provider
// state said, and the ARP rows as layer-2 evidence.

import type { ArpRow, CircuitFacts, CircuitRef, PathName, PeeringFacts } from "./model.js";
import type { PathAnalysis } from "./path-analysis.js";

export interface TicketInput {
  ref: CircuitRef;
  circuit: CircuitFacts;
  peering: PeeringFacts | null;
  affected: PathName[];
  problem: string;
  analyses: PathAnalysis[];
  readAt: string;
}

function arpLines(rows: ArpRow[] | null): string[] {
  if (rows === null) return ["    (not read)"];
  if (rows.length === 0) return ["    (no entries)"];
  return rows.map(
    (r) =>
      `    ${r.interface.padEnd(10)} ${r.ipAddress.padEnd(16)} ${r.macAddress.padEnd(16)} age ${r.age ?? "?"}`,
  );
}

export function buildCarrierTicket(input: TicketInput): string {
  const { ref, circuit, peering, affected } = input;
  const lines = [
    `ExpressRoute fault for the connectivity provider: ${input.problem}`,
    `Service key: ${circuit.serviceKey ?? "unknown"}`,
    `Provider: ${circuit.serviceProviderName ?? "unknown"}; peering location: ${circuit.peeringLocation ?? "unknown"}; bandwidth: ${circuit.bandwidthInMbps ?? "?"} Mbps`,
    `Circuit: ${ref.name} (${ref.id})`,
    `Service provider provisioning state: ${circuit.serviceProviderProvisioningState ?? "unknown"}`,
  ];
  if (peering) {
    lines.push(
      `Peering: ${peering.name} (VLAN ${peering.vlanId ?? "?"}, primary ${peering.primaryPeerAddressPrefix ?? "?"}, secondary ${peering.secondaryPeerAddressPrefix ?? "?"})`,
    );
  }
  lines.push(`Affected path(s): ${affected.join(" and ")}`);
  lines.push(`Read at: ${input.readAt}`);
  for (const analysis of input.analyses) {
    const mark = affected.includes(analysis.path) ? "affected" : "for comparison";
    lines.push(
      `ARP table ${peering?.name ?? ""} ${analysis.path} (${mark}), read ${analysis.readAt.arp}:`,
    );
    lines.push(...arpLines(analysis.arpRows));
  }
  return lines.join("\n");
}

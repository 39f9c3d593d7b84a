// SDK models → domain facts. This is the boundary: nothing above it sees an
// ARM shape. Fields ARM may omit become null, never a guessed value.

import type {
  ExpressRouteCircuit,
  ExpressRouteCircuitArpTable,
  ExpressRouteCircuitPeering,
  ExpressRouteCircuitRoutesTable,
  ExpressRouteCircuitRoutesTableSummary,
} from "@azure/arm-network";
import type {
  ArpRow,
  BgpNeighborRow,
  CircuitFacts,
  GlobalReachConnection,
  PeeringFacts,
  RouteRow,
} from "../../core/model.js";

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export class MalformedResponseError extends Error {
  override readonly name = "MalformedResponseError";
}

function globalReach(peering: ExpressRouteCircuitPeering): GlobalReachConnection[] {
  const outbound = (peering.connections ?? []).map((c) => ({
    name: c.name ?? "unnamed",
    peerCircuitPeeringId: c.peerExpressRouteCircuitPeering?.id ?? "",
    status: c.circuitConnectionStatus ?? "Unknown",
    direction: "outbound" as const,
  }));
  const inbound = (peering.peeredConnections ?? []).map((c) => ({
    name: c.connectionName ?? c.name ?? "unnamed",
    peerCircuitPeeringId: c.peerExpressRouteCircuitPeering?.id ?? "",
    status: c.circuitConnectionStatus ?? "Unknown",
    direction: "inbound" as const,
  }));
  return [...outbound, ...inbound];
}

export function toPeeringFacts(peering: ExpressRouteCircuitPeering): PeeringFacts {
  const name = peering.name ?? str(peering.peeringType);
  if (!name) throw new MalformedResponseError("a peering has neither name nor peeringType");
  return {
    name,
    peeringType: peering.peeringType ?? name,
    state: peering.state ?? "Unknown",
    azureASN: num(peering.azureASN),
    peerASN: num(peering.peerASN),
    primaryPeerAddressPrefix: str(peering.primaryPeerAddressPrefix),
    secondaryPeerAddressPrefix: str(peering.secondaryPeerAddressPrefix),
    vlanId: num(peering.vlanId),
    advertisedPublicPrefixesState: str(
      peering.microsoftPeeringConfig?.advertisedPublicPrefixesState,
    ),
    advertisedPublicPrefixes: peering.microsoftPeeringConfig?.advertisedPublicPrefixes ?? [],
    globalReach: globalReach(peering),
  };
}

export function toCircuitFacts(circuit: ExpressRouteCircuit): CircuitFacts {
  if (typeof circuit !== "object" || circuit === null || !circuit.id) {
    throw new MalformedResponseError("the circuit response has no id");
  }
  return {
    circuitProvisioningState: str(circuit.circuitProvisioningState),
    serviceProviderProvisioningState: str(circuit.serviceProviderProvisioningState),
    skuTier: str(circuit.sku?.tier),
    skuFamily: str(circuit.sku?.family),
    bandwidthInMbps: num(circuit.serviceProviderProperties?.bandwidthInMbps),
    serviceKey: str(circuit.serviceKey),
    serviceProviderName: str(circuit.serviceProviderProperties?.serviceProviderName),
    peeringLocation: str(circuit.serviceProviderProperties?.peeringLocation),
    peerings: (circuit.peerings ?? []).map(toPeeringFacts),
  };
}

function rows<T>(value: unknown, what: string): T[] {
  if (!Array.isArray(value))
    throw new MalformedResponseError(`the ${what} response has no value array`);
  return value as T[];
}

export function toArpRows(value: unknown): ArpRow[] {
  return rows<ExpressRouteCircuitArpTable>(value, "ARP table").map((r) => ({
    age: num(r.age),
    interface: r.interface ?? "",
    ipAddress: r.ipAddress ?? "",
    macAddress: r.macAddress ?? "",
  }));
}

export function toNeighborRows(value: unknown): BgpNeighborRow[] {
  return rows<ExpressRouteCircuitRoutesTableSummary>(value, "route table summary").map((r) => ({
    neighbor: r.neighbor ?? "",
    v: num(r.v),
    as: num(r.as),
    upDown: r.upDown ?? "",
    // The wire type is a string; tolerate a number from a future api-version.
    statePfxRcd: r.statePfxRcd === undefined || r.statePfxRcd === null ? "" : String(r.statePfxRcd),
  }));
}

export function toRouteRows(value: unknown): RouteRow[] {
  return rows<ExpressRouteCircuitRoutesTable>(value, "route table").map((r) => ({
    network: r.network ?? "",
    nextHop: r.nextHop ?? "",
    locPrf: r.locPrf ?? "",
    weight: num(r.weight),
    path: r.path ?? "",
  }));
}

// Deterministic identifiers and addresses: scenarios must be reproducible, so
// everything that looks random in ARM (GUIDs, etags, MACs) is a hash of a name.

import { createHash } from "node:crypto";

function digest(seed: string): string {
  return createHash("sha256").update(seed).digest("hex");
}

/** A GUID-shaped string derived from `seed`. */
export function stableUuid(seed: string): string {
  const h = digest(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A MAC in the dotted Cisco notation the ARP table uses, e.g. "0050.56a1.2b3c". */
export function stableMac(seed: string, oui: string): string {
  const hex = (oui + digest(seed)).slice(0, 12);
  return `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8, 12)}`;
}

export function etagOf(seed: string): string {
  return `W/"${stableUuid(`etag:${seed}`)}"`;
}

export function circuitId(c: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}): string {
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.Network/expressRouteCircuits/${c.name}`;
}

export function connectionId(c: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}): string {
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.Network/connections/${c.name}`;
}

export function virtualNetworkGatewayId(
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworkGateways/${name}`;
}

export function expressRouteGatewayId(g: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}): string {
  return `/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroup}/providers/Microsoft.Network/expressRouteGateways/${g.name}`;
}

/** The circuit name in an ARM id, or undefined when it is not a circuit (or child) id. */
export function circuitNameOf(id: string): string | undefined {
  return /\/expressRouteCircuits\/([^/]+)/i.exec(id)?.[1];
}

/** The seed every derived value of a circuit (service key, MACs) hashes from. */
export function seedOf(c: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `${c.subscriptionId}/${c.resourceGroup}/${c.name}`.toLowerCase();
}

export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Host `offset` of an IPv4 prefix like "192.168.10.16/30" (offset 1 = first usable). */
export function hostIn(prefix: string, offset: number): string {
  const base = prefix.split("/")[0] ?? prefix;
  const octets = base.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o))) return base;
  const value =
    (((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]! + offset) >>>
    0;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

// The Azure side of a peering, each rule decided once: which gateway
// connections belong to the peering and whether any is connected, and which
// Global Reach connections are down. The layer cell and the finding both read
// these assessments, so the table and the alert cannot disagree.

import type {
  GatewayConnectionFacts,
  GlobalReachConnection,
  PeeringFacts,
  ReadFailure,
  Reading,
} from "./model.js";
import { sameName as same } from "./names.js";

export type GatewayAssessment =
  /** Only private peering carries VNet traffic; the others have no gateway row. */
  | { state: "not-used" }
  | { state: "unread"; failure: ReadFailure }
  | { state: "connected"; connections: GatewayConnectionFacts[]; connected: number }
  | { state: "none"; connections: [] }
  | { state: "not-connected"; connections: GatewayConnectionFacts[] }
  /** None connected, but one whose status says nothing (left out, Unknown, Updating) might be: neither up nor down. */
  | { state: "unsure"; connections: GatewayConnectionFacts[] };

/**
 * VNet gateway connections report a connection status; vWAN ones only a
 * provisioning state, done as "Succeeded" (or "Provisioned", as the REST
 * spec's examples of them read).
 */
export function isConnected(connection: GatewayConnectionFacts): boolean {
  return connection.kind === "vwan"
    ? connection.status === "Succeeded" || connection.status === "Provisioned"
    : connection.status === "Connected";
}

/**
 * A status that says nothing about traffic: ARM left it out, a VNet
 * connection reports the documented `Unknown`, or a vWAN connection is in the
 * middle of an update (`Updating`). Neither up nor down.
 */
function undecided(connection: GatewayConnectionFacts): boolean {
  if (connection.status === null) return true;
  return connection.kind === "vwan"
    ? connection.status === "Updating"
    : connection.status === "Unknown";
}

export function assessGateway(
  peering: PeeringFacts,
  gateway: Reading<GatewayConnectionFacts[]>,
): GatewayAssessment {
  if (!same(peering.peeringType, "AzurePrivatePeering")) return { state: "not-used" };
  if (!gateway.ok) return { state: "unread", failure: gateway.error };
  // A VNet gateway connection names the circuit, not a peering: it serves private peering.
  const connections = gateway.value.filter(
    (c) => c.peering === null || same(c.peering, peering.name),
  );
  const connected = connections.filter(isConnected).length;
  if (connected > 0) return { state: "connected", connections, connected };
  if (connections.length === 0) return { state: "none", connections: [] };
  if (connections.some(undecided)) return { state: "unsure", connections };
  return { state: "not-connected", connections };
}

export interface GlobalReachAssessment {
  all: GlobalReachConnection[];
  down: GlobalReachConnection[];
  /** Status left out by ARM: not counted as down. */
  unsure: GlobalReachConnection[];
}

export function assessGlobalReach(peering: PeeringFacts): GlobalReachAssessment {
  const all = peering.globalReach;
  return {
    all,
    down: all.filter((g) => g.status !== null && g.status !== "Connected"),
    unsure: all.filter((g) => g.status === null),
  };
}

// The Azure side of a peering, each rule decided once: which gateway
// connections belong to the peering, whether any is connected, which that
// were Connected are lost, and which Global Reach connections are down. The
// layer cell and the finding both read these assessments, so the table and
// the alert cannot disagree.

import type {
  CircuitAuthorization,
  GatewayConnectionFacts,
  GlobalReachConnection,
  PeeringFacts,
  ReadFailure,
  Reading,
} from "./model.js";
import { sameName as same } from "./names.js";
import { sameId } from "./resource-id.js";

/** A connection seen Connected at an earlier sweep (kept in the snapshot: gateway-memory.ts). */
export interface RememberedConnection {
  id: string;
  name: string;
  /** The gateway it attaches, when a read said: a Connected connection on it stands in for this one. */
  gatewayId: string | null;
}

/** A remembered connection that is not Connected now; `status` null: gone from the list. */
export interface LostConnection extends RememberedConnection {
  status: string | null;
}

/** What earlier sweeps and the circuit itself say beside the connections erwatch found. */
export interface WiringContext {
  remembered?: readonly RememberedConnection[];
  /**
   * The wiring as a whole was Connected at an earlier sweep (gateway-memory.ts).
   * With no connection remembered by name (a snapshot stored before each was
   * kept), it is all that says one may be missing from a list read in part.
   */
  wasConnected?: boolean;
  authorizations?: readonly CircuitAuthorization[];
}

export type GatewayAssessment =
  /** Only private peering carries VNet traffic; the others have no gateway row. */
  | { state: "not-used" }
  | { state: "unread"; failure: ReadFailure }
  | { state: "connected"; connections: GatewayConnectionFacts[]; connected: number }
  /**
   * A connection seen Connected before is not now (NotConnected, failed, or
   * gone from the list): the VNets behind its gateway lost on-premises,
   * whatever the peering's other connections report.
   */
  | {
      state: "lost";
      connections: GatewayConnectionFacts[];
      lost: LostConnection[];
      connected: number;
    }
  | { state: "none"; connections: [] }
  /**
   * No connection in the watched subscriptions, but an authorization of the
   * circuit is InUse: a connection in a subscription erwatch does not watch
   * redeemed it. Not seen, so neither up nor down.
   */
  | { state: "elsewhere"; connections: []; authorizations: string[] }
  | { state: "not-connected"; connections: GatewayConnectionFacts[] }
  /** None connected, but one whose status says nothing (left out, Unknown, Updating) might be: neither up nor down. */
  | { state: "unsure"; connections: GatewayConnectionFacts[] }
  /**
   * The list was read in part (Resource Graph failed: per resource group) and
   * a connection seen Connected before is not in it: not known to be gone,
   * nor to carry, whatever the connections seen report. Neither up nor down.
   */
  | {
      state: "unseen";
      connections: GatewayConnectionFacts[];
      unseen: RememberedConnection[];
      connected: number;
    }
  /**
   * None Connected in a list read in part (Resource Graph failed: per
   * resource group), and none seen Connected before missing from it: one in
   * another group or subscription would not be in it, so "no connection" or
   * "none Connected" is not known. Neither up nor down, remembered or not.
   * `authorizations`: the circuit's InUse ones; with none listed, their
   * connection may be in a group that list missed, not only elsewhere.
   * `wasConnected`: Connected when last read whole, by connections an older
   * snapshot did not name (any of them may be one the list missed).
   */
  | {
      state: "partial";
      connections: GatewayConnectionFacts[];
      authorizations: string[];
      wasConnected: boolean;
    };

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

/** The gateway a connection attaches: a vWAN connection's id lies under its ExpressRoute gateway's. */
export function gatewayOf(connection: GatewayConnectionFacts): string | null {
  if (connection.gatewayId) return connection.gatewayId;
  if (connection.kind !== "vwan") return null;
  const at = connection.id.toLowerCase().indexOf("/expressrouteconnections/");
  return at > 0 ? connection.id.slice(0, at) : null;
}

/** A VNet gateway connection names the circuit, not a peering: it serves private peering. */
export function connectionsOf(
  peeringName: string,
  connections: readonly GatewayConnectionFacts[],
): GatewayConnectionFacts[] {
  return connections.filter((c) => c.peering === null || same(c.peering, peeringName));
}

/**
 * The remembered connections a list read in part does not show, and whose
 * gateway no Connected connection in it serves (that would be a replacement).
 */
export function unseenConnections(
  connections: readonly GatewayConnectionFacts[],
  remembered: readonly RememberedConnection[],
): RememberedConnection[] {
  const served = connections.filter(isConnected).map(gatewayOf);
  return remembered.filter(
    (r) =>
      !connections.some((c) => sameId(c.id, r.id)) &&
      !(r.gatewayId !== null && served.some((g) => g !== null && sameId(g, r.gatewayId!))),
  );
}

/**
 * The remembered connections that are not Connected now. One whose status
 * says nothing is not lost (UNKNOWN); one whose gateway has another
 * connection to the circuit that is Connected was replaced, not lost.
 */
export function lostConnections(
  connections: readonly GatewayConnectionFacts[],
  remembered: readonly RememberedConnection[],
  /** The list was read only in part (Resource Graph failed: per resource group): one not in it is not known to be gone. */
  partial = false,
): LostConnection[] {
  const served = connections.filter(isConnected).map(gatewayOf);
  return remembered.flatMap((r) => {
    const now = connections.find((c) => sameId(c.id, r.id));
    if (now && (isConnected(now) || undecided(now))) return [];
    if (!now && partial) return [];
    const gateway = r.gatewayId;
    if (gateway !== null && served.some((g) => g !== null && sameId(g, gateway))) return [];
    return [{ ...r, status: now ? now.status : null }];
  });
}

export function assessGateway(
  peering: PeeringFacts,
  gateway: Reading<GatewayConnectionFacts[]>,
  context: WiringContext = {},
): GatewayAssessment {
  if (!same(peering.peeringType, "AzurePrivatePeering")) return { state: "not-used" };
  if (!gateway.ok) return { state: "unread", failure: gateway.error };
  const connections = connectionsOf(peering.name, gateway.value);
  const connected = connections.filter(isConnected).length;
  const lost = lostConnections(connections, context.remembered ?? [], gateway.partial === true);
  if (lost.length > 0) return { state: "lost", connections, lost, connected };
  // A list read in part that misses one seen Connected before: neither "1
  // connected" (green beside a DR hub not seen) nor "no connection" (a false
  // Sev1 for a circuit wired only through another resource group).
  const unseen =
    gateway.partial === true ? unseenConnections(connections, context.remembered ?? []) : [];
  if (unseen.length > 0) return { state: "unseen", connections, unseen, connected };
  if (connected > 0) return { state: "connected", connections, connected };
  const inUse = (context.authorizations ?? [])
    .filter((a) => same(a.useStatus, "InUse"))
    .map((a) => a.name);
  // Only a list read whole says there is none, or none Connected: a first
  // sweep in a Resource Graph outage read "no connection" for a circuit wired
  // through another group, and paged it (Sev3). Nor does it say where an InUse
  // authorization's connection is: a watched group it did not cover, or not.
  if (gateway.partial === true) {
    const unnamed = (context.remembered ?? []).length === 0 && context.wasConnected === true;
    return { state: "partial", connections, authorizations: inUse, wasConnected: unnamed };
  }
  if (connections.length === 0 && inUse.length > 0)
    return { state: "elsewhere", connections: [], authorizations: inUse };
  if (connections.length === 0) return { state: "none", connections: [] };
  if (connections.some(undecided)) return { state: "unsure", connections };
  return { state: "not-connected", connections };
}

export interface GlobalReachAssessment {
  all: GlobalReachConnection[];
  /** A family (IPv4, or the connection's IPv6) reported not Connected. */
  down: GlobalReachConnection[];
  /** Not down, with a family's status left out by ARM: not counted as down. */
  unsure: GlobalReachConnection[];
  /** A list of them could not be read: none seen is not none there. */
  unread: boolean;
}

const notConnected = (status: string | null | undefined): boolean =>
  status !== null && status !== undefined && status !== "Connected";

export function assessGlobalReach(peering: PeeringFacts): GlobalReachAssessment {
  const all = peering.globalReach;
  const down = all.filter((g) => notConnected(g.status) || notConnected(g.ipv6?.status));
  return {
    all,
    down,
    unsure: all.filter((g) => !down.includes(g) && (g.status === null || g.ipv6?.status === null)),
    unread: peering.globalReachUnread === true,
  };
}

/**
 * What a connection reads, family by family as far as one is not Connected:
 * "Disconnected", "IPv6 Disconnected (IPv4 Connected)", "Disconnected (IPv4
 * and IPv6)", "IPv4 Disconnected / IPv6 Connecting". An IPv6 family cut
 * beside IPv4 Connected read "Connected".
 */
export function reachStatusText(g: GlobalReachConnection): string {
  const v4 = g.status ?? "status not reported";
  const v6 = g.ipv6?.status;
  if (!notConnected(v6)) return v4;
  if (!notConnected(g.status)) return `IPv6 ${v6} (IPv4 ${v4})`;
  return v4 === v6 ? `${v4} (IPv4 and IPv6)` : `IPv4 ${v4} / IPv6 ${v6}`;
}

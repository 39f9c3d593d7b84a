// Request path → which ARM operation it is. ARM matches the fixed segments
// (providers, resource types) case-insensitively, so this does too.

import type { PathLroName } from "./model.js";

export type Route =
  | { operation: "listCircuits"; subscriptionId: string }
  | { operation: "getCircuit"; subscriptionId: string; resourceGroup: string; circuit: string }
  | {
      operation: PathLroName;
      subscriptionId: string;
      resourceGroup: string;
      circuit: string;
      peering: string;
      devicePath: string;
    }
  | {
      operation: "pollOperation" | "pollAsyncOperation";
      subscriptionId: string;
      location: string;
      operationId: string;
    }
  | { operation: "listConnections"; subscriptionId: string; resourceGroup: string }
  | {
      operation: "getConnection";
      subscriptionId: string;
      resourceGroup: string;
      connection: string;
    }
  | { operation: "listExpressRouteGateways"; subscriptionId: string }
  | { operation: "queryResourceGraph" }
  | { operation: "listNetworkWatchers"; subscriptionId: string }
  | {
      operation: "listConnectionMonitors";
      subscriptionId: string;
      resourceGroup: string;
      networkWatcher: string;
    }
  | {
      operation: "getVirtualNetworkGateway" | "learnedRoutes";
      subscriptionId: string;
      resourceGroup: string;
      gateway: string;
    }
  | { operation: "unknown" };

const LRO_SEGMENTS: Record<string, PathLroName> = {
  arptables: "arpTable",
  routetablessummary: "routeTablesSummary",
  routetables: "routeTables",
};

/** The ARM resource type an operation addresses, as named in api-version errors. */
export function resourceTypeOf(route: Route): string {
  switch (route.operation) {
    case "listCircuits":
    case "getCircuit":
      return "expressRouteCircuits";
    case "arpTable":
    case "routeTablesSummary":
    case "routeTables":
      return "expressRouteCircuits/peerings";
    case "pollOperation":
      return "locations/operationResults";
    case "pollAsyncOperation":
      return "locations/operations";
    case "listConnections":
    case "getConnection":
      return "connections";
    case "listExpressRouteGateways":
      return "expressRouteGateways";
    case "queryResourceGraph":
      return "resources";
    case "listNetworkWatchers":
      return "networkWatchers";
    case "listConnectionMonitors":
      return "networkWatchers/connectionMonitors";
    case "getVirtualNetworkGateway":
    case "learnedRoutes":
      return "virtualNetworkGateways";
    case "unknown":
      return "unknown";
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function routeOf(method: string, pathname: string): Route {
  const raw = pathname.split("/").filter((s) => s.length > 0);
  const s = raw.map(decode);
  const lower = s.map((x) => x.toLowerCase());
  const at = (i: number, literal: string) => lower[i] === literal;
  const unknown: Route = { operation: "unknown" };

  // /providers/Microsoft.ResourceGraph/resources: tenant level, the subscriptions are in the body.
  if (
    method === "POST" &&
    s.length === 3 &&
    at(0, "providers") &&
    at(1, "microsoft.resourcegraph") &&
    at(2, "resources")
  )
    return { operation: "queryResourceGraph" };
  if (!at(0, "subscriptions") || s.length < 5) return unknown;
  const subscriptionId = s[1]!;

  // /subscriptions/{sub}/providers/Microsoft.Network/...
  if (at(2, "providers") && at(3, "microsoft.network")) {
    if (method === "GET" && s.length === 5 && at(4, "expressroutecircuits")) {
      return { operation: "listCircuits", subscriptionId };
    }
    if (method === "GET" && s.length === 5 && at(4, "expressroutegateways")) {
      return { operation: "listExpressRouteGateways", subscriptionId };
    }
    if (method === "GET" && s.length === 5 && at(4, "networkwatchers")) {
      return { operation: "listNetworkWatchers", subscriptionId };
    }
    if (method === "GET" && s.length === 8 && at(4, "locations")) {
      const poll = { subscriptionId, location: s[5]!, operationId: s[7]! };
      if (at(6, "operationresults")) return { operation: "pollOperation", ...poll };
      if (at(6, "operations")) return { operation: "pollAsyncOperation", ...poll };
    }
    return unknown;
  }

  // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/...
  if (
    !at(2, "resourcegroups") ||
    !at(4, "providers") ||
    !at(5, "microsoft.network") ||
    s.length < 7
  ) {
    return unknown;
  }
  const resourceGroup = s[3]!;
  if (at(6, "connections") && method === "GET") {
    if (s.length === 7) return { operation: "listConnections", subscriptionId, resourceGroup };
    if (s.length === 8)
      return { operation: "getConnection", subscriptionId, resourceGroup, connection: s[7]! };
    return unknown;
  }
  if (at(6, "networkwatchers") && s.length === 9 && at(8, "connectionmonitors") && method === "GET")
    return {
      operation: "listConnectionMonitors",
      subscriptionId,
      resourceGroup,
      networkWatcher: s[7]!,
    };
  if (at(6, "virtualnetworkgateways")) {
    if (s.length === 8 && method === "GET")
      return {
        operation: "getVirtualNetworkGateway",
        subscriptionId,
        resourceGroup,
        gateway: s[7]!,
      };
    if (s.length === 9 && method === "POST" && at(8, "getlearnedroutes"))
      return { operation: "learnedRoutes", subscriptionId, resourceGroup, gateway: s[7]! };
    return unknown;
  }
  if (at(6, "expressroutecircuits")) {
    if (s.length === 8 && method === "GET") {
      return { operation: "getCircuit", subscriptionId, resourceGroup, circuit: s[7]! };
    }
    const lro = LRO_SEGMENTS[lower[10] ?? ""];
    if (s.length === 12 && method === "POST" && at(8, "peerings") && lro) {
      return {
        operation: lro,
        subscriptionId,
        resourceGroup,
        circuit: s[7]!,
        peering: s[9]!,
        devicePath: s[11]!,
      };
    }
  }
  return unknown;
}

// The ARM operations the reader calls, named as RBAC actions. This list is the
// single source of truth for the least-privilege role in infra/: a test fails
// when the reader calls something the role does not grant.

export const ARM_OPERATIONS = {
  listCircuits: "Microsoft.Network/expressRouteCircuits/read",
  getCircuit: "Microsoft.Network/expressRouteCircuits/read",
  arpTable: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
  routeTablesSummary: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
  routeTables: "Microsoft.Network/expressRouteCircuits/peerings/routeTables/read",
  // The Network RP answers its long-running reads with both Azure-AsyncOperation
  // (status, polled at .../locations/<region>/operations/<id>) and Location
  // (result, .../operationResults/<id>); ARM checks each URL's own action.
  pollAsyncOperation: "Microsoft.Network/locations/operations/read",
  pollOperation: "Microsoft.Network/locations/operationResults/read",
  listConnections: "Microsoft.Network/connections/read",
  getConnection: "Microsoft.Network/connections/read",
  listExpressRouteGateways: "Microsoft.Network/expressRouteGateways/read",
  // One query per sweep for every ExpressRoute connection in the watched subscriptions.
  queryResourceGraph: "Microsoft.ResourceGraph/resources/read",
} as const;

export type ArmOperation = keyof typeof ARM_OPERATIONS;

/** Distinct RBAC actions, for the role definition cross-check. */
export const REQUIRED_ACTIONS: readonly string[] = [
  ...new Set(Object.values(ARM_OPERATIONS)),
].sort();

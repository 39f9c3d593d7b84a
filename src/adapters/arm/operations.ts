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
  // (status, at .../locations/<region>/operations/<id>) and Location (result,
  // .../operationResults/<id>); ARM checks each URL's own action. erwatch polls
  // Location (lro-location.ts); the status poll is for an answer without it.
  pollAsyncOperation: "Microsoft.Network/locations/operations/read",
  pollOperation: "Microsoft.Network/locations/operationResults/read",
  listConnections: "Microsoft.Network/connections/read",
  getConnection: "Microsoft.Network/connections/read",
  listExpressRouteGateways: "Microsoft.Network/expressRouteGateways/read",
  // One query per sweep for every ExpressRoute connection in the watched subscriptions.
  queryResourceGraph: "Microsoft.ResourceGraph/resources/read",
  // The data plane. Azure Monitor metrics are authorised as an ARM action on
  // each circuit, so the role grants them at subscription scope with the rest.
  metricsBatch: "Microsoft.Insights/metrics/read",
  // Connection Monitor discovery: the Network Watcher of the circuit's region,
  // its monitors, and the VNet behind each gateway connected to the circuit.
  listNetworkWatchers: "Microsoft.Network/networkWatchers/read",
  listConnectionMonitors: "Microsoft.Network/networkWatchers/connectionMonitors/read",
  getVirtualNetworkGateway: "Microsoft.Network/virtualNetworkGateways/read",
  // `erwatch diagnose`: what the gateway learned (a long-running POST, polled like the path reads).
  learnedRoutes: "Microsoft.Network/virtualNetworkGateways/getLearnedRoutes/action",
} as const;

export type ArmOperation = keyof typeof ARM_OPERATIONS;

const EITHER_NAMING =
  /^Microsoft\.Network\/expressRouteCircuits\/peerings\/(?:arpTables|routeTables|routeTablesSummary)\/read$/;

/** Distinct RBAC actions, for the role definition cross-check. */
export const REQUIRED_ACTIONS: readonly string[] = [
  ...new Set(Object.values(ARM_OPERATIONS)),
].sort();

/**
 * The reader role's actions: REQUIRED_ACTIONS, with the three path reads each
 * as its table's wildcard. Azure names them `…/arpTables/read` today and
 * older docs (and clouds that lag) `…/arpTables/action`; a role listing an
 * action its cloud does not know fails to deploy, and one naming only the
 * other spelling answers 403 to every path read. No write or delete exists
 * under these tables, so the wildcard grants nothing else.
 */
export const ROLE_ACTIONS: readonly string[] = [
  ...new Set(
    REQUIRED_ACTIONS.map((action) =>
      EITHER_NAMING.test(action) ? action.replace(/read$/, "*") : action,
    ),
  ),
].sort();

/**
 * Log Analytics query access, granted only on the workspaces Connection
 * Monitor writes to (infra/app/workspace-reader-role-*.bicep), not on every
 * workspace of the subscriptions: the table-level action keeps it to
 * NWConnectionMonitorTestResult.
 */
export const WORKSPACE_OPERATIONS = {
  queryLogs: "Microsoft.OperationalInsights/workspaces/query/read",
  // Microsoft's table-level read role pairs the query actions with reading the
  // workspace itself: a query named by the workspace's resource id (a
  // discovered Connection Monitor's) resolves it first.
  readWorkspace: "Microsoft.OperationalInsights/workspaces/read",
  queryConnectionMonitorResults:
    "Microsoft.OperationalInsights/workspaces/query/NWConnectionMonitorTestResult/read",
} as const;

export const WORKSPACE_ACTIONS: readonly string[] = [
  ...new Set(Object.values(WORKSPACE_OPERATIONS)),
].sort();

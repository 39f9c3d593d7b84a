// ARM error bodies, worded as the real front door and Network RP word them, so
// code that mines `error.message` (e.g. for the missing RBAC action) is tested
// against realistic text.

import type { OperationName } from "./model.js";

export interface ArmError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** The RBAC action ARM checks for each operation (current naming, not the older `/action`). */
export const RBAC_ACTIONS: Record<OperationName, string> = {
  listCircuits: "Microsoft.Network/expressRouteCircuits/read",
  getCircuit: "Microsoft.Network/expressRouteCircuits/read",
  arpTable: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
  routeTablesSummary: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
  routeTables: "Microsoft.Network/expressRouteCircuits/peerings/routeTables/read",
  pollOperation: "Microsoft.Network/locations/operationResults/read",
  pollAsyncOperation: "Microsoft.Network/locations/operations/read",
  listConnections: "Microsoft.Network/connections/read",
  getConnection: "Microsoft.Network/connections/read",
  listExpressRouteGateways: "Microsoft.Network/expressRouteGateways/read",
  queryResourceGraph: "Microsoft.ResourceGraph/resources/read",
  listNetworkWatchers: "Microsoft.Network/networkWatchers/read",
  listConnectionMonitors: "Microsoft.Network/networkWatchers/connectionMonitors/read",
  getVirtualNetworkGateway: "Microsoft.Network/virtualNetworkGateways/read",
  learnedRoutes: "Microsoft.Network/virtualNetworkGateways/getLearnedRoutes/action",
  // Checked by Azure Monitor and Log Analytics against the caller's role, as ARM does.
  metricsBatch: "Microsoft.Insights/metrics/read",
  queryLogs: "Microsoft.OperationalInsights/workspaces/query/read",
};

export const CLIENT_OBJECT_ID = "00000000-0000-0000-0000-00000000e77a";

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export function unauthenticated(): ArmError {
  return {
    status: 401,
    code: "AuthenticationFailed",
    message: "Authentication failed. The 'Authorization' header is missing.",
    headers: {
      "WWW-Authenticate":
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
    },
  };
}

export function missingApiVersion(): ArmError {
  return {
    status: 400,
    code: "MissingApiVersionParameter",
    message: "The api-version query parameter (?api-version=) is required for all requests.",
  };
}

export function unsupportedApiVersion(
  given: string,
  resourceType: string,
  supported: string,
): ArmError {
  return {
    status: 400,
    code: "NoRegisteredProviderFound",
    message: `No registered resource provider found for location 'global' and API version '${given}' for type '${resourceType}'. The supported api-versions are '${supported}'. The supported locations are ''.`,
  };
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return {
    status: 404,
    code: "ResourceNotFound",
    message: `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  };
}

/** How the Network RP words a missing child resource (a peering). */
export function childNotFound(resourceId: string): ArmError {
  return { status: 404, code: "NotFound", message: `Resource ${resourceId} not found.` };
}

export function noRoute(path: string): ArmError {
  const type = /\/providers\/Microsoft\.Network\/([^/?]+)/i.exec(path)?.[1];
  return type
    ? {
        status: 404,
        code: "InvalidResourceType",
        message: `The resource type '${type}' could not be found in the namespace 'Microsoft.Network' for api version '2026-01-01'.`,
      }
    : {
        status: 404,
        code: "NotFound",
        message: `No HTTP resource was found that matches the request URI '${path}'.`,
      };
}

export function invalidDevicePath(devicePath: string): ArmError {
  return {
    status: 400,
    code: "InvalidRequestFormat",
    message: `Cannot parse the request. The device path '${devicePath}' is not valid; expected 'primary' or 'secondary'.`,
  };
}

/** ARM's words when the caller's role lacks `action` at `scope`; erwatch mines the action from them. */
export function authorizationFailed(action: string, scope: string): ArmError {
  return {
    status: 403,
    code: "AuthorizationFailed",
    message: `The client '${CLIENT_OBJECT_ID}' with object id '${CLIENT_OBJECT_ID}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    headers: { "x-ms-failure-cause": "gateway" },
  };
}

/** The error an injected status fault answers with, unless the fault names its own code/message. */
export function faultError(
  status: number,
  operation: OperationName,
  scope: string,
  override: { code?: string; message?: string; retryAfterSeconds?: number; retryAfter?: string },
): ArmError {
  const headers: Record<string, string> = {};
  let code: string;
  let message: string;
  switch (status) {
    case 403: {
      const denied = authorizationFailed(RBAC_ACTIONS[operation], scope);
      ({ code, message } = denied);
      Object.assign(headers, denied.headers);
      break;
    }
    case 404:
      code = "NotFound";
      message = `Resource ${scope} not found.`;
      break;
    case 429:
      code = "TooManyRequests";
      message = `Number of 'read' requests for subscription actor exceeded. Please try again after ${override.retryAfterSeconds ?? 1} seconds.`;
      headers["x-ms-failure-cause"] = "gateway";
      break;
    case 500:
      code = "InternalServerError";
      message = "An error occurred.";
      break;
    case 503:
      code = "ServiceUnavailable";
      message = "The service is temporarily unavailable. Please retry later.";
      break;
    default:
      code = status >= 500 ? "InternalServerError" : "BadRequest";
      message = `The request failed with status ${status}.`;
  }
  // ARM always tells a throttled client when to come back.
  const retryAfter =
    override.retryAfter ?? override.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers["Retry-After"] = String(retryAfter);
  return { status, code: override.code ?? code, message: override.message ?? message, headers };
}

// Azure Resource Graph, as much of it as erwatch uses: POST
// /providers/Microsoft.ResourceGraph/resources with a KQL query over
// `Resources`, answered from the estate's connections and vWAN gateways in the
// subscriptions the request names, in the objectArray format, paged with
// `$skipToken`. The estate does not run KQL: it answers the one query erwatch
// sends (ExpressRoute connections and ExpressRoute gateway connections) and
// refuses any other with the service's 400, so a change to the query that this
// fake does not know fails loudly instead of passing on made-up rows.

import type { Answer } from "./answers.js";
import { errorBody } from "./arm-errors.js";
import { connectionId, expressRouteGatewayId, sameName } from "./ids.js";
import type { EstateState } from "./model.js";

export const GRAPH_API_VERSION = "2024-04-01";

interface GraphRequest {
  subscriptions?: unknown;
  query?: unknown;
  options?: { $skipToken?: unknown; $top?: unknown; resultFormat?: unknown };
}

const badRequest = (message: string): Answer => ({
  status: 400,
  body: errorBody("BadRequest", message),
});

function offsetOf(token: unknown): number {
  if (typeof token !== "string") return 0;
  const match = /^graph-offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString());
  return match ? Number(match[1]) : 0;
}

/** The rows the query projects, for every connection in `subscriptions`, ordered by id. */
export function graphRows(
  state: EstateState,
  subscriptions: string[] | null,
): Record<string, unknown>[] {
  const inScope = (s: string) =>
    subscriptions === null || subscriptions.some((x) => sameName(x, s));
  const withStatus = state.graph?.connectionStatus ?? false;
  const vnet = state.connections
    .filter((c) => inScope(c.subscriptionId))
    .map((c) => ({
      kind: "vnet-gateway",
      id: connectionId(c),
      name: c.name,
      peer: c.circuitId,
      // KQL's tostring() of a property Resource Graph does not have is "".
      status: withStatus ? c.connectionStatus : "",
      gateway: c.gatewayId,
      region: "",
    }));
  const vwan = state.vwanGateways
    .filter((g) => inScope(g.subscriptionId))
    .flatMap((g) =>
      g.connections.map((c) => ({
        kind: "vwan",
        id: `${expressRouteGatewayId(g)}/expressRouteConnections/${c.name}`,
        name: c.name,
        peer: c.circuitPeeringId,
        status: c.provisioningState,
        gateway: "",
        region: g.location,
      })),
    );
  return [...vnet, ...vwan].sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()));
}

export function graphAnswer(state: EstateState, bodyText: string, pageSize: number): Answer {
  let request: GraphRequest;
  try {
    request = JSON.parse(bodyText) as GraphRequest;
  } catch {
    return badRequest("The request content was invalid and could not be deserialized.");
  }
  const query = typeof request.query === "string" ? request.query.toLowerCase() : "";
  if (
    !query.includes("microsoft.network/connections") ||
    !query.includes("microsoft.network/expressroutegateways") ||
    !query.includes("expressrouteconnections")
  )
    return badRequest(
      `Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying. (the estate serves erwatch's wiring query only)`,
    );
  if (request.options?.resultFormat !== "objectArray")
    return badRequest("the estate answers resultFormat objectArray only");
  const subscriptions = Array.isArray(request.subscriptions)
    ? request.subscriptions.filter((s): s is string => typeof s === "string")
    : null;
  const all = graphRows(state, subscriptions);
  const offset = offsetOf(request.options?.$skipToken);
  const size = Math.max(1, state.graph?.pageSize ?? pageSize);
  const data = all.slice(offset, offset + size);
  const body: Record<string, unknown> = {
    totalRecords: all.length,
    count: data.length,
    resultTruncated: "false",
    data,
    facets: [],
  };
  if (offset + size < all.length)
    body.$skipToken = Buffer.from(`graph-offset:${offset + size}`).toString("base64url");
  return { status: 200, body: JSON.stringify(body) };
}

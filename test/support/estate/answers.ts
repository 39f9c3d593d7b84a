// What the estate answers to each ARM operation, from the live scenario data:
// resources, paged listings with an absolute nextLink, and long-running reads
// in the configured shape. server.ts handles the transport around it.

import {
  childNotFound,
  errorBody,
  faultError,
  invalidDevicePath,
  noRoute,
  resourceNotFound,
  type ArmError,
} from "./arm-errors.js";
import type { AnswerFault } from "./faults.js";
import { circuitId, sameName } from "./ids.js";
import { accepted, pollLocation, pollStatus, type Operation, type OperationStore } from "./lro.js";
import type { EstateState, LroShape, OperationName, PathLroName, SimPath } from "./model.js";
import type { Route } from "./routing.js";
import {
  arpRowsJson,
  circuitJson,
  connectionJson,
  routeRowsJson,
  summaryRowsJson,
  vwanGatewayJson,
} from "./wire.js";
import { applyWireEdits } from "./wire-edits.js";
import { graphAnswer } from "./graph.js";
import { networkAnswer } from "./network-answers.js";

export const API_VERSION = "2026-01-01";

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface LroSettings {
  pendingPolls: number;
  retryAfterSeconds: number | undefined;
  shape: LroShape;
}

export interface AnswerContext {
  baseUrl: string;
  state: () => EstateState;
  operations: OperationStore;
  lro: LroSettings;
  pageSize: number;
}

type LroRoute = Extract<Route, { operation: PathLroName }>;
type PollRoute = Extract<Route, { operation: "pollOperation" | "pollAsyncOperation" }>;
type ConnectionRoute = Extract<Route, { operation: "getConnection" }>;

const json = (value: unknown): string => JSON.stringify(value);

export const armError = (e: ArmError): Answer => ({
  status: e.status,
  body: errorBody(e.code, e.message),
  headers: e.headers ?? {},
});

const isLroRoute = (route: Route): route is LroRoute =>
  route.operation === "arpTable" ||
  route.operation === "routeTablesSummary" ||
  route.operation === "routeTables";

function skipToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function offsetOf(token: string | undefined): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token ?? "", "base64url").toString());
  return match ? Number(match[1]) : 0;
}

export function findCircuit(
  state: EstateState,
  route: { subscriptionId: string; resourceGroup: string; circuit: string },
) {
  return state.circuits.find(
    (c) =>
      sameName(c.subscriptionId, route.subscriptionId) &&
      sameName(c.resourceGroup, route.resourceGroup) &&
      sameName(c.name, route.circuit),
  );
}

export function findConnection(state: EstateState, route: ConnectionRoute) {
  return state.connections.find(
    (c) =>
      sameName(c.subscriptionId, route.subscriptionId) &&
      sameName(c.resourceGroup, route.resourceGroup) &&
      sameName(c.name, route.connection),
  );
}

function rowsFor(route: LroRoute, path: SimPath): unknown[] {
  switch (route.operation) {
    case "arpTable":
      return arpRowsJson(path);
    case "routeTablesSummary":
      return summaryRowsJson(path);
    case "routeTables":
      return routeRowsJson(path);
  }
}

function startLro(
  ctx: AnswerContext,
  route: LroRoute,
  how: { neverEnding: boolean; failure?: Operation["failure"] },
): Answer {
  const circuit = findCircuit(ctx.state(), route);
  if (!circuit) {
    const type = "Microsoft.Network/expressRouteCircuits";
    return armError(resourceNotFound(type, route.circuit, route.resourceGroup));
  }
  const peering = circuit.peerings.find((p) => sameName(p.name, route.peering));
  if (!peering) return armError(childNotFound(`${circuitId(circuit)}/peerings/${route.peering}`));
  const devicePath = route.devicePath.toLowerCase();
  if (devicePath !== "primary" && devicePath !== "secondary")
    return armError(invalidDevicePath(route.devicePath));
  const operation = ctx.operations.create({
    kind: route.operation,
    shape: ctx.lro.shape,
    subscriptionId: circuit.subscriptionId,
    location: circuit.location,
    circuit: circuit.name,
    peering: peering.name,
    devicePath,
    body: json(
      applyWireEdits(
        { value: rowsFor(route, peering.paths[devicePath]) },
        circuit.wire,
        route.operation,
        {
          peering: peering.name,
          path: devicePath,
        },
      ),
    ),
    pollsLeft: ctx.lro.pendingPolls,
    ...how,
  });
  return accepted(ctx.baseUrl, operation, ctx.lro.retryAfterSeconds);
}

function poll(ctx: AnswerContext, route: PollRoute, polled: Operation | undefined): Answer {
  if (!polled) {
    const kind = route.operation === "pollOperation" ? "operationResults" : "operations";
    return armError(
      childNotFound(
        `/subscriptions/${route.subscriptionId}/providers/Microsoft.Network/locations/${route.location}/${kind}/${route.operationId}`,
      ),
    );
  }
  return route.operation === "pollOperation"
    ? pollLocation(ctx.baseUrl, polled, ctx.lro.retryAfterSeconds)
    : pollStatus(polled, ctx.lro.retryAfterSeconds);
}

function listPage(ctx: AnswerContext, subscriptionId: string, url: URL): Answer {
  const state = ctx.state();
  const all = state.circuits.filter((c) => sameName(c.subscriptionId, subscriptionId));
  const offset = offsetOf(url.searchParams.get("$skiptoken") ?? undefined);
  const page = all.slice(offset, offset + ctx.pageSize);
  const body: Record<string, unknown> = { value: page.map((c) => circuitJson(c, state)) };
  if (offset + ctx.pageSize < all.length) {
    body.nextLink = `${ctx.baseUrl}/subscriptions/${subscriptionId}/providers/Microsoft.Network/expressRouteCircuits?api-version=${API_VERSION}&$skiptoken=${skipToken(offset + ctx.pageSize)}`;
  }
  return { status: 200, body: json(body) };
}

export function answer(
  ctx: AnswerContext,
  route: Route,
  url: URL,
  polled: Operation | undefined,
  body = "",
): Answer {
  const state = ctx.state();
  switch (route.operation) {
    case "queryResourceGraph":
      return graphAnswer(state, body, ctx.pageSize);
    case "listCircuits":
      return listPage(ctx, route.subscriptionId, url);
    case "getCircuit": {
      const circuit = findCircuit(state, route);
      const type = "Microsoft.Network/expressRouteCircuits";
      return circuit
        ? { status: 200, body: json(circuitJson(circuit, state)) }
        : armError(resourceNotFound(type, route.circuit, route.resourceGroup));
    }
    case "arpTable":
    case "routeTablesSummary":
    case "routeTables":
      return startLro(ctx, route, { neverEnding: false });
    case "pollOperation":
    case "pollAsyncOperation":
      return poll(ctx, route, polled);
    case "listConnections": {
      const value = state.connections
        .filter(
          (c) =>
            sameName(c.subscriptionId, route.subscriptionId) &&
            sameName(c.resourceGroup, route.resourceGroup),
        )
        .map((c) => connectionJson(c, false));
      return { status: 200, body: json({ value }) };
    }
    case "getConnection": {
      const connection = findConnection(state, route);
      const type = "Microsoft.Network/connections";
      return connection
        ? { status: 200, body: json(connectionJson(connection, true)) }
        : armError(resourceNotFound(type, route.connection, route.resourceGroup));
    }
    case "listExpressRouteGateways": {
      const value = state.vwanGateways
        .filter((g) => sameName(g.subscriptionId, route.subscriptionId))
        .map(vwanGatewayJson);
      return { status: 200, body: json({ value }) };
    }
    case "listNetworkWatchers":
    case "listConnectionMonitors":
    case "getVirtualNetworkGateway":
    case "learnedRoutes":
      return networkAnswer(ctx, route);
    case "unknown":
      return armError(noRoute(url.pathname));
  }
}

function pending(ctx: AnswerContext, route: Route, polled: Operation): Answer {
  const held = { ...polled, neverEnding: true };
  return route.operation === "pollAsyncOperation"
    ? pollStatus(held, ctx.lro.retryAfterSeconds)
    : accepted(ctx.baseUrl, polled, ctx.lro.retryAfterSeconds);
}

export function faultAnswer(
  ctx: AnswerContext,
  fault: AnswerFault,
  route: Route,
  url: URL,
  operation: OperationName,
  polled: Operation | undefined,
): Answer {
  switch (fault.kind) {
    case "status": {
      const error = armError(faultError(fault.status, operation, url.pathname, fault));
      if (fault.rawBody === undefined) return error;
      const headers = { ...error.headers, "Content-Type": "text/html" };
      return { ...error, body: fault.rawBody, headers };
    }
    case "malformed":
      if (fault.variant === "invalid-json") return { status: 200, body: '{"value":[{"name":' };
      // A well-formed object with no `value` array (for a single resource: nothing at all).
      return {
        status: 200,
        body:
          operation === "getCircuit" || operation === "getConnection" ? "{}" : '{"nextLink":null}',
      };
    case "never-ending":
      if (polled) return pending(ctx, route, polled);
      if (isLroRoute(route)) return startLro(ctx, route, { neverEnding: true });
      return answer(ctx, route, url, polled);
    case "operation-failed": {
      if (!isLroRoute(route)) return answer(ctx, route, url, polled);
      const failure = {
        code: fault.code ?? "InternalServerError",
        message: fault.message ?? "An error occurred.",
      };
      return startLro(ctx, route, { neverEnding: false, failure });
    }
  }
}

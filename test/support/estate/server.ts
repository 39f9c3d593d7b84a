// The simulated estate: an HTTPS Azure Resource Manager on 127.0.0.1 that
// answers the reads erwatch makes, from live scenario data, with ARM's wire
// behaviour (auth and api-version checks, paging via absolute nextLink, 202 +
// Location long-running reads, ARM error bodies). The real SDK is pointed at
// it; nothing in production knows it is a fake.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import {
  childNotFound,
  errorBody,
  faultError,
  invalidDevicePath,
  missingApiVersion,
  noRoute,
  resourceNotFound,
  unauthenticated,
  unsupportedApiVersion,
  type ArmError,
} from "./arm-errors.js";
import { createCertificate } from "./certificate.js";
import { FaultBook, type AnswerFault, type FaultTarget } from "./faults.js";
import { circuitId, circuitNameOf, sameName } from "./ids.js";
import { locationUrl, OperationStore, type Operation } from "./lro.js";
import type { EstateState, Fault, OperationName, RecordedRequest, SimPath } from "./model.js";
import { resourceTypeOf, routeOf, type Route } from "./routing.js";
import {
  arpRowsJson,
  circuitJson,
  connectionJson,
  routeRowsJson,
  summaryRowsJson,
  vwanGatewayJson,
} from "./wire.js";

export const API_VERSION = "2026-01-01";

export interface SimulatedEstate {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** PEM of the self-signed certificate, for `tlsOptions: { ca }`. */
  readonly ca: string;
  /** Live and mutable: tests change it (or replace it) between sweeps. */
  state: EstateState;
  readonly requests: RecordedRequest[];
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** Applies to long-running reads POSTed after the call. */
  setLro(options: { pendingPolls?: number; retryAfterSeconds?: number }): void;
  /**
   * The first request (already recorded or still to come) that matches, for
   * tests that must act while a request is in flight (extension). Rejects
   * after `timeoutMs` (default 5000) or when the estate closes.
   */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export interface EstateOptions {
  /** Circuits per listAll page (default 2, so paging is always exercised). */
  pageSize?: number;
  /** 202 polls before a long-running read answers (default 0: the first poll answers). */
  pendingPolls?: number;
  /** Retry-After seconds on every 202 (default none). */
  retryAfterSeconds?: number;
}

type LroRoute = Extract<Route, { operation: "arpTable" | "routeTablesSummary" | "routeTables" }>;

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const json = (value: unknown): string => JSON.stringify(value);
const armError = (e: ArmError): Answer => ({
  status: e.status,
  body: errorBody(e.code, e.message),
  headers: e.headers ?? {},
});

function skipToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function offsetOf(token: string | undefined): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token ?? "", "base64url").toString());
  return match ? Number(match[1]) : 0;
}

export async function startEstate(
  state: EstateState,
  options: EstateOptions = {},
): Promise<SimulatedEstate> {
  const identity = await createCertificate();
  const faults = new FaultBook();
  const operations = new OperationStore();
  const pageSize = Math.max(1, options.pageSize ?? 2);
  const lro = {
    pendingPolls: options.pendingPolls ?? 0,
    retryAfterSeconds: options.retryAfterSeconds,
  };
  const requests: RecordedRequest[] = [];
  const waits = new Set<() => void>();
  const watchers = new Set<{
    predicate: (r: RecordedRequest) => boolean;
    settle: (r: RecordedRequest | Error) => void;
  }>();
  let closing = false;
  let closed: Promise<void> | undefined;
  let baseUrl = "";

  const server = createServer({ key: identity.key, cert: identity.cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake must surface as a 500 the test can see, not a hung socket.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "Content-Type": "application/json; charset=utf-8" });
        res.end(errorBody("InternalServerError", `estate bug: ${(error as Error).message}`));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const estate: SimulatedEstate = {
    url: baseUrl,
    ca: identity.cert,
    state,
    requests,
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setLro(next) {
      if (next.pendingPolls !== undefined) lro.pendingPolls = Math.max(0, next.pendingPolls);
      if ("retryAfterSeconds" in next) lro.retryAfterSeconds = next.retryAfterSeconds;
    },
    waitForRequest(predicate, timeoutMs = 5000) {
      const seen = requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      if (closing) return Promise.reject(new Error("the estate is closed"));
      return new Promise<RecordedRequest>((resolve, reject) => {
        const watcher = {
          predicate,
          settle: (result: RecordedRequest | Error) => {
            clearTimeout(timer);
            watchers.delete(watcher);
            if (result instanceof Error) reject(result);
            else resolve(result);
          },
        };
        const timer = setTimeout(
          () => watcher.settle(new Error(`no matching request within ${timeoutMs} ms`)),
          timeoutMs,
        );
        watchers.add(watcher);
      });
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const cancel of [...waits]) cancel();
        for (const watcher of [...watchers]) watcher.settle(new Error("the estate closed"));
        server.close(() => resolve());
        // Keep-alive sockets from SDK agents and requests held by a slow fault would otherwise keep it open.
        server.closeAllConnections();
      })),
  };

  /** Waits `ms`, or less if the client goes away or the estate closes; true when the full wait elapsed. */
  function pause(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (elapsed: boolean) => {
        clearTimeout(timer);
        waits.delete(cancel);
        res.off("close", cancel);
        resolve(elapsed);
      };
      const cancel = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      waits.add(cancel);
      res.on("close", cancel);
    });
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    answer: Answer,
  ): void {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string> = {
      "Cache-Control": "no-cache",
      Pragma: "no-cache",
      Expires: "-1",
      "x-ms-request-id": randomUUID(),
      "x-ms-correlation-request-id": String(
        req.headers["x-ms-correlation-request-id"] ?? randomUUID(),
      ),
      ...answer.headers,
    };
    if (answer.body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(answer.body ?? ""));
    record.status = answer.status;
    res.writeHead(answer.status, headers);
    res.end(answer.body ?? "");
  }

  function target(route: Route, operation: OperationName, polled?: Operation): FaultTarget {
    if (polled) {
      return {
        operation,
        circuit: polled.circuit,
        peering: polled.peering,
        devicePath: polled.devicePath,
        lroOperation: polled.kind,
      };
    }
    switch (route.operation) {
      case "getCircuit":
        return { operation, circuit: route.circuit };
      case "arpTable":
      case "routeTablesSummary":
      case "routeTables":
        return {
          operation,
          circuit: route.circuit,
          peering: route.peering,
          devicePath: route.devicePath,
        };
      case "getConnection": {
        const found = findConnection(route);
        return found ? { operation, circuit: circuitNameOf(found.circuitId) } : { operation };
      }
      default:
        return { operation };
    }
  }

  function findConnection(route: Extract<Route, { operation: "getConnection" }>) {
    return estate.state.connections.find(
      (c) =>
        sameName(c.subscriptionId, route.subscriptionId) &&
        sameName(c.resourceGroup, route.resourceGroup) &&
        sameName(c.name, route.connection),
    );
  }

  function findCircuit(route: { subscriptionId: string; resourceGroup: string; circuit: string }) {
    return estate.state.circuits.find(
      (c) =>
        sameName(c.subscriptionId, route.subscriptionId) &&
        sameName(c.resourceGroup, route.resourceGroup) &&
        sameName(c.name, route.circuit),
    );
  }

  function lroAccepted(operation: Operation): Answer {
    const headers: Record<string, string> = { Location: locationUrl(baseUrl, operation) };
    if (lro.retryAfterSeconds !== undefined) headers["Retry-After"] = String(lro.retryAfterSeconds);
    return { status: 202, headers };
  }

  function startLro(route: LroRoute, neverEnding: boolean): Answer {
    const circuit = findCircuit(route);
    if (!circuit)
      return armError(
        resourceNotFound(
          "Microsoft.Network/expressRouteCircuits",
          route.circuit,
          route.resourceGroup,
        ),
      );
    const peering = circuit.peerings.find((p) => sameName(p.name, route.peering));
    if (!peering) return armError(childNotFound(`${circuitId(circuit)}/peerings/${route.peering}`));
    const devicePath = route.devicePath.toLowerCase();
    if (devicePath !== "primary" && devicePath !== "secondary")
      return armError(invalidDevicePath(route.devicePath));
    const path: SimPath = peering.paths[devicePath];
    const rows =
      route.operation === "arpTable"
        ? arpRowsJson(path)
        : route.operation === "routeTablesSummary"
          ? summaryRowsJson(path)
          : routeRowsJson(path);
    const operation = operations.create({
      kind: route.operation,
      subscriptionId: circuit.subscriptionId,
      location: circuit.location,
      circuit: circuit.name,
      peering: peering.name,
      devicePath,
      body: json({ value: rows }),
      pollsLeft: lro.pendingPolls,
      neverEnding,
    });
    return lroAccepted(operation);
  }

  function faultAnswer(
    fault: AnswerFault,
    route: Route,
    url: URL,
    operation: OperationName,
    polled?: Operation,
  ): Answer {
    switch (fault.kind) {
      case "status":
        return armError(faultError(fault.status, operation, url.pathname, fault));
      case "malformed":
        if (fault.variant === "invalid-json") return { status: 200, body: '{"value":[{"name":' };
        // A well-formed object with no `value` array (for a single resource: nothing at all).
        return {
          status: 200,
          body:
            operation === "getCircuit" || operation === "getConnection"
              ? "{}"
              : '{"nextLink":null}',
        };
      case "never-ending":
        if (polled) return lroAccepted(polled);
        if (
          route.operation === "arpTable" ||
          route.operation === "routeTablesSummary" ||
          route.operation === "routeTables"
        ) {
          return startLro(route, true);
        }
        return answer(route, url, polled);
    }
  }

  function answer(route: Route, url: URL, polled: Operation | undefined): Answer {
    const state = estate.state;
    switch (route.operation) {
      case "listCircuits":
        return listPage(route.subscriptionId, url);
      case "getCircuit": {
        const circuit = findCircuit(route);
        return circuit
          ? { status: 200, body: json(circuitJson(circuit, state)) }
          : armError(
              resourceNotFound(
                "Microsoft.Network/expressRouteCircuits",
                route.circuit,
                route.resourceGroup,
              ),
            );
      }
      case "arpTable":
      case "routeTablesSummary":
      case "routeTables":
        return startLro(route, false);
      case "pollOperation":
        if (polled) return poll(polled);
        return armError(
          childNotFound(
            `/subscriptions/${route.subscriptionId}/providers/Microsoft.Network/locations/${route.location}/operationResults/${route.operationId}`,
          ),
        );
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
        const connection = findConnection(route);
        return connection
          ? { status: 200, body: json(connectionJson(connection, true)) }
          : armError(
              resourceNotFound(
                "Microsoft.Network/connections",
                route.connection,
                route.resourceGroup,
              ),
            );
      }
      case "listExpressRouteGateways": {
        const value = state.vwanGateways
          .filter((g) => sameName(g.subscriptionId, route.subscriptionId))
          .map(vwanGatewayJson);
        return { status: 200, body: json({ value }) };
      }
      case "unknown":
        return armError(noRoute(url.pathname));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume(); // no read takes a body; drain whatever came
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    const route = routeOf(method, url.pathname);
    const polled =
      route.operation === "pollOperation" ? operations.get(route.operationId) : undefined;
    const operation: OperationName | "unknown" = route.operation;
    const record: RecordedRequest = {
      at: Date.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      operation,
      status: 0,
    };
    requests.push(record);
    if (closing) return;
    for (const watcher of [...watchers]) if (watcher.predicate(record)) watcher.settle(record);

    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? ""))
      return send(req, res, record, armError(unauthenticated()));
    const apiVersion = url.searchParams.get("api-version");
    if (apiVersion === null || apiVersion === "")
      return send(req, res, record, armError(missingApiVersion()));
    if (apiVersion !== API_VERSION) {
      return send(
        req,
        res,
        record,
        armError(unsupportedApiVersion(apiVersion, resourceTypeOf(route), API_VERSION)),
      );
    }
    if (operation === "unknown") return send(req, res, record, armError(noRoute(url.pathname)));

    const faultTarget = target(route, operation, polled);
    if (faultTarget.circuit !== undefined) record.circuit = faultTarget.circuit;
    if (faultTarget.peering !== undefined) record.peering = faultTarget.peering;
    if (faultTarget.devicePath !== undefined) record.devicePath = faultTarget.devicePath;
    if (faultTarget.lroOperation !== undefined) record.lroOperation = faultTarget.lroOperation;

    const plan = faults.plan(faultTarget);
    if (plan.delayMs > 0 && !(await pause(plan.delayMs, res))) return;
    if (plan.answer)
      return send(req, res, record, faultAnswer(plan.answer, route, url, operation, polled));

    return send(req, res, record, answer(route, url, polled));
  }

  function listPage(subscriptionId: string, url: URL): Answer {
    const all = estate.state.circuits.filter((c) => sameName(c.subscriptionId, subscriptionId));
    const offset = offsetOf(url.searchParams.get("$skiptoken") ?? undefined);
    const page = all.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = { value: page.map((c) => circuitJson(c, estate.state)) };
    if (offset + pageSize < all.length) {
      body.nextLink = `${baseUrl}/subscriptions/${subscriptionId}/providers/Microsoft.Network/expressRouteCircuits?api-version=${API_VERSION}&$skiptoken=${skipToken(offset + pageSize)}`;
    }
    return { status: 200, body: json(body) };
  }

  function poll(operation: Operation): Answer {
    if (operation.neverEnding) return lroAccepted(operation);
    if (operation.pollsLeft > 0) {
      operation.pollsLeft -= 1;
      return lroAccepted(operation);
    }
    return { status: 200, body: operation.body };
  }

  return estate;
}

// The simulated estate: an HTTPS Azure Resource Manager on 127.0.0.1 that
// answers the reads erwatch makes, from live scenario data, with ARM's wire
// behaviour (auth, RBAC and api-version checks, paging via absolute nextLink,
// long-running reads shaped like the Network RP's, ARM error bodies). The real
// SDK is pointed at it; nothing in production knows it is a fake.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import {
  answer,
  API_VERSION,
  armError,
  faultAnswer,
  findConnection,
  type Answer,
  type AnswerContext,
} from "./answers.js";
import {
  authorizationFailed,
  errorBody,
  faultError,
  missingApiVersion,
  noRoute,
  RBAC_ACTIONS,
  unauthenticated,
  unsupportedApiVersion,
} from "./arm-errors.js";
import { grants } from "../rbac.js";
import { createCertificate } from "./certificate.js";
import { createCostModel, type CostModel, type CostModelOptions } from "./cost-model.js";
import { FaultBook, type FaultTarget } from "./faults.js";
import { circuitNameOf } from "./ids.js";
import { GRAPH_API_VERSION } from "./graph.js";
import { OperationStore, type Operation } from "./lro.js";
import type { EstateState, Fault, LroShape, OperationName, RecordedRequest } from "./model.js";
import { resourceTypeOf, routeOf, type Route } from "./routing.js";
import { monitorRouteOf, serveMonitor, type MonitorHost } from "./monitor-answers.js";

export { API_VERSION };

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
  /** Ends every wait a slow fault holds now, as if it had elapsed: the held requests are answered. */
  releaseSlow(): void;
  /** Applies to long-running reads POSTed after the call. */
  setLro(options: { pendingPolls?: number; retryAfterSeconds?: number; shape?: LroShape }): void;
  /**
   * The RBAC actions the caller's role grants; any other action is answered
   * with ARM's 403. `undefined` (the default) grants everything.
   */
  grant(actions: readonly string[] | undefined): void;
  /**
   * The first request (already recorded or still to come) that matches, for
   * tests that must act while a request is in flight (extension). Rejects
   * after `timeoutMs` (default 5000) or when the estate closes.
   */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  /** ARM's costs (throttling, read latency), when the estate was started with `costModel`. */
  readonly cost: CostModel | undefined;
  close(): Promise<void>;
}

export interface EstateOptions {
  /** Circuits per listAll page (default 2, so paging is always exercised). */
  pageSize?: number;
  /** 202 polls before a long-running read answers (default 0: the first poll answers). */
  pendingPolls?: number;
  /** Retry-After seconds on every 202 and InProgress status document (default none). */
  retryAfterSeconds?: number;
  /** Long-running read shape (default `network-rp`: Azure-AsyncOperation + Location). */
  lroShape?: LroShape;
  /** RBAC actions granted to the caller (default: everything). */
  grantedActions?: readonly string[];
  /** Model ARM's throttling and long-running read latency (cost-model.ts); off by default. */
  costModel?: CostModelOptions;
}

export async function startEstate(
  state: EstateState,
  options: EstateOptions = {},
): Promise<SimulatedEstate> {
  const identity = await createCertificate();
  const faults = new FaultBook();
  const cost = options.costModel ? createCostModel(options.costModel) : undefined;
  const operations = new OperationStore(
    cost && { readyAt: () => cost.lroReadyAt(), now: () => cost.now() },
  );
  const pageSize = Math.max(1, options.pageSize ?? 2);
  const lro: AnswerContext["lro"] = {
    pendingPolls: options.pendingPolls ?? 0,
    retryAfterSeconds: options.retryAfterSeconds,
    shape: options.lroShape ?? "network-rp",
  };
  let granted = grantSet(options.grantedActions);
  const requests: RecordedRequest[] = [];
  const waits = new Set<() => void>();
  const elapses = new Set<() => void>();
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

  // An idle connection stays open until the estate closes. The SDKs' agents
  // reuse their sockets from one sweep to the next, and Node's default (5 s)
  // closed one as a read reused it when the sweeps of a loaded machine came
  // further apart: "socket hang up", a failed read nobody injected (the tests
  // run with ARM_MAX_RETRIES=0), and its circuit read differently.
  server.keepAliveTimeout = 0;

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
    releaseSlow: () => {
      for (const elapse of [...elapses]) elapse();
    },
    setLro(next) {
      if (next.pendingPolls !== undefined) lro.pendingPolls = Math.max(0, next.pendingPolls);
      if ("retryAfterSeconds" in next) lro.retryAfterSeconds = next.retryAfterSeconds;
      if (next.shape !== undefined) lro.shape = next.shape;
    },
    grant(actions) {
      granted = grantSet(actions);
    },
    cost,
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
        elapses.delete(elapse);
        res.off("close", cancel);
        resolve(elapsed);
      };
      const cancel = () => finish(false);
      const elapse = () => finish(true);
      const timer = setTimeout(elapse, ms);
      waits.add(cancel);
      elapses.add(elapse);
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
    if (answer.body !== undefined) headers["Content-Type"] ??= "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(answer.body ?? ""));
    record.status = answer.status;
    res.writeHead(answer.status, headers);
    res.end(answer.body ?? "");
  }

  const answers: AnswerContext = {
    get baseUrl() {
      return baseUrl;
    },
    state: () => estate.state,
    operations,
    lro,
    pageSize,
  };

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
        const found = findConnection(estate.state, route);
        return found ? { operation, circuit: circuitNameOf(found.circuitId) } : { operation };
      }
      default: {
        const subscription = "subscriptionId" in route ? route.subscriptionId : undefined;
        return typeof subscription === "string" ? { operation, subscription } : { operation };
      }
    }
  }

  // Azure Monitor's metrics batch and Log Analytics' query: not ARM, same server and CA (monitor-answers.ts).
  const monitorHost: MonitorHost = {
    state: () => estate.state,
    faults,
    granted: (action) => !granted || grants(granted, action),
    record(record) {
      requests.push(record);
      if (closing) return false;
      for (const watcher of [...watchers]) if (watcher.predicate(record)) watcher.settle(record);
      return true;
    },
    pause,
    send,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    const monitor = monitorRouteOf(method, url.pathname);
    if (monitor) return serveMonitor(monitorHost, monitor, req, res, url);
    req.resume(); // no ARM read takes a body; drain whatever came
    const route = routeOf(method, url.pathname);
    // Only the Resource Graph query takes a body; every other request is drained.
    const body = route.operation === "queryResourceGraph" ? await readBody(req) : "";
    if (route.operation !== "queryResourceGraph") req.resume();
    const polled =
      route.operation === "pollOperation" || route.operation === "pollAsyncOperation"
        ? operations.get(route.operationId)
        : undefined;
    const operation: OperationName | "unknown" = route.operation;
    const record: RecordedRequest = {
      at: Date.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      operation,
      status: 0,
      ...(body ? { body } : {}),
    };
    // Named before anyone watching sees it: a test may wait for one circuit's read.
    if (operation !== "unknown") {
      const named = target(route, operation, polled);
      if (named.circuit !== undefined) record.circuit = named.circuit;
      if (named.peering !== undefined) record.peering = named.peering;
      if (named.devicePath !== undefined) record.devicePath = named.devicePath;
      if (named.lroOperation !== undefined) record.lroOperation = named.lroOperation;
    }
    requests.push(record);
    if (closing) return;
    for (const watcher of [...watchers]) if (watcher.predicate(record)) watcher.settle(record);

    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? ""))
      return send(req, res, record, armError(unauthenticated()));
    const apiVersion = url.searchParams.get("api-version");
    if (apiVersion === null || apiVersion === "")
      return send(req, res, record, armError(missingApiVersion()));
    const expectedVersion = operation === "queryResourceGraph" ? GRAPH_API_VERSION : API_VERSION;
    if (apiVersion !== expectedVersion) {
      return send(
        req,
        res,
        record,
        armError(unsupportedApiVersion(apiVersion, resourceTypeOf(route), expectedVersion)),
      );
    }
    if (operation === "unknown") return send(req, res, record, armError(noRoute(url.pathname)));
    const charged = charge(method, url.pathname);
    if (charged && !charged.ok) {
      const throttled = armError(faultError(429, operation, url.pathname, charged));
      return send(req, res, record, {
        ...throttled,
        headers: { ...throttled.headers, ...charged.headers },
      });
    }
    const costHeaders = charged?.headers ?? {};
    const action = RBAC_ACTIONS[operation];
    if (granted && !grants(granted, action))
      return send(req, res, record, armError(authorizationFailed(action, url.pathname)));

    const faultTarget = target(route, operation, polled);

    const plan = faults.plan(faultTarget);
    if (plan.delayMs > 0 && !(await pause(plan.delayMs, res))) return;
    const costed = (a: Answer): Answer => ({ ...a, headers: { ...a.headers, ...costHeaders } });
    if (plan.answer) {
      const faulty = faultAnswer(answers, plan.answer, route, url, operation, polled);
      return send(req, res, record, costed(faulty));
    }
    return send(req, res, record, costed(answer(answers, route, url, polled, body)));
  }

  /** Charges the request to its subscription's bucket when the cost model is on. */
  function charge(method: string, path: string) {
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1];
    if (!cost || !subscription) return undefined;
    const admitted = cost.admit(subscription, method);
    return admitted.ok
      ? { ok: true as const, headers: admitted.headers }
      : {
          ok: false as const,
          retryAfterSeconds: admitted.retryAfterSeconds,
          headers: admitted.headers,
        };
  }

  return estate;
}

/** A request body, bounded: the estate answers reads, not uploads. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_048_576) req.destroy(new Error("request body over 1 MiB"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** RBAC actions compare case-insensitively, as ARM compares them. */
function grantSet(actions: readonly string[] | undefined): readonly string[] | undefined {
  return actions ? [...actions] : undefined;
}

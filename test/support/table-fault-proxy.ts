// A loopback HTTP proxy in front of Azurite's table service that makes Table
// Storage as hostile as the real one: told per request (by table, operation
// and what the request names, such as a circuit's partition), it hangs
// (accepts and never answers, so the caller's deadline fires), answers 500 or
// 503 with or without an `x-ms-error-code`, resets the socket before
// forwarding, forwards and then resets (the write is done, its answer lost),
// or forwards slowly. Everything else goes through untouched. Every fault it
// injected is recorded, so a test can say what it exercised and which
// requests it failed. Loopback only.

import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";

/** What the proxy does to one request. */
export type TableFault =
  | { kind: "hang" }
  | {
      kind: "status";
      status: 403 | 500 | 503;
      code?:
        "ServerBusy" | "OperationTimedOut" | "InternalError" | "AuthorizationPermissionMismatch";
      /** Sent as Retry-After: the SDK retries a 503 that says 0 at once instead of backing off. */
      retryAfterSeconds?: number;
    }
  | { kind: "reset" }
  | { kind: "lose-answer" }
  | { kind: "slow"; ms: number };

/** The ways a storage soak makes Table Storage fail, each as the proxy does it. */
export const BEHAVIOURS = [
  "hang",
  "503-server-busy",
  "500-operation-timed-out",
  "5xx-no-code",
  "reset",
  "lose-answer",
  "slow",
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export function faultOf(behaviour: Behaviour, random: () => number): TableFault {
  switch (behaviour) {
    case "hang":
      return { kind: "hang" };
    case "503-server-busy":
      return { kind: "status", status: 503, code: "ServerBusy" };
    case "500-operation-timed-out":
      return { kind: "status", status: 500, code: "OperationTimedOut" };
    case "5xx-no-code":
      return { kind: "status", status: random() < 0.5 ? 500 : 503 };
    case "reset":
      return { kind: "reset" };
    case "lose-answer":
      return { kind: "lose-answer" };
    case "slow":
      return { kind: "slow", ms: 50 + Math.floor(random() * 250) };
  }
}

/** A small seeded generator: fraction faults and 5xx codes are the same for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type TableOperation = "get" | "query" | "insert" | "update" | "delete" | "batch" | "tables";

/** One request as the proxy sees it, before it decides. */
export interface TableRequest {
  method: string;
  /** The table it is about (for a batch: the first table its parts name), or "Tables". */
  table: string;
  operation: TableOperation;
  /** The URL and body, percent-decoded: partition and row keys are found in here. */
  text: string;
}

export interface InjectedFault {
  at: number;
  request: Omit<TableRequest, "text">;
  fault: TableFault;
  /** The text the request carried (for a test to see which partitions it named). */
  text: string;
  /** A hang: how long the caller waited before it gave up (unset while it still waits). */
  waitedMs?: number;
}

export interface TableFaultProxy {
  readonly port: number;
  /** Azurite's connection string with the proxy as the table endpoint. */
  readonly connectionString: string;
  /** Decides each request's fault (null: forward untouched). */
  rule: (request: TableRequest) => TableFault | null;
  /** Every fault injected since the last `take()`. */
  take(): InjectedFault[];
  /** Requests seen, faulted or not. */
  readonly requests: number;
  close(): Promise<void>;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
};

/** The table and operation of a Table Storage REST request. */
export function classify(method: string, path: string, body: string): Omit<TableRequest, "text"> {
  // /<account>/<Table>(...) or /<account>/<Table>()?$filter=… or /<account>/$batch or /<account>/Tables
  const [pathOnly = "", query = ""] = path.split("?");
  const segment = decode(pathOnly.split("/").filter(Boolean)[1] ?? "");
  if (segment === "$batch") {
    const inner =
      /(?:POST|PUT|MERGE|PATCH|DELETE|GET) https?:\/\/[^/\s]+\/[^/\s]+\/([A-Za-z0-9]+)/.exec(body);
    return { method, table: inner?.[1] ?? "?", operation: "batch" };
  }
  if (segment.startsWith("Tables")) return { method, table: "Tables", operation: "tables" };
  const table = segment.replace(/\(.*$/, "");
  const keyed = /\(PartitionKey=/.test(segment);
  const operation: TableOperation =
    method === "GET"
      ? keyed && !/\$filter=/.test(query)
        ? "get"
        : "query"
      : method === "POST"
        ? "insert"
        : method === "DELETE"
          ? "delete"
          : "update";
  return { method, table, operation };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startTableFaultProxy(azurite: {
  port: number;
  connectionString: string;
}): Promise<TableFaultProxy> {
  const sockets = new Set<Socket>();
  let injected: InjectedFault[] = [];
  let requests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };

  const proxy: { rule: TableFaultProxy["rule"] } = { rule: () => null };
  let closing = false;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req).catch(() => null);
      if (body === null) return;
      requests += 1;
      const path = req.url ?? "/";
      const bodyText = body.toString("utf8");
      const seen = classify(req.method ?? "GET", path, bodyText);
      const text = `${decode(path)}\n${decode(bodyText)}`;
      const fault = proxy.rule({ ...seen, text });
      const record: InjectedFault | null = fault
        ? { at: Date.now(), request: seen, fault, text }
        : null;
      if (record) injected.push(record);

      const forward = (then: (upstream: IncomingMessage) => void) => {
        const upstream = httpRequest(
          {
            host: "127.0.0.1",
            port: azurite.port,
            method: req.method,
            path,
            headers: { ...req.headers, host: `127.0.0.1:${azurite.port}` },
          },
          then,
        );
        upstream.on("error", () => req.socket.destroy());
        upstream.end(body);
      };
      const pipe = (upstream: IncomingMessage) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      };

      switch (fault?.kind) {
        case undefined:
          forward(pipe);
          return;
        case "hang":
          // Accepted, read, never answered: the caller's deadline ends it (or close() does).
          res.on("close", () => {
            if (record && !closing) record.waitedMs = Date.now() - record.at;
          });
          return;
        case "reset":
          req.socket.destroy();
          return;
        case "lose-answer":
          // Done at Azurite, the answer never arrives: a retry meets what it already did.
          forward((upstream) => {
            upstream.resume();
            upstream.on("end", () => req.socket.destroy());
          });
          return;
        case "slow":
          later(fault.ms, () => forward(pipe));
          return;
        case "status": {
          const headers: Record<string, string> = {
            "content-type": "application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
            "x-ms-request-id": `fault-${requests}`,
            "x-ms-version": "2019-02-02",
          };
          const code = fault.code;
          if (code) headers["x-ms-error-code"] = code;
          if (fault.retryAfterSeconds !== undefined)
            headers["retry-after"] = String(fault.retryAfterSeconds);
          res.writeHead(fault.status, headers);
          res.end(
            JSON.stringify({
              "odata.error": {
                code: code ?? "",
                message: { lang: "en-US", value: `injected ${fault.status} ${code ?? ""}`.trim() },
              },
            }),
          );
          return;
        }
      }
    })();
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // An idle socket stays open until close() destroys it, as the estate's and
  // the recording receiver's: a server closing one as the SDK reuses it is a
  // reset nobody injected. No timeout also means no Keep-Alive hint on the
  // proxy's own answers, which told clients to keep the socket for 120 s,
  // past the test that opened it.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const connectionString = azurite.connectionString.replace(
    /TableEndpoint=http:\/\/127\.0\.0\.1:\d+\//,
    `TableEndpoint=http://127.0.0.1:${port}/`,
  );
  if (connectionString === azurite.connectionString)
    throw new Error("the Azurite connection string has no loopback TableEndpoint to replace");

  return {
    port,
    connectionString,
    get rule() {
      return proxy.rule;
    },
    set rule(r) {
      proxy.rule = r;
    },
    take() {
      const out = injected;
      injected = [];
      return out;
    },
    get requests() {
      return requests;
    },
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

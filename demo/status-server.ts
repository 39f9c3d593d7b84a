// A loopback HTTP server in front of the real Functions handlers, for the demo
// (the Functions host does this in Azure; Core Tools does it with `func start`).

import functions, { type HttpResponseInit } from "@azure/functions";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { httpStatusHandler } from "../src/functions/http-status.js";
import type { StatusFunctionDeps } from "../src/functions/deps.js";

async function toHttpRequest(req: IncomingMessage, base: string): Promise<functions.HttpRequest> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return new functions.HttpRequest({
    method: req.method ?? "GET",
    url: new URL(req.url ?? "/", base).href,
    headers,
  });
}

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

export async function serveStatus(deps: StatusFunctionDeps, port = 0): Promise<StatusServer> {
  const status = httpStatusHandler(async () => deps);
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const path = new URL(req.url ?? "/", base()).pathname;
        if (req.method !== "GET" || (path !== "/api/status" && path !== "/")) {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
          return;
        }
        const answer: HttpResponseInit = await status(
          await toHttpRequest(req, base()),
          new functions.InvocationContext({ invocationId: "demo-status" }),
        );
        const headers = (answer.headers ?? {}) as Record<string, string>;
        if (answer.jsonBody !== undefined) {
          res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...headers });
          res.end(JSON.stringify(answer.jsonBody));
        } else {
          res.writeHead(answer.status ?? 200, headers);
          const { body } = answer;
          res.end(typeof body === "string" || body instanceof Uint8Array ? body : "");
        }
      } catch (error) {
        res.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `${base()}/api/status`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

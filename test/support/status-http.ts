// GET /api/status through the real handler, adapted to node:http on 127.0.0.1
// as the Functions host would: the browser tests open it in Chromium.

import functions from "@azure/functions";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { httpStatusHandler } from "../../src/functions/http-status.js";

const { HttpRequest, InvocationContext } = functions;

function headersOf(raw: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/** GET /api/status through the real handler, adapted to node:http as the Functions host would. */
export function serveStatus(handler: ReturnType<typeof httpStatusHandler>): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== "/api/status") {
      res.writeHead(404).end();
      return;
    }
    const request = new HttpRequest({
      method: "GET",
      url: url.href,
      headers: headersOf(req.headers),
      query: Object.fromEntries(url.searchParams),
    });
    const context = new InvocationContext({
      invocationId: "browser-test",
      functionName: "status",
      logHandler: () => {},
    });
    handler(request, context).then(
      (response) => {
        const body =
          response.jsonBody !== undefined ? JSON.stringify(response.jsonBody) : response.body;
        res.writeHead(response.status ?? 200, response.headers as Record<string, string>);
        res.end(typeof body === "string" || body instanceof Uint8Array ? body : "");
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

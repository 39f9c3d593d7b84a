import functions, {
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import { loadStatus } from "../app/status.js";
import { renderStatusHtml } from "../app/status-html.js";
import { statusDeps, type StatusFunctionDeps } from "./deps.js";

/** Stored state only: never an ARM read. */
export function httpStatusHandler(getDeps: () => Promise<StatusFunctionDeps>) {
  return async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const deps = await getDeps();
    const model = await loadStatus(deps.runtime.store, deps.now(), {
      recentHours: 24,
      recentLimit: 50,
    });
    if ((request.headers.get("accept") ?? "").includes("application/json"))
      return { status: 200, jsonBody: model };
    return {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: renderStatusHtml(model),
    };
  };
}

functions.app.http("status", {
  methods: ["GET"],
  authLevel: "function",
  route: "status",
  handler: httpStatusHandler(statusDeps),
});

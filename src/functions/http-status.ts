import functions, {
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import { isStorageFailure } from "../app/state-store.js";
import { loadStatus } from "../app/status.js";
import { renderStatusHtml } from "../app/status-html.js";
import { SEVERITIES } from "../core/model.js";
import { statusDeps, type StatusFunctionDeps } from "./deps.js";

const text = (value: string | null) => (value && value.trim() !== "" ? value.trim() : null);

/** Stored state only: never an ARM read. Filters come as query parameters, so they work without script. */
export function httpStatusHandler(getDeps: () => Promise<StatusFunctionDeps>) {
  return async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const deps = await getDeps();
    const { config, store, silences, logger } = deps.runtime;
    const given = text(request.query.get("severity"));
    // Any case; an unknown value is said, not ignored (it would show everything under a filter).
    const severity = given
      ? (SEVERITIES.find((s) => s.toLowerCase() === given.toLowerCase()) ?? null)
      : null;
    if (given && !severity)
      return {
        status: 400,
        headers: { "content-type": "application/problem+json" },
        body: JSON.stringify({
          type: "about:blank",
          title: "unknown severity",
          status: 400,
          detail: `severity must be one of ${SEVERITIES.join(", ")} (any case)`,
        }),
      };
    let model;
    try {
      model = await loadStatus(store, deps.now(), {
        recentHours: 24,
        recentLimit: 50,
        sweepIntervalMinutes: config.state.policy.sweepIntervalMinutes,
        log: logger,
        silenceStore: silences,
        configuredSilences: config.state.silences,
        filters: {
          severity,
          provider: text(request.query.get("provider")),
          location: text(request.query.get("location")),
        },
      });
    } catch (error) {
      // The page is built from listings across the tables; storage not answering
      // them is said, with when to try again, not a bare 500. A bug still fails.
      if (!isStorageFailure(error)) throw error;
      return {
        status: 503,
        headers: { "content-type": "application/problem+json", "retry-after": "60" },
        body: JSON.stringify({
          type: "about:blank",
          title: "Table Storage did not answer",
          status: 503,
          detail: `${error.message}. This page is built from listings across erwatch's tables; try again later.`,
        }),
      };
    }
    if ((request.headers.get("accept") ?? "").includes("application/json"))
      return { status: 200, jsonBody: model };
    return {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: renderStatusHtml(model, { code: text(request.query.get("code")) }),
    };
  };
}

functions.app.http("status", {
  methods: ["GET"],
  authLevel: "function",
  route: "status",
  handler: httpStatusHandler(statusDeps),
});

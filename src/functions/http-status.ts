import functions, {
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import { isStorageFailure } from "../app/state-store.js";
import { loadStatus } from "../app/status.js";
import { renderStatusHtml } from "../app/status-html.js";
import { parseStatusQuery } from "../app/status-request.js";
import { within } from "../app/sweep-runs.js";
import { HTTP_ANSWER_WITHIN_MS } from "../app/sweep-window.js";
import { realTimers, type Timers } from "../time.js";
import { statusDeps, type StatusFunctionDeps } from "./deps.js";
import { encodeBody, wantsJson } from "./http/encoding.js";
import { answeringHead } from "./http/methods.js";

// The page carries the function key in its filter form (`?code=`), and the state
// of every circuit: kept by no cache or proxy, sent to no other site, and never
// one answer for both HTML and JSON, or for clients that take gzip and those
// that do not.
const PAGE_HEADERS = {
  "cache-control": "no-store",
  vary: "Accept, Accept-Encoding",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function unavailable(cause: string): HttpResponseInit {
  return {
    status: 503,
    headers: { "content-type": "application/problem+json", "retry-after": "60" },
    body: JSON.stringify({
      type: "about:blank",
      title: "Table Storage did not answer",
      status: 503,
      detail: `${cause}. This page is built from listings across erwatch's tables; try again later.`,
    }),
  };
}

/** Stored state only: never an ARM read. Filters come as query parameters, so they work without script. */
export function httpStatusHandler(
  getDeps: () => Promise<StatusFunctionDeps>,
  /** When the answer is due, from the request's arrival (default: well inside Azure's 230 s). */
  answerWithinMs = HTTP_ANSWER_WITHIN_MS,
  /** The request's clock, for its arrival and its waits: real time unless a test moves it. */
  time: Timers = realTimers,
) {
  return answeringHead(async (request: HttpRequest, _context: InvocationContext) => {
    // Each storage call has STORAGE_TIMEOUT_MS, but they come one after the
    // other (a cold start makes its tables in turn, then the listings, then
    // the workers' claims): at a long setting, storage that hangs held the
    // page past Azure's 230 s, which cuts it with no answer to retry on.
    const arrived = time.now();
    const left = () => Math.max(0, answerWithinMs - (time.now() - arrived));
    const late = () =>
      unavailable(
        `Table Storage did not answer within ${Math.round(answerWithinMs / 1000)} s of the request`,
      );
    // Before storage is asked anything: a filter that cannot be applied is said, not dropped.
    const query = parseStatusQuery(request.query);
    if (!query.ok)
      return {
        status: query.problem.status,
        headers: { "content-type": "application/problem+json" },
        body: JSON.stringify(query.problem),
      };
    let deps;
    try {
      deps = await within(getDeps(), left(), time);
    } catch (error) {
      // A cold start whose tables cannot be made yet: the same 503 as a listing that fails.
      if (!isStorageFailure(error)) throw error;
      return unavailable(error.message);
    }
    if (!deps) return late();
    const { config, store, silences, logger, claims } = deps.runtime;
    let model;
    try {
      model = await within(
        loadStatus(store, deps.now(), {
          recentHours: 24,
          recentLimit: 50,
          sweepIntervalMinutes: config.state.policy.sweepIntervalMinutes,
          maxReadAgeMinutes: config.sweep.maxReadAgeMinutes,
          log: logger,
          silenceStore: silences,
          configuredSilences: config.state.silences,
          ...(claims ? { work: claims } : {}),
          filters: query.filters,
        }),
        left(),
        time,
      );
    } catch (error) {
      // The page is built from listings across the tables; storage not answering
      // them is said, with when to try again, not a bare 500. A bug still fails.
      if (!isStorageFailure(error)) throw error;
      return unavailable(error.message);
    }
    if (!model) return late();
    // Megabytes at estate size (the JSON most): compressed for clients that take it.
    const json = wantsJson(request.headers.get("accept"));
    const encoded = await encodeBody(
      json ? JSON.stringify(model) : renderStatusHtml(model, { code: query.code }),
      request.headers.get("accept-encoding"),
    );
    return {
      status: 200,
      headers: {
        ...PAGE_HEADERS,
        "content-type": json ? "application/json" : "text/html; charset=utf-8",
        ...encoded.headers,
      },
      body: encoded.body,
    };
  });
}

functions.app.http("status", {
  // HEAD too (uptime checks): a GET-only route hears it as the host's empty 404.
  methods: ["GET", "HEAD"],
  authLevel: "function",
  route: "status",
  handler: httpStatusHandler(statusDeps),
});

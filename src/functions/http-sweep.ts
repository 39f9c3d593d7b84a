import { TextDecoder } from "node:util";
import functions, {
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import { randomUUID } from "node:crypto";
import { MAX_BODY_BYTES, parseSweepRequest, problem, type Problem } from "../app/sweep-request.js";
import { sweepAnswer } from "../app/sweep-answer.js";
import { SWEEP_RUN_KEEP_DAYS, within, type SweepRun } from "../app/sweep-runs.js";
import { AZURE_HTTP_LIMIT_MS, HTTP_ANSWER_WITHIN_MS, sweepWindow } from "../app/sweep-window.js";
import type { SweepResult } from "../app/sweep.js";
import { parseCircuitId } from "../core/resource-id.js";
import { isStorageFailure } from "../app/state-store.js";
import type { Logger } from "../logging.js";
import { deadlineOn, realTimers, type Timers } from "../time.js";
import { sweepDeps, type SweepFunctionDeps } from "./deps.js";
import { jsonAnswer } from "./http/encoding.js";
import { answeringHead, optionsAnswer } from "./http/methods.js";

const problemResponse = (p: Problem, headers: Record<string, string> = {}): HttpResponseInit => ({
  status: p.status,
  headers: { "content-type": "application/problem+json", ...headers },
  body: JSON.stringify(p),
});

/** 503: ask again after `retryAfterS`; the detail says what was (not) done. */
const unavailable = (title: string, detail: string, retryAfterS = 60): HttpResponseInit =>
  problemResponse(problem(503, title, detail, []), { "retry-after": String(retryAfterS) });

const lower = (id: string) => id.toLowerCase();

/** How long a 202 waits for its sweep's record to be shared (Table Storage may hang). */
const SHARE_WITHIN_MS = 15_000;
const MARGIN_MS = 10_000;

/** Ids outside what erwatch watches, or that do not exist there, are 404s before anything is read or written. */
async function unknownCircuits(
  deps: SweepFunctionDeps,
  ids: string[],
  /** Where each id was named in the request: the field a problem points at. */
  fields: string[],
  signal: AbortSignal,
): Promise<Problem["errors"]> {
  const { arm } = deps.runtime.config;
  const named = new Set(arm.circuitIds.map(lower));
  const watched = new Set(arm.subscriptions.map(lower));
  const errors: Problem["errors"] = [];
  const toList = new Set<string>();
  ids.forEach((id, i) => {
    if (named.has(lower(id))) return;
    const subscription = lower(parseCircuitId(id)?.subscriptionId ?? "");
    if (watched.has(subscription)) toList.add(subscription);
    else
      errors.push({
        field: fields[i] ?? `circuits[${i}]`,
        message:
          "is not a circuit erwatch watches (not in ERWATCH_CIRCUITS, subscription not in ERWATCH_SUBSCRIPTIONS)",
      });
  });
  if (toList.size > 0) {
    const found = await deps.runtime.reader.discover(
      { subscriptions: [...toList], circuitIds: [] },
      { abortSignal: signal },
    );
    const failed = new Set(found.failures.map((f) => lower(f.subscriptionId)));
    const listed = new Set(found.targets.map((t) => lower(t.id)));
    ids.forEach((id, i) => {
      const subscription = lower(parseCircuitId(id)?.subscriptionId ?? "");
      if (!toList.has(subscription) || failed.has(subscription)) return;
      if (!listed.has(lower(id)))
        errors.push({
          field: fields[i] ?? `circuits[${i}]`,
          message: "no such ExpressRoute circuit in its subscription",
        });
    });
  }
  return errors;
}

const respond = (
  result: SweepResult,
  circuitIds: string[] | null,
  joined: boolean,
  request: HttpRequest,
): Promise<HttpResponseInit> =>
  jsonAnswer(200, sweepAnswer(result, circuitIds, joined), request.headers.get("accept-encoding"));

const statusPath = (sweepId: string) => `/api/sweep/${sweepId}`;

/** 202: the sweep runs on; its outcome is at the status URL. */
function accepted(
  run: Pick<SweepRun, "sweepId" | "status" | "startedAt">,
  joined: boolean,
  fannedOut = false,
): HttpResponseInit {
  return {
    status: 202,
    headers: { location: statusPath(run.sweepId), "retry-after": "10" },
    jsonBody: {
      sweepId: run.sweepId,
      status: run.status,
      joined,
      statusUrl: statusPath(run.sweepId),
      startedAt: run.startedAt,
      ...(fannedOut ? { fannedOut: true } : {}),
    },
  };
}

/**
 * With fan-out on, a sweep of the estate or of many circuits is handed to the
 * workers inside this request (or joins one handed out already that covers
 * it): 202 once the broker took its work, a 503 when it did not, or when as
 * many on-demand fan-outs as may be are in flight already.
 */
async function fannedOut(
  deps: SweepFunctionDeps & {
    runtime: { work: NonNullable<SweepFunctionDeps["runtime"]["work"]> };
  },
  circuitIds: string[] | null,
  /** When the answer is due on `time`, counted from the request's arrival. */
  answerBy: number,
  time: Timers,
  log: Logger,
): Promise<HttpResponseInit> {
  const { runtime } = deps;
  const { arm, sweep } = runtime.config;
  const { fanOutOnDemand } = await import("../app/on-demand-fan-out.js");
  let outcome;
  try {
    outcome = await fanOutOnDemand(
      {
        sweeper: runtime.sweeper,
        work: runtime.work,
        store: runtime.store,
        runs: deps.runs,
        now: deps.now,
        time,
        logger: log,
        batchSize: sweep.batchSize,
        intervalMinutes: runtime.config.state.policy.sweepIntervalMinutes,
      },
      {
        circuitIds,
        targets: circuitIds ? circuitIds.map((c) => parseCircuitId(c)!) : null,
        scope: { subscriptions: arm.subscriptions, circuitIds: arm.circuitIds },
        // Counted after the import: a cold instance's load spends from it too.
        answerWithinMs: Math.max(0, answerBy - time.now()),
      },
    );
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    return unavailable(
      "Table Storage did not answer",
      `${error.message}. Whether a sweep is already handed out to the workers is not known; nothing was sent. Ask again later.`,
    );
  }
  if (outcome.kind === "not-sent")
    return unavailable(
      "The sweep could not be handed out",
      `Its work did not reach the work queue (${runtime.work.name}): ${outcome.why}. No 202 is given for work the workers do not have; circuits are read as the timer plans them meanwhile. Ask again later.`,
    );
  // Read ahead of the timer's next sweep in their subscriptions' sessions: a burst must not grow that queue.
  if (outcome.kind === "queued") {
    log.warn(
      { circuits: circuitIds?.length ?? "all", inFlight: outcome.inFlight },
      "on-demand sweep refused: too many on-demand fan-outs are in flight",
    );
    return unavailable(
      "Sweeps are queued",
      `${outcome.inFlight} on-demand sweeps handed out to the workers are still being read, and none covers this one; nothing was sent. Ask again later.`,
    );
  }
  const joined = outcome.kind === "joined";
  log.info(
    { sweepId: outcome.run.sweepId, joined, circuits: circuitIds?.length ?? "all" },
    joined ? "on-demand sweep joined a fanned-out sweep in flight" : "on-demand sweep fanned out",
  );
  return accepted(outcome.run, joined, true);
}

/** `application/json`, `application/problem+json`, with or without parameters. */
const isJson = (contentType: string | null) =>
  /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test((contentType ?? "").trim());

/**
 * The body in the charset its Content-Type names (UTF-8 when it names none).
 * Windows PowerShell 5.1 sends a string body as ISO-8859-1: read as UTF-8, a
 * resource group named "rg-zürich" was called a malformed id. One the runtime
 * cannot decode is a 415 naming it.
 */
async function bodyText(
  request: HttpRequest,
): Promise<{ ok: true; text: string } | { ok: false; response: HttpResponseInit }> {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i
    .exec(request.headers.get("content-type") ?? "")?.[1]
    ?.toLowerCase();
  if (!charset || charset === "utf-8" || charset === "utf8")
    return { ok: true, text: await request.text() };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return {
      ok: false,
      response: problemResponse(
        problem(415, "Unsupported media type", `Send the body as UTF-8 JSON, not ${charset}.`, [
          { field: "content-type", message: `charset ${charset} is not one erwatch can read` },
        ]),
        { "accept-post": "application/json" },
      ),
    };
  }
  return { ok: true, text: decoder.decode(await request.arrayBuffer()) };
}

async function readInput(
  request: HttpRequest,
): Promise<
  | { ok: true; circuitIds: string[] | null; fields: string[] }
  | { ok: false; response: HttpResponseInit }
> {
  // Which methods the route takes, asked outright: said, not refused.
  if (request.method.toUpperCase() === "OPTIONS")
    return {
      ok: false,
      response: optionsAnswer("POST", { "accept-post": "application/json" }),
    };
  if (request.method.toUpperCase() !== "POST")
    return {
      ok: false,
      response: problemResponse(
        problem(405, "Method not allowed", "A sweep is asked for with POST.", []),
        { allow: "POST" },
      ),
    };
  const tooLarge = (): HttpResponseInit =>
    problemResponse(
      problem(413, "Request too large", `The body may be at most ${MAX_BODY_BYTES} bytes.`, [
        { field: "body", message: `at most ${MAX_BODY_BYTES} bytes` },
      ]),
    );
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES)
    return { ok: false, response: tooLarge() };
  const decoded = await bodyText(request);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { ok: false, response: tooLarge() };
  if (text.trim() !== "" && !isJson(request.headers.get("content-type")))
    return {
      ok: false,
      response: problemResponse(
        problem(
          415,
          "Unsupported media type",
          'Send the body as application/json: {"circuits": ["<circuit resource id>"]}.',
          [{ field: "content-type", message: "must be application/json" }],
        ),
        { "accept-post": "application/json" },
      ),
    };
  const input = parseSweepRequest(text, request.query);
  return input.ok ? input : { ok: false, response: problemResponse(input.problem) };
}

/**
 * POST /api/sweep: a few named circuits are read deep and answered with their
 * layer tables; the whole estate, or more circuits than that, is answered 202
 * with a status URL at once and runs on (joined to a running sweep that
 * covers it), or with fan-out on is handed to the workers first, inside this
 * invocation (on-demand-fan-out.ts). Nothing is ever held past Azure's
 * 230-second HTTP limit: a sweep not done in time is answered 202 too.
 */
export function httpSweepHandler(
  getDeps: () => Promise<SweepFunctionDeps>,
  /** When the answer is due, from the request's arrival, before deps say (default: well inside Azure's 230 s). */
  answerByDefaultMs = HTTP_ANSWER_WITHIN_MS,
  /**
   * The request's clock, for its arrival and every wait it spends from it:
   * read before deps are, so not theirs. Real time unless a test moves it.
   */
  time: Timers = realTimers,
) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    // Azure's 230 s count from the request's arrival: every wait below spends from one budget.
    const arrived = time.now();
    const left = (ms: number) => Math.max(0, ms - (time.now() - arrived));
    const input = await readInput(request);
    if (!input.ok) return input.response;
    let deps: SweepFunctionDeps | null;
    try {
      // A cold start makes its tables one after the other, each with STORAGE_TIMEOUT_MS:
      // storage that hangs must not hold the request past the limit either.
      deps = await within(getDeps(), left(answerByDefaultMs), time);
    } catch (error) {
      // A cold start whose tables cannot be made yet: try again, not a bare 500.
      if (!isStorageFailure(error)) throw error;
      return unavailable(
        "Table Storage did not answer",
        `${error.message}. Nothing was read or written; ask again later.`,
      );
    }
    if (!deps)
      return unavailable(
        "Table Storage did not answer",
        `Its tables could not be made within ${Math.round(answerByDefaultMs / 1000)} s of the request. Nothing was read or written; ask again later.`,
      );
    const log = deps.runtime.logger.child({ invocationId: context.invocationId, trigger: "http" });
    const answerWithinMs = deps.answerWithinMs ?? answerByDefaultMs;
    const { arm, sweep } = deps.runtime.config;
    const small = input.circuitIds !== null && input.circuitIds.length <= sweep.httpSyncCircuits;
    if (input.circuitIds) {
      // A quarter of the answer's time, and never more than half of what a
      // slow cold start left of it: the sweep itself needs the rest.
      const listing = deadlineOn(
        time,
        Math.ceil(Math.min(answerWithinMs / 4, left(answerWithinMs) / 2)),
      );
      const unknown = await unknownCircuits(
        deps,
        input.circuitIds,
        input.fields,
        listing.signal,
      ).finally(listing.cancel);
      if (unknown.length > 0)
        return problemResponse(
          problem(404, "Unknown circuit", "Nothing was read or written.", unknown.slice(0, 100)),
        );
    }
    // Beyond one instance: handed to the workers inside this invocation, never run here unseen.
    if (deps.runtime.work && !small)
      return fannedOut(
        { ...deps, runtime: { ...deps.runtime, work: deps.runtime.work } },
        input.circuitIds,
        arrived + answerWithinMs,
        time,
        log,
      );
    // A small sweep must end inside the answer; a large one gets a timer sweep's window.
    const window = small
      ? { budgetMs: Math.round(answerWithinMs * 0.6), stopMs: Math.round(answerWithinMs * 0.9) }
      : sweepWindow(deps.runtime.config.state.policy.sweepIntervalMinutes);
    const sweepId = randomUUID();
    const { sweeper } = deps.runtime;
    const admitted = deps.coordinator.run(
      { circuitIds: input.circuitIds, tiered: input.circuitIds === null },
      () => {
        // The sweep's own stops, on the clock the sweeper checks them by, not
        // the request's (its answer is bounded by the wait below): counted on
        // another, the deadline and stop it reads were off by the difference.
        const startedAt = sweeper.time.now();
        const stop = deadlineOn(sweeper.time, window.stopMs);
        return sweeper
          .sweep({
            ...(input.circuitIds
              ? { targets: input.circuitIds.map((c) => parseCircuitId(c)!) }
              : {
                  scope: { subscriptions: arm.subscriptions, circuitIds: arm.circuitIds },
                  mode: "tiered" as const,
                }),
            sweepId,
            now: deps.now(),
            deadline: new Date(startedAt + window.budgetMs),
            abortSignal: stop.signal,
            stopAt: new Date(startedAt + window.stopMs),
          })
          .finally(stop.cancel);
      },
      sweepId,
    );
    // A burst of requests must not push the timer's sweep, the one that pages, out of its window.
    if (admitted.busy) {
      log.warn(
        { circuits: input.circuitIds?.length ?? "all" },
        "on-demand sweep refused: too many sweeps wait already",
      );
      return unavailable(
        "Sweeps are queued",
        "Other on-demand sweeps are waiting for the running one; nothing was read or written. Ask again later.",
      );
    }
    const { joined, result, id } = admitted;
    const run = deps.runs.track(id || sweepId, input.circuitIds, result);
    // Whoever waits on it, a failed background sweep is logged, never unhandled.
    result.catch((error: unknown) =>
      log.error({ err: error, sweepId: run.sweepId }, "sweep failed"),
    );
    // The status URL may be polled on another instance: the run is shared
    // before it is given out, never past Azure's limit from the arrival.
    const acceptedShared = async () => {
      await within(
        deps.runs.share(run),
        Math.min(SHARE_WITHIN_MS, left(AZURE_HTTP_LIMIT_MS - MARGIN_MS)),
        time,
      );
      // Done while its record was written: the answer itself, not a URL to ask.
      if (small && run.status === "done" && run.result)
        return respond(run.result, input.circuitIds, joined, request);
      return accepted(run, joined);
    };
    if (!small) {
      log.info(
        { sweepId: run.sweepId, joined, circuits: input.circuitIds?.length ?? "all" },
        "on-demand sweep accepted",
      );
      return acceptedShared();
    }
    const done = await within(result, left(answerWithinMs), time);
    if (!done) {
      log.info({ sweepId: run.sweepId, joined }, "on-demand sweep still running; answered 202");
      return acceptedShared();
    }
    log.info(
      { sweepId: done.sweepId, joined, circuits: input.circuitIds ?? "all" },
      "on-demand sweep answered",
    );
    return respond(done, input.circuitIds, joined, request);
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET /api/sweep/{id}: a sweep answered 202, running or done, on this instance
 * or another; a fanned-out one from its workers' claims.
 */
export function httpSweepStatusHandler(
  getDeps: () => Promise<SweepFunctionDeps>,
  /** When the answer is due, from the request's arrival (default: well inside Azure's 230 s). */
  answerWithinMs = HTTP_ANSWER_WITHIN_MS,
  /** The request's clock, for the bound on its lookup: real time unless a test moves it. */
  time: Timers = realTimers,
) {
  return answeringHead(async (request: HttpRequest, _context: InvocationContext) => {
    // erwatch's sweep ids are lower-case UUIDs: one pasted in capitals (a
    // ticket, a shell that upper-cased it) is the same sweep, not "unknown".
    const given = request.params.id ?? "";
    const sweepId = UUID.test(given) ? given.toLowerCase() : given;
    // A cold instance whose tables cannot be made yet, or a lookup storage does not answer.
    const lookUp = async () => {
      const deps = await getDeps();
      const found = await deps.runs.find(sweepId);
      // Fanned out: how far it is, from the workers' claims.
      const handed = found?.fannedOut;
      if (!found || !handed) return found;
      const { fannedOutRun } = await import("../app/on-demand-fan-out.js");
      return fannedOutRun(
        { claims: deps.runtime.work?.claims ?? null, runs: deps.runs, now: deps.now },
        { ...found, fannedOut: handed },
      );
    };
    let looked;
    try {
      // Its calls come one after the other, each with STORAGE_TIMEOUT_MS (a cold
      // start's tables, the record, the claims, the record kept as it ended):
      // storage that hangs must not hold the poll past Azure's 230 s.
      looked = await within(
        lookUp().then((run) => ({ run })),
        answerWithinMs,
        time,
      );
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      return unavailable("Table Storage did not answer", `${error.message}. Ask again later.`, 10);
    }
    if (!looked)
      return unavailable(
        "Table Storage did not answer",
        `The sweep could not be looked up within ${Math.round(answerWithinMs / 1000)} s. Ask again later.`,
        10,
      );
    const { run } = looked;
    if (!run)
      return problemResponse(
        problem(
          404,
          "Unknown sweep",
          `No sweep with this id is known: ids come from a 202 of POST /api/sweep, and are kept ${SWEEP_RUN_KEEP_DAYS} days.`,
          [{ field: "id", message: "unknown sweep" }],
        ),
      );
    const summary = {
      sweepId: run.sweepId,
      status: run.status,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      ...(run.error ? { error: run.error } : {}),
      ...(run.answerOmitted ? { answerOmitted: run.answerOmitted } : {}),
    };
    // Only a running sweep is worth asking again: a failed one stays failed.
    if (run.status === "running")
      return jsonAnswer(
        200,
        // A fanned-out one says how far its workers got.
        run.fannedOut ? { ...summary, ...run.answer } : summary,
        request.headers.get("accept-encoding"),
        { "retry-after": "10" },
      );
    // A whole estate's answer is megabytes: compressed for a client that takes it.
    return jsonAnswer(200, { ...summary, ...run.answer }, request.headers.get("accept-encoding"));
  });
}

functions.app.http("sweep", {
  // Every method the host routes, not only POST: with POST alone the host
  // answers a GET with an empty 404 (Azure/azure-functions-host#10098), which
  // reads as "no such endpoint"; the handler's 405 says to POST.
  methods: ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "POST"],
  authLevel: "function",
  route: "sweep",
  handler: httpSweepHandler(sweepDeps),
});

functions.app.http("sweepStatus", {
  // HEAD too: a GET-only route hears it as the host's empty 404, read as "no such sweep".
  methods: ["GET", "HEAD"],
  authLevel: "function",
  route: "sweep/{id}",
  handler: httpSweepStatusHandler(sweepDeps),
});

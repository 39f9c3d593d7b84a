// Storage that accepts and never answers, during a request: every HTTP
// function answers a 503 with Retry-After inside its budget from the
// request's arrival. Each storage call has STORAGE_TIMEOUT_MS (up to 120 s),
// but they come one after the other (a cold start makes its tables in turn,
// the status page lists then reads the workers' claims, the status URL reads
// the record then the claims): nothing bounded them together, and Azure cuts
// a response at 230 s with no answer to retry on. Each handler keeps its
// budget on the request's clock, which these tests move instead of waiting.

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import { within } from "../../src/app/sweep-runs.js";
import { HTTP_ANSWER_WITHIN_MS } from "../../src/app/sweep-window.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import { manualTime, type ManualTime } from "../support/manual-time.js";
import { statusDepsOver } from "../support/status-deps.js";

const { HttpRequest, InvocationContext } = functions;
const context = () =>
  new InvocationContext({ invocationId: "test", functionName: "http", logHandler: () => {} });
const T0 = Date.parse("2026-11-22T02:00:00.000Z");
/** A real bound on waits for what other promise chains do (not a clock): far above their turns. */
const BOUND_MS = 5_000;
const never = <T>() => new Promise<T>(() => {});

type Answer = { status?: number; headers?: unknown; body?: unknown };

/** Whether `promise` has settled, read without waiting on it. */
function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  const mark = () => (settled = true);
  promise.then(mark, mark);
  return () => settled;
}

/** Polls, within BOUND_MS, for what another promise chain sets. */
async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Moves `time` to one millisecond short of `dueMs` after the arrival (`T0`):
 * no answer yet. Then onto it: the answer, within BOUND_MS of real time.
 */
async function answerAt(time: ManualTime, pending: Promise<Answer>, dueMs: number) {
  const answered = settledFlag(pending);
  time.advance(T0 + dueMs - 1 - time.now());
  // Turns for anything the handler would do on its own, were it not waiting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(answered()).toBe(false);
  time.advance(1);
  const answer = await within(pending, BOUND_MS);
  expect(answer).not.toBeNull();
  return { ...answer, headers: (answer?.headers ?? {}) as Record<string, string> };
}

function expect503(answer: Awaited<ReturnType<typeof answerAt>>, retryAfter: string) {
  expect(answer.status).toBe(503);
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  expect(answer.headers["retry-after"]).toBe(retryAfter);
  expect(JSON.parse(String(answer.body))).toMatchObject({
    status: 503,
    title: "Table Storage did not answer",
  });
}

const page = () => new HttpRequest({ method: "GET", url: "http://localhost/api/status" });

describe("storage that hangs during a request", () => {
  it("GET /api/status: a cold start whose tables are not made in time is a 503", async () => {
    const time = manualTime(T0);
    const handler = httpStatusHandler(never, HTTP_ANSWER_WITHIN_MS, time);
    const pending = handler(page(), context());
    await until("the wait for the cold start", () => time.pending() === 1);
    expect(time.dueIn()).toEqual([HTTP_ANSWER_WITHIN_MS]);
    expect503(await answerAt(time, pending, HTTP_ANSWER_WITHIN_MS), "60");
    expect(time.pending()).toBe(0);
  });

  it("GET /api/status: listings not given in time are a 503, after what the cold start left", async () => {
    const time = manualTime(T0);
    let listing = false;
    const deps = statusDepsOver(() => ((listing = true), never()));
    // A cold start that takes 50 s of the answer's time: the listings get what is left, not all of it again.
    const handler = httpStatusHandler(
      () => new Promise((resolve) => time.after(50_000, () => resolve(deps))),
      HTTP_ANSWER_WITHIN_MS,
      time,
    );
    const pending = handler(page(), context());
    await until("the cold start and its bound", () => time.pending() === 2);
    time.advance(50_000);
    await until("the wait for the listings", () => listing && time.pending() === 1);
    expect(time.dueIn()).toEqual([HTTP_ANSWER_WITHIN_MS - 50_000]);
    expect503(await answerAt(time, pending, HTTP_ANSWER_WITHIN_MS), "60");
  });

  it("POST /api/sweep: a cold start whose tables are not made in time is a 503, nothing read", async () => {
    const time = manualTime(T0);
    const handler = httpSweepHandler(never, HTTP_ANSWER_WITHIN_MS, time);
    const request = new HttpRequest({ method: "POST", url: "http://localhost/api/sweep" });
    const pending = handler(request, context());
    await until("the wait for the cold start", () => time.pending() === 1);
    const answer = await answerAt(time, pending, HTTP_ANSWER_WITHIN_MS);
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("60");
    expect(JSON.parse(String(answer.body))).toMatchObject({
      title: "Table Storage did not answer",
    });
  });

  it("GET /api/sweep/{id}: a record not read in time is a 503 to poll again", async () => {
    const time = manualTime(T0);
    const deps = { runs: { find: never } } as unknown as SweepFunctionDeps;
    const handler = httpSweepStatusHandler(async () => deps, HTTP_ANSWER_WITHIN_MS, time);
    const id = "0b7c6f38-5d8e-4a51-9a37-2a8a4f0c8e11";
    const request = new HttpRequest({
      method: "GET",
      url: `http://localhost/api/sweep/${id}`,
      params: { id },
    });
    const pending = handler(request, context());
    await until("the wait for the lookup", () => time.pending() === 1);
    expect(time.dueIn()).toEqual([HTTP_ANSWER_WITHIN_MS]);
    expect503(await answerAt(time, pending, HTTP_ANSWER_WITHIN_MS), "10");
    expect(time.pending()).toBe(0);
  });
});

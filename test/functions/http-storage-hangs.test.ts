// Storage that accepts and never answers, during a request: every HTTP
// function answers a 503 with Retry-After inside its budget from the
// request's arrival. Each storage call has STORAGE_TIMEOUT_MS (up to 120 s),
// but they come one after the other (a cold start makes its tables in turn,
// the status page lists then reads the workers' claims, the status URL reads
// the record then the claims): nothing bounded them together, and Azure cuts
// a response at 230 s with no answer to retry on. Budgets shortened to 200 ms.

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import { statusDepsOver } from "../support/status-deps.js";

const { HttpRequest, InvocationContext } = functions;
const context = () =>
  new InvocationContext({ invocationId: "test", functionName: "http", logHandler: () => {} });
const BUDGET_MS = 200;
const never = <T>() => new Promise<T>(() => {});

/** The handler's answer, or "held" when it has none after well past its budget. */
async function answerOf(
  pending: Promise<{ status?: number; headers?: unknown; body?: unknown }>,
): Promise<{ status?: number; headers: Record<string, string>; body?: unknown } | "held"> {
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<"held">((resolve) => (timer = setTimeout(() => resolve("held"), 3_000)));
  try {
    const answer = await Promise.race([pending, held]);
    return answer === "held"
      ? answer
      : { ...answer, headers: (answer.headers ?? {}) as Record<string, string> };
  } finally {
    clearTimeout(timer);
  }
}

function expect503(answer: Awaited<ReturnType<typeof answerOf>>, retryAfter: string) {
  expect(answer).not.toBe("held");
  if (answer === "held") return;
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
    const handler = httpStatusHandler(never, BUDGET_MS);
    expect503(await answerOf(handler(page(), context())), "60");
  });

  it("GET /api/status: listings not given in time are a 503", async () => {
    const deps = statusDepsOver(never);
    const handler = httpStatusHandler(async () => deps, BUDGET_MS);
    expect503(await answerOf(handler(page(), context())), "60");
  });

  it("POST /api/sweep: a cold start whose tables are not made in time is a 503, nothing read", async () => {
    const handler = httpSweepHandler(never, BUDGET_MS);
    const request = new HttpRequest({ method: "POST", url: "http://localhost/api/sweep" });
    expect503(await answerOf(handler(request, context())), "60");
  });

  it("GET /api/sweep/{id}: a record not read in time is a 503 to poll again", async () => {
    const deps = { runs: { find: never } } as unknown as SweepFunctionDeps;
    const handler = httpSweepStatusHandler(async () => deps, BUDGET_MS);
    const id = "0b7c6f38-5d8e-4a51-9a37-2a8a4f0c8e11";
    const request = new HttpRequest({
      method: "GET",
      url: `http://localhost/api/sweep/${id}`,
      params: { id },
    });
    expect503(await answerOf(handler(request, context())), "10");
  });
});

// GET /api/sweep/{id} of a fanned-out sweep answered without the
// workers' claims (an instance without SWEEP_WORK_QUEUE, or a sweep first
// asked about after the claims' 24 h) reads its workers' deadline with
// Date.parse, not storedInstant (a review found it; work-progress.ts was fixed first).

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { SharedSweepRun } from "../../src/app/state-store.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpSweepStatusHandler } from "../../src/functions/http-sweep.js";

const { HttpRequest, InvocationContext } = functions;
const context = () =>
  new InvocationContext({ invocationId: "t", functionName: "sweepStatus", logHandler: () => {} });
const NOW = new Date("2026-11-22T02:00:00.000Z");
const ID = "0b7c6f38-5d8e-4a51-9a37-2a8a4f0c8e11";

function handlerOver(record: SharedSweepRun, claims: unknown = null) {
  const deps = {
    runs: { find: async () => record, shareFannedOut: async () => true },
    runtime: { work: claims ? { claims } : null },
    now: () => NOW,
  } as unknown as SweepFunctionDeps;
  return httpSweepStatusHandler(async () => deps);
}

const record = (deadline: string, startedAt = "2026-11-22T01:00:00.000Z"): SharedSweepRun => ({
  sweepId: ID,
  status: "running",
  startedAt,
  finishedAt: null,
  touchedAt: startedAt,
  error: null,
  answer: null,
  fannedOut: { deep: 3, deadline, circuitIds: null, by: "request" },
});

const get = () =>
  new HttpRequest({ method: "GET", url: `http://localhost/api/sweep/${ID}`, params: { id: ID } });

describe("status URL of a fanned-out sweep whose deadline is not an instant", () => {
  it("a deadline of '42' (read as the year 2042) is not 'running' for years on an instance without the claims", async () => {
    const answer = await handlerOver(record("42"))(get(), context());
    expect(answer.status).toBe(200);
    expect((answer.jsonBody as { status: string }).status).toBe("done");
  });

  it("…nor once the claims are past their 24 h", async () => {
    const claims = { progress: async () => [] };
    const answer = await handlerOver(record("42", "2026-11-19T01:00:00.000Z"), claims)(
      get(),
      context(),
    );
    expect((answer.jsonBody as { status: string }).status).toBe("done");
  });

  it("a deadline that is no date at all is an answer, not a RangeError (a 500 every poll)", async () => {
    const answer = await handlerOver(record("soon"))(get(), context());
    expect(answer.status).toBe(200);
  });
});

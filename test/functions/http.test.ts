import functions from "@azure/functions";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SweepRuns, SWEEP_RUN_LOST_AFTER_MS, within } from "../../src/app/sweep-runs.js";
import { HTTP_ANSWER_WITHIN_MS } from "../../src/app/sweep-window.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { functionDeps } from "../support/function-deps.js";
import { CIRCUIT_ID } from "../support/readings.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const { HttpRequest, InvocationContext } = functions;
const NOW = () => new Date("2026-11-22T02:00:00.000Z");
const T0 = NOW().getTime();
/** A bound on every wait for what another promise chain does, far above its turns. */
const BOUND_MS = 5_000;
const OTHER_SUB =
  "/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-x";
const UNLISTED =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-ghost";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const context = () =>
  new InvocationContext({ invocationId: "test", functionName: "sweep", logHandler: () => {} });
const post = (body: string, query: Record<string, string> = {}) =>
  new HttpRequest({
    method: "POST",
    url: "http://localhost/api/sweep",
    body: { string: body },
    headers: { "content-type": "application/json" },
    query,
  });
const ALL = JSON.stringify({ circuits: [CIRCUIT_ID] });

async function setup(env: Record<string, string> = {}) {
  const reader = new FakeReader();
  const deps = await functionDeps(
    azurite.connectionString,
    reader,
    { ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001", ...env },
    NOW,
  );
  return {
    reader,
    deps,
    sweep: httpSweepHandler(async () => deps),
    sweepStatus: httpSweepStatusHandler(async () => deps),
    status: httpStatusHandler(async () => deps.status),
  };
}

const statusOf = (id: string) =>
  new HttpRequest({ method: "GET", url: `http://localhost/api/sweep/${id}`, params: { id } });

const problemOf = (response: { status?: number; headers?: unknown; body?: unknown }) => {
  expect((response.headers as Record<string, string>)["content-type"]).toBe(
    "application/problem+json",
  );
  return JSON.parse(String(response.body)) as {
    status: number;
    title: string;
    errors: { field: string; message: string }[];
  };
};

/**
 * Holds each sweep's result, not its reads, until released: a small sweep
 * stops itself at 0.9 of the answer time, and a held read would be given up at
 * once by that stop, a race with the answer's own timer that a loaded machine
 * loses.
 */
function holdResult(deps: Awaited<ReturnType<typeof setup>>["deps"]): () => void {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sweeper = deps.runtime.sweeper;
  const run = sweeper.sweep.bind(sweeper);
  sweeper.sweep = async (options) => {
    const result = await run(options);
    await gate;
    return result;
  };
  return release;
}

/**
 * Resolves once a sweep has asked the coordinator for its turn (the timer's,
 * `urgent`, or an on-demand one): a gate released only after that, not right
 * after the handler is called, whatever the handler awaits on its way there.
 */
function queued(
  deps: Awaited<ReturnType<typeof setup>>["deps"],
  which: "timer" | "on-demand",
): Promise<void> {
  const coordinator = deps.coordinator;
  const run = coordinator.run.bind(coordinator);
  return new Promise((resolve) => {
    coordinator.run = (scope, start, id, options) => {
      const admission = run(scope, start, id, options);
      if ((options?.urgent === true) === (which === "timer")) resolve();
      return admission;
    };
  });
}

/** Polls, within BOUND_MS, for what another promise chain sets (not a clock). */
async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether `promise` has settled, read without waiting on it. */
function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  const mark = () => (settled = true);
  promise.then(mark, mark);
  return () => settled;
}

/** Circuit ids in the watched subscription, `n` of them. */
const ids = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-${i}`,
  );

describe("POST /api/sweep: its edges (issue 10)", () => {
  it("refuses 30,000 ids with problem+json before reading one", async () => {
    const { sweep, reader } = await setup();
    const response = await sweep(post(JSON.stringify({ circuits: ids(30_000) })), context());
    expect([400, 413]).toContain(response.status);
    expect(problemOf(response).status).toBe(response.status);
    expect(reader.reads).toBe(0);
  });

  it("caps a request at 1,000 circuits, counted after duplicates are merged", async () => {
    const { sweep, reader } = await setup();
    const over = await sweep(post(JSON.stringify({ circuits: ids(1_001) })), context());
    expect(over.status).toBe(400);
    expect(problemOf(over)).toMatchObject({
      title: "Too many circuits",
      errors: [{ field: "circuits", message: "at most 1000 circuits per request" }],
    });
    expect(reader.reads).toBe(0);
    // 2,000 entries naming one circuit, in every case ARM accepts: one circuit, read once.
    const same = Array.from({ length: 2_000 }, (_, i) =>
      i % 2 === 0 ? CIRCUIT_ID : CIRCUIT_ID.toUpperCase(),
    );
    const merged = await sweep(post(JSON.stringify({ circuits: same })), context());
    expect(merged.status).toBe(200);
    expect((merged.jsonBody as { circuits: unknown[] }).circuits).toHaveLength(1);
    expect(reader.reads).toBe(1);
  });

  it("takes only application/json bodies (415 otherwise) and only POST (405 otherwise)", async () => {
    const { sweep, reader } = await setup();
    const text = new HttpRequest({
      method: "POST",
      url: "http://localhost/api/sweep",
      body: { string: ALL },
      headers: { "content-type": "text/plain" },
    });
    const refused = await sweep(text, context());
    expect(refused.status).toBe(415);
    expect(problemOf(refused).errors[0]!.field).toBe("content-type");
    const get = await sweep(
      new HttpRequest({ method: "GET", url: "http://localhost/api/sweep" }),
      context(),
    );
    expect(get.status).toBe(405);
    expect((get.headers as Record<string, string>).allow).toBe("POST");
    expect(reader.reads).toBe(0);
    // An empty POST needs no content type: it asks for the whole estate.
    const empty = await sweep(
      new HttpRequest({ method: "POST", url: "http://localhost/api/sweep" }),
      context(),
    );
    expect(empty.status).toBe(202);
  });
});

describe("POST /api/sweep within Azure's HTTP limit", () => {
  it("answers more circuits than HTTP_SWEEP_SYNC_CIRCUITS with 202 and a status URL that ends with the layer tables", async () => {
    const { sweep, sweepStatus, deps } = await setup({ HTTP_SWEEP_SYNC_CIRCUITS: "0" });
    const response = await sweep(post(ALL), context());
    expect(response.status).toBe(202);
    const { sweepId, statusUrl } = response.jsonBody as { sweepId: string; statusUrl: string };
    expect(statusUrl).toBe(`/api/sweep/${sweepId}`);
    const drained = deps.coordinator.run({ circuitIds: null }, async () => null as never);
    if (!drained.busy) await drained.result;
    const status = await sweepStatus(statusOf(sweepId), context());
    expect(status.jsonBody).toMatchObject({
      sweepId,
      status: "done",
      circuits: [expect.objectContaining({ id: CIRCUIT_ID })],
    });
    expect((await sweepStatus(statusOf("nope"), context())).status).toBe(404);
    // Pasted in capitals, the same sweep.
    expect((await sweepStatus(statusOf(sweepId.toUpperCase()), context())).jsonBody).toEqual(
      status.jsonBody,
    );
    // The layer tables of an estate are megabytes: gzip to a client that takes it, the same answer.
    const zipped = await sweepStatus(
      new HttpRequest({
        method: "GET",
        url: `http://localhost/api/sweep/${sweepId}`,
        params: { id: sweepId },
        headers: { "accept-encoding": "gzip, deflate, br" },
      }),
      context(),
    );
    expect(zipped.headers).toMatchObject({
      "content-encoding": "gzip",
      "content-type": "application/json",
      vary: "Accept-Encoding",
    });
    expect(JSON.parse(gunzipSync(zipped.body as Uint8Array).toString("utf8"))).toEqual(
      status.jsonBody,
    );
  });

  it("answers a small sweep's layer tables gzip-compressed to a client that takes it", async () => {
    const { sweep } = await setup();
    const request = (headers: Record<string, string>) =>
      new HttpRequest({
        method: "POST",
        url: "http://localhost/api/sweep",
        body: { string: ALL },
        headers: { "content-type": "application/json", ...headers },
      });
    const plain = await sweep(request({}), context());
    expect(plain.status).toBe(200);
    expect(plain.headers).toMatchObject({ vary: "Accept-Encoding" });
    const zipped = await sweep(request({ "accept-encoding": "gzip" }), context());
    expect(zipped.status).toBe(200);
    expect(zipped.headers).toMatchObject({ "content-encoding": "gzip" });
    const answer = JSON.parse(gunzipSync(zipped.body as Uint8Array).toString("utf8")) as {
      circuits: { id: string }[];
    };
    expect(answer.circuits.map((c) => c.id)).toEqual([CIRCUIT_ID]);
    expect(Object.keys(answer).sort()).toEqual(Object.keys(plain.jsonBody as object).sort());
  });

  it("answers 202 instead of holding the request when a small sweep is not done in time", async () => {
    const { sweep, sweepStatus, deps } = await setup();
    deps.answerWithinMs = 50;
    const release = holdResult(deps);
    const response = await sweep(post(ALL), context());
    expect(response.status).toBe(202);
    const { sweepId } = response.jsonBody as { sweepId: string };
    const running = await sweepStatus(statusOf(sweepId), context());
    expect(running.jsonBody).toMatchObject({ status: "running" });
    expect(running.headers).toEqual({ "retry-after": "10", vary: "Accept-Encoding" });
    release();
    await deps.runs.get(sweepId)!.done;
    const done = await sweepStatus(statusOf(sweepId), context());
    expect(done.jsonBody).toMatchObject({ status: "done" });
    expect(done.headers ?? {}).not.toHaveProperty("retry-after");
  });

  it("answers its status URL on every instance: the HTTP functions scale out, and the poll may reach another than the one running the sweep", async () => {
    const { sweep, sweepStatus, deps } = await setup({ HTTP_SWEEP_SYNC_CIRCUITS: "0" });
    const release = holdResult(deps);
    // Another instance: the same tables, nothing of this one's memory; clocks agree across instances.
    const { logger } = memoryLogger();
    const elsewhere = httpSweepStatusHandler(async () => ({
      ...deps,
      runs: new SweepRuns(deps.now, 50, { store: deps.runtime.store, log: logger }),
    }));
    const response = await sweep(post(ALL), context());
    expect(response.status).toBe(202);
    const { sweepId } = response.jsonBody as { sweepId: string };
    const running = await elsewhere(statusOf(sweepId), context());
    expect(running.status).toBe(200);
    expect(running.jsonBody).toMatchObject({ sweepId, status: "running", finishedAt: null });
    expect(running.headers).toEqual({ "retry-after": "10", vary: "Accept-Encoding" });
    release();
    await deps.runs.get(sweepId)!.sharedEnd;
    const here = await sweepStatus(statusOf(sweepId), context());
    const there = await elsewhere(statusOf(sweepId), context());
    expect(there.jsonBody).toMatchObject({
      status: "done",
      circuits: [expect.objectContaining({ id: CIRCUIT_ID })],
    });
    expect(there.jsonBody).toEqual(here.jsonBody);
    // Unknown everywhere, and an id erwatch never makes is not looked up.
    expect(
      (await elsewhere(statusOf("00000000-0000-0000-0000-000000000000"), context())).status,
    ).toBe(404);
    expect((await elsewhere(statusOf("run|x\\y"), context())).status).toBe(404);
  });

  it("gives out the status URL only once the sweep's record is written, and answers 503 on a cold instance whose tables cannot be made", async () => {
    const { sweep, deps } = await setup({ HTTP_SWEEP_SYNC_CIRCUITS: "0" });
    deps.runtime.sweeper.sweep = () => new Promise(() => {});
    const store = deps.runtime.store;
    const put = store.putSweepRun.bind(store);
    const landed: string[] = [];
    store.putSweepRun = async (run) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await put(run);
      landed.push(run.status);
    };
    const response = await sweep(post(ALL), context());
    expect(response.status).toBe(202);
    expect(landed).toEqual(["running"]);
    const { sweepId } = response.jsonBody as { sweepId: string };
    const cold = httpSweepStatusHandler(async () => {
      const error = new Error("creating table Snapshots failed: ECONNREFUSED");
      error.name = "StateStoreError";
      throw error;
    });
    const answer = await cold(statusOf(sweepId), context());
    expect(answer.status).toBe(503);
    expect(answer.headers).toMatchObject({ "retry-after": "10" });
  });

  it("says a sweep whose record stopped being written while running ended with its instance, instead of 'running' forever", async () => {
    const { sweep, deps } = await setup({ HTTP_SWEEP_SYNC_CIRCUITS: "0" });
    deps.runtime.sweeper.sweep = () => new Promise(() => {});
    const response = await sweep(post(ALL), context());
    const { sweepId } = response.jsonBody as { sweepId: string };
    // The instance is gone: its record is not written again after this one.
    const { touchedAt } = (await deps.runtime.store.getSweepRun(sweepId))!;
    let now = new Date(Date.parse(touchedAt) + SWEEP_RUN_LOST_AFTER_MS);
    const { logger } = memoryLogger();
    const elsewhere = httpSweepStatusHandler(async () => ({
      ...deps,
      runs: new SweepRuns(() => now, 50, { store: deps.runtime.store, log: logger }),
    }));
    expect((await elsewhere(statusOf(sweepId), context())).jsonBody).toMatchObject({
      status: "running",
    });
    now = new Date(now.getTime() + 1);
    const lost = await elsewhere(statusOf(sweepId), context());
    expect(lost.jsonBody).toMatchObject({
      status: "failed",
      error: expect.stringContaining("the instance running it stopped"),
    });
    expect(lost.headers ?? {}).not.toHaveProperty("retry-after");
  });

  it("a record that cannot be shared leaves the status URL answering here, logged; storage failing the lookup elsewhere is a 503 to retry", async () => {
    const { deps } = await setup({ HTTP_SWEEP_SYNC_CIRCUITS: "0" });
    const storageDown = () => {
      const error = new Error("Table Storage did not answer within 10000 ms");
      error.name = "StateStoreError";
      return error;
    };
    const { logger, records } = memoryLogger();
    const store = Object.create(deps.runtime.store) as typeof deps.runtime.store;
    store.putSweepRun = () => Promise.reject(storageDown());
    store.getSweepRun = () => Promise.reject(storageDown());
    const runs = new SweepRuns(deps.now, 50, { store, log: logger });
    const here = { ...deps, runs };
    const response = await httpSweepHandler(async () => here)(post(ALL), context());
    expect(response.status).toBe(202);
    const { sweepId } = response.jsonBody as { sweepId: string };
    await runs.get(sweepId)!.sharedEnd;
    const answered = await httpSweepStatusHandler(async () => here)(statusOf(sweepId), context());
    expect(answered.jsonBody).toMatchObject({ sweepId, status: "done" });
    // The write when it was answered 202 and the one when it ended.
    expect(
      records().filter((r) =>
        String(r.msg).includes("its status URL answers on this instance only"),
      ),
    ).toHaveLength(2);
    const elsewhere = httpSweepStatusHandler(async () => ({
      ...deps,
      runs: new SweepRuns(deps.now, 50, { store, log: logger }),
    }));
    const unavailable = await elsewhere(statusOf(sweepId), context());
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers).toMatchObject({ "retry-after": "10" });
  });

  it("answers within the limit counted from the request's arrival, not after a slow start", async () => {
    const { deps } = await setup();
    deps.answerWithinMs = 2_000;
    let sweeping = false;
    deps.runtime.sweeper.sweep = () => ((sweeping = true), new Promise(() => {}));
    // The request's time runs on this clock: moved, not waited for.
    const time = manualTime(T0);
    // A cold start that takes nearly all the answer may: the answer is not
    // given its full time again after it (that was 230 s + the start).
    const slow = httpSweepHandler(
      async () => {
        await new Promise<void>((resolve) => time.after(1_900, resolve));
        return deps;
      },
      HTTP_ANSWER_WITHIN_MS,
      time,
    );
    const answer = slow(post(ALL), context());
    const answeredYet = settledFlag(answer);
    // The cold start, and its bound: the default answer's time, before deps say theirs.
    await until("the cold start", () => time.pending() === 2);
    expect(time.dueIn()).toEqual([1_900, HTTP_ANSWER_WITHIN_MS]);
    time.advance(1_900);
    // Its one wait then, for the sweep's result: what is left of the 2 s, not 2 s again.
    await until("the wait for the sweep's result", () => sweeping && time.pending() === 1);
    expect(time.dueIn()).toEqual([100]);
    time.advance(99);
    expect(answeredYet()).toBe(false);
    time.advance(1);
    expect((await within(answer, BOUND_MS))?.status).toBe(202);
  });

  it("a slow cold start leaves the check of named circuits only what is left of the answer's time, counted from arrival", async () => {
    const { deps } = await setup();
    deps.answerWithinMs = 4_000;
    let sweeping = false;
    deps.runtime.sweeper.sweep = () => ((sweeping = true), new Promise(() => {}));
    const time = manualTime(T0);
    // A circuit of a watched subscription: checked by listing it, which hangs.
    let listing = false;
    let listingStopped = 0;
    deps.runtime.reader.discover = (scope, options) =>
      new Promise((resolve) => {
        listing = true;
        options?.abortSignal?.addEventListener("abort", () => {
          listingStopped = time.now();
          const failure = { kind: "timeout", call: "list", target: "circuits", message: "aborted" };
          resolve({
            targets: [],
            failures: scope.subscriptions.map((subscriptionId) => ({ subscriptionId, failure })),
          } as Awaited<ReturnType<typeof deps.runtime.reader.discover>>);
        });
      });
    const slow = httpSweepHandler(
      async () => {
        await new Promise<void>((resolve) => time.after(3_400, resolve));
        return deps;
      },
      HTTP_ANSWER_WITHIN_MS,
      time,
    );
    const answer = slow(post(JSON.stringify({ circuits: [ids(1)[0]] })), context());
    await until("the cold start", () => time.pending() === 2);
    time.advance(3_400);
    await until("the listing of the circuit's subscription", () => listing);
    // Half of the 0.6 s the start left, not a quarter of the answer's 4 s.
    time.advance(299);
    expect(listingStopped).toBe(0);
    time.advance(1);
    expect(listingStopped).toBe(T0 + 3_700);
    // The sweep then waits for the rest of the 4 s, and is answered 202.
    await until("the wait for the sweep's result", () => sweeping && time.pending() === 1);
    expect(time.dueIn()).toEqual([300]);
    time.advance(300);
    expect((await within(answer, BOUND_MS))?.status).toBe(202);
  });

  it("refuses on-demand sweeps beyond those waiting already with 503 and Retry-After: a burst cannot push the timer's sweep out of its window", async () => {
    const { deps } = await setup({ ERWATCH_CIRCUITS: ids(4).join(",") });
    deps.answerWithinMs = 50;
    const sweeper = deps.runtime.sweeper;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = sweeper.sweep.bind(sweeper);
    sweeper.sweep = async (options) => {
      await gate;
      return run(options);
    };
    const sweep = httpSweepHandler(async () => deps);
    // One circuit each, so none joins another: the first runs, the next two may
    // wait (202: not done within 50 ms), the fourth is told to come back.
    const answers = [];
    for (const id of ids(4))
      answers.push(await sweep(post(JSON.stringify({ circuits: [id] })), context()));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 503]);
    const refused = answers[3]!;
    expect((refused.headers as Record<string, string>)["retry-after"]).toBe("60");
    expect(problemOf(refused)).toMatchObject({ title: "Sweeps are queued" });
    release();
  });

  it("the timer's sweep runs next after the running one, ahead of on-demand sweeps waiting", async () => {
    const { deps } = await setup({ ERWATCH_CIRCUITS: ids(3).join(",") });
    deps.answerWithinMs = 50;
    const sweeper = deps.runtime.sweeper;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const run = sweeper.sweep.bind(sweeper);
    sweeper.sweep = async (options) => {
      order.push(options.targets ? options.targets.map((t) => t.name).join(",") : "timer");
      if (order.length === 1) await gate;
      return run(options);
    };
    const sweep = httpSweepHandler(async () => deps);
    for (const id of ids(3)) await sweep(post(JSON.stringify({ circuits: [id] })), context());
    const timerQueued = queued(deps, "timer");
    const timer = sweepTimerHandler(async () => deps)(
      {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: "", next: "", lastUpdated: "" },
      },
      context(),
    );
    await timerQueued;
    release();
    await timer;
    // er-1 and er-2 waited before the timer fired; they run after it.
    expect(order.slice(0, 2)).toEqual(["er-0", "timer"]);
  });

  it("an estate sweep the timer's answered while it waited keeps its own id at its status URL, and names the timer's", async () => {
    const { deps, sweepStatus } = await setup({ ERWATCH_CIRCUITS: ids(3).join(",") });
    deps.answerWithinMs = 50;
    const sweeper = deps.runtime.sweeper;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = sweeper.sweep.bind(sweeper);
    let timerSweepId = "";
    sweeper.sweep = async (options) => {
      if (options.targets) await gate;
      else timerSweepId = options.sweepId!;
      return run(options);
    };
    const sweep = httpSweepHandler(async () => deps);
    // A named sweep runs; the estate's request waits behind it; the timer fires and answers it.
    expect((await sweep(post(JSON.stringify({ circuits: [ids(3)[0]] })), context())).status).toBe(
      202,
    );
    const waiting = await sweep(post(""), context());
    expect(waiting.status).toBe(202);
    const { sweepId } = waiting.jsonBody as { sweepId: string };
    const timerQueued = queued(deps, "timer");
    const timer = sweepTimerHandler(async () => deps)(
      {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: "", next: "", lastUpdated: "" },
      },
      context(),
    );
    await timerQueued;
    release();
    await timer;
    await deps.runs.get(sweepId)!.done;
    expect(timerSweepId).not.toBe("");
    const done = await sweepStatus(statusOf(sweepId), context());
    expect(done.jsonBody).toMatchObject({
      sweepId,
      status: "done",
      joined: true,
      joinedSweepId: timerSweepId,
    });
  });

  it("counts the sweep's deadline and stop on the sweeper's clock, the one it checks them by, not the machine's", async () => {
    // The sweeper's clock far from the machine's: counted on the machine's,
    // its deadline and stop had passed before the sweep began, or were years off.
    const FAR = Date.parse("2100-01-01T00:00:00.000Z");
    const sweepTime = manualTime(FAR);
    const reader = new FakeReader();
    const deps = await functionDeps(
      azurite.connectionString,
      reader,
      { ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001" },
      NOW,
      sweepTime,
    );
    deps.answerWithinMs = 10_000;
    const asked: Parameters<typeof deps.runtime.sweeper.sweep>[0][] = [];
    const run = deps.runtime.sweeper.sweep.bind(deps.runtime.sweeper);
    let hang = false;
    deps.runtime.sweeper.sweep = (options) => {
      asked.push(options);
      return hang ? new Promise(() => {}) : run(options);
    };
    const requestTime = manualTime(T0);
    const sweep = httpSweepHandler(async () => deps, HTTP_ANSWER_WITHIN_MS, requestTime);
    // Read whole, inside its deadline: the answer's layer tables.
    const done = await sweep(post(ALL), context());
    expect(done.status).toBe(200);
    expect(reader.reads).toBe(1);
    expect((done.jsonBody as { circuits: { id: string }[] }).circuits.map((c) => c.id)).toEqual([
      CIRCUIT_ID,
    ]);
    expect(asked[0]!.deadline?.getTime()).toBe(FAR + 6_000);
    expect(asked[0]!.stopAt?.getTime()).toBe(FAR + 9_000);
    // Its stop is dropped with the sweep: nothing left on the sweeper's clock.
    expect(sweepTime.pending()).toBe(0);

    // One that hangs is stopped when the sweeper's clock reaches its stop, not before.
    hang = true;
    sweepTime.advance(60_000);
    const answer = sweep(post(ALL), context());
    await until("the second sweep", () => asked.length === 2);
    const stop = asked[1]!.abortSignal!;
    expect(asked[1]!.stopAt?.getTime()).toBe(FAR + 60_000 + 9_000);
    sweepTime.advance(8_999);
    expect(stop.aborted).toBe(false);
    sweepTime.advance(1);
    expect(stop.aborted).toBe(true);
    expect((stop.reason as Error).name).toBe("TimeoutError");
    // The answer itself waits on the request's clock.
    await until("the wait for the sweep's result", () => requestTime.pending() === 1);
    requestTime.advance(10_000);
    expect((await within(answer, BOUND_MS))?.status).toBe(202);
  });

  it("a sweep that failed says so once: no Retry-After to poll it again", async () => {
    const { sweep, sweepStatus, deps } = await setup({ HTTP_SWEEP_SYNC_CIRCUITS: "0" });
    deps.runtime.sweeper.sweep = () => Promise.reject(new Error("Table Storage refused the sweep"));
    const response = await sweep(post(ALL), context());
    expect(response.status).toBe(202);
    const { sweepId } = response.jsonBody as { sweepId: string };
    await deps.runs.get(sweepId)!.done.catch(() => undefined);
    const failed = await sweepStatus(statusOf(sweepId), context());
    expect(failed.jsonBody).toMatchObject({
      status: "failed",
      error: expect.stringContaining("Table Storage refused the sweep"),
    });
    expect(failed.headers ?? {}).not.toHaveProperty("retry-after");
  });
});

describe("POST /api/sweep", () => {
  it.each([
    { name: "malformed JSON", body: "{circuits:", query: {}, field: "body" },
    { name: "a body that is not an object", body: "[1]", query: {}, field: "body" },
    {
      name: "an id that is not a circuit",
      body: JSON.stringify({
        circuits: [
          CIRCUIT_ID,
          "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        ],
      }),
      query: {},
      field: "circuits[1]",
    },
    {
      name: "a bad id in the query",
      body: "",
      query: { circuit: "er-circuit-prod" },
      field: "circuit[0]",
    },
    {
      name: "an unknown field",
      body: JSON.stringify({ circuit: CIRCUIT_ID }),
      query: {},
      field: "circuit",
    },
    {
      // A script whose filter matched nothing must not sweep the whole estate.
      name: "an empty list of circuits",
      body: JSON.stringify({ circuits: [] }),
      query: {},
      field: "circuits",
    },
    // Nor may an empty or mistyped query: each swept the whole estate (202).
    { name: "an empty circuit in the query", body: "", query: { circuit: "" }, field: "circuit" },
    {
      name: "a query circuit of commas and spaces",
      body: "",
      query: { circuit: ", ," },
      field: "circuit",
    },
    {
      name: "a query parameter that is not one (circuits=)",
      body: "",
      query: { circuits: CIRCUIT_ID },
      field: "circuits",
    },
    {
      name: "a query parameter that is not one (id=)",
      body: "",
      query: { id: CIRCUIT_ID },
      field: "id",
    },
  ] as { name: string; body: string; query: Record<string, string>; field: string }[])(
    "should answer 400 problem+json naming the field for $name, and write nothing",
    async ({ body, query, field }) => {
      const { sweep, deps, reader } = await setup();
      const response = await sweep(post(body, query), context());
      expect(response.status).toBe(400);
      expect((response.headers as Record<string, string>)["content-type"]).toBe(
        "application/problem+json",
      );
      const problem = JSON.parse(String(response.body)) as {
        status: number;
        errors: { field: string }[];
      };
      expect(problem.status).toBe(400);
      expect(problem.errors.map((e) => e.field)).toContain(field);
      expect(reader.reads).toBe(0);
      expect(await deps.runtime.store!.listSnapshots()).toEqual([]);
    },
  );

  it("takes the function key in the query (?code=) for what it is, not for a parameter", async () => {
    const { sweep } = await setup();
    const response = await sweep(post("", { code: "the-function-key" }), context());
    expect(response.status).toBe(202);
  });

  it.each([
    {
      name: "in a subscription erwatch does not watch",
      id: OTHER_SUB,
      message: /not a circuit erwatch watches/,
    },
    {
      name: "that does not exist in a watched subscription",
      id: UNLISTED,
      message: /no such ExpressRoute circuit/,
    },
  ])("should answer 404 for a circuit $name, and write nothing", async ({ id, message }) => {
    const { sweep, deps, reader } = await setup();
    const response = await sweep(post(JSON.stringify({ circuits: [id] })), context());
    expect(response.status).toBe(404);
    const problem = JSON.parse(String(response.body)) as {
      errors: { field: string; message: string }[];
    };
    expect(problem.errors[0]).toMatchObject({
      field: "circuits[0]",
      message: expect.stringMatching(message),
    });
    expect(reader.reads).toBe(0);
    expect(await deps.runtime.store!.listSnapshots()).toEqual([]);
  });

  it("should name the unknown circuit's own field: its place in the body, or the query (after a duplicate it named the one before it, circuits[1], a known circuit)", async () => {
    const { sweep, reader } = await setup();
    const inBody = problemOf(
      await sweep(
        post(JSON.stringify({ circuits: [CIRCUIT_ID, CIRCUIT_ID, UNLISTED] })),
        context(),
      ),
    );
    expect(inBody.status).toBe(404);
    expect(inBody.errors.map((e) => e.field)).toEqual(["circuits[2]"]);
    const inQuery = problemOf(
      await sweep(post("", { circuit: `${CIRCUIT_ID},${OTHER_SUB}` }), context()),
    );
    expect(inQuery.status).toBe(404);
    expect(inQuery.errors.map((e) => e.field)).toEqual(["circuit[1]"]);
    expect(reader.reads).toBe(0);
  });

  it("should sweep and answer with the layer tables and findings", async () => {
    const { sweep, reader } = await setup();
    reader.spec = {
      paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
    };
    const response = await sweep(post(JSON.stringify({ circuits: [CIRCUIT_ID] })), context());
    expect(response.status).toBe(200);
    const body = response.jsonBody as {
      circuits: {
        id: string;
        peerings: { paths: { primary: { routes: { status: string } } } }[];
        findings: { code: string; severity: string }[];
      }[];
      joined: boolean;
      events: { action: string }[];
    };
    expect(body.joined).toBe(false);
    expect(body.circuits.map((c) => c.id)).toEqual([CIRCUIT_ID]);
    expect(body.circuits[0]!.peerings[0]!.paths.primary.routes.status).toBe("down");
    expect(body.circuits[0]!.findings.map((f) => `${f.code}:${f.severity}`)).toEqual([
      "no-prefixes-received:Sev0",
    ]);
    expect(body.events.map((e) => e.action)).toEqual(["open"]);
  });

  it("should let a request for the estate that arrives during a sweep join it instead of starting another", async () => {
    const { sweep, reader, deps } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const read = reader.read.bind(reader);
    reader.read = async () => {
      entered();
      await gate;
      return read();
    };
    // The whole estate: answered 202 at once, the sweep runs on.
    const first = await sweep(post(""), context());
    expect(first.status).toBe(202);
    const accepted = first.jsonBody as { sweepId: string; joined: boolean; statusUrl: string };
    expect(accepted.joined).toBe(false);
    expect((first.headers as Record<string, string>).location).toBe(accepted.statusUrl);
    await started;
    const second = await sweep(post(""), context());
    const b = second.jsonBody as { sweepId: string; joined: boolean };
    expect([second.status, b.joined, b.sweepId]).toEqual([202, true, accepted.sweepId]);
    // A named circuit is not answered by a tiered sweep (it may judge it quiet): it is read after it.
    const namedQueued = queued(deps, "on-demand");
    const named = sweep(post(ALL), context());
    await namedQueued;
    release();
    const c = (await named).jsonBody as { sweepId: string; joined: boolean; circuits: unknown[] };
    expect(c.joined).toBe(false);
    expect(c.sweepId).not.toBe(accepted.sweepId);
    expect(c.circuits).toHaveLength(1);
    expect(reader.reads).toBe(2);
    expect(deps.runs.get(accepted.sweepId)?.status).toBe("done");
  });
});

describe("GET /api/status", () => {
  /** The secondary path's layer 2 down, swept twice five minutes apart: past hysteresis, so a Sev2 alert is open. */
  async function withOpenAlert() {
    const world = await setup();
    const { sweep, reader, deps } = world;
    reader.spec = { paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } } };
    await sweep(post(ALL), context());
    const later = new Date(NOW().getTime() + 5 * 60_000);
    deps.now = () => later;
    deps.status.now = () => later;
    await sweep(post(ALL), context());
    return world;
  }

  it("should render stored state as HTML with the red cell on the broken path, and JSON on request", async () => {
    const { status, reader } = await withOpenAlert();
    const readsBefore = reader.reads;
    const html = await status(
      new HttpRequest({ method: "GET", url: "http://localhost/api/status" }),
      context(),
    );
    expect(reader.reads).toBe(readsBefore);
    const page = String(html.body);
    expect((html.headers as Record<string, string>)["content-type"]).toMatch(/^text\/html/);
    expect(page).toMatch(/data-path="secondary" data-layer="provider" data-status="down"/);
    expect(page).toMatch(/data-path="primary" data-layer="provider" data-status="up"/);
    expect(page).toMatch(/<tr [^>]*data-alert="erw-[0-9a-f]{32}"[^>]*data-owner="carrier"/);
    const json = await status(
      new HttpRequest({
        method: "GET",
        url: "http://localhost/api/status",
        headers: { accept: "application/json" },
      }),
      context(),
    );
    const model = JSON.parse(String(json.body)) as {
      circuits: { peerings: { paths: { secondary: { bgp: { status: string } } } }[] }[];
    };
    expect(model.circuits[0]!.peerings[0]!.paths.secondary.bgp.status).toBe("down");
    // The page carries the function key (?code= in its form) and every circuit's state:
    // kept by no cache, sent to no other site, one answer per Accept.
    for (const answer of [html, json])
      expect(answer.headers).toMatchObject({
        "cache-control": "no-store",
        vary: "Accept, Accept-Encoding",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      });
  });

  it("should answer gzip to a client that takes it, the same page and JSON, and identity to one that does not", async () => {
    const { status } = await withOpenAlert();
    const get = (headers: Record<string, string>) =>
      status(
        new HttpRequest({ method: "GET", url: "http://localhost/api/status", headers }),
        context(),
      );
    for (const accept of ["text/html", "application/json"]) {
      const plain = await get({ accept });
      const zipped = await get({ accept, "accept-encoding": "gzip, deflate, br" });
      const refused = await get({ accept, "accept-encoding": "br, gzip;q=0" });
      expect(zipped.headers).toMatchObject({
        "content-encoding": "gzip",
        vary: "Accept, Accept-Encoding",
        "content-type": accept === "text/html" ? "text/html; charset=utf-8" : "application/json",
      });
      // The Functions host on Linux compresses nothing itself: the bytes sent are these.
      const body = gunzipSync(zipped.body as Uint8Array).toString("utf8");
      expect(body).toBe(String(plain.body));
      for (const identity of [plain, refused]) {
        expect(typeof identity.body).toBe("string");
        expect(identity.headers as Record<string, string>).not.toHaveProperty("content-encoding");
      }
    }
  });

  it.each([
    // Quiet circuits are read in rotation within SWEEP_MAX_READ_AGE_MINUTES, a sweep's reads
    // land within its interval: one interval past that is late. Before, 3 intervals (15 min)
    // marked most healthy circuits of a 30-minute rotation stale.
    { setting: "30", fresh: 34, stale: 35 },
    { setting: undefined, fresh: 19, stale: 20 },
    // Every sweep reads every circuit: an interval, and the one that reads it.
    { setting: "1", fresh: 9, stale: 10 },
  ])(
    "should mark a circuit's reading stale by the rotation's age limit ($setting min), not by the sweep's dead-man line",
    async ({ setting, fresh, stale }) => {
      const { sweep, status, deps, reader } = await setup(
        setting ? { SWEEP_MAX_READ_AGE_MINUTES: setting } : {},
      );
      // Read at the sweep's start: the age counts from the readings' own time.
      reader.readAt = NOW().toISOString();
      await sweep(post(ALL), context());
      const readAt = (minutes: number) => {
        deps.status.now = () => new Date(NOW().getTime() + minutes * 60_000);
        return status(
          new HttpRequest({ method: "GET", url: "http://localhost/api/status" }),
          context(),
        ).then((r) =>
          /<span class="d read old"[^>]*>read [^<]* ago \(stale\)/.test(String(r.body)),
        );
      };
      expect(await readAt(fresh)).toBe(false);
      expect(await readAt(stale)).toBe(true);
    },
  );

  it("should filter by severity in any case, and say so when the severity is unknown", async () => {
    const { status } = await withOpenAlert();
    const get = (severity: string) =>
      status(
        new HttpRequest({
          method: "GET",
          url: `http://localhost/api/status?severity=${severity}`,
          query: { severity },
          headers: { accept: "application/json" },
        }),
        context(),
      );
    const alertsAt = async (severity: string) =>
      (JSON.parse(String((await get(severity)).body)) as { openAlerts: unknown[] }).openAlerts
        .length;
    // The open alert is one path down: Sev2. Sev1 and above hides it, in any case.
    expect(await alertsAt("Sev2")).toBe(1);
    expect(await alertsAt("sev1")).toBe(0);
    expect(await alertsAt("SEV1")).toBe(0);
    const unknown = await get("P1");
    expect(unknown.status).toBe(400);
    expect(JSON.parse(String(unknown.body)).detail).toMatch(/one of Sev0, Sev1/);
  });

  it("should answer 503 with problem+json and Retry-After when storage does not answer its listings, and fail on a bug", async () => {
    const { deps } = await setup();
    const failingWith = (name: string) => {
      const store = Object.create(deps.status.runtime.store) as typeof deps.status.runtime.store;
      store.listAlerts = async () => {
        throw Object.assign(new Error("listing alerts failed: no answer within 10000 ms"), {
          name,
        });
      };
      return httpStatusHandler(async () => ({
        ...deps.status,
        runtime: { ...deps.status.runtime, store },
      }));
    };
    const get = () => new HttpRequest({ method: "GET", url: "http://localhost/api/status" });
    const answer = await failingWith("StateStoreError")(get(), context());
    expect(answer.status).toBe(503);
    expect((answer.headers as Record<string, string>)["retry-after"]).toBe("60");
    const problem = problemOf(answer);
    expect(problem.status).toBe(503);
    expect(problem).toMatchObject({
      title: "Table Storage did not answer",
      detail: expect.stringMatching(/^listing alerts failed: no answer within 10000 ms\. /),
    });
    await expect(failingWith("TypeError")(get(), context())).rejects.toThrow(/listing alerts/);
    // A cold start whose tables cannot be made yet answers the same (it was a bare 500).
    const cold = await httpStatusHandler(async () => {
      throw Object.assign(new Error("creating table erwatchSnapshots failed"), {
        name: "StateStoreError",
      });
    })(get(), context());
    expect(cold.status).toBe(503);
    expect((cold.headers as Record<string, string>)["retry-after"]).toBe("60");
    expect(problemOf(cold)).toMatchObject({
      detail: expect.stringMatching(/^creating table erwatchSnapshots failed\. /),
    });
  });

  it("should escape everything it renders", async () => {
    const { renderStatusHtml } = await import("../../src/app/status-html.js");
    const page = renderStatusHtml({
      generatedAt: "<now>",
      circuits: [],
      openAlerts: [
        {
          key: "k",
          circuitId: "c",
          circuitName: "<script>alert(1)</script>",
          peering: null,
          family: "provider",
          code: "x",
          severity: "Sev0",
          owner: "carrier",
          title: "t",
          nextAction: "n",
          paths: [],
          firstSeen: null,
          state: "firing",
          stale: false,
        },
      ],
      recent: [],
    });
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;");
  });

  it("should escape a severity and the last sweep's counts too, though the row schemas admit none such", async () => {
    const { renderStatusHtml } = await import("../../src/app/status-html.js");
    const odd = "<i>odd</i>";
    const page = renderStatusHtml({
      generatedAt: "2026-11-22T01:10:00.000Z",
      circuits: [],
      openAlerts: [
        {
          key: "k",
          circuitId: "c",
          circuitName: "er-a",
          peering: null,
          family: "provider",
          code: "x",
          severity: odd as "Sev0",
          owner: "carrier",
          title: "t",
          nextAction: "n",
          paths: [],
          firstSeen: null,
          state: "firing",
          stale: false,
        },
      ],
      recent: [],
      summary: {
        openBySeverity: { Sev0: 0, Sev1: 0, Sev2: 0, Sev3: 0, Sev4: 0 },
        lastSweep: {
          sweepId: "s",
          startedAt: "2026-11-22T01:05:00.000Z",
          finishedAt: "2026-11-22T01:06:00.000Z",
          circuits: odd as unknown as number,
          ignored: 0,
          partlyBlind: odd as unknown as number,
          errors: odd as unknown as number,
          notRecorded: [{ id: "c", name: "er-a", why: "w" }],
        },
        stale: false,
        staleAfterMinutes: 15,
        readStaleAfterMinutes: 20,
        oldestReading: null,
        circuits: 0,
      },
    });
    expect(page).not.toContain(odd);
    expect(page).toContain("&lt;i&gt;odd&lt;/i&gt;");
  });
});

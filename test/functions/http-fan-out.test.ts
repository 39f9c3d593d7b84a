// POST /api/sweep with fan-out on (SWEEP_WORK_QUEUE): the estate, or more
// circuits than HTTP_SWEEP_SYNC_CIRCUITS, is handed to the workers inside the
// request, as the timer hands out its sweep, or joins a fanned-out sweep in
// flight that covers it; its status URL answers from the workers' claims on
// any instance. Before, it was answered 202 and run in this process, outside
// any invocation, beside the timer's fanned-out sweep.

import functions from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sentRecord } from "../../src/app/on-demand-fan-out.js";
import type { SharedSweepRun, SweepRecord } from "../../src/app/state-store.js";
import { MAX_WAITING_SWEEPS } from "../../src/app/sweep-coordinator.js";
import { SweepRuns, within } from "../../src/app/sweep-runs.js";
import { sweepWindow } from "../../src/app/sweep-window.js";
import { WORK_CLAIMS_KEEP_MS, WORK_STOP_GRACE_MS } from "../../src/app/work-progress.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { FakeWork } from "../support/fake-work.js";
import { functionDeps } from "../support/function-deps.js";
import { CIRCUIT_ID } from "../support/readings.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const { HttpRequest, InvocationContext } = functions;
const T0 = Date.parse("2026-11-22T02:00:00.000Z");
const SUB = "00000000-0000-0000-0000-000000000001";
const BUDGET_MS = sweepWindow(5).budgetMs;

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const context = () =>
  new InvocationContext({ invocationId: "test", functionName: "sweep", logHandler: () => {} });
const post = (circuits?: string[]) =>
  new HttpRequest({
    method: "POST",
    url: "http://localhost/api/sweep",
    ...(circuits
      ? {
          body: { string: JSON.stringify({ circuits }) },
          headers: { "content-type": "application/json" },
        }
      : {}),
  });
const statusOf = (id: string) =>
  new HttpRequest({ method: "GET", url: `http://localhost/api/sweep/${id}`, params: { id } });

/** Circuit ids in the watched subscription, named in ERWATCH_CIRCUITS (er-<from>…). */
const ids = (n: number, from = 0) =>
  Array.from(
    { length: n },
    (_, i) =>
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-${from + i}`,
  );
const timerTick = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};
/** Waits, a bounded number of turns, for what another promise chain sets. */
async function until(what: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
/** Whether `promise` has settled, read without waiting on it. */
function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  const mark = () => (settled = true);
  promise.then(mark, mark);
  return () => settled;
}
/** Sets `flag.on` on each call of the queue's send, before it goes on. */
function watchSends(work: FakeWork): { on: boolean } {
  const flag = { on: false };
  const send = work.queue.send;
  work.queue.send = (messages, options) => ((flag.on = true), send(messages, options));
  return flag;
}
/** A promise the test resolves. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

interface Accepted {
  sweepId: string;
  status: string;
  joined: boolean;
  fannedOut?: boolean;
  statusUrl: string;
}

async function setup(env: Record<string, string> = {}) {
  const reader = new FakeReader();
  const clock = { now: new Date(T0) };
  const work = new FakeWork();
  const deps = work.on(
    await functionDeps(
      azurite.connectionString,
      reader,
      {
        ERWATCH_SUBSCRIPTIONS: SUB,
        ERWATCH_CIRCUITS: ids(6).join(","),
        HTTP_SWEEP_SYNC_CIRCUITS: "2",
        ...env,
      },
      () => clock.now,
    ),
  );
  // On the sweep's clock: a record is started on it, and the real clock is
  // more than the 7 days records are kept past it, so a first share's prune raced
  // the record's own write and deleted it.
  deps.runs = new SweepRuns(() => clock.now, 50, {
    store: deps.runtime.store,
    log: memoryLogger().logger,
  });
  // Nothing may run in this process: the sweep is the workers'.
  const inProcess: unknown[] = [];
  const sweep = deps.runtime.sweeper.sweep;
  deps.runtime.sweeper.sweep = (request) => (inProcess.push(request), sweep(request));
  /** Another instance: the same tables and queue, nothing of this one's memory. */
  const elsewhere = (): SweepFunctionDeps => ({
    ...deps,
    runs: new SweepRuns(() => clock.now, 50, {
      store: deps.runtime.store,
      log: memoryLogger().logger,
    }),
  });
  return {
    reader,
    clock,
    work,
    deps,
    inProcess,
    elsewhere,
    sweep: httpSweepHandler(async () => deps),
    sweepStatus: httpSweepStatusHandler(async () => deps),
  };
}

const problemOf = (response: { status?: number; headers?: unknown; body?: unknown }) => {
  expect((response.headers as Record<string, string>)["content-type"]).toBe(
    "application/problem+json",
  );
  return JSON.parse(String(response.body)) as { status: number; title: string; detail: string };
};

describe("POST /api/sweep with SWEEP_WORK_QUEUE", () => {
  it("hands a sweep of the estate to the workers inside the request and reads nothing deep in this process", async () => {
    const { sweep, work, reader, deps, inProcess } = await setup();
    const response = await sweep(post(), context());
    expect(response.status).toBe(202);
    const body = response.jsonBody as Accepted;
    expect(body).toMatchObject({ status: "running", joined: false, fannedOut: true });
    expect((response.headers as Record<string, string>).location).toBe(body.statusUrl);
    // Sent before the answer: the estate's one circuit, never read before, handed out.
    expect(work.sends).toHaveLength(1);
    expect(work.handedOut(body.sweepId)).toEqual([CIRCUIT_ID]);
    expect(work.sends[0]!.every((m) => m.sweepId === body.sweepId)).toBe(true);
    // Nothing runs on here: no in-process sweep, no deep read, the coordinator idle.
    expect(inProcess).toEqual([]);
    expect(deps.coordinator.running).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reader.reads).toBe(0);
    // The listing was recorded as the timer's is: the status page's last sweep is this one.
    expect(await deps.runtime.store.lastSweep()).toMatchObject({
      sweepId: body.sweepId,
      fannedOut: { deep: 1 },
    });
  });

  it("hands out more named circuits than HTTP_SWEEP_SYNC_CIRCUITS, every one, and still answers a few in this process", async () => {
    const { sweep, work, reader, inProcess } = await setup();
    const named = ids(3);
    const response = await sweep(post(named), context());
    expect(response.status).toBe(202);
    const { sweepId } = response.jsonBody as Accepted;
    expect(work.handedOut(sweepId).sort()).toEqual([...named].sort());
    expect(inProcess).toEqual([]);
    expect(reader.reads).toBe(0);
    // Two circuits: read here and answered with their layer tables, as before.
    const small = await sweep(post([CIRCUIT_ID]), context());
    expect(small.status).toBe(200);
    expect((small.jsonBody as { circuits: unknown[] }).circuits).toHaveLength(1);
    expect(work.sends).toHaveLength(1);
  });

  it("hands out every named circuit when storage cannot say where they were last read: only their batching is lost", async () => {
    const { sweep, work, deps } = await setup();
    const store = deps.runtime.store;
    const withSignal = store.withSignal.bind(store);
    let asked = 0;
    store.withSignal = (signal, log) => {
      const scoped = withSignal(signal, log);
      scoped.getSnapshot = async () => {
        asked += 1;
        throw Object.assign(new Error("Table Storage answered 503"), { name: "StateStoreError" });
      };
      return scoped;
    };
    const named = ids(3);
    const response = await sweep(post(named), context());
    expect(response.status).toBe(202);
    expect(asked).toBeGreaterThan(0);
    const { sweepId } = response.jsonBody as Accepted;
    expect(work.handedOut(sweepId).sort()).toEqual([...named].sort());
  });

  it("answers 503 problem+json, never 202, when the work queue refuses the send, and leaves no status URL", async () => {
    const { sweep, sweepStatus, work, reader, inProcess, deps } = await setup();
    work.failing = new Error(
      "sending 1 work message to erwatch-sweep-work failed: Service Bus did not answer within 10000 ms (SERVICEBUS_TIMEOUT_MS)",
    );
    const response = await sweep(post(), context());
    expect(response.status).toBe(503);
    expect((response.headers as Record<string, string>)["retry-after"]).toBe("60");
    const problem = problemOf(response);
    expect(problem).toMatchObject({ status: 503, title: "The sweep could not be handed out" });
    expect(problem.detail).toContain("Service Bus did not answer within 10000 ms");
    expect(work.sends).toEqual([]);
    expect(inProcess).toEqual([]);
    expect(reader.reads).toBe(0);
    // Not the last sweep either: the next request does not join work nobody has.
    expect(await deps.runtime.store.lastSweep()).toBeNull();
    expect(await deps.runtime.store.listFannedOutRuns(new Date(0))).toEqual([]);
    work.failing = null;
    const again = await sweep(post(), context());
    expect(again.status).toBe(202);
    expect((again.jsonBody as Accepted).joined).toBe(false);
    expect((await sweepStatus(statusOf("nope"), context())).status).toBe(404);
  });

  it("bounds the wait: a send that does not end within the answer's time is a 503, and nothing of it runs on", async () => {
    const { work, deps } = await setup();
    // The request's time runs on this clock: a minute, moved, not waited for.
    const time = manualTime(T0);
    deps.answerWithinMs = 60_000;
    work.holding = new Promise(() => {});
    const sending = watchSends(work);
    const answer = httpSweepHandler(async () => deps, undefined, time)(post(), context());
    const answered = settledFlag(answer);
    await until(() => sending.on);
    expect(answered()).toBe(false);
    time.advance(60_000);
    const response = (await within(answer, 3_000))!;
    expect(response.status).toBe(503);
    expect(problemOf(response).detail).toMatch(/did not reach the work queue/);
    expect(work.sends).toEqual([]);
    expect(deps.runs.handingOut.size).toBe(0);
  });

  it("joins the timer's fanned-out sweep in flight instead of sending a second set of work, on any instance", async () => {
    const { work, deps, elsewhere, clock } = await setup();
    await sweepTimerHandler(async () => deps)(
      {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: "", next: "", lastUpdated: "" },
      },
      context(),
    );
    expect(work.sends).toHaveLength(1);
    const timerId = work.sends[0]![0]!.sweepId;
    const other = elsewhere();
    const response = await httpSweepHandler(async () => other)(post(), context());
    expect(response.status).toBe(202);
    expect(response.jsonBody).toMatchObject({ sweepId: timerId, joined: true, fannedOut: true });
    expect(work.sends).toHaveLength(1);
    // Its status URL answers on a third instance, from the workers' claims.
    const third = httpSweepStatusHandler(async () => elsewhere());
    expect((await third(statusOf(timerId), context())).jsonBody).toMatchObject({
      sweepId: timerId,
      status: "running",
      fannedOut: true,
      workers: { handedOut: 1, recorded: 0, unfinished: 1 },
    });
    // Named circuits are not joined to it: a tiered sweep may leave them quiet.
    const named = await httpSweepHandler(async () => other)(post(ids(3)), context());
    expect(named.jsonBody).toMatchObject({ joined: false });
    expect(work.sends).toHaveLength(2);
    // Once every read it handed out is in, it is not joined: a new one is sent.
    await work.worker(timerId, CIRCUIT_ID, "recorded");
    clock.now = new Date(T0 + 1_000);
    const later = await httpSweepHandler(async () => other)(post(), context());
    expect(later.jsonBody).toMatchObject({ joined: false });
    expect((later.jsonBody as Accepted).sweepId).not.toBe(timerId);
    expect(work.sends).toHaveLength(3);
  });

  it("joins another request's fanned-out sweep that covers it, on any instance; one that does not cover it sends its own", async () => {
    const { sweep, work, elsewhere, clock } = await setup();
    const first = (await sweep(post(ids(4)), context())).jsonBody as Accepted;
    const there = httpSweepHandler(async () => elsewhere());
    // A subset, in another case, on another instance: joined.
    const subset = await there(post(ids(3).map((id) => id.toUpperCase())), context());
    expect(subset.jsonBody).toMatchObject({ sweepId: first.sweepId, joined: true });
    expect(work.sends).toHaveLength(1);
    // One circuit more than it reads, or the estate: sent.
    const wider = (await there(post(ids(5)), context())).jsonBody as Accepted;
    expect(wider.joined).toBe(false);
    // Its reads in, so no more than two on-demand fan-outs are in flight.
    for (const id of ids(5)) await work.worker(wider.sweepId, id, "recorded");
    const estate = (await there(post(), context())).jsonBody as Accepted;
    expect(estate.joined).toBe(false);
    expect(work.sends).toHaveLength(3);
    // Past its workers' hard stop, nothing is joined to it.
    clock.now = new Date(T0 + BUDGET_MS + WORK_STOP_GRACE_MS);
    const late = (await there(post(ids(3)), context())).jsonBody as Accepted;
    expect(late.joined).toBe(false);
    expect(late.sweepId).not.toBe(first.sweepId);
  });

  it("lets requests that arrive while a fan-out is still being sent here join it", async () => {
    const { sweep, work, deps } = await setup();
    let release!: () => void;
    work.holding = new Promise((resolve) => (release = resolve));
    const sending = watchSends(work);
    const first = sweep(post(), context());
    await until(() => sending.on);
    const second = sweep(post(), context());
    // Registered beside the first, whose send it waits on.
    await until(() => deps.runs.handingOut.size === 2);
    release();
    const [a, b] = (await Promise.all([first, second])).map((r) => r.jsonBody as Accepted);
    expect(a!.joined).toBe(false);
    expect(b).toMatchObject({ sweepId: a!.sweepId, joined: true });
    expect(work.sends).toHaveLength(1);
  });
});

describe("GET /api/sweep/{id} of a fanned-out sweep", () => {
  it("is running while reads are out, and done, naming what was not recorded and what was not read, once they are in or the hard stop passed", async () => {
    const { sweep, work, elsewhere, clock } = await setup();
    const named = ids(3);
    const { sweepId } = (await sweep(post(named), context())).jsonBody as Accepted;
    const status = () =>
      httpSweepStatusHandler(async () => elsewhere())(statusOf(sweepId), context());

    const fresh = await status();
    expect(fresh.headers).toEqual({ "retry-after": "10", vary: "Accept-Encoding" });
    expect(fresh.jsonBody).toMatchObject({
      sweepId,
      status: "running",
      finishedAt: null,
      fannedOut: true,
      workers: { handedOut: 3, recorded: 0, failedCount: 0, unfinished: 3, over: false },
    });

    // One recorded, one read but not recorded, one being read: still running.
    await work.worker(sweepId, named[0]!, "recorded");
    await work.worker(sweepId, named[1]!, { failed: "Table Storage answered 500" });
    await work.worker(sweepId, named[2]!, "reading");
    clock.now = new Date(T0 + BUDGET_MS);
    expect((await status()).jsonBody).toMatchObject({
      status: "running",
      workers: { recorded: 1, failedCount: 1, unfinished: 1, over: false },
    });

    // The workers' hard stop has passed: done, the third not read this sweep.
    clock.now = new Date(T0 + BUDGET_MS + WORK_STOP_GRACE_MS);
    const done = await status();
    expect(done.headers ?? {}).not.toHaveProperty("retry-after");
    expect(done.jsonBody).toMatchObject({
      status: "done",
      finishedAt: new Date(T0 + BUDGET_MS + WORK_STOP_GRACE_MS).toISOString(),
      workers: {
        handedOut: 3,
        recorded: 1,
        failedCount: 1,
        failed: [{ id: named[1], name: "er-1", why: "Table Storage answered 500" }],
        unfinished: 1,
        unfinishedCircuits: [{ id: named[2], name: "er-2" }],
        over: true,
      },
    });
    // Kept as it ended: once the claims are pruned, it still says so, on any instance.
    clock.now = new Date(T0 + WORK_CLAIMS_KEEP_MS + 60_000);
    const kept = await status();
    expect(kept.jsonBody).toEqual(done.jsonBody);
  });

  it("is done as soon as every read handed out is recorded, before the deadline", async () => {
    const { sweep, sweepStatus, work, clock } = await setup();
    const { sweepId } = (await sweep(post(), context())).jsonBody as Accepted;
    clock.now = new Date(T0 + 30_000);
    expect((await sweepStatus(statusOf(sweepId), context())).jsonBody).toMatchObject({
      status: "running",
    });
    await work.worker(sweepId, CIRCUIT_ID, "recorded");
    expect((await sweepStatus(statusOf(sweepId), context())).jsonBody).toMatchObject({
      status: "done",
      workers: { handedOut: 1, recorded: 1, unfinished: 0, unfinishedCircuits: [], over: false },
    });
  });

  it("is never running for ever: no claims at all, and past the hard stop it is done with every read unfinished", async () => {
    const { sweep, sweepStatus, clock } = await setup();
    const { sweepId } = (await sweep(post(), context())).jsonBody as Accepted;
    clock.now = new Date(T0 + 60 * 60_000);
    expect((await sweepStatus(statusOf(sweepId), context())).jsonBody).toMatchObject({
      status: "done",
      workers: { handedOut: 1, recorded: 0, unfinished: 1, over: true },
    });
  });
});

describe("requests with fan-out on arriving together on one instance", () => {
  it("two estate requests arriving in the same moment send the estate's work once: the second joins the first", async () => {
    const { sweep, work } = await setup();
    // Neither has looked in storage yet when the other arrives.
    const [a, b] = (await Promise.all([sweep(post(), context()), sweep(post(), context())])).map(
      (r) => r.jsonBody as Accepted,
    );
    expect(work.sends).toHaveLength(1);
    expect([a!.joined, b!.joined].sort()).toEqual([false, true]);
    expect(a!.sweepId).toBe(b!.sweepId);
    expect(work.sends[0]![0]!.sweepId).toBe(a!.sweepId);
  });

  it("one that waited on a request that joined the timer's sweep joins the same sweep, without a look-up of its own", async () => {
    const { sweep, work, deps } = await setup();
    await sweepTimerHandler(async () => deps)(timerTick, context());
    const timerId = work.sends[0]![0]!.sweepId;
    const store = deps.runtime.store;
    const list = store.listFannedOutRuns.bind(store);
    const lookedUp = gate();
    let lookUps = 0;
    store.listFannedOutRuns = async (from) => {
      lookUps += 1;
      await lookedUp.promise;
      return list(from);
    };
    const first = sweep(post(), context());
    const second = sweep(post(), context());
    await until(() => deps.runs.handingOut.size === 2);
    lookedUp.open();
    const answers = (await Promise.all([first, second])).map((r) => r.jsonBody as Accepted);
    expect(answers.map((a) => [a.sweepId, a.joined])).toEqual([
      [timerId, true],
      [timerId, true],
    ]);
    expect(lookUps).toBe(1);
    expect(work.sends).toHaveLength(1);
    expect(deps.runs.handingOut.size).toBe(0);
  });

  it("one that joins another request here is answered 202 only once that sweep's record is written: its poll may land on another instance", async () => {
    const { sweep, work, deps, elsewhere } = await setup();
    const sending = gate();
    work.holding = sending.promise;
    // Table Storage slow to take the shared record.
    const store = deps.runtime.store;
    const put = store.putSweepRun.bind(store);
    const writing = gate();
    let landed = false;
    store.putSweepRun = async (run) => {
      await writing.promise;
      await put(run);
      landed = true;
    };
    const first = sweep(post(), context());
    const second = sweep(post(), context());
    let landedWhenAnswered: boolean | null = null;
    void second.then(() => (landedWhenAnswered = landed));
    await until(() => deps.runs.handingOut.size === 2);
    sending.open();
    await until(() => work.sends.length === 1);
    // The broker took the work; its record is still being written.
    await until(() => landedWhenAnswered !== null, 20);
    expect(landedWhenAnswered).toBeNull();
    writing.open();
    const joined = (await second).jsonBody as Accepted;
    expect(joined.joined).toBe(true);
    expect(landedWhenAnswered).toBe(true);
    const poll = await httpSweepStatusHandler(async () => elsewhere())(
      statusOf(joined.sweepId),
      context(),
    );
    expect(poll.status).toBe(200);
    expect(poll.jsonBody).toMatchObject({ sweepId: joined.sweepId, status: "running" });
    expect((await first).jsonBody).toMatchObject({ sweepId: joined.sweepId, joined: false });
  });
});

describe("a request while the timer's fanned-out sweep does its bookkeeping", () => {
  it("joins the timer's sweep once its work is sent, before the last sweep's record is written, on any instance", async () => {
    const { work, deps, elsewhere } = await setup();
    // The timer's bookkeeping after the send (sight, fleets, publish, prune, the record) takes a while.
    const sweeper = deps.runtime.sweeper;
    const bookkeeping = sweeper.fannedOut.bind(sweeper);
    const held = gate();
    let bookkeepingStarted = false;
    sweeper.fannedOut = async (...args: Parameters<typeof bookkeeping>) => {
      // The timer's alone: a request that sent a second set would hold here too.
      if (!bookkeepingStarted) {
        bookkeepingStarted = true;
        await held.promise;
      }
      return bookkeeping(...args);
    };
    const timer = sweepTimerHandler(async () => deps)(timerTick, context());
    await until(() => bookkeepingStarted);
    expect(work.sends).toHaveLength(1);
    const timerId = work.sends[0]![0]!.sweepId;
    expect(await deps.runtime.store.lastSweep()).toBeNull();
    const response = await httpSweepHandler(async () => elsewhere())(post(), context());
    expect(response.jsonBody).toMatchObject({ sweepId: timerId, joined: true, fannedOut: true });
    expect(work.sends).toHaveLength(1);
    const status = await httpSweepStatusHandler(async () => elsewhere())(
      statusOf(timerId),
      context(),
    );
    expect(status.jsonBody).toMatchObject({ sweepId: timerId, status: "running", fannedOut: true });
    held.open();
    await timer;
    expect(await deps.runtime.store.lastSweep()).toMatchObject({ sweepId: timerId });
  });

  it("a record storage refuses fails nothing of the timer's sweep, and a request still joins it by the last sweep's record", async () => {
    const { work, deps, elsewhere } = await setup();
    const store = deps.runtime.store;
    const put = store.putSweepRun.bind(store);
    store.putSweepRun = async () => {
      throw new Error("Table Storage answered 503");
    };
    await sweepTimerHandler(async () => deps)(timerTick, context());
    const timerId = work.sends[0]![0]!.sweepId;
    expect(await store.lastSweep()).toMatchObject({ sweepId: timerId, fannedOut: { deep: 1 } });
    expect(await store.listFannedOutRuns(new Date(0))).toEqual([]);
    store.putSweepRun = put;
    const response = await httpSweepHandler(async () => elsewhere())(post(), context());
    expect(response.jsonBody).toMatchObject({ sweepId: timerId, joined: true });
    expect(work.sends).toHaveLength(1);
  });
});

describe("a request on the timer's instance while the timer plans or sends its fanned-out sweep", () => {
  /**
   * Holds the first send, the timer's, until the test opens it (then it fails
   * with `fails`, if given); says which sweeps were sent, in order.
   */
  function holdTimerSend(work: FakeWork, fails?: Error) {
    const held = gate();
    const sending: string[] = [];
    const send = work.queue.send;
    work.queue.send = async (messages, options) => {
      sending.push(messages[0]!.sweepId);
      if (sending.length > 1) return send(messages, options);
      await held.promise;
      if (fails) throw fails;
      return send(messages, options);
    };
    return { held, sending };
  }

  it("waits for the timer's sweep and joins it, instead of sending the estate a second time", async () => {
    const { sweep, sweepStatus, work, deps, elsewhere } = await setup();
    const { held, sending } = holdTimerSend(work);
    const timer = sweepTimerHandler(async () => deps)(timerTick, context());
    await until(() => sending.length === 1);
    const timerId = sending[0]!;
    // Nothing of the timer's is in storage yet: only this instance knows it is being sent.
    expect(await deps.runtime.store.listFannedOutRuns(new Date(0))).toEqual([]);
    const request = sweep(post(), context());
    // Either it waits on the timer's (registered beside it) or it sends its own.
    await until(() => sending.length === 2 || deps.runs.handingOut.size === 2);
    expect(sending).toEqual([timerId]);
    held.open();
    const answer = await request;
    expect(answer.status).toBe(202);
    expect(answer.jsonBody).toMatchObject({ sweepId: timerId, joined: true, fannedOut: true });
    expect(work.sends).toHaveLength(1);
    expect(sending).toEqual([timerId]);
    await timer;
    expect(deps.runs.handingOut.size).toBe(0);
    // Its status URL answers from the timer's record, here and on any instance.
    for (const status of [sweepStatus, httpSweepStatusHandler(async () => elsewhere())])
      expect((await status(statusOf(timerId), context())).jsonBody).toMatchObject({
        sweepId: timerId,
        status: "running",
        fannedOut: true,
        workers: { handedOut: 1, recorded: 0, unfinished: 1 },
      });
    await work.worker(timerId, CIRCUIT_ID, "recorded");
    expect((await sweepStatus(statusOf(timerId), context())).jsonBody).toMatchObject({
      status: "done",
      workers: { handedOut: 1, recorded: 1 },
    });
  });

  it("is answered 202 only once the timer's record is written: its poll may land on another instance", async () => {
    const { sweep, work, deps, elsewhere } = await setup();
    const { held, sending } = holdTimerSend(work);
    const store = deps.runtime.store;
    const put = store.putSweepRun.bind(store);
    const writing = gate();
    let landed = false;
    store.putSweepRun = async (run) => {
      await writing.promise;
      await put(run);
      landed = true;
    };
    const timer = sweepTimerHandler(async () => deps)(timerTick, context());
    await until(() => sending.length === 1);
    const request = sweep(post(), context());
    let landedWhenAnswered: boolean | null = null;
    void request.then(() => (landedWhenAnswered = landed));
    await until(() => deps.runs.handingOut.size === 2);
    held.open();
    await until(() => work.sends.length === 1);
    await until(() => landedWhenAnswered !== null, 20);
    expect(landedWhenAnswered).toBeNull();
    writing.open();
    const joined = (await request).jsonBody as Accepted;
    expect(joined).toMatchObject({ sweepId: sending[0], joined: true });
    expect(landedWhenAnswered).toBe(true);
    const poll = await httpSweepStatusHandler(async () => elsewhere())(
      statusOf(joined.sweepId),
      context(),
    );
    expect(poll.jsonBody).toMatchObject({ sweepId: joined.sweepId, status: "running" });
    await timer;
    expect(work.sends).toHaveLength(1);
  });

  it("waits no longer than the request's time: a timer still sending then is a 503 within it, nothing sent by the request", async () => {
    const { work, deps } = await setup();
    const { held, sending } = holdTimerSend(work);
    const timer = sweepTimerHandler(async () => deps)(timerTick, context());
    await until(() => sending.length === 1);
    const time = manualTime(T0);
    const answer = httpSweepHandler(
      async () => ({ ...deps, answerWithinMs: 60_000 }),
      undefined,
      time,
    )(post(), context());
    const answeredYet = settledFlag(answer);
    // Registered beside the timer's, whose send it waits on.
    await until(() => deps.runs.handingOut.size === 2);
    expect(answeredYet()).toBe(false);
    time.advance(60_000);
    const answered = await within(answer, 3_000);
    expect(answered?.status).toBe(503);
    expect(problemOf(answered!).detail).toMatch(
      /waiting for the timer's sweep, being planned and sent on this instance, took longer than/,
    );
    expect(sending).toHaveLength(1);
    held.open();
    await timer;
    expect(work.sends).toHaveLength(1);
    expect(deps.runs.handingOut.size).toBe(0);
  });

  // Node fires a timer up to a millisecond before Date.now() reaches its time,
  // further under load; the wait that ran out then read the clock, found time
  // left, and went on to look in storage (seen in CI under 4 workers: "looking
  // for a sweep in flight took longer than the 0 s the request had"). The
  // clock stands still here while its timers fire, so the wait's own end is
  // all that can end it.
  it("takes the wait for the timer's sweep as run out when it runs out, whatever the clock says after it", async () => {
    const { work, deps } = await setup();
    const { held, sending } = holdTimerSend(work);
    const timer = sweepTimerHandler(async () => deps)(timerTick, context());
    await until(() => sending.length === 1);
    const timers = manualTime(T0);
    const time = { now: () => T0, after: timers.after };
    const answer = httpSweepHandler(
      async () => ({ ...deps, answerWithinMs: 60_000 }),
      undefined,
      time,
    )(post(), context());
    await until(() => deps.runs.handingOut.size === 2);
    timers.advance(60_000);
    const answered = await within(answer, 3_000);
    expect(answered?.status).toBe(503);
    expect(problemOf(answered!).detail).toMatch(
      /waiting for the timer's sweep, being planned and sent on this instance, took longer than/,
    );
    expect(sending).toHaveLength(1);
    held.open();
    await timer;
    expect(work.sends).toHaveLength(1);
  });

  it("a request for named circuits, which the timer's tiered sweep does not cover, does not wait for it", async () => {
    const { sweep, work, deps } = await setup();
    const { held, sending } = holdTimerSend(work);
    const timer = sweepTimerHandler(async () => deps)(timerTick, context());
    await until(() => sending.length === 1);
    const named = await sweep(post(ids(3)), context());
    expect(named.jsonBody).toMatchObject({ joined: false, fannedOut: true });
    const { sweepId } = named.jsonBody as Accepted;
    expect(sweepId).not.toBe(sending[0]);
    expect(work.handedOut(sweepId).sort()).toEqual(ids(3).sort());
    held.open();
    await timer;
    expect(work.sends).toHaveLength(2);
  });

  it("a timer whose send fails leaves the request to look for itself: it sends the estate once", async () => {
    const { sweep, work, deps } = await setup();
    const { held, sending } = holdTimerSend(work, new Error("Service Bus did not answer"));
    const timer = sweepTimerHandler(async () => deps)(timerTick, context()).catch(
      (error: unknown) => error,
    );
    await until(() => sending.length === 1);
    const request = sweep(post(), context());
    await until(() => sending.length === 2 || deps.runs.handingOut.size === 2);
    expect(sending).toHaveLength(1);
    held.open();
    expect(await timer).toMatchObject({ message: "Service Bus did not answer" });
    const answer = (await request).jsonBody as Accepted;
    expect(answer).toMatchObject({ joined: false, fannedOut: true });
    expect(answer.sweepId).not.toBe(sending[0]);
    expect(work.sends).toHaveLength(1);
    expect(deps.runs.handingOut.size).toBe(0);
  });
});

describe("on-demand fan-outs in flight are bounded, as the coordinator bounds sweeps waiting in one process", () => {
  const twelve = { ERWATCH_CIRCUITS: ids(12).join(",") };
  const refusedAsQueued = (response: Awaited<ReturnType<ReturnType<typeof httpSweepHandler>>>) => {
    expect(response.status).toBe(503);
    expect((response.headers as Record<string, string>)["retry-after"]).toBe("60");
    expect(problemOf(response)).toMatchObject({ status: 503, title: "Sweeps are queued" });
  };
  /** The sweeps a subscription's session serves, in the order they were sent. */
  const sessionOrder = (sends: { subscriptionId: string; sweepId: string }[][]) => [
    ...new Set(
      sends
        .flat()
        .filter((m) => m.subscriptionId === SUB)
        .map((m) => m.sweepId),
    ),
  ];

  it("across instances: beyond MAX_WAITING_SWEEPS, one that joins none is a 503 and sends nothing; the timer's is never refused nor counted", async () => {
    const { sweep, work, deps, elsewhere, clock } = await setup(twelve);
    expect(MAX_WAITING_SWEEPS).toBe(2);
    const there = httpSweepHandler(async () => elsewhere());
    const a = (await sweep(post(ids(3, 0)), context())).jsonBody as Accepted;
    const b = (await there(post(ids(3, 3)), context())).jsonBody as Accepted;
    expect([a.joined, b.joined]).toEqual([false, false]);
    // A third that covers neither, on either instance.
    refusedAsQueued(await sweep(post(ids(3, 6)), context()));
    refusedAsQueued(await there(post(ids(3, 6)), context()));
    expect(work.sends).toHaveLength(2);
    // One that a fan-out in flight covers still joins it.
    const covered = await there(post(ids(3, 0).reverse()), context());
    expect(covered.jsonBody).toMatchObject({ sweepId: a.sweepId, joined: true });
    // The timer's is sent as always: behind at most MAX_WAITING_SWEEPS on-demand ones in its session.
    await sweepTimerHandler(async () => deps)(timerTick, context());
    expect(work.sends).toHaveLength(3);
    const timerId = work.sends[2]![0]!.sweepId;
    expect(sessionOrder(work.sends)).toEqual([a.sweepId, b.sweepId, timerId]);
    // ...and not counted: the estate joins it.
    expect((await there(post(), context())).jsonBody).toMatchObject({
      sweepId: timerId,
      joined: true,
    });
    // Once a's reads are all in it no longer counts.
    for (const id of ids(3, 0)) await work.worker(a.sweepId, id, "recorded");
    const c = await sweep(post(ids(3, 6)), context());
    expect(c.status).toBe(202);
    refusedAsQueued(await there(post(ids(3, 9)), context()));
    // Past their workers' hard stop none counts.
    clock.now = new Date(T0 + BUDGET_MS + WORK_STOP_GRACE_MS);
    expect((await there(post(ids(3, 9)), context())).status).toBe(202);
    expect(work.sends).toHaveLength(5);
  });

  it("counts only the on-demand ones' records still running before the hard stop: not the timer's, one done, one at its hard stop, one whose reads are in", async () => {
    const { work, deps, elsewhere } = await setup(twelve);
    const store = deps.runtime.store;
    const now = new Date(T0);
    const deadline = new Date(T0 + BUDGET_MS).toISOString();
    const put = (run: SharedSweepRun) => store.putSweepRun(run);
    await put(sentRecord("timer", now, { deep: 5, deadline, circuitIds: null, by: "timer" }));
    await put({
      ...sentRecord("done", now, { deep: 3, deadline, circuitIds: ids(3, 9), by: "request" }),
      status: "done",
      finishedAt: now.toISOString(),
    });
    await put(
      sentRecord("stopped", now, {
        deep: 3,
        // Its hard stop is now: listed (deadline ≥ now − grace), never counted.
        deadline: new Date(T0 - WORK_STOP_GRACE_MS).toISOString(),
        circuitIds: ids(3, 9),
        by: "request",
      }),
    );
    await put(sentRecord("read", now, { deep: 3, deadline, circuitIds: ids(3, 0), by: "request" }));
    for (const id of ids(3, 0)) await work.worker("read", id, "recorded");
    // One written by an earlier version, which says nothing of who sent it: counted.
    await put(sentRecord("earlier", now, { deep: 3, deadline, circuitIds: ids(3, 3) }));
    expect(await store.listFannedOutRuns(new Date(T0 - WORK_STOP_GRACE_MS))).toHaveLength(5);
    const there = httpSweepHandler(async () => elsewhere());
    const sent = await there(post(ids(3, 6)), context());
    expect(sent.jsonBody).toMatchObject({ joined: false, fannedOut: true });
    refusedAsQueued(await there(post(ids(3, 9)), context()));
    expect(work.sends).toHaveLength(1);
  });

  it("on one instance the bound is exact: of three arriving together that cover none of each other, two are sent", async () => {
    const { sweep, work } = await setup(twelve);
    const answers = await Promise.all(
      [0, 3, 6].map((from) => sweep(post(ids(3, from)), context())),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 503]);
    refusedAsQueued(answers.find((a) => a.status === 503)!);
    expect(work.sends).toHaveLength(2);
  });
});

describe("one budget for every wait of a request with fan-out on", () => {
  it("waiting on a request here, the look-ups and the record's write all spend from the time counted from its arrival", async () => {
    const { work, deps } = await setup();
    // Both requests' time runs on this clock: moved, not waited for.
    const time = manualTime(T0);
    // The first, on this instance, sends within a shorter time than the second has; its send never ends.
    const first = httpSweepHandler(
      async () => ({ ...deps, answerWithinMs: 500 }),
      undefined,
      time,
    )(post(), context());
    const sending = watchSends(work);
    work.holding = new Promise(() => {});
    await until(() => sending.on);
    // Then storage is slow to look in, and the record of the timer's sweep it finds hangs.
    const store = deps.runtime.store;
    const timerRecord = {
      sweepId: "timer-sweep",
      startedAt: new Date(T0).toISOString(),
      finishedAt: new Date(T0).toISOString(),
      circuits: 1,
      ignored: 0,
      partlyBlind: 0,
      errors: 0,
      fannedOut: { deep: 1, deadline: new Date(T0 + BUDGET_MS).toISOString() },
    } satisfies SweepRecord;
    let looking = false;
    store.lastSweep = async () => {
      looking = true;
      await new Promise<void>((resolve) => time.after(300, resolve));
      return timerRecord;
    };
    let writing = false;
    store.putSweepRun = () => ((writing = true), new Promise(() => {}));
    const answerWithinMs = 1_500;
    const second = httpSweepHandler(
      async () => ({ ...deps, answerWithinMs }),
      undefined,
      time,
    )(post(), context());
    const answeredYet = settledFlag(second);
    await until(() => deps.runs.handingOut.size === 2);
    time.advance(500);
    expect((await within(first, 3_000))?.status).toBe(503);
    await until(() => looking);
    time.advance(300);
    await until(() => writing);
    // Each wait on its own was bounded (the first's 0.5 s, 0.3 s of look-ups,
    // 15 s of the write): the write gets only what is left of the 1.5 s.
    const writeBound = time.dueIn().find((ms) => ms <= answerWithinMs - 800);
    expect(writeBound).toBeGreaterThan(answerWithinMs - 800 - 100);
    expect(answeredYet()).toBe(false);
    time.advance(writeBound!);
    const answered = await within(second, 3_000);
    expect(answered).not.toBeNull();
    expect(answered!.jsonBody).toMatchObject({ sweepId: "timer-sweep", joined: true });
    expect(work.sends).toEqual([]);
  });

  it("a look-up that outlasts the request's time is a 503 within it, nothing sent", async () => {
    const { work, deps } = await setup();
    let looking = false;
    deps.runtime.store.lastSweep = () => ((looking = true), new Promise(() => {}));
    const time = manualTime(T0);
    const answer = httpSweepHandler(
      async () => ({ ...deps, answerWithinMs: 60_000 }),
      undefined,
      time,
    )(post(), context());
    const answeredYet = settledFlag(answer);
    await until(() => looking);
    expect(answeredYet()).toBe(false);
    time.advance(60_000);
    const answered = await within(answer, 3_000);
    expect(answered?.status).toBe(503);
    expect(problemOf(answered!).detail).toMatch(/looking for a sweep in flight took longer/);
    expect(work.sends).toEqual([]);
    expect(deps.runs.handingOut.size).toBe(0);
  });
});

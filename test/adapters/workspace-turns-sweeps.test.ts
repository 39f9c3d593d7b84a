// What a worker process keeps of a Log Analytics workspace's failed query:
// per sweep id across the sweep's batches (each its own read session),
// bounded and let go; and a 429's wait across sweeps, until it has passed.
// The queries are the test's own (the reader's wire is
// log-analytics-workspace-turns.test.ts); the clock is injected.

import { describe, expect, it } from "vitest";
import { MAX_ASKED_MS } from "../../src/adapters/retry-after.js";
import {
  SWEEP_KEPT_MS,
  SWEEPS_KEPT,
  WORKSPACES_KEPT,
  workspaceTurns,
  type WorkspaceAnswer,
} from "../../src/adapters/monitor/workspace-turns.js";
import { createReadSession } from "../../src/app/ports.js";
import type { ReadFailure, Reading } from "../../src/core/model.js";
import { manualTime } from "../support/manual-time.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const WORKSPACE =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law-network";

function error(kind: ReadFailure["kind"], statusCode: number): ReadFailure {
  return {
    kind,
    call: "Microsoft.OperationalInsights/workspaces/query/read",
    target: "Connection Monitor results in workspace law-network",
    message: `status ${statusCode}`,
    statusCode,
    requestId: "req-1",
    workspace: WORKSPACE,
  };
}

const failure = (kind: ReadFailure["kind"], statusCode: number): Reading<never> => ({
  ok: false,
  error: error(kind, statusCode),
  readAt: new Date(T0).toISOString(),
});

/** A workspace that answers as `next` says; its queries counted. */
function workspace(next: () => WorkspaceAnswer<string>) {
  let asked = 0;
  return {
    ask: () => {
      asked += 1;
      return Promise.resolve(next());
    },
    asked: () => asked,
  };
}

const refused = (): WorkspaceAnswer<string> => ({
  reading: failure("forbidden", 403),
  answered: false,
});
const answers = (): WorkspaceAnswer<string> => ({
  reading: { ok: true, value: "tests", readAt: new Date(T0).toISOString() },
  answered: true,
});

/** A query's own deadline (ARM_TIMEOUT_MS): the longest a circuit waits on another's first query. */
const QUERY_DEADLINE_MS = 30_000;

function world() {
  let at = T0;
  // The clock the wait on a first query runs on: moved by hand.
  const time = manualTime();
  const turns = workspaceTurns(() => new Date(at), { ms: QUERY_DEADLINE_MS, time });
  const batch = (sweepId?: string, signal = new AbortController().signal) => ({
    session: createReadSession(),
    signal,
    ...(sweepId !== undefined ? { sweepId } : {}),
  });
  return { turns, batch, pass: (ms: number) => (at += ms), at: () => at, time };
}

describe("a workspace's failed query, across the batches of one sweep", () => {
  it("asked once by the sweep's batches, each its own session; another sweep asks again", async () => {
    const { turns, batch } = world();
    const law = workspace(refused);
    const first = batch("sweep-1");
    const second = batch("sweep-1");
    for (const b of [first, second, first, second])
      expect(await turns.ask(b, WORKSPACE, law.ask)).toEqual(refused().reading);
    expect(law.asked()).toBe(1);
    // Spelt otherwise by another monitor: the same workspace.
    await turns.ask(batch("sweep-1"), WORKSPACE.toUpperCase(), law.ask);
    expect(law.asked()).toBe(1);
    await turns.ask(batch("sweep-2"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(2);
  });

  it("without a sweep id (diagnose, a scan), the session is the sweep", async () => {
    const { turns, batch } = world();
    const law = workspace(refused);
    const session = batch();
    await turns.ask(session, WORKSPACE, law.ask);
    await turns.ask(session, WORKSPACE, law.ask);
    await turns.ask(batch(), WORKSPACE, law.ask);
    expect(law.asked()).toBe(2);
  });

  it("a batch stopped while its query was under way does not give the sweep's other batches its abort", async () => {
    const { turns, batch } = world();
    const stop = new AbortController();
    let asked = 0;
    const stopped = turns.ask(batch("sweep-1", stop.signal), WORKSPACE, async () => {
      asked += 1;
      stop.abort();
      return { reading: failure("timeout", 0), answered: false };
    });
    expect(await stopped).toMatchObject({ ok: false, error: { kind: "timeout" } });
    const got = await turns.ask(batch("sweep-1"), WORKSPACE, async () => {
      asked += 1;
      return answers();
    });
    expect(got).toMatchObject({ ok: true, value: "tests" });
    expect(asked).toBe(2);
  });

  it(`keeps the last ${SWEEPS_KEPT} sweeps: an older one's batch asks again`, async () => {
    const { turns, batch } = world();
    const law = workspace(refused);
    for (let k = 0; k <= SWEEPS_KEPT; k += 1)
      await turns.ask(batch(`sweep-${k}`), WORKSPACE, law.ask);
    expect(law.asked()).toBe(SWEEPS_KEPT + 1);
    // The newest are kept, sweep-0 let go.
    await turns.ask(batch(`sweep-${SWEEPS_KEPT}`), WORKSPACE, law.ask);
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(SWEEPS_KEPT + 1);
    await turns.ask(batch("sweep-0"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(SWEEPS_KEPT + 2);
  });

  it("lets go of a sweep none of whose batches read for 30 minutes", async () => {
    const { turns, batch, pass } = world();
    const law = workspace(refused);
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    pass(SWEEP_KEPT_MS - 1);
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(1);
    pass(SWEEP_KEPT_MS + 1);
    // Another sweep's read lets the idle one go.
    await turns.ask(batch("sweep-2"), "other", workspace(answers).ask);
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(2);
  });

  it(`keeps ${WORKSPACES_KEPT} workspaces a sweep: one more is kept per batch, as before`, async () => {
    const { turns, batch } = world();
    const many = workspace(answers);
    for (let i = 0; i < WORKSPACES_KEPT; i += 1)
      await turns.ask(batch("sweep-1"), `law-${i}`, many.ask);
    const law = workspace(refused);
    const first = batch("sweep-1");
    await turns.ask(first, WORKSPACE, law.ask);
    await turns.ask(first, WORKSPACE, law.ask);
    expect(law.asked()).toBe(1);
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(2);
  });
});

describe("a workspace's 429 asking to wait past the sweep", () => {
  const throttled = (retryAfterMs: number) => (): WorkspaceAnswer<string> => ({
    reading: failure("throttled", 429),
    answered: false,
    retryAfterMs,
  });

  it("no sweep asks it before the wait has passed: each circuit gets the 429 as got, saying until when", async () => {
    const { turns, batch, pass } = world();
    let next = throttled(12 * 60_000);
    const law = workspace(() => next());
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    next = answers;
    pass(5 * 60_000);
    const got = await turns.ask(batch("sweep-2"), WORKSPACE, law.ask);
    expect(got).toEqual({
      ok: false,
      error: {
        ...error("throttled", 429),
        message:
          "status 429 (not asked again before 01:12 UTC, as Log Analytics' Retry-After asked)",
        notAskedBefore: "2026-11-22T01:12:00.000Z",
      },
      readAt: "2026-11-22T01:05:00.000Z",
    });
    pass(5 * 60_000);
    await turns.ask(batch("sweep-3"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(1);
    pass(2 * 60_000);
    expect(await turns.ask(batch("sweep-4"), WORKSPACE, law.ask)).toMatchObject({ ok: true });
    expect(law.asked()).toBe(2);
  });

  it("a wait that ends before the next sweep, or none: asked by the next sweep as ever", async () => {
    const { turns, batch, pass } = world();
    const law = workspace(throttled(0));
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    await turns.ask(batch("sweep-2"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(2);
    const short = workspace(throttled(60_000));
    await turns.ask(batch("sweep-3"), "law-short", short.ask);
    pass(5 * 60_000);
    await turns.ask(batch("sweep-4"), "law-short", short.ask);
    expect(short.asked()).toBe(2);
  });

  it("a wait of more than an hour is kept for an hour", async () => {
    const { turns, batch, pass } = world();
    const law = workspace(throttled(5 * MAX_ASKED_MS));
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    pass(MAX_ASKED_MS - 1);
    await turns.ask(batch("sweep-2"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(1);
    pass(1);
    await turns.ask(batch("sweep-3"), WORKSPACE, law.ask);
    expect(law.asked()).toBe(2);
  });
});

describe("a workspace's 503 asking to wait past the sweep", () => {
  const unavailable = (): WorkspaceAnswer<string> => ({
    reading: failure("server-error", 503),
    answered: false,
    retryAfterMs: 12 * 60_000,
  });

  it("is kept as a 429 is: the 5- and 10-minute sweeps do not ask, their circuits told Log Analytics was unavailable, not throttling, until when", async () => {
    const { turns, batch, pass } = world();
    let next = unavailable;
    const law = workspace(() => next());
    await turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    next = answers;
    for (const sweep of ["sweep-2", "sweep-3"]) {
      pass(5 * 60_000);
      const got = await turns.ask(batch(sweep), WORKSPACE, law.ask);
      expect(got).toMatchObject({
        ok: false,
        error: {
          ...error("server-error", 503),
          message:
            "status 503 (Log Analytics was unavailable, not throttling erwatch: not asked again before 01:12 UTC, as its Retry-After asked)",
          notAskedBefore: "2026-11-22T01:12:00.000Z",
        },
      });
    }
    expect(law.asked()).toBe(1);
    pass(2 * 60_000);
    expect(await turns.ask(batch("sweep-4"), WORKSPACE, law.ask)).toMatchObject({ ok: true });
    expect(law.asked()).toBe(2);
  });
});

describe("what the sweep that got the wait says", () => {
  it("each circuit of that sweep, the one asking too, says until when, counted from when the 429 came", async () => {
    const { turns, batch, pass, at } = world();
    // The query went at 01:00:00 and was answered 429 (12 minutes) at 01:00:20.
    const law = workspace(() => {
      pass(20_000);
      return {
        reading: { ...failure("throttled", 429), readAt: new Date(at()).toISOString() },
        answered: false,
        retryAfterMs: 12 * 60_000,
      };
    });
    const said = [
      await turns.ask(batch("sweep-1"), WORKSPACE, law.ask),
      await turns.ask(batch("sweep-1"), WORKSPACE, law.ask),
    ];
    expect(law.asked()).toBe(1);
    // Before: the plain 429 that sweep, and until when only from the next.
    for (const got of said)
      expect(got).toMatchObject({
        ok: false,
        error: {
          ...error("throttled", 429),
          message:
            "status 429 (not asked again before 01:12 UTC, as Log Analytics' Retry-After asked)",
          notAskedBefore: "2026-11-22T01:12:20.000Z",
        },
      });
  });
});

describe("a workspace's first query of the sweep that hangs, other batches writing there", () => {
  /** A workspace whose first query answers only when the test says; the queries after it at once. */
  function hung() {
    let answer = (_: WorkspaceAnswer<string>) => {};
    let asked = 0;
    return {
      ask: () => {
        asked += 1;
        if (asked > 1) return Promise.resolve(answers());
        return new Promise<WorkspaceAnswer<string>>((resolve) => (answer = resolve));
      },
      answer: (a: WorkspaceAnswer<string>) => answer(a),
      asked: () => asked,
    };
  }
  /** What a promise settled to so far; undefined while it has not. */
  function settled<T>(promise: Promise<T>) {
    let got: T | undefined;
    void promise.then((v) => (got = v));
    return () => got;
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it("another batch waits on it no longer than a query's deadline, then reads the workspace unanswered, and so does the rest of the sweep, unasked", async () => {
    const { turns, batch, time } = world();
    const law = hung();
    const first = turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    const second = settled(turns.ask(batch("sweep-1"), WORKSPACE, law.ask));
    await flush();
    time.advance(QUERY_DEADLINE_MS - 1);
    await flush();
    expect(second()).toBeUndefined();
    time.advance(1);
    await flush();
    // Before: held until that one query ended, however long (every batch of the sweep).
    expect(second()).toEqual({
      ok: false,
      error: {
        kind: "timeout",
        call: "Microsoft.OperationalInsights/workspaces/query/read",
        target: "Connection Monitor results in workspace law-network",
        message:
          "no answer within 30000 ms to the sweep's first query of the workspace (another circuit's): not waited on longer",
        workspace: WORKSPACE,
      },
      readAt: new Date(T0).toISOString(),
    });
    // A batch of the sweep coming later does not wait at all, nor ask.
    const third = settled(turns.ask(batch("sweep-1"), WORKSPACE, law.ask));
    await flush();
    expect(third()).toEqual(second());
    expect(law.asked()).toBe(1);
    // The query answering after all: the rest of the sweep asks again.
    law.answer(answers());
    expect(await first).toMatchObject({ ok: true });
    expect(await turns.ask(batch("sweep-1"), WORKSPACE, law.ask)).toMatchObject({ ok: true });
    expect(law.asked()).toBe(2);
  });

  it("a batch stopped while it waits stops waiting, and its stop is not the workspace's failure", async () => {
    const { turns, batch, time } = world();
    const law = hung();
    const first = turns.ask(batch("sweep-1"), WORKSPACE, law.ask);
    const stop = new AbortController();
    const stopped = settled(turns.ask(batch("sweep-1", stop.signal), WORKSPACE, law.ask));
    await flush();
    stop.abort();
    await flush();
    // Before: held until the first query ended, stopped or not.
    expect(stopped()).toMatchObject({
      ok: false,
      error: { kind: "timeout", workspace: WORKSPACE },
    });
    law.answer(answers());
    expect(await first).toMatchObject({ ok: true });
    expect(await turns.ask(batch("sweep-1"), WORKSPACE, law.ask)).toMatchObject({ ok: true });
    expect(time.pending()).toBe(0);
  });
});

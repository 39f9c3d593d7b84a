import { describe, expect, it } from "vitest";
import type { SharedSweepRun } from "../../src/app/state-store.js";
import type { SweepResult } from "../../src/app/sweep.js";
import {
  SWEEP_RUN_HEARTBEAT_MS,
  SWEEP_RUN_KEEP_DAYS,
  SWEEP_RUN_LOST_AFTER_MS,
  SweepRuns,
  type SweepRunShelf,
} from "../../src/app/sweep-runs.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

/** A shelf whose writes land when the test lets them, in the order they were made. */
function shelf() {
  const writes: { run: SharedSweepRun; land: () => void }[] = [];
  const landed: SharedSweepRun[] = [];
  const prunes: Date[] = [];
  const store: SweepRunShelf["store"] = {
    putSweepRun: (run) =>
      new Promise<void>((resolve) =>
        writes.push({
          run,
          land: () => {
            landed.push(run);
            resolve();
          },
        }),
      ),
    getSweepRun: async (id) => landed.findLast((r) => r.sweepId === id) ?? null,
    pruneSweepRuns: async (before) => {
      prunes.push(before);
      return 0;
    },
  };
  return { store, writes, landed, prunes, log: memoryLogger().logger };
}

const RESULT = {
  sweepId: "s1",
  startedAt: "2026-11-22T02:00:00.000Z",
  verdicts: [],
  readings: [],
  ignored: [],
  discoveryFailures: [],
  errors: [],
  events: [],
  unreached: [],
  pendingInOutbox: 0,
  brokerError: null,
  plan: { deep: [], quiet: 0, rotationQuota: 0 },
  arm: {},
} as unknown as SweepResult;

/** A shelf whose writes land at once (or fail, while `failing`). */
function quickShelf() {
  const landed: SharedSweepRun[] = [];
  let failing = false;
  const store: SweepRunShelf["store"] = {
    putSweepRun: async (run) => {
      if (failing)
        throw Object.assign(new Error("Table Storage did not answer"), { name: "StateStoreError" });
      landed.push(run);
    },
    getSweepRun: async (id) => landed.findLast((r) => r.sweepId === id) ?? null,
    pruneSweepRuns: async () => 0,
  };
  return {
    store,
    landed,
    log: memoryLogger().logger,
    fail: (on: boolean) => (failing = on),
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe("sweep runs shared between instances", () => {
  it("writes a running sweep's record every heartbeat, and stops once it has ended", async () => {
    const time = manualTime(Date.parse("2026-11-22T02:00:00.000Z"));
    const s = quickShelf();
    const runs = new SweepRuns(() => new Date(time.now()), 50, s, time);
    let finish!: (r: SweepResult) => void;
    const run = runs.track("s1", null, new Promise<SweepResult>((r) => (finish = r)));
    await runs.share(run);
    for (let beat = 0; beat < 2; beat += 1) {
      time.advance(SWEEP_RUN_HEARTBEAT_MS);
      await flush();
    }
    expect(s.landed.map((r) => [r.status, r.touchedAt])).toEqual([
      ["running", "2026-11-22T02:00:00.000Z"],
      ["running", "2026-11-22T02:05:00.000Z"],
      ["running", "2026-11-22T02:10:00.000Z"],
    ]);
    finish(RESULT);
    await run.sharedEnd;
    expect(time.pending()).toBe(0);
    time.advance(3 * SWEEP_RUN_HEARTBEAT_MS);
    await flush();
    expect(s.landed.map((r) => r.status)).toEqual(["running", "running", "running", "done"]);
  });

  it("stamps its records on the time it is given when no wall clock is: a run's start, its beats and its end on one clock", async () => {
    const time = manualTime(Date.parse("2026-11-22T02:00:00.000Z"));
    const s = quickShelf();
    const runs = new SweepRuns(undefined, 50, s, time);
    let finish!: (r: SweepResult) => void;
    const run = runs.track("s1", null, new Promise<SweepResult>((r) => (finish = r)));
    expect(run.startedAt).toBe("2026-11-22T02:00:00.000Z");
    await runs.share(run);
    time.advance(SWEEP_RUN_HEARTBEAT_MS);
    await flush();
    finish(RESULT);
    await run.sharedEnd;
    expect(run.finishedAt).toBe("2026-11-22T02:05:00.000Z");
    expect(s.landed.map((r) => [r.status, r.startedAt, r.touchedAt])).toEqual([
      ["running", "2026-11-22T02:00:00.000Z", "2026-11-22T02:00:00.000Z"],
      ["running", "2026-11-22T02:00:00.000Z", "2026-11-22T02:05:00.000Z"],
      ["done", "2026-11-22T02:00:00.000Z", "2026-11-22T02:05:00.000Z"],
    ]);
  });

  it("a first write that failed is tried again by the next request that shares the run", async () => {
    const s = quickShelf();
    const runs = new SweepRuns(undefined, 50, s);
    const run = runs.track("s1", null, new Promise<SweepResult>(() => {}));
    s.fail(true);
    await runs.share(run);
    expect(s.landed).toEqual([]);
    s.fail(false);
    await runs.share(run);
    expect(s.landed.map((r) => r.status)).toEqual(["running"]);
  });

  it("a share that fails says so with the sweep's id, answers false and keeps the record on this instance, for a run and a fanned-out sweep alike", async () => {
    const s = quickShelf();
    const { logger, records } = memoryLogger();
    const runs = new SweepRuns(() => new Date("2026-11-22T02:00:00.000Z"), 50, {
      ...s,
      log: logger,
    });
    s.fail(true);
    const run = runs.track("s1", null, new Promise<SweepResult>(() => {}));
    await runs.share(run);
    const fanned: SharedSweepRun = {
      sweepId: "f1",
      status: "running",
      startedAt: "2026-11-22T02:00:00.000Z",
      finishedAt: null,
      touchedAt: "",
      error: null,
      answer: null,
    };
    expect(await runs.shareFannedOut(fanned)).toBe(false);
    expect(s.landed).toEqual([]);
    const warned = records().filter((r) => r["level"] === 40);
    expect(warned.map((r) => [r["sweepId"], r["status"], r["msg"]])).toEqual([
      [
        "s1",
        "running",
        "the sweep's record could not be shared; its status URL answers on this instance only",
      ],
      [
        "f1",
        "running",
        "the fanned-out sweep's record could not be shared; its status URL answers on this instance only",
      ],
    ]);
    expect(
      warned.every(
        (r) => (r["err"] as { message?: string })?.message === "Table Storage did not answer",
      ),
    ).toBe(true);
    expect(await runs.find("f1")).toMatchObject({ sweepId: "f1", status: "running" });
    expect(runs.get("s1")).toBe(run);
  });

  it("answers a record not written for two heartbeats while running as failed (its instance is gone), and one it cannot read as failed with why", async () => {
    const s = quickShelf();
    const touched = new Date("2026-11-22T02:00:00.000Z");
    s.landed.push({
      sweepId: "6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11",
      status: "running",
      startedAt: "2026-11-22T01:00:00.000Z",
      finishedAt: null,
      touchedAt: touched.toISOString(),
      error: null,
      answer: null,
    });
    let now = new Date(touched.getTime() + SWEEP_RUN_LOST_AFTER_MS);
    const runs = new SweepRuns(() => now, 50, s);
    // Asked for an hour ago and still alive: running.
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "running",
    });
    now = new Date(now.getTime() + 1);
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("the instance running it stopped"),
    });
    // A write time that is no date counts from the start; neither one: said, never "NaN minutes".
    const edited = (touchedAt: string, startedAt: string) =>
      s.landed.splice(0, s.landed.length, { ...s.landed[0]!, touchedAt, startedAt });
    edited("yesterday", "2026-11-22T02:00:00.000Z");
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^its record was last written 11 minutes ago, while running/),
    });
    // Date.parse read "42" as the year 2042: running for years.
    edited("42", "2026-11-22T02:00:00.000Z");
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^its record was last written 11 minutes ago, while running/),
    });
    now = new Date(touched.getTime() + 60_000);
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "running",
    });
    edited("yesterday", "");
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^its record does not say when it was written, while running/),
    });
    s.store.getSweepRun = () =>
      Promise.reject(
        Object.assign(new Error("the sweep run in T row erwatch-sweeps / run|x cannot be read"), {
          name: "UnreadableRowError",
          row: { table: "T", partitionKey: "erwatch-sweeps", rowKey: "run|x", etag: "*" },
        }),
      );
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("its record cannot be read"),
    });
  });

  it("writes the end after the start however slowly the start lands: a late 'running' never overwrites 'done'", async () => {
    const s = shelf();
    const runs = new SweepRuns(() => new Date("2026-11-22T02:00:00.000Z"), 50, s);
    let finish!: (r: SweepResult) => void;
    const run = runs.track("s1", null, new Promise<SweepResult>((r) => (finish = r)));
    const first = runs.share(run);
    expect(runs.share(run)).toBe(first);
    finish(RESULT);
    await run.done;
    // The sweep ended while its first write was still on the wire: nothing else is written yet.
    expect(s.writes.map((w) => w.run.status)).toEqual(["running"]);
    s.writes[0]!.land();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.writes.map((w) => w.run.status)).toEqual(["running", "done"]);
    s.writes[1]!.land();
    await run.sharedEnd;
    expect(s.landed.map((r) => r.status)).toEqual(["running", "done"]);
    expect(s.landed[1]).toMatchObject({ sweepId: "s1", answer: { sweepId: "s1", plan: {} } });
  });

  it("answers a sweep the timer's answered while it waited under its own id, naming the timer's apart", async () => {
    const s = quickShelf();
    const runs = new SweepRuns(() => new Date("2026-11-22T02:00:00.000Z"), 50, s);
    // Waiting behind another, absorbed by the timer's (sweep-coordinator.ts): its result is the timer's.
    const run = runs.track("x", null, Promise.resolve({ ...RESULT, sweepId: "timer-1" }));
    await run.done;
    await runs.share(run);
    const here = await runs.find("x");
    const elsewhere = await new SweepRuns(() => new Date("2026-11-22T02:01:00.000Z"), 50, s).find(
      "x",
    );
    for (const found of [here, elsewhere])
      expect(found).toMatchObject({
        sweepId: "x",
        status: "done",
        answer: { sweepId: "x", joined: true, joinedSweepId: "timer-1" },
      });
    // Its own result: no other sweep named.
    const own = runs.track("s1", null, Promise.resolve(RESULT));
    await own.done;
    expect((await runs.find("s1"))!.answer).not.toHaveProperty("joinedSweepId");
  });

  it("a run shared once it has ended is written once", async () => {
    const s = shelf();
    const runs = new SweepRuns(() => new Date("2026-11-22T02:00:00.000Z"), 50, s);
    const run = runs.track("s1", null, Promise.resolve(RESULT));
    await run.done;
    const first = runs.share(run);
    await flush();
    s.writes[0]!.land();
    await first;
    expect(run.sharedEnd).toBeUndefined();
    expect(s.writes.map((w) => w.run.status)).toEqual(["done"]);
  });

  it(`prunes records older than ${SWEEP_RUN_KEEP_DAYS} days at most once an hour, when runs are shared`, async () => {
    const s = shelf();
    let now = new Date("2026-11-22T02:00:00.000Z");
    const runs = new SweepRuns(() => now, 50, s);
    const share = (id: string) => {
      const run = runs.track(id, null, new Promise<SweepResult>(() => {}));
      void runs.share(run);
    };
    share("a");
    share("b");
    expect(s.prunes).toEqual([new Date("2026-11-15T02:00:00.000Z")]);
    now = new Date("2026-11-22T02:59:59.000Z");
    share("c");
    expect(s.prunes).toHaveLength(1);
    now = new Date("2026-11-22T03:00:00.000Z");
    share("d");
    expect(s.prunes).toEqual([
      new Date("2026-11-15T02:00:00.000Z"),
      new Date("2026-11-15T03:00:00.000Z"),
    ]);
  });

  it("looks up only ids erwatch makes: anything else is no sweep, and no storage read", async () => {
    const s = shelf();
    let reads = 0;
    const get = s.store.getSweepRun;
    s.store.getSweepRun = (id) => {
      reads += 1;
      return get(id);
    };
    const runs = new SweepRuns(undefined, 50, s);
    for (const id of ["", "run|x", "a/b", "x".repeat(65), "..\\x"])
      expect(await runs.find(id)).toBeNull();
    expect(reads).toBe(0);
    expect(await runs.find("6f1c1e2a-0d9b-4d36-9f5e-2f1f7b0c1a11")).toBeNull();
    expect(reads).toBe(1);
  });
});

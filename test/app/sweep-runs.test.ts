import { describe, expect, it } from "vitest";
import type { SharedSweepRun } from "../../src/app/state-store.js";
import type { SweepResult } from "../../src/app/sweep.js";
import { SWEEP_RUN_KEEP_DAYS, SweepRuns, type SweepRunShelf } from "../../src/app/sweep-runs.js";
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

describe("sweep runs shared between instances", () => {
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

  it("a run shared once it has ended is written once", async () => {
    const s = shelf();
    const runs = new SweepRuns(() => new Date("2026-11-22T02:00:00.000Z"), 50, s);
    const run = runs.track("s1", null, Promise.resolve(RESULT));
    await run.done;
    const first = runs.share(run);
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

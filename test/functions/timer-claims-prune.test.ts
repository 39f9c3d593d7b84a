// The fan-out timer prunes the workers' old claims a share each tick; its line
// names the cut-off (WORK_CLAIMS_KEEP_MS before the tick's sweep), as a failed
// prune names it. "old work claims pruned" said neither which claims nor how
// old.

import functions from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { FakeWork } from "../support/fake-work.js";
import { functionDeps } from "../support/function-deps.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const SUB = "00000000-0000-0000-0000-000000000001";
const tick: functions.Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe("the timer's prune of old work claims", () => {
  it("names the cut-off of the claims it pruned", async () => {
    const work = new FakeWork();
    const cutOffs: Date[] = [];
    work.claims.prune = async (before: Date) => (cutOffs.push(before), 42);
    const deps = work.on(
      await functionDeps(
        azurite.connectionString,
        new FakeReader(),
        { ERWATCH_SUBSCRIPTIONS: SUB },
        () => NOW,
      ),
    );
    deps.runs = new SweepRuns(() => NOW, 50, {
      store: deps.runtime.store,
      log: memoryLogger().logger,
    });
    const { logger, records } = memoryLogger();
    deps.runtime = { ...deps.runtime, logger };
    await sweepTimerHandler(async () => deps)(
      tick,
      new functions.InvocationContext({ invocationId: "claims-prune" }),
    );
    expect(work.sends).toHaveLength(1);
    expect(cutOffs.map((d) => d.toISOString())).toEqual(["2026-11-21T02:00:00.000Z"]);
    const pruned = records().filter((r) => String(r.msg).includes("work claims"));
    expect(pruned.map((r) => [r.level, r.msg, r.pruned])).toEqual([
      [30, "work claims written before 2026-11-21 02:00 UTC pruned", 42],
    ]);
  }, 30_000);
});

// Pruning the workers' old claims on real Table Storage (Azurite): a page at
// a time, each page's rows deleted before the next is listed, no page started
// once the budget is spent, and the next prune going on from where the last
// stopped. Listed whole under one deadline first, a table large enough never
// finished its listing and nothing was ever deleted again
// (test/e2e/fan-out-claims-prune.test.ts shows it through the timer).

import { TableClient, type TransactionAction } from "@azure/data-tables";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TableWorkClaims } from "../../src/adapters/tables/work-claims.js";
import { PRUNE_PAGE } from "../../src/adapters/tables/work-claims-prune.js";
import { within } from "../../src/app/sweep-runs.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { manualTime } from "../support/manual-time.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";

let azurite: Azurite;
let n = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** A fresh claims table holding `sweeps` × `perSweep` finished claims, written now. */
async function tableOf(sweeps: number, perSweep: number) {
  n += 1;
  const table = TableClient.fromConnectionString(
    azurite.connectionString,
    `wp${process.pid}n${n}`,
    { allowInsecureConnection: true },
  );
  await table.createTable();
  for (let s = 0; s < sweeps; s += 1)
    for (let start = 0; start < perSweep; start += 100) {
      const actions: TransactionAction[] = [];
      for (let c = start; c < Math.min(perSweep, start + 100); c += 1)
        actions.push([
          "create",
          { partitionKey: `sweep-${s}`, rowKey: `er-${String(c).padStart(6, "0")}`, state: "done" },
        ]);
      await table.submitTransaction(actions);
    }
  const count = async () => {
    let rows = 0;
    for await (const _ of table.listEntities({ queryOptions: { select: ["PartitionKey"] } }))
      rows += 1;
    return rows;
  };
  return { table, count };
}

const later = () => new Date(Date.now() + 60_000);
/** A real bound on waits for what other promise chains do (not a clock): far above their turns. */
const BOUND_MS = 10_000;

async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

it("with no budget a prune deletes one page, and the next prune goes on from there", async () => {
  const { table, count } = await tableOf(5, 500);
  const claims = new TableWorkClaims(table, 5_000);
  const shares: number[] = [];
  for (let i = 0; i < 5 && (await count()) > 0; i += 1) shares.push(await claims.prune(later(), 0));
  expect(shares).toEqual([PRUNE_PAGE, PRUNE_PAGE, 500]);
  expect(await count()).toBe(0);
  // Past the end it starts again from the first row: nothing is left.
  expect(await claims.prune(later(), 0)).toBe(0);
});

it("a prune with budget left goes through every page, and keeps what is not yet old", async () => {
  const { table, count } = await tableOf(3, 900);
  const claims = new TableWorkClaims(table, 5_000);
  expect(await claims.prune(new Date(Date.now() - 3_600_000), 30_000)).toBe(0);
  expect(await count()).toBe(2_700);
  expect(await claims.prune(later(), 30_000)).toBe(2_700);
  expect(await count()).toBe(0);
});

it("a transaction whose answer was lost (its retry finds the rows gone) does not fail the prune", async () => {
  const { table: direct, count } = await tableOf(2, 150);
  const proxy = await startTableFaultProxy(azurite);
  try {
    const through = TableClient.fromConnectionString(proxy.connectionString, direct.tableName, {
      allowInsecureConnection: true,
    });
    const claims = new TableWorkClaims(through, 5_000);
    let lost = 0;
    proxy.rule = (r) => (r.operation === "batch" && lost++ === 0 ? { kind: "lose-answer" } : null);
    const deleted = await claims.prune(later(), 30_000);
    proxy.rule = () => null;
    expect(proxy.take().map((f) => f.fault.kind)).toEqual(["lose-answer"]);
    // The lost transaction's rows (100 or 50) were deleted, its retry found them gone.
    expect(deleted).toBeGreaterThanOrEqual(200);
    expect(deleted).toBeLessThan(300);
    expect(await count()).toBe(0);
  } finally {
    await proxy.close();
  }
});

it("a page whose deletes hang ends at the budget and one call's deadline on the prune's clock, and says why when nothing was deleted", async () => {
  const { table: direct, count } = await tableOf(1, 100);
  const proxy = await startTableFaultProxy(azurite);
  try {
    const through = TableClient.fromConnectionString(proxy.connectionString, direct.tableName, {
      allowInsecureConnection: true,
    });
    // The sweep's clock, moved here; a minute's call deadline that real time never reaches.
    const time = manualTime(Date.parse("2026-11-22T02:00:00.000Z"));
    const claims = new TableWorkClaims(through, 60_000, undefined, undefined, time);
    let hung = false;
    proxy.rule = (r) => (r.operation === "batch" ? ((hung = true), { kind: "hang" }) : null);
    const pending = claims.prune(later(), 10_000).catch((error: unknown) => error);
    let ended = false;
    void pending.then(() => (ended = true));
    await until("the hanging delete", () => hung);
    // The cut-off: the 10 s budget and one call's deadline more, no sooner.
    expect(time.dueIn()).toEqual([70_000]);
    time.advance(69_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(false);
    time.advance(1);
    const outcome = await within(pending, BOUND_MS);
    proxy.rule = () => null;
    // The prune's own cut-off ended it, and is named: not one call's "no answer within".
    expect(String(outcome)).toMatch(
      /pruning work claims written before \d{4}-\d\d-\d\d \d\d:\d\d UTC \(0 deleted\) failed: cut off after 70000 ms \(the 10000 ms this tick gives pruning, and one call's 60000 ms for the page in hand\)/,
    );
    expect(await count()).toBe(100);
  } finally {
    await proxy.close();
  }
});

it("a page whose deletes hang past one call's deadline, well inside the prune's cut-off, says the call's deadline", async () => {
  const { table: direct } = await tableOf(1, 100);
  const proxy = await startTableFaultProxy(azurite);
  try {
    const through = TableClient.fromConnectionString(proxy.connectionString, direct.tableName, {
      allowInsecureConnection: true,
    });
    const claims = new TableWorkClaims(through, 500);
    proxy.rule = (r) => (r.operation === "batch" ? { kind: "hang" } : null);
    // A minute's budget: the cut-off is far off when the page's call gives up.
    const outcome = await claims.prune(later(), 60_000).catch((error: unknown) => error);
    proxy.rule = () => null;
    expect(String(outcome)).toMatch(/\(0 deleted\) failed: no answer within 500 ms$/);
  } finally {
    await proxy.close();
  }
});

it("a prune starts no page once its budget is spent on its clock, the sweep's, however little real time went by", async () => {
  const { table, count } = await tableOf(3, 1_000);
  const time = manualTime(Date.parse("2026-11-22T02:00:00.000Z"));
  // Each page's deletes (ten transactions) take 10 s on the sweep's clock.
  const slow = new Proxy(table, {
    get(target, prop) {
      if (prop !== "submitTransaction") return Reflect.get(target, prop, target) as unknown;
      return async (...args: Parameters<TableClient["submitTransaction"]>) => {
        const done = await target.submitTransaction(...args);
        time.advance(1_000);
        return done;
      };
    },
  });
  // A call deadline long enough that the cut-off (budget and one call's deadline) stays out of it.
  const claims = new TableWorkClaims(slow, 60_000, undefined, undefined, time);
  // A 15 s budget: the second page starts at 10 s, no third at 20 s.
  expect(await claims.prune(later(), 15_000)).toBe(2 * PRUNE_PAGE);
  expect(await count()).toBe(1_000);
  // Its cut-off dropped with it: nothing left on the clock.
  expect(time.pending()).toBe(0);
  // The next prune goes on from there.
  expect(await claims.prune(later(), 15_000)).toBe(1_000);
  expect(await count()).toBe(0);
});

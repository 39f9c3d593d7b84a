// The timer prunes the workers' old claims (<prefix>Work, kept
// WORK_CLAIMS_KEEP_MS = 24 h) a share each tick, however large the table grew.
//
// Users saw: the claims table grew for good. The prune listed every row older
// than the cut-off (a full-table scan: Timestamp is no key) page after page
// under ONE call deadline (STORAGE_TIMEOUT_MS), and deleted only once the
// whole listing was in, one row at a time. At the 5-minute cadence an estate
// reading ~200 circuits deep a sweep keeps ~58,000 rows; once the scan took
// longer than the deadline, every tick logged "pruning old work claims
// failed" having deleted nothing, the table grew by a day's claims every
// day, and the scan never finished again.
//
// What holds now: page by page, each call with its own deadline and each
// page's rows deleted (by one-sweep transactions) before the next page is
// listed; a tick starts no page after WORK_CLAIMS_PRUNE_MS, and the next tick
// goes on from where it stopped (test/adapters/work-claims-prune.test.ts).
//
// Scaled down: 12,000 claim rows older than the cut-off, each page of the
// scan answered in 150 ms, STORAGE_TIMEOUT_MS 1 s (the same ratio of pages to
// deadline), three ticks at the product's cadence.

import { TableClient, type TransactionAction } from "@azure/data-tables";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { PRUNE_PAGE } from "../../src/adapters/tables/work-claims-prune.js";
import { WORK_CLAIMS_KEEP_MS, WORK_CLAIMS_PRUNE_MS } from "../../src/app/work-progress.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { manualTime } from "../support/manual-time.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const SUB = "00000000-0000-0000-0000-0000000000a1";
const MIN = 60_000;
const OLD_SWEEPS = 60;
const CLAIMS_PER_SWEEP = 200;

const worlds = worldPerTest();

it("old work claims are pruned, a share each tick, however long the table has grown", async () => {
  const azurite = worlds.azurite();
  const proxy = await startTableFaultProxy(azurite);
  // A day and more after the claims below were written, on the sweep's clock.
  let now = new Date(Date.now() + WORK_CLAIMS_KEEP_MS + 60 * MIN);
  const w = await worlds.start({
    estate: estateOf(healthyCircuit({ subscriptionId: SUB, name: "er-1" })),
    now: () => now,
    env: {
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: "1000",
      ERWATCH_SUBSCRIPTIONS: SUB,
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  try {
    await w.runtime.work!.claims.ensureTable();
    // The claims of earlier sweeps, as workers leave them (written straight to Azurite).
    const table = TableClient.fromConnectionString(
      azurite.connectionString,
      `${w.env.ERWATCH_TABLE_PREFIX}Work`,
      { allowInsecureConnection: true },
    );
    const writes: Promise<unknown>[] = [];
    for (let s = 0; s < OLD_SWEEPS; s += 1) {
      const sweepId = `00000000-0000-4000-8000-${String(s).padStart(12, "0")}`;
      for (let start = 0; start < CLAIMS_PER_SWEEP; start += 100) {
        const actions: TransactionAction[] = [];
        for (let c = start; c < start + 100; c += 1)
          actions.push([
            "create",
            {
              partitionKey: sweepId,
              rowKey: `er-${c}-${String(c).padStart(16, "0")}`,
              circuitId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-${c}`,
              worker: `${sweepId}/${SUB}/1@1/host/1/inv`,
              until: new Date().toISOString(),
              state: "done",
            },
          ]);
        writes.push(table.submitTransaction(actions));
        if (writes.length >= 8) await Promise.all(writes.splice(0));
      }
    }
    await Promise.all(writes);
    const count = async () => {
      let n = 0;
      for await (const _ of table.listEntities({ queryOptions: { select: ["PartitionKey"] } }))
        n += 1;
      return n;
    };
    const before = await count();
    expect(before).toBe(OLD_SWEEPS * CLAIMS_PER_SWEEP);

    // Table Storage scanning a table with no key to go by: 150 ms a page of the Work table.
    proxy.rule = (r) =>
      r.table.endsWith("Work") && r.operation === "query" ? { kind: "slow", ms: 150 } : null;
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    // Three ticks at the product's cadence.
    for (let tick = 0; tick < 3; tick += 1) {
      await fan.timer(`prune-${tick}`);
      now = new Date(now.getTime() + 5 * MIN);
    }
    proxy.rule = () => null;
    const after = await count();
    // Twelve pages is well inside one tick's budget: caught up.
    expect(after, `${before} old claims before three ticks, ${after} after`).toBe(0);
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 120_000);

it("the timer's share of the prune is counted on the sweep's clock, the one it takes the budget from", async () => {
  const azurite = worlds.azurite();
  const proxy = await startTableFaultProxy(azurite);
  // The sweep's clock, started at the real one's and moved by hand: real time barely moves.
  const time = manualTime(Date.now());
  let now = new Date(Date.now() + WORK_CLAIMS_KEEP_MS + 60 * MIN);
  const w = await worlds.start({
    estate: estateOf(healthyCircuit({ subscriptionId: SUB, name: "er-1" })),
    now: () => now,
    sweepTime: time,
    env: {
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: "5000",
      ERWATCH_SUBSCRIPTIONS: SUB,
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  try {
    await w.runtime.work!.claims.ensureTable();
    const table = TableClient.fromConnectionString(
      azurite.connectionString,
      `${w.env.ERWATCH_TABLE_PREFIX}Work`,
      { allowInsecureConnection: true },
    );
    // Four pages of old claims, one sweep's a page.
    for (let s = 0; s < 4; s += 1)
      for (let start = 0; start < PRUNE_PAGE; start += 100)
        await table.submitTransaction(
          Array.from({ length: 100 }, (_, i): TransactionAction => [
            "create",
            { partitionKey: `old-${s}`, rowKey: `er-${String(start + i).padStart(6, "0")}` },
          ]),
        );
    const count = async () => {
      let n = 0;
      for await (const _ of table.listEntities({ queryOptions: { select: ["PartitionKey"] } }))
        n += 1;
      return n;
    };
    // Each page of the prune's scan takes 10 s of the sweep's clock.
    proxy.rule = (r) => {
      if (r.table.endsWith("Work") && r.operation === "query" && r.text.includes("Timestamp lt"))
        time.advance(10_000);
      return null;
    };
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    await fan.timer("prune-0");
    // WORK_CLAIMS_PRUNE_MS (30 s) on that clock: pages started at 0, 10 and 20 s, none at 30 s.
    expect(WORK_CLAIMS_PRUNE_MS).toBe(30_000);
    expect(await count()).toBe(PRUNE_PAGE);
    // The next tick goes on from there.
    now = new Date(now.getTime() + 5 * MIN);
    time.advance(5 * MIN);
    await fan.timer("prune-1");
    expect(await count()).toBe(0);
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 60_000);

// A sweep whose prune of old history fails says which history: the rows
// written before its cut-off (HISTORY_RETENTION_DAYS before the sweep), as the
// work claims' prune names its own. "pruning old history failed" named
// neither the date nor what "old" was.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableStateStore } from "../../src/adapters/tables/state-store.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");

/** `store`, and every store it scopes to a sweep, refusing to prune history. */
function pruneRefused(store: TableStateStore, cutOffs: Date[]): TableStateStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "pruneHistory")
        return async (before: Date) => {
          cutOffs.push(before);
          throw new Error("Table Storage answered 503 Server Busy");
        };
      if (prop === "withSignal")
        return (...args: Parameters<TableStateStore["withSignal"]>) =>
          pruneRefused(target.withSignal(...args), cutOffs);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe("pruning old history fails", () => {
  it("the warning names the retention's cut-off, and the sweep goes on", async () => {
    const { store } = await freshStore(azurite.connectionString);
    const reader = new FakeReader();
    const { logger, records } = memoryLogger();
    const cutOffs: Date[] = [];
    const sweeper = createSweeper({
      reader,
      store: pruneRefused(store, cutOffs),
      sink: new InMemoryEventSink(),
      policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      silences: [],
      historyRetentionDays: 30,
      logger,
    });
    const result = await sweeper.sweep({
      scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
      now: NOW,
      abortSignal: AbortSignal.timeout(30_000),
    });
    expect(result.errors).toEqual([]);
    expect(cutOffs.map((d) => d.toISOString())).toEqual(["2026-10-23T02:00:00.000Z"]);
    const warned = records().filter((r) => String(r.msg).includes("history"));
    expect(warned.map((r) => [r.level, r.msg])).toEqual([
      [
        40,
        "pruning history written before 2026-10-23 02:00 UTC failed; it is tried again next sweep",
      ],
    ]);
  }, 30_000);
});

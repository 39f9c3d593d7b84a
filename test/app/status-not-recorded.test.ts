// A circuit erwatch failed on in the last sweep (its state refused by Table
// Storage, a bug on its data) is named on the status page with why: its
// alerts were not decided, and before, the page said only "1 partly unread".

import { afterAll, beforeAll, expect, it } from "vitest";
import { createSweeper } from "../../src/app/sweep.js";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { minute } from "../support/sweep-harness.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

it("names the circuits the last sweep could not record, with why, and only while it could not", async () => {
  const { store } = await freshStore(azurite.connectionString);
  const reader = new FakeReader();
  let refuse = true;
  const scoped = store.withSignal.bind(store);
  store.withSignal = (signal, log) => {
    const s = scoped(signal, log);
    const put = s.putSnapshot.bind(s);
    s.putSnapshot = (snapshot, etag) =>
      refuse
        ? Promise.reject(
            Object.assign(
              new Error(
                "writing the snapshot failed: 400 PropertyValueTooLarge <b>x</b> see https://acct.table.core.windows.net/x?sig=SECRET",
              ),
              { name: "StateStoreError" },
            ),
          )
        : put(snapshot, etag);
    return s;
  };
  const { logger } = memoryLogger();
  const sweeper = createSweeper({
    reader,
    store,
    sink: new InMemoryEventSink(),
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    historyRetentionDays: 30,
    logger,
  });
  const scope = { subscriptions: [reader.target.subscriptionId], circuitIds: [] };
  const page = async (m: number) => {
    reader.readAt = new Date(minute(m).getTime() + 20_000).toISOString();
    await sweeper.sweep({ scope, now: minute(m), abortSignal: AbortSignal.timeout(30_000) });
    const model = await loadStatus(store, minute(m + 1), {
      recentHours: 1,
      recentLimit: 10,
      sweepIntervalMinutes: 5,
    });
    return { model, html: renderStatusHtml(model) };
  };

  const refused = await page(0);
  expect(refused.model.summary?.lastSweep?.notRecorded).toEqual([
    {
      id: reader.target.id,
      name: reader.target.name,
      why: "writing the snapshot failed: 400 PropertyValueTooLarge <b>x</b> see [url]",
    },
  ]);
  expect(refused.html).toMatch(
    /<p id="not-recorded"[^>]*><b>Not watched:<\/b> erwatch could not read through or record 1 circuit in the last sweep, so their alerts were not decided: er-circuit-prod \(writing the snapshot failed: 400 PropertyValueTooLarge &lt;b&gt;x&lt;\/b&gt; see \[url\]\)/,
  );
  expect(refused.html).not.toContain("SECRET");

  refuse = false;
  const recorded = await page(5);
  expect(recorded.model.summary?.lastSweep?.notRecorded).toBeUndefined();
  expect(recorded.html).not.toContain("not-recorded");
});

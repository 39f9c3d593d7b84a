// Settings the sweep runs without (an entry left out, a receiver the
// dispatcher cannot use) are on the status page while they last: before, only
// the sweep's log said them, and the page on-call opens showed all well.

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

it("lists the settings the last sweep ran without, and nothing once they are fixed", async () => {
  const { store } = await freshStore(azurite.connectionString);
  const reader = new FakeReader();
  const { logger } = memoryLogger();
  const sweeperWith = (ignoredSettings: string[]) =>
    createSweeper({
      reader,
      store,
      sink: new InMemoryEventSink(),
      policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      silences: [],
      historyRetentionDays: 30,
      logger,
      ignoredSettings,
    });
  const scope = { subscriptions: [reader.target.subscriptionId], circuitIds: [] };
  const page = async (ignored: string[], m: number) => {
    reader.readAt = new Date(minute(m).getTime() + 20_000).toISOString();
    await sweeperWith(ignored).sweep({
      scope,
      now: minute(m),
      abortSignal: AbortSignal.timeout(30_000),
    });
    const model = await loadStatus(store, minute(m + 1), {
      recentHours: 1,
      recentLimit: 10,
      sweepIntervalMinutes: 5,
    });
    return { model, html: renderStatusHtml(model) };
  };

  const leftOut = [
    'ERWATCH_SILENCES.1.circuit: "er-<b>" is not an ExpressRoute circuit resource id (this entry is left out; the rest apply)',
    "dispatcher: receiver teams cannot be used: TEAMS_WEBHOOK_URL: is a Key Vault reference the Functions host could not resolve",
  ];
  const broken = await page(leftOut, 0);
  expect(broken.model.summary?.lastSweep?.settingsLeftOut).toEqual(leftOut);
  expect(broken.html).toMatch(
    /<p id="settings-left-out"[^>]*role="alert"[^>]*><b>Settings left out:<\/b> the last sweep ran without these settings entries, each named with why/,
  );
  expect(broken.html).toContain("er-&lt;b&gt;");
  expect(broken.html).toContain("dispatcher: receiver teams cannot be used");

  const fixed = await page([], 5);
  expect(fixed.model.summary?.lastSweep?.settingsLeftOut).toBeUndefined();
  expect(fixed.html).not.toContain('id="settings-left-out"');
});

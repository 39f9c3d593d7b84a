// An open alert whose circuit is not being read (its subscription cannot be
// listed) is held as it was last read: its row on the status page says so,
// with when that was. Before, the model knew (`stale`) but the row read
// "down 20 min" as if current. 5-minute timer on an injected clock.

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

it("an alert held while its subscription cannot be listed says it is stale and since when, and stops once read again", async () => {
  const { store } = await freshStore(azurite.connectionString);
  const reader = new FakeReader();
  const sweeper = createSweeper({
    reader,
    store,
    sink: new InMemoryEventSink(),
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    historyRetentionDays: 30,
    logger: memoryLogger().logger,
  });
  const row = async (m: number) => {
    reader.readAt = new Date(minute(m).getTime() + 20_000).toISOString();
    await sweeper.sweep({
      scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
      now: minute(m),
      abortSignal: AbortSignal.timeout(30_000),
    });
    const model = await loadStatus(store, minute(m + 1), { recentHours: 1, recentLimit: 10 });
    const html = renderStatusHtml(model);
    const alert = model.openAlerts.find((a) => a.circuitName === reader.target.name)!;
    return { alert, html: /<tr [^>]*data-circuit="er-circuit-prod"[^>]*>.*<\/tr>/.exec(html)![0] };
  };
  reader.spec = {
    paths: {
      AzurePrivatePeering: {
        primary: { arp: "empty", bgp: "Idle" },
        secondary: { arp: "empty", bgp: "Idle" },
      },
    },
  };
  const read = await row(0);
  expect(read.alert.stale).toBe(false);
  expect(read.html).not.toContain("data-stale");

  reader.listing = {
    kind: "forbidden",
    statusCode: 403,
    call: "Microsoft.Network/expressRouteCircuits/read",
    target: `circuits in subscription ${reader.target.subscriptionId}`,
    message: "AuthorizationFailed",
  };
  await row(5);
  const held = await row(10);
  expect(held.alert).toMatchObject({ stale: true, notReadSince: minute(0).toISOString() });
  expect(held.html).toContain(
    `<span class="d read old" data-stale>stale: not read since <time datetime="${minute(0).toISOString()}"`,
  );
  expect(held.html).toContain("its subscription cannot be listed</span>");

  reader.listing = "listed";
  const again = await row(15);
  expect(again.alert).toMatchObject({ stale: false, notReadSince: null });
  expect(again.html).not.toContain("data-stale");
});

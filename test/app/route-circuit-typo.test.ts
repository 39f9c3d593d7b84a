// Every setting keyed by circuit is checked against the circuits a
// whole-estate sweep found (ERWATCH_BASELINE, ERWATCH_ALERT_POLICY.circuits,
// every silence), and a name matching none, or several, is warned every sweep.
// So are ERWATCH_ACTION_GROUPS routes' `circuits` (found by a review: a route
// naming "er-circiut-prod", its owners' pager, applied to nothing, unsaid, and
// that circuit's Sev0 went to whoever else a route named, or to no one).

import { afterAll, beforeAll, expect, it } from "vitest";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Routing } from "../../src/core/routing.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

it("warns, as for a silence, about a route whose circuits match no circuit the sweep found", async () => {
  const reader = new FakeReader();
  const { store } = await freshStore(azurite.connectionString);
  const { logger, lines } = memoryLogger();
  const routing: Routing = {
    actionGroups: [{ name: "pager", receivers: ["pagerduty"] }],
    routes: [
      // The owners' pager, with a typo in the circuit's name.
      { name: "prod-owners", match: { circuits: ["er-circiut-prod"] }, actionGroups: ["pager"] },
    ],
  };
  const sweeper = createSweeper({
    reader,
    store,
    sink: new InMemoryEventSink(),
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    routing,
    historyRetentionDays: 30,
    logger,
  });
  await sweeper.sweep({
    scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
    now: new Date("2026-11-22T02:00:00.000Z"),
    abortSignal: AbortSignal.timeout(30_000),
  });
  expect(reader.target.name).not.toBe("er-circiut-prod");
  const warned = lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.level === 40);
  expect(warned).toContainEqual(
    expect.objectContaining({
      setting: 'ERWATCH_ACTION_GROUPS route "prod-owners"',
      circuits: ["er-circiut-prod"],
    }),
  );
});

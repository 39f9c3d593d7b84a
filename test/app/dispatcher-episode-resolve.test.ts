// Found by a review: an earlier episode's resolve is dropped as "stale" at a receiver
// once the next episode's open was sent there. For the webhook, whose
// alertId is per episode (README "Delivery": "new each time the condition
// opens again ... so an ITSM tool never reopens an old ticket"), the first
// episode's ticket then stays Fired for good.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:30:00Z");

const OPEN_1 = event({ id: "erw-abc-1", sequence: 1, episodeId: "erw-abc-1" });
const RESOLVE_1 = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "resolve",
  episodeId: "erw-abc-1",
});
const OPEN_2 = event({ id: "erw-abc-3", sequence: 3, episodeId: "erw-abc-3" });

const msg = (e: AlertEvent) => ({ messageId: e.id, body: e, deliveryCount: 1 });

async function behind(kind: Receiver["kind"]) {
  const heard: string[] = [];
  const receiver: Receiver = {
    name: "r",
    kind,
    send: async (e) => (heard.push(`${e.action} ${e.episodeId}`), { ok: true, status: 200 }),
  };
  const dispatcher = createDispatcher({
    receivers: new Map([["r", receiver]]),
    routing: {
      actionGroups: [{ name: "g", receivers: ["r"] }],
      routes: [{ name: "all", match: {}, actionGroups: ["g"] }],
    },
    deliveries: new MemoryDeliveries(() => NOW),
    retry: RETRY,
    logger: memoryLogger().logger,
    now: () => NOW,
    sleep: async () => undefined,
  });
  const signal = AbortSignal.timeout(10_000);
  await dispatcher.dispatch(msg(OPEN_1), recordingSettlement().s, signal);
  await dispatcher.dispatch(msg(OPEN_2), recordingSettlement().s, signal);
  const outcome = await dispatcher.dispatch(msg(RESOLVE_1), recordingSettlement().s, signal);
  // A copy of the resolve (a redelivery) is not posted twice.
  await dispatcher.dispatch(msg(RESOLVE_1), recordingSettlement().s, signal);
  return { heard, outcome };
}

describe("an earlier episode's resolve behind the next episode's open", () => {
  it("reaches the webhook once: episode 1's ticket (alertId per episode) closes", async () => {
    const { heard, outcome } = await behind("webhook");
    expect(outcome).toMatchObject({ settled: "complete" });
    expect(heard).toEqual(["open erw-abc-1", "open erw-abc-3", "resolve erw-abc-1"]);
  });
  it("is stale at PagerDuty, whose incident is the key's: it would resolve episode 2's", async () => {
    const { heard } = await behind("pagerduty");
    expect(heard).toEqual(["open erw-abc-1", "open erw-abc-3"]);
  });
});

// The webhook (ITSM) is sent no late Fired before a Resolved whose episode
// never Fired there (README "Delivery", Webhook): the late page goes on the
// resolve's pace, and an ITSM endpoint throttling the Fired would have it
// again inside the minute that refused it. The Resolved goes alone, carrying
// when the episode fired and what it was, and the Fired still being retried
// is dropped as stale, never posted after its Resolved.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { InboundMessage } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import {
  buildCommonAlert,
  type CommonAlert,
} from "../../src/adapters/receivers/webhook/payload.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T02:30:00Z");
const OPEN = event({ title: "Both paths down" });
const RESOLVE = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "resolve",
  previousSeverity: "Sev0",
  title: "Both paths down",
  change: "Resolved after 25 min",
  resolution: "both paths up",
  occurredAt: "2026-11-22T02:25:00.000Z",
});

describe("a webhook whose Fired was refused until its episode resolved", () => {
  it("is sent the Resolved alone, saying when it fired, and never the Fired after it", async () => {
    const now = { t: T0 };
    const bodies: CommonAlert[] = [];
    let throttled = true;
    const itsm: Receiver = {
      name: "itsm",
      kind: "webhook",
      send: async (e) => {
        if (throttled)
          return { ok: false, retryable: true, status: 429, retryAfterMs: null, reason: "429" };
        bodies.push(buildCommonAlert(e));
        return { ok: true, status: 200 };
      },
    };
    const dispatcher = createDispatcher({
      receivers: new Map([["itsm", itsm]]),
      routing: {
        actionGroups: [{ name: "itsm", receivers: ["itsm"] }],
        routes: [{ name: "tickets", match: {}, actionGroups: ["itsm"] }],
      },
      deliveries: new MemoryDeliveries(() => new Date(now.t)),
      retry: RETRY,
      logger: memoryLogger().logger,
      now: () => new Date(now.t),
      sleep: async () => {},
      random: () => 0,
    });
    const dispatch = (e: AlertEvent, messageId = e.id) => {
      const message: InboundMessage = { messageId, body: e, deliveryCount: 1 };
      return dispatcher.dispatch(message, recordingSettlement().s, AbortSignal.timeout(10_000));
    };
    // A bare 429: the Fired waits out its pause in a rescheduled copy.
    expect((await dispatch(OPEN)).settled).toBe("rescheduled");
    throttled = false;
    now.t += 2 * 60_000;
    expect(await dispatch(RESOLVE)).toMatchObject({ settled: "complete", delivered: ["itsm"] });
    expect(await dispatch(OPEN, `${OPEN.id}~r1`)).toMatchObject({
      settled: "complete",
      delivered: [],
    });
    expect(bodies.map((b) => b.data.essentials.monitorCondition)).toEqual(["Resolved"]);
    expect(bodies[0]!.data.essentials).toMatchObject({
      firedDateTime: OPEN.firstSeen,
      resolvedDateTime: RESOLVE.occurredAt,
    });
    expect(bodies[0]!.data.alertContext.title).toBe("Both paths down");
  });
});

// The Service Bus–triggered dispatcher as the Functions host runs it: the host
// hands over the body and trigger metadata, completes on return and abandons on
// throw. Dead letters are parked on SERVICEBUS_DEADLETTER_QUEUE through the real
// SDK against the loopback broker.

import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dispatchFunctionDeps,
  dispatchHandler,
  RedeliveryRequested,
} from "../../src/functions/dispatch.js";
import { freePort } from "../support/free-port.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { arpMissingOpen } from "../support/alert-event-fixture.js";
import { ALERTS_QUEUE, PARKING_QUEUE, startWorld, type World } from "../support/world.js";

let azurite: Azurite;
let world: World;
let handler: ReturnType<typeof dispatchHandler>;

beforeAll(async () => {
  azurite = await startAzurite();
  world = await startWorld({
    estate: estateOf(healthyCircuit()),
    azurite,
    now: () => new Date("2026-11-22T02:00:00Z"),
    sleep: async () => undefined,
  });
  // The senders the Function is given (dispatchDeps): each with SERVICEBUS_TIMEOUT_MS.
  handler = dispatchHandler(async () => ({
    dispatcher: world.dispatch.dispatcher,
    ...world.dispatch.senders,
  }));
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
});

function context(
  messageId: string,
  deliveryCount: number,
  more: Record<string, unknown> = {},
): InvocationContext {
  return new InvocationContext({
    invocationId: `inv-${messageId}-${deliveryCount}`,
    triggerMetadata: {
      messageId,
      deliveryCount,
      applicationProperties: { severity: "Sev0" },
      ...more,
    },
  });
}

describe("dispatch function", () => {
  it("returns (the host completes) when every receiver took the event", async () => {
    const event = arpMissingOpen();
    await handler(event, context("m-ok", 1));
    expect(world.pagerduty.requests).toHaveLength(1);
    expect(world.teams.requests).toHaveLength(1);
  });

  it("throws RedeliveryRequested (the host abandons) while a receiver is retryably down, and skips who already has it", async () => {
    // Each test its own alert key: a receiver never hears the same sequence of one alert twice.
    const event = { ...arpMissingOpen(), key: "erw-redeliver", id: "erw-redeliver-1" };
    world.teams.failNext(3, { status: 503 });
    const before = world.pagerduty.requests.length;
    await expect(handler(event, context("m-retry", 1))).rejects.toBeInstanceOf(RedeliveryRequested);
    await handler(event, context("m-retry", 2));
    expect(world.pagerduty.requests.length - before).toBe(1);
  });

  it("reschedules a copy with the message's subject and content type, which topic subscriptions may filter on", async () => {
    // Recent, so within the horizon; PagerDuty asks for two minutes.
    const event = {
      ...arpMissingOpen(),
      key: "erw-subject",
      id: "erw-subject-1",
      occurredAt: "2026-11-22T02:00:00.000Z",
    };
    world.pagerduty.failNext(1, { status: 429, retryAfter: "120" });
    await handler(
      event,
      context("erw-subject-1", 1, { subject: "open", contentType: "application/json" }),
    );
    const copy = world.broker
      .scheduled(ALERTS_QUEUE)
      .find((m) => m.messageId === "erw-subject-1~r1");
    // Without its subject, a subscription filtered on it would never receive the copy.
    expect(copy).toMatchObject({ subject: "open", contentType: "application/json" });
    expect(copy!.applicationProperties).toMatchObject({ severity: "Sev0", erwatchRescheduled: 1 });
  });

  it("counts the last redelivery's horizon from when Service Bus took the message (the trigger's zone-less UTC time), not from an event that waited in the outbox", async () => {
    // Decided two hours ago; the broker was down, the outbox sent it two minutes ago.
    const event = {
      ...arpMissingOpen(),
      key: "erw-backlog",
      id: "erw-backlog-1",
      occurredAt: "2026-11-22T00:00:00.000Z",
    };
    world.pagerduty.failNext(3, { status: 503 });
    await handler(
      event,
      context("erw-backlog-1", 5, { enqueuedTimeUtc: "2026-11-22T01:58:00.000" }),
    );
    const copy = world.broker
      .scheduled(ALERTS_QUEUE)
      .find((m) => m.messageId === "erw-backlog-1~r1");
    expect(copy?.applicationProperties).toMatchObject({
      erwatchFirstDispatchedAt: "2026-11-22T01:58:00.000Z",
    });
    expect(world.broker.accepted(PARKING_QUEUE).map((m) => m.messageId)).not.toContain(
      "erw-backlog-1",
    );
  });

  it("parks a poison message with the reason and returns, so the host never retries it", async () => {
    await handler("{not json", context("m-poison", 1));
    await world.broker.waitForAccepted(PARKING_QUEUE, 1, 5_000);
    const parked = world.broker.accepted(PARKING_QUEUE);
    expect(parked.map((m) => m.messageId)).toEqual(["m-poison"]);
    expect(parked[0]!.applicationProperties).toMatchObject({ severity: "Sev0" });
    expect(parked[0]!.applicationProperties.DeadLetterReason).toBeTruthy();
    expect(parked[0]!.body).toBe("{not json");
  });

  it("parks with the message's subject and content type, as Service Bus keeps them on its own dead letters", async () => {
    const before = world.broker.accepted(PARKING_QUEUE).length;
    await handler(
      "{not json",
      context("m-poison-subject", 1, { subject: "open", contentType: "text/plain" }),
    );
    await world.broker.waitForAccepted(PARKING_QUEUE, before + 1, 5_000);
    const parked = world.broker
      .accepted(PARKING_QUEUE)
      .find((m) => m.messageId === "m-poison-subject");
    // Without them a subscription or tool filtering parked events on the action misses this one.
    expect(parked).toMatchObject({ subject: "open", contentType: "text/plain" });
  });

  it("parks the event after the last delivery naming the receiver", async () => {
    const event = { ...arpMissingOpen(), key: "erw-last", id: "erw-last-1" };
    world.pagerduty.failNext(3, { status: 500 });
    // DISPATCH_MAX_DELIVERIES is 3 in the world, and the fixture's event is
    // months old: past DISPATCH_RETRY_HORIZON_MINUTES, so it is not rescheduled.
    await handler(event, context("m-last", 3));
    await world.broker.waitForAccepted(PARKING_QUEUE, 2, 5_000);
    const parked = world.broker.accepted(PARKING_QUEUE).at(-1)!;
    expect(parked.messageId).toBe("m-last");
    expect(parked.applicationProperties.DeadLetterReason).toBe("ReceiverUnavailable");
    expect(String(parked.applicationProperties.DeadLetterErrorDescription)).toMatch(
      /receiver pagerduty \(pagerduty\).*500/,
    );
  });

  it("cuts an over-long dead-letter description the same way as `erwatch dispatch`'s consumer", async () => {
    // Service Bus takes 4,096 characters of it; a version field of 10,000 is echoed into it.
    const poison = JSON.stringify({ version: "v".repeat(10_000) });
    const before = world.broker.accepted(PARKING_QUEUE).length;
    await handler(poison, context("m-long-fn", 1));
    await world.broker.waitForAccepted(PARKING_QUEUE, before + 1, 5_000);
    const parked = world.broker.accepted(PARKING_QUEUE).find((m) => m.messageId === "m-long-fn")!;
    const sender = world.dispatch.serviceBus.createSender(ALERTS_QUEUE);
    await sender.sendMessages({ messageId: "m-long-sdk", body: poison });
    await sender.close();
    await world.dispatchPending();
    const deadLettered = world.broker
      .deadLettered(ALERTS_QUEUE)
      .find((m) => m.messageId === "m-long-sdk")!;
    const viaConsumer = deadLettered.deadLetterErrorDescription ?? "";
    expect(deadLettered.deadLetterReason).toBe("UnknownVersion");
    expect(viaConsumer).toMatch(/^alert event version "vvv/);
    expect(viaConsumer.length).toBeLessThanOrEqual(4_096);
    expect(viaConsumer.endsWith("…")).toBe(true);
    expect(parked.applicationProperties.DeadLetterErrorDescription).toBe(viaConsumer);
  });
});

describe("dispatch function, Service Bus not answering (the SDK's own retry defaults)", () => {
  it("a dead letter it cannot park fails the invocation within SERVICEBUS_TIMEOUT_MS (the host redelivers), and parks once Service Bus answers", async () => {
    const w = await startWorld({
      estate: estateOf(healthyCircuit()),
      azurite,
      now: () => new Date("2026-11-22T02:00:00Z"),
      sleep: async () => undefined,
      env: { SERVICEBUS_TIMEOUT_MS: "1000" },
      serviceBusOptions: {},
    });
    try {
      const run = dispatchHandler(async () => ({
        dispatcher: w.dispatch.dispatcher,
        ...w.dispatch.senders,
      }));
      w.broker.hang(true);
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("still waiting after 25 s")), 25_000);
      });
      await expect(Promise.race([run("{not json", context("m-hung", 1)), bound])).rejects.toThrow(
        /sending message m-hung to .* failed: Service Bus did not answer within 1000 ms \(SERVICEBUS_TIMEOUT_MS\)$/,
      );
      clearTimeout(timer);
      w.broker.hang(false);
      // The host redelivers it: parked now, on a connection opened afresh.
      await run("{not json", context("m-hung", 2));
      await w.broker.waitForAccepted(PARKING_QUEUE, 1, 5_000);
      expect(new Set(w.broker.accepted(PARKING_QUEUE).map((m) => m.messageId))).toEqual(
        new Set(["m-hung"]),
      );
    } finally {
      w.broker.hang(false);
      await w.close();
    }
  }, 60_000);

  it("a cold start while Table Storage does not answer tries every delivery and reschedules it (it threw before any receiver: ten deliveries, then a dead letter with no reason)", async () => {
    // Nothing listens there: every Table Storage call is refused.
    const port = await freePort();
    const env = {
      ...world.env,
      ERWATCH_STORAGE: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`),
      STORAGE_TIMEOUT_MS: "300",
      LOG_LEVEL: "silent",
    };
    // As the host builds them on the first message: no throw while the table cannot be made.
    const deps = await dispatchFunctionDeps(env);
    const run = dispatchHandler(async () => deps);
    const before = world.broker.accepted(ALERTS_QUEUE).length;
    const event = {
      ...arpMissingOpen(),
      id: "erw-cold-1",
      key: "erw-cold",
      occurredAt: new Date().toISOString(),
    };
    // Within the burst the host redelivers it; after it, a copy is scheduled.
    await expect(run(event, context("m-cold", 1))).rejects.toBeInstanceOf(RedeliveryRequested);
    await run(event, context("m-cold", 5 /* DISPATCH_MAX_DELIVERIES */));
    const copies = world.broker.accepted(ALERTS_QUEUE).slice(before);
    expect(copies.map((m) => m.messageId)).toEqual(["erw-cold-1~r1"]);
    expect(world.pagerduty.requests.filter((r) => JSON.stringify(r).includes("erw-cold"))).toEqual(
      [],
    );
  }, 30_000);
});

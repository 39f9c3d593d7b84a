// The test broker, exercised only through the real @azure/service-bus client:
// if these pass, code under test talks to the broker exactly as it would talk
// to Service Bus for send, receive and settlement.

import {
  ServiceBusClient,
  isServiceBusError,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusReceiverOptions,
} from "@azure/service-bus";
import { afterEach, describe, expect, it } from "vitest";
import { startBroker, type AmqpBroker, type StartBrokerOptions } from "./amqp-broker/broker.js";

const clientCleanups: Array<() => Promise<void>> = [];
const brokerCleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Clients first, then brokers: the SDK's close() waits for the peer's close frame, so
  // closing a client whose broker is already gone would hang.
  for (const list of [clientCleanups, brokerCleanups]) {
    for (let cleanup = list.pop(); cleanup; cleanup = list.pop()) await cleanup();
  }
});

async function broker(options: StartBrokerOptions = {}): Promise<AmqpBroker> {
  const started = await startBroker(options);
  brokerCleanups.push(() => started.stop());
  return started;
}

function client(target: AmqpBroker, timeoutInMs = 5_000): ServiceBusClient {
  const sb = new ServiceBusClient(target.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs },
  });
  clientCleanups.push(() => sb.close());
  return sb;
}

function receiver(
  sb: ServiceBusClient,
  entity: string,
  options: ServiceBusReceiverOptions = {},
): ServiceBusReceiver {
  return sb.createReceiver(entity, { ...options, maxAutoLockRenewalDurationInMs: 0 });
}

function subscriptionReceiver(sb: ServiceBusClient, topic: string, name: string) {
  return sb.createReceiver(topic, name, { maxAutoLockRenewalDurationInMs: 0 });
}

/** Receives until `count` messages arrived or `timeoutMs` passed, using only the SDK's own bounded waits. */
async function receive(
  from: ServiceBusReceiver,
  count: number,
  timeoutMs = 5_000,
): Promise<ServiceBusReceivedMessage[]> {
  const got: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const maxWaitTimeInMs = Math.max(50, deadline - Date.now());
    got.push(...(await from.receiveMessages(count - got.length, { maxWaitTimeInMs })));
  }
  return got;
}

const ids = (messages: { messageId?: unknown }[]) => messages.map((m) => m.messageId);

/** The Service Bus error code an operation fails with; throws when it succeeds or fails otherwise. */
async function codeOf(operation: Promise<unknown>): Promise<string> {
  const error = await operation.then(
    () => {
      throw new Error("expected the operation to fail");
    },
    (e: unknown) => e,
  );
  if (!isServiceBusError(error)) throw error;
  return error.code;
}

describe("test AMQP broker, through the real Service Bus client", () => {
  it("round-trips single and batched sends to a peek-lock receiver", async () => {
    const b = await broker({ queues: ["alerts"] });
    const sb = client(b);
    const sender = sb.createSender("alerts");

    await sender.sendMessages({
      body: { circuit: "er-1", severity: "sev2" },
      messageId: "m-1",
      subject: "CircuitDown",
      contentType: "application/json",
      applicationProperties: { layer: "bgp", attempt: 3, urgent: true },
    });
    const batch = await sender.createMessageBatch();
    expect(batch.tryAddMessage({ body: "two", messageId: "m-2", subject: "s2" })).toBe(true);
    expect(batch.tryAddMessage({ body: { n: 3 }, messageId: "m-3" })).toBe(true);
    await sender.sendMessages(batch);

    expect(ids(b.accepted("alerts"))).toEqual(["m-1", "m-2", "m-3"]);
    expect(b.accepted("alerts")[0]).toEqual({
      messageId: "m-1",
      subject: "CircuitDown",
      body: { circuit: "er-1", severity: "sev2" },
      applicationProperties: { layer: "bgp", attempt: 3, urgent: true },
      contentType: "application/json",
      deliveryCount: 0,
    });
    expect(ids(b.active("alerts"))).toEqual(["m-1", "m-2", "m-3"]);

    const peekLock = receiver(sb, "alerts");
    const got = await receive(peekLock, 3);
    expect(ids(got)).toEqual(["m-1", "m-2", "m-3"]);
    const [first, second, third] = got;
    expect(first).toMatchObject({
      body: { circuit: "er-1", severity: "sev2" },
      subject: "CircuitDown",
      contentType: "application/json",
      applicationProperties: { layer: "bgp", attempt: 3, urgent: true },
      deliveryCount: 0,
    });
    expect(second).toMatchObject({ body: "two", subject: "s2" });
    expect(third?.body).toEqual({ n: 3 });
    expect(first?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.sequenceNumber?.toNumber()).toBe(1);
    expect(first?.lockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    expect(first?.enqueuedTimeUtc).toBeInstanceOf(Date);
    // Locked messages are not active.
    expect(b.active("alerts")).toEqual([]);

    for (const message of got) await peekLock.completeMessage(message);
    expect(b.active("alerts")).toEqual([]);
    expect(await peekLock.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
  });

  it("completes, abandons (delivery count + 1) and dead-letters with reason", async () => {
    const b = await broker({ queues: ["alerts"] });
    const sb = client(b);
    await sb.createSender("alerts").sendMessages([
      { body: "a", messageId: "a" },
      { body: "b", messageId: "b" },
      { body: "c", messageId: "c" },
    ]);
    const peekLock = receiver(sb, "alerts");
    const [a, bee, c] = await receive(peekLock, 3);
    if (!a || !bee || !c) throw new Error("expected three messages");
    // Out on their locks until each is settled, whichever way: settled once the SDK's call returns.
    expect(b.locked("alerts")).toBe(3);

    await peekLock.completeMessage(a);
    expect(b.locked("alerts")).toBe(2);
    await peekLock.abandonMessage(bee);
    expect(b.locked("alerts")).toBe(1);
    await peekLock.deadLetterMessage(c, {
      deadLetterReason: "PoisonPayload",
      deadLetterErrorDescription: "body did not parse",
    });
    expect(b.locked("alerts")).toBe(0);

    expect(b.active("alerts")).toMatchObject([{ messageId: "b", deliveryCount: 1 }]);
    expect(b.deadLettered("alerts")).toMatchObject([
      {
        messageId: "c",
        body: "c",
        deadLetterReason: "PoisonPayload",
        deadLetterErrorDescription: "body did not parse",
      },
    ]);

    const [again] = await receive(peekLock, 1);
    expect(again).toMatchObject({ messageId: "b", body: "b", deliveryCount: 1 });
    expect(b.locked("alerts")).toBe(1);
    if (again) await peekLock.completeMessage(again);
    expect(b.locked("alerts")).toBe(0);

    const deadLetters = receiver(sb, "alerts", { subQueueType: "deadLetter" });
    const [dead] = await receive(deadLetters, 1);
    expect(dead).toMatchObject({
      messageId: "c",
      body: "c",
      deadLetterReason: "PoisonPayload",
      deadLetterErrorDescription: "body did not parse",
      deadLetterSource: "alerts",
    });
    if (dead) await deadLetters.completeMessage(dead);

    expect(b.active("alerts")).toEqual([]);
    expect(b.deadLettered("alerts")).toEqual([]);
  });

  it("redelivers when the lock expires, and a late settle fails with lock lost", async () => {
    // Locks long enough that none runs out on its own: the test expires the first.
    const b = await broker({ queues: ["alerts"], lockDurationMs: 60_000 });
    const sb = client(b);
    await sb.createSender("alerts").sendMessages({ body: "x", messageId: "x" });
    const peekLock = receiver(sb, "alerts");

    const [held] = await receive(peekLock, 1);
    if (!held) throw new Error("expected a message");
    expect(b.expireLocks("alerts")).toBe(1);
    // The next receive waits (bounded) for the broker to redeliver.
    const [redelivered] = await receive(peekLock, 1, 5_000);
    expect(redelivered).toMatchObject({ messageId: "x", deliveryCount: 1 });

    const late = await peekLock.completeMessage(held).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isServiceBusError(late) && late.code).toBe("MessageLockLost");
    expect(await codeOf(peekLock.renewMessageLock(held))).toBe("MessageLockLost");
    if (redelivered) await peekLock.completeMessage(redelivered);
    expect(b.active("alerts")).toEqual([]);
    expect(b.completed("alerts")).toMatchObject([{ messageId: "x", deliveryCount: 2 }]);
  });

  it("renews a message lock for another lock duration, and not once the message is settled", async () => {
    const b = await broker({ queues: ["alerts"], lockDurationMs: 20_000 });
    const sb = client(b);
    await sb.createSender("alerts").sendMessages({ body: "x", messageId: "x" });
    const peekLock = receiver(sb, "alerts");
    const [held] = await receive(peekLock, 1);
    if (!held) throw new Error("expected a message");

    const before = Date.now();
    const renewed = await peekLock.renewMessageLock(held);
    const after = Date.now();
    expect(renewed.getTime()).toBeGreaterThanOrEqual(before + 20_000);
    expect(renewed.getTime()).toBeLessThanOrEqual(after + 20_000);
    expect(held.lockedUntilUtc).toEqual(renewed);
    expect(b.lockRenewals("alerts")).toBe(1);

    await peekLock.completeMessage(held);
    expect(b.completed("alerts")).toMatchObject([{ messageId: "x", deliveryCount: 1 }]);
    expect(await codeOf(peekLock.renewMessageLock(held))).toBe("MessageLockLost");
    expect(b.lockRenewals("alerts")).toBe(1);
  });

  it("receive-and-delete removes on delivery", async () => {
    const b = await broker();
    const sb = client(b);
    await sb.createSender("jobs").sendMessages({ body: 1, messageId: "j-1" });
    const got = await receive(receiver(sb, "jobs", { receiveMode: "receiveAndDelete" }), 1);
    expect(got).toMatchObject([{ messageId: "j-1", body: 1 }]);
    expect(b.active("jobs")).toEqual([]);
  });

  it("drops a duplicate message id within the window and counts it", async () => {
    const b = await broker({ queues: ["alerts"] });
    const sb = client(b);
    const sender = sb.createSender("alerts");
    await sender.sendMessages({ body: "first", messageId: "dup" });
    await sender.sendMessages({ body: "second", messageId: "dup" });
    await sender.sendMessages({ body: "other", messageId: "other" });

    expect(b.accepted("alerts")).toMatchObject([{ body: "first" }, { body: "other" }]);
    expect(b.duplicatesDropped("alerts")).toBe(1);

    const peekLock = receiver(sb, "alerts");
    const got = await receive(peekLock, 2);
    expect(got.map((m) => m.body)).toEqual(["first", "other"]);
    for (const message of got) await peekLock.completeMessage(message);

    // Still inside the window after the original was completed.
    await sender.sendMessages({ body: "third", messageId: "dup" });
    expect(b.duplicatesDropped("alerts")).toBe(2);
    expect(await peekLock.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
  });

  it("does not deduplicate with a zero window", async () => {
    const b = await broker({ duplicateDetectionWindowMs: 0 });
    const sender = client(b).createSender("alerts");
    await sender.sendMessages({ body: 1, messageId: "same" });
    await sender.sendMessages({ body: 2, messageId: "same" });
    expect(b.accepted("alerts")).toHaveLength(2);
    expect(b.duplicatesDropped("alerts")).toBe(0);
  });

  it("dead-letters with MaxDeliveryCountExceeded after too many deliveries", async () => {
    const b = await broker({ queues: ["alerts"], maxDeliveryCount: 3 });
    const sb = client(b);
    await sb.createSender("alerts").sendMessages({ body: "flaky", messageId: "f" });
    const peekLock = receiver(sb, "alerts");

    for (const expectedCount of [0, 1, 2]) {
      const [message] = await receive(peekLock, 1);
      expect(message).toMatchObject({ messageId: "f", deliveryCount: expectedCount });
      if (message) await peekLock.abandonMessage(message);
    }

    expect(b.active("alerts")).toEqual([]);
    expect(b.deadLettered("alerts")).toMatchObject([
      { messageId: "f", deadLetterReason: "MaxDeliveryCountExceeded" },
    ]);
    const [dead] = await receive(receiver(sb, "alerts", { subQueueType: "deadLetter" }), 1);
    expect(dead).toMatchObject({ messageId: "f", deadLetterReason: "MaxDeliveryCountExceeded" });
  });

  it("fans a topic out to every subscription", async () => {
    const b = await broker({ topics: { events: ["pager", "audit"] } });
    const sb = client(b);
    await sb.createSender("events").sendMessages([
      { body: "e1", messageId: "e1" },
      { body: "e2", messageId: "e2" },
    ]);

    expect(ids(b.accepted("events"))).toEqual(["e1", "e2"]);
    expect(ids(b.accepted("events/Subscriptions/pager"))).toEqual(["e1", "e2"]);
    expect(ids(b.active("events/Subscriptions/audit"))).toEqual(["e1", "e2"]);

    for (const name of ["pager", "audit"]) {
      const sub = subscriptionReceiver(sb, "events", name);
      const got = await receive(sub, 2);
      expect(ids(got)).toEqual(["e1", "e2"]);
      for (const message of got) await sub.completeMessage(message);
      expect(b.active(`events/Subscriptions/${name}`)).toEqual([]);
    }
  });

  it("waitForAccepted resolves from the accept event and rejects on its deadline", async () => {
    const b = await broker();
    const waiting = b.waitForAccepted("later", 2, 5_000);
    const sender = client(b).createSender("later");
    await sender.sendMessages([{ body: 1 }, { body: 2 }]);
    await expect(waiting).resolves.toBeUndefined();
    await expect(b.waitForAccepted("later", 3, 100)).rejects.toThrow(/have 2/);
  });

  it("goes down on stop and comes back on the same port", async () => {
    const first = await broker({ queues: ["alerts"] });
    const port = first.port;
    const before = client(first, 2_000);
    const oldSender = before.createSender("alerts");
    await oldSender.sendMessages({ body: "before", messageId: "m-before" });

    await first.stop();
    await expect(oldSender.sendMessages({ body: "lost" })).rejects.toThrow();

    const second = await broker({ port, queues: ["alerts"] });
    expect(second.connectionString).toBe(first.connectionString);
    const after = client(second, 2_000);
    await after.createSender("alerts").sendMessages({ body: "after", messageId: "m-after" });
    expect(ids(second.accepted("alerts"))).toEqual(["m-after"]);

    // The old client and sender reconnect on their own once the broker is back.
    await oldSender.sendMessages({ body: "old client", messageId: "m-old" });
    expect(ids(second.accepted("alerts"))).toEqual(["m-after", "m-old"]);
  });
});

describe("sessions (a session receiver holds one session's messages)", () => {
  it("gives two receivers two different sessions, each only its own messages, and frees a session when its receiver closes", async () => {
    const b = await broker({ queues: ["work"] });
    const sb = client(b);
    await sb.createSender("work").sendMessages([
      { body: "a1", sessionId: "sub-a" },
      { body: "b1", sessionId: "sub-b" },
      { body: "a2", sessionId: "sub-a" },
    ]);
    const first = await sb.acceptNextSession("work", { maxAutoLockRenewalDurationInMs: 0 });
    const second = await sb.acceptNextSession("work", { maxAutoLockRenewalDurationInMs: 0 });
    expect([first.sessionId, second.sessionId].sort()).toEqual(["sub-a", "sub-b"]);
    expect(first.sessionLockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    const a = first.sessionId === "sub-a" ? first : second;
    const got = await receive(a, 2);
    expect(got.map((m) => m.body)).toEqual(["a1", "a2"]);
    expect(got.every((m) => m.sessionId === "sub-a")).toBe(true);
    for (const m of got) await a.completeMessage(m);
    // Every session is held: a third receiver gets none.
    await expect(
      sb.acceptNextSession("work", { maxAutoLockRenewalDurationInMs: 0 }),
    ).rejects.toBeTruthy();
    const b2 = first.sessionId === "sub-b" ? first : second;
    await b2.close();
    const again = await sb.acceptSession("work", "sub-b", { maxAutoLockRenewalDurationInMs: 0 });
    expect((await receive(again, 1)).map((m) => m.body)).toEqual(["b1"]);
  });

  it("renews a session lock; one that runs out detaches its receiver with SessionLockLost and frees the session", async () => {
    const b = await broker({ queues: ["work"], lockDurationMs: 1_000 });
    const sb = client(b);
    await sb.createSender("work").sendMessages({ body: "w", messageId: "w", sessionId: "sub-a" });
    const first = await sb.acceptSession("work", "sub-a", { maxAutoLockRenewalDurationInMs: 0 });
    const [held] = await receive(first, 1);
    if (!held) throw new Error("expected a message");
    // A session's messages are locked by the session's lock.
    expect(held.lockedUntilUtc).toEqual(first.sessionLockedUntilUtc);

    const before = Date.now();
    const renewed = await first.renewSessionLock();
    const after = Date.now();
    expect(renewed.getTime()).toBeGreaterThanOrEqual(before + 1_000);
    expect(renewed.getTime()).toBeLessThanOrEqual(after + 1_000);
    expect(first.sessionLockedUntilUtc).toEqual(renewed);
    expect(b.lockRenewals("work")).toBe(1);

    // Not renewed again: the broker detaches the receiver, which ends this (bounded) receive.
    expect(await codeOf(first.receiveMessages(1, { maxWaitTimeInMs: 10_000 }))).toBe(
      "SessionLockLost",
    );
    expect(await codeOf(first.completeMessage(held))).toBe("SessionLockLost");
    // The receiver now refuses on its own; the management client shows what the broker answers.
    const management = (
      first as unknown as {
        _context: {
          getManagementClient(entity: string): {
            renewSessionLock(session: string, options: { timeoutInMs: number }): Promise<Date>;
          };
        };
      }
    )._context.getManagementClient("work");
    expect(await codeOf(management.renewSessionLock("sub-a", { timeoutInMs: 2_000 }))).toBe(
      "SessionLockLost",
    );

    const second = await sb.acceptNextSession("work", { maxAutoLockRenewalDurationInMs: 0 });
    expect(second.sessionId).toBe("sub-a");
    const [again] = await receive(second, 1);
    expect(again).toMatchObject({ messageId: "w", deliveryCount: 1 });
    if (again) await second.completeMessage(again);
    expect(b.completed("work")).toMatchObject([{ messageId: "w", deliveryCount: 2 }]);
  });
});

// erwatch's own Service Bus consumers (outside the Functions host, which
// renews locks itself) keep their locks while a dispatch or a batch of deep
// reads outlasts the lock duration: the message is settled once, never
// redelivered, and a session is not handed to a second worker meanwhile. The
// loopback broker runs locks out on a short lock duration; each handler is
// held until the broker has renewed the lock several times, so it holds its
// message several lock durations without racing a timer of its own.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { EventConsumer } from "../../src/adapters/servicebus/consumer.js";
import { drainOneSession } from "../../src/adapters/servicebus/work-queue.js";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const LOCK_MS = 2_000;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Clients before their broker: closing a client whose broker is gone waits for a close frame.
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

async function broker(queue: string): Promise<AmqpBroker> {
  const started = await startBroker({ queues: [queue], lockDurationMs: LOCK_MS });
  cleanups.push(() => started.stop());
  return started;
}

/** One worker's connection. */
function client(target: AmqpBroker): ServiceBusClient {
  const sb = new ServiceBusClient(target.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
  });
  cleanups.push(() => sb.close());
  return sb;
}

/** Waits (bounded) for `count` renewals; a failed wait is kept for the test to report, not thrown into the consumer. */
async function heldUntilRenewed(
  b: AmqpBroker,
  entity: string,
  count: number,
  failures: unknown[],
): Promise<void> {
  await b.waitForLockRenewals(entity, count, 12_000).catch((e: unknown) => failures.push(e));
}

it("erwatch dispatch keeps a batch's locks through a dispatch several lock durations long: each event settled once, never redelivered", async () => {
  const b = await broker("alerts");
  const sb = client(b);
  await sb.createSender("alerts").sendMessages([
    { body: { n: 1 }, messageId: "m-1" },
    { body: { n: 2 }, messageId: "m-2" },
  ]);
  const { logger, records } = memoryLogger();
  const seen: { messageId: string; deliveryCount: number }[] = [];
  const waits: unknown[] = [];
  let heldMs = 0;
  const dispatcher: Dispatcher = {
    dispatch: async (message, settlement) => {
      seen.push({ messageId: message.messageId, deliveryCount: message.deliveryCount });
      if (message.messageId === "m-1" && seen.length === 1) {
        const start = Date.now();
        // Both locks are renewed about every half lock duration: ten renewals take some 2.5 durations.
        await heldUntilRenewed(b, "alerts", 10, waits);
        heldMs = Date.now() - start;
      }
      await settlement.complete();
      return { settled: "complete", delivered: [], skipped: [] };
    },
  };
  const consumer = new EventConsumer(sb, dispatcher, {
    entity: "alerts",
    subscription: null,
    logger,
    maxWaitTimeInMs: 1_000,
    longestDispatchMs: 60_000,
    timeoutMs: 5_000,
  });
  cleanups.push(() => consumer.close());
  const signal = AbortSignal.timeout(30_000);

  const received = await consumer.drainOnce(signal);
  // Anything that came back would be received here.
  const receivedAgain = await consumer.drainOnce(signal);

  expect(seen).toEqual([
    { messageId: "m-1", deliveryCount: 1 },
    { messageId: "m-2", deliveryCount: 1 },
  ]);
  expect([received, receivedAgain]).toEqual([2, 0]);
  expect(waits).toEqual([]);
  // m-1 was dispatched for over two lock durations (m-2, another alert, beside it).
  expect(heldMs).toBeGreaterThan(2 * LOCK_MS);
  expect(
    b
      .completed("alerts")
      .map((m) => ({ messageId: m.messageId, deliveryCount: m.deliveryCount }))
      .sort((x, y) => String(x.messageId).localeCompare(String(y.messageId))),
  ).toEqual([
    { messageId: "m-1", deliveryCount: 1 },
    { messageId: "m-2", deliveryCount: 1 },
  ]);
  expect(b.active("alerts")).toEqual([]);
  expect(records().filter((r) => Number(r.level) >= 50)).toEqual([]);
});

it("a fan-out worker keeps its session through work several lock durations long: no second worker gets the subscription meanwhile", async () => {
  const b = await broker("work");
  const first = client(b);
  const second = client(b);
  await first.createSender("work").sendMessages([
    { body: "w-1", messageId: "w-1", sessionId: "sub-a" },
    { body: "w-2", messageId: "w-2", sessionId: "sub-a" },
  ]);
  const signal = AbortSignal.timeout(40_000);
  const errors: unknown[] = [];
  const waits: unknown[] = [];
  const byFirst: unknown[] = [];
  const bySecond: unknown[] = [];
  const secondTook: number[] = [];
  let heldMs = 0;
  const secondWorker = () =>
    drainOneSession(second, "work", async (body) => void bySecond.push(body), {
      abortSignal: signal,
      maxWaitTimeInMs: 200,
      onError: (e) => errors.push(e),
    });

  // Kept, not thrown: what the second worker got says more than how the first one ended.
  const handled = await drainOneSession(
    first,
    "work",
    async (body) => {
      byFirst.push(body);
      if (body !== "w-1") return;
      const start = Date.now();
      // Past the first lock duration: another worker asks for a session.
      await heldUntilRenewed(b, "work", 3, waits);
      secondTook.push(await secondWorker());
      await heldUntilRenewed(b, "work", 5, waits);
      heldMs = Date.now() - start;
      secondTook.push(await secondWorker());
    },
    { abortSignal: signal, maxWaitTimeInMs: 200, onError: (e) => errors.push(e) },
  ).catch((e: unknown) => e);

  expect(bySecond).toEqual([]);
  expect(secondTook).toEqual([0, 0]);
  expect(byFirst).toEqual(["w-1", "w-2"]);
  expect(handled).toBe(2);
  expect(errors).toEqual([]);
  expect(waits).toEqual([]);
  expect(heldMs).toBeGreaterThan(2 * LOCK_MS);
  expect(b.completed("work")).toMatchObject([
    { messageId: "w-1", deliveryCount: 1 },
    { messageId: "w-2", deliveryCount: 1 },
  ]);
  expect(b.active("work")).toEqual([]);
});

it("a fan-out worker takes no more of a session after maxHandleMs, so its renewal bound covers what it took; the rest waits for the next drain", async () => {
  const b = await broker("work");
  const sb = client(b);
  await sb.createSender("work").sendMessages([
    { body: "w-1", messageId: "w-1", sessionId: "sub-a" },
    { body: "w-2", messageId: "w-2", sessionId: "sub-a" },
  ]);
  const signal = AbortSignal.timeout(20_000);
  const handled: unknown[] = [];
  const errors: unknown[] = [];
  // The workers' clock, moved by each batch past maxHandleMs.
  const time = manualTime(Date.now());
  const slow = async (body: unknown) => {
    handled.push(body);
    time.advance(101);
  };
  const options = {
    abortSignal: signal,
    maxWaitTimeInMs: 200,
    maxHandleMs: 100,
    onError: (e: unknown) => errors.push(e),
    time,
  };

  expect(await drainOneSession(sb, "work", slow, options)).toBe(1);
  expect(handled).toEqual(["w-1"]);
  expect(b.active("work")).toMatchObject([{ messageId: "w-2", deliveryCount: 0 }]);
  expect(await drainOneSession(sb, "work", slow, options)).toBe(1);
  expect(handled).toEqual(["w-1", "w-2"]);
  expect(errors).toEqual([]);
  expect(b.completed("work")).toMatchObject([
    { messageId: "w-1", deliveryCount: 1 },
    { messageId: "w-2", deliveryCount: 1 },
  ]);
});

it("a fan-out worker counts maxHandleMs on the workers' clock: standing still, it takes the session's next batch however long the last one took on the machine's", async () => {
  const b = await broker("work");
  const sb = client(b);
  await sb.createSender("work").sendMessages([
    { body: "w-1", messageId: "w-1", sessionId: "sub-a" },
    { body: "w-2", messageId: "w-2", sessionId: "sub-a" },
  ]);
  const handled: unknown[] = [];
  const errors: unknown[] = [];
  // Each batch takes five times maxHandleMs of real time, none of the workers' clock.
  const handle = async (body: unknown) => {
    handled.push(body);
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const taken = await drainOneSession(sb, "work", handle, {
    abortSignal: AbortSignal.timeout(20_000),
    maxWaitTimeInMs: 200,
    maxHandleMs: 10,
    onError: (e: unknown) => errors.push(e),
    time: manualTime(Date.now()),
  });
  expect(taken).toBe(2);
  expect(handled).toEqual(["w-1", "w-2"]);
  expect(errors).toEqual([]);
});

it("a fan-out worker outside the host finds no session free as nothing to do, and a fault taking one as a fault", async () => {
  const b = await broker("work");
  const sb = client(b);
  const handle = async () => undefined;
  const options = { abortSignal: new AbortController().signal, maxWaitTimeInMs: 200 };
  // Nothing queued: the accept times out, which is an idle queue.
  expect(await drainOneSession(sb, "work", handle, options)).toBe(0);
  // A client that cannot talk to Service Bus any more is not an idle queue.
  await sb.close();
  await expect(drainOneSession(sb, "work", handle, options)).rejects.toThrow(
    /^taking a session of work failed: /,
  );
});

// erwatch's own Service Bus consumer (outside the Functions host, which
// renews locks itself) keeps its locks while a dispatch outlasts the lock
// duration: the message is settled once, never redelivered. The loopback
// broker runs locks out on a short lock duration; the handler is held until
// the broker has renewed the locks several times, so it holds its message
// several lock durations without racing a timer of its own.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { EventConsumer } from "../../src/adapters/servicebus/consumer.js";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";
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
  // m-1 was dispatched for over two lock durations, and m-2 waited locked as long.
  expect(heldMs).toBeGreaterThan(2 * LOCK_MS);
  expect(b.completed("alerts")).toMatchObject([
    { messageId: "m-1", deliveryCount: 1 },
    { messageId: "m-2", deliveryCount: 1 },
  ]);
  expect(b.active("alerts")).toEqual([]);
  expect(records().filter((r) => Number(r.level) >= 50)).toEqual([]);
});

// `erwatch dispatch` takes a batch of alert events at once: different alerts
// are dispatched side by side, one alert's events in the order received. In
// turn, a receiver that never answers (some 33 s a delivery with the defaults)
// held every later page of the batch behind it.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { EventConsumer } from "../../src/adapters/servicebus/consumer.js";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { NO_TURN, ReceiverTurns } from "../../src/app/dispatch/receiver-turns.js";
import { startBroker } from "../support/amqp-broker/broker.js";
import { memoryLogger } from "../support/test-logger.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

it("dispatches other alerts' events while one alert's delivery hangs, and one alert's events in turn", async () => {
  const broker = await startBroker({ queues: ["alerts"] });
  cleanups.push(() => broker.stop());
  const sb = new ServiceBusClient(broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
  });
  cleanups.push(() => sb.close());
  await sb.createSender("alerts").sendMessages([
    { body: { key: "erw-slow", sequence: 1 }, messageId: "slow-1" },
    { body: { key: "erw-slow", sequence: 2 }, messageId: "slow-2" },
    { body: JSON.stringify({ key: "erw-b", sequence: 1 }), messageId: "b-1" },
    { body: { key: "erw-c", sequence: 1 }, messageId: "c-1" },
  ]);

  const started: string[] = [];
  const finished: string[] = [];
  let release!: () => void;
  const slowHeld = new Promise<void>((resolve) => (release = resolve));
  let othersDone!: () => void;
  const bothOthers = new Promise<void>((resolve) => (othersDone = resolve));
  const body = (m: { body: unknown }) =>
    (typeof m.body === "string" ? JSON.parse(m.body) : m.body) as { key: string };
  // Posts to its one receiver in turn when the consumer asks for order, as the real one does.
  const turns = new ReceiverTurns();
  const dispatcher: Dispatcher = {
    dispatch: async (message, settlement, _signal, ordered) => {
      const turn = ordered ? turns.take(body(message).key, ["receiver"]) : NO_TURN;
      try {
        await turn.wait("receiver");
        started.push(message.messageId);
        // The first event of the slow alert waits until both other alerts were delivered.
        if (message.messageId === "slow-1") await slowHeld;
        await settlement.complete();
        finished.push(message.messageId);
        if (finished.includes("b-1") && finished.includes("c-1")) othersDone();
        return { settled: "complete", delivered: [], skipped: [] };
      } finally {
        turn.doneAll();
      }
    },
  };
  const consumer = new EventConsumer(sb, dispatcher, {
    entity: "alerts",
    subscription: null,
    logger: memoryLogger().logger,
    maxInFlight: 10,
    maxWaitTimeInMs: 1_000,
    longestDispatchMs: 60_000,
    timeoutMs: 5_000,
  });
  cleanups.push(() => consumer.close());

  const drained = consumer.drainOnce(AbortSignal.timeout(20_000));
  // Bounded: today this never resolves, b-1 and c-1 wait behind slow-1.
  await Promise.race([
    bothOthers,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error("other alerts waited behind the hung one")), 10_000),
    ),
  ]);
  // slow-2 is the same alert: not posted while slow-1 is in flight.
  expect(started).not.toContain("slow-2");
  release();
  expect(await drained).toBe(4);
  expect(finished.indexOf("slow-1")).toBeLessThan(finished.indexOf("slow-2"));
  expect(finished.slice(0, 2).sort()).toEqual(["b-1", "c-1"]);
});

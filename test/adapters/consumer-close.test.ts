// Closing the consumer ends within SERVICEBUS_TIMEOUT_MS, whatever state its
// link is in. Found by the delivery soak (seed 597): after a broker restart
// that no receive had noticed yet, the SDK's receiver.close() waited for ever,
// and whatever closed the consumer (a test world, a shutdown) waited with it.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { EventConsumer } from "../../src/adapters/servicebus/consumer.js";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import { manualTime } from "../support/manual-time.js";
import { settlesWithin } from "../support/settles-within.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";
import { memoryLogger } from "../support/test-logger.js";

const TIMEOUT_MS = 1_000;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

const nothingToDispatch: Dispatcher = {
  dispatch: () => Promise.reject(new Error("no message was sent")),
};

/** A consumer whose receiver link is open, and idle; `warned` is what it logged at warn or worse. */
async function idleConsumer(
  sb: ServiceBusClient,
  deadline: { timeoutMs: number; time?: Timekeeper } = { timeoutMs: TIMEOUT_MS },
) {
  const { logger, records } = memoryLogger();
  const consumer = new EventConsumer(sb, nothingToDispatch, {
    entity: "alerts",
    subscription: null,
    logger,
    maxWaitTimeInMs: 100,
    longestDispatchMs: 1_000,
    ...deadline,
  });
  expect(await consumer.drainOnce(AbortSignal.timeout(10_000))).toBe(0);
  return { consumer, warned: () => records().filter((r) => Number(r.level) >= 40) };
}

it("closes within its deadline after the broker restarted under a receiver that had not noticed, and says what it gave up", async () => {
  let broker: AmqpBroker = await startBroker({ queues: ["alerts"] });
  cleanups.push(() => broker.stop());
  const sb = new ServiceBusClient(broker.connectionString, {
    retryOptions: { retryDelayInMs: 200, maxRetries: 1, timeoutInMs: 2_000 },
  });
  cleanups.push(() => sb.close());
  const { consumer, warned } = await idleConsumer(sb);

  await broker.stop();
  broker = await startBroker({ port: broker.port, queues: ["alerts"], carryFrom: broker });

  expect(await settlesWithin(consumer.close(), 4 * TIMEOUT_MS)).toBe("closed");
  // The SDK's receiver.close() is the one that waits: one link given up, named with the setting.
  expect(warned()).toHaveLength(1);
  const [line] = warned();
  expect(line!.msg).toBe("gave up closing a Service Bus link");
  expect(JSON.stringify(line!.err)).toMatch(
    /closing the receiver of alerts.*SERVICEBUS_TIMEOUT_MS/,
  );
});

it("counts SERVICEBUS_TIMEOUT_MS on the clock it is given: a close the broker does not answer ends when that clock passes it, not the machine's", async () => {
  // A minute on the real clock: only the given clock moving can end the close within the test's bounds.
  const LONG_MS = 60_000;
  let broker: AmqpBroker = await startBroker({ queues: ["alerts"] });
  cleanups.push(() => broker.stop());
  const sb = new ServiceBusClient(broker.connectionString, {
    retryOptions: { retryDelayInMs: 200, maxRetries: 1, timeoutInMs: 2_000 },
  });
  // The SDK's own close of the receiver given up at once is still under way; it
  // holds the client's close for its operation timeout (a minute), which is not
  // this test's to wait: the broker's stop after it ends the connection.
  cleanups.push(async () => void (await settlesWithin(sb.close(), 2 * TIMEOUT_MS)));
  const manual = manualTime(0);
  let armed!: () => void;
  const guarded = new Promise<void>((resolve) => (armed = resolve));
  const time: Timekeeper = {
    now: manual.now,
    after(ms, fn) {
      // The deadline of one call (a receive's is its wait beyond it).
      if (ms === LONG_MS) armed();
      return manual.after(ms, fn);
    },
  };
  const { consumer, warned } = await idleConsumer(sb, { timeoutMs: LONG_MS, time });

  await broker.stop();
  broker = await startBroker({ port: broker.port, queues: ["alerts"], carryFrom: broker });

  const closing = consumer.close();
  expect(await settlesWithin(guarded, 4 * TIMEOUT_MS), "the close's deadline set").toBe("closed");
  manual.advance(LONG_MS);
  expect(await settlesWithin(closing, 4 * TIMEOUT_MS)).toBe("closed");
  expect(warned().map((r) => r.msg)).toEqual(["gave up closing a Service Bus link"]);
  expect(JSON.stringify(warned()[0]!.err)).toMatch(
    new RegExp(`closing the receiver of alerts.*within ${LONG_MS} ms`),
  );
});

it("a clean close says nothing", async () => {
  const broker = await startBroker({ queues: ["alerts"] });
  cleanups.push(() => broker.stop());
  const sb = new ServiceBusClient(broker.connectionString);
  cleanups.push(() => sb.close());
  const { consumer, warned } = await idleConsumer(sb);
  expect(await settlesWithin(consumer.close(), 4 * TIMEOUT_MS)).toBe("closed");
  expect(warned()).toEqual([]);
});

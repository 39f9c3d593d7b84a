// A sweep's Service Bus sender closes within SERVICEBUS_TIMEOUT_MS, even when
// the broker stopped answering after the last send: `erwatch sweep --state`
// (under cron, say) must not hang at its exit. The bound runs on a hand-moved
// clock; real waits are bounded far above a loopback connect and send.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { DeadlineSender } from "../../src/adapters/servicebus/deadline.js";
import { settlesWithin } from "../support/settles-within.js";
import { startBroker } from "../support/amqp-broker/broker.js";
import { manualTime } from "../support/manual-time.js";

/** SERVICEBUS_TIMEOUT_MS's default: only the hand-moved clock ever reaches it. */
const TIMEOUT_MS = 30_000;
/** A bound on each real wait, not a timing assertion. */
const BOUND_MS = 10_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

it("closes within its deadline when the broker stopped answering after the last send", async () => {
  const broker = await startBroker({ queues: ["alerts"] });
  cleanups.push(() => broker.stop());
  const clients: ServiceBusClient[] = [];
  const time = manualTime();
  const sender = new DeadlineSender(
    () => {
      const client = new ServiceBusClient(broker.connectionString);
      clients.push(client);
      return client;
    },
    "alerts",
    TIMEOUT_MS,
    time,
  );
  await sender.sendMessages({ messageId: "m-1", body: { n: 1 } });
  expect(broker.accepted("alerts").map((m) => m.messageId)).toEqual(["m-1"]);

  broker.hang(true);
  cleanups.push(async () => broker.hang(false));
  let closed = false;
  const closing = sender.close().then(() => void (closed = true));
  // The client asked the broker to close, and waits for an answer that never comes.
  await broker.waitForUnread(BOUND_MS);
  expect(time.dueIn()).toEqual([TIMEOUT_MS]);
  time.advance(TIMEOUT_MS - 1);
  await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toBe(false);
  time.advance(1);
  expect(await settlesWithin(closing, BOUND_MS)).toBe("closed");
  expect(clients).toHaveLength(1);
});

it("closes at once when it never connected", async () => {
  const sender = new DeadlineSender(
    () => {
      throw new Error("never asked to connect");
    },
    "alerts",
    TIMEOUT_MS,
    manualTime(),
  );
  expect(await settlesWithin(sender.close(), BOUND_MS)).toBe("closed");
});

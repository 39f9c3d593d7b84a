// A sweep's Service Bus sender closes within SERVICEBUS_TIMEOUT_MS, even when
// the broker stopped answering after the last send: `erwatch sweep --state`
// (under cron, say) must not hang at its exit.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { DeadlineSender } from "../../src/adapters/servicebus/deadline.js";
import { settlesWithin } from "../support/settles-within.js";
import { startBroker } from "../support/amqp-broker/broker.js";

const TIMEOUT_MS = 1_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

it("closes within its deadline when the broker stopped answering after the last send", async () => {
  const broker = await startBroker({ queues: ["alerts"] });
  cleanups.push(() => broker.stop());
  const clients: ServiceBusClient[] = [];
  const sender = new DeadlineSender(
    () => {
      const client = new ServiceBusClient(broker.connectionString);
      clients.push(client);
      return client;
    },
    "alerts",
    TIMEOUT_MS,
  );
  await sender.sendMessages({ messageId: "m-1", body: { n: 1 } });
  expect(broker.accepted("alerts").map((m) => m.messageId)).toEqual(["m-1"]);

  broker.hang(true);
  cleanups.push(async () => broker.hang(false));
  expect(await settlesWithin(sender.close(), 4 * TIMEOUT_MS)).toBe("closed");
  expect(clients).toHaveLength(1);
});

it("closes at once when it never connected", async () => {
  const sender = new DeadlineSender(
    () => {
      throw new Error("never asked to connect");
    },
    "alerts",
    TIMEOUT_MS,
  );
  expect(await settlesWithin(sender.close(), TIMEOUT_MS)).toBe("closed");
});

// A send that Service Bus does not answer by SERVICEBUS_TIMEOUT_MS reads as
// that deadline, and the next send connects afresh: a client left waiting on
// a stalled connection fails every later send the same way. The SDK 7.9 throws
// an AbortError when the deadline fires (connecting or sending, against the
// loopback broker); the deadline's own TimeoutError, rethrown or wrapped as a
// cause, is the same stall and is told and dropped the same way.

import { ServiceBusClient, ServiceBusError } from "@azure/service-bus";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { DeadlineSender } from "../../src/adapters/servicebus/deadline.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";

/** Never reached by the table's sends, which fail or succeed at once. */
const TABLE_DEADLINE_MS = 200;
/**
 * The real client's: far above a loopback connect and send, which took over
 * 200 ms on the shared 2-core machine; each given-up send costs it once.
 */
const WIRE_DEADLINE_MS = 1_000;
/** Far above either deadline: a bound on each wait, not a timing assertion. */
const BOUND_MS = 4 * WIRE_DEADLINE_MS;
const TEST_TIMEOUT_MS = 15_000;
const stalled = (ms: number) =>
  `Service Bus did not answer within ${ms} ms (SERVICEBUS_TIMEOUT_MS)`;

let broker: AmqpBroker;
beforeAll(async () => {
  broker = await startBroker({ queues: ["alerts"] });
});
afterAll(async () => {
  await broker?.stop();
});

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  broker.hang(false);
  for (let close = closing.pop(); close; close = closing.pop()) await close();
});

/** A sender to the loopback broker that counts the clients it opened. */
function deadlineSender(timeoutMs: number) {
  const clients: ServiceBusClient[] = [];
  const sender = new DeadlineSender(
    () => {
      const client = new ServiceBusClient(broker.connectionString);
      clients.push(client);
      return client;
    },
    "alerts",
    timeoutMs,
  );
  closing.push(() => sender.close());
  return { sender, clients };
}

/** How a send ended, or "hung" once `BOUND_MS` have passed. */
function outcome(send: Promise<unknown>): Promise<"sent" | "hung" | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    send.then(
      () => "sent" as const,
      (error: unknown) => ({ error }),
    ),
    new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), BOUND_MS))),
  ]).finally(() => clearTimeout(timer));
}

const timeoutError = () =>
  new DOMException("The operation was aborted due to timeout", "TimeoutError");

it.each([
  {
    thrown: "an AbortError, as the SDK throws it",
    error: () => Object.assign(new Error("The operation was aborted."), { name: "AbortError" }),
    dropped: true,
  },
  { thrown: "the deadline's own TimeoutError", error: timeoutError, dropped: true },
  {
    thrown: "an SDK error caused by the deadline's TimeoutError",
    error: () =>
      Object.assign(
        new ServiceBusError("Error 0: sender link could not be opened", "GeneralError"),
        {
          cause: timeoutError(),
        },
      ),
    dropped: true,
  },
  {
    thrown: "a ServiceBusError that is no abort (the namespace is busy)",
    error: () => new ServiceBusError("The server is busy", "ServiceBusy"),
    dropped: false,
  },
])(
  "$thrown: told as the deadline and the client dropped: $dropped",
  async ({ error, dropped }) => {
    const { sender, clients } = deadlineSender(TABLE_DEADLINE_MS);
    const thrown = error();
    const first = await outcome(
      sender.send("publishing 1 alert event", undefined, () => Promise.reject(thrown)),
    );
    if (dropped) {
      expect(first).toMatchObject({
        error: {
          message: `publishing 1 alert event failed: ${stalled(TABLE_DEADLINE_MS)}`,
          cause: thrown,
        },
      });
    } else {
      expect(first).toEqual({ error: thrown });
    }

    expect(await outcome(sender.send("publishing 1 alert event", undefined, async () => 1))).toBe(
      "sent",
    );
    expect(clients).toHaveLength(dropped ? 2 : 1);
  },
  TEST_TIMEOUT_MS,
);

it(
  "a send given up while connecting to a broker that answers nothing is told as the deadline, and the next connects afresh",
  async () => {
    const { sender, clients } = deadlineSender(WIRE_DEADLINE_MS);
    broker.hang(true);
    const given = await outcome(sender.sendMessages({ messageId: "m-1", body: { n: 1 } }));
    expect(given).toMatchObject({
      error: { message: `sending message m-1 to alerts failed: ${stalled(WIRE_DEADLINE_MS)}` },
    });
    expect((given as { error: Error }).error.cause).toMatchObject({ name: "AbortError" });

    broker.hang(false);
    expect(await outcome(sender.sendMessages({ messageId: "m-2", body: { n: 2 } }))).toBe("sent");
    expect(clients).toHaveLength(2);
    expect(broker.accepted("alerts").map((m) => m.messageId)).toContain("m-2");
  },
  TEST_TIMEOUT_MS,
);

it(
  "a send the broker does not settle on an open link is told as the deadline, and the next connects afresh",
  async () => {
    const { sender, clients } = deadlineSender(WIRE_DEADLINE_MS);
    expect(await outcome(sender.sendMessages({ messageId: "m-3", body: { n: 3 } }))).toBe("sent");

    broker.hang(true);
    const given = await outcome(sender.sendMessages({ messageId: "m-4", body: { n: 4 } }));
    expect(given).toMatchObject({
      error: { message: `sending message m-4 to alerts failed: ${stalled(WIRE_DEADLINE_MS)}` },
    });
    expect((given as { error: Error }).error.cause).toMatchObject({ name: "AbortError" });

    broker.hang(false);
    expect(await outcome(sender.sendMessages({ messageId: "m-5", body: { n: 5 } }))).toBe("sent");
    expect(clients).toHaveLength(2);
    expect(broker.accepted("alerts").map((m) => m.messageId)).toContain("m-5");
  },
  TEST_TIMEOUT_MS,
);

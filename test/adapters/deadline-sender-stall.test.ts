// A send that Service Bus does not answer by SERVICEBUS_TIMEOUT_MS reads as
// that deadline, and the next send connects afresh: a client left waiting on
// a stalled connection fails every later send the same way. The SDK 7.9 throws
// an AbortError when the deadline fires (connecting or sending, against the
// loopback broker); the deadline's own TimeoutError, rethrown or wrapped as a
// cause, is the same stall and is told and dropped the same way. The deadline
// runs on a hand-moved clock: it passes when the test says, once the broker
// holds what the client sent, never while a slow machine connects.

import { ServiceBusClient, ServiceBusError } from "@azure/service-bus";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { DeadlineSender } from "../../src/adapters/servicebus/deadline.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";
import { settlesWithin } from "../support/settles-within.js";
import { manualTime, type ManualTime } from "../support/manual-time.js";

/** SERVICEBUS_TIMEOUT_MS's default: only the hand-moved clock ever reaches it. */
const DEADLINE_MS = 30_000;
/** A bound on each real wait (a loopback connect and send), not a timing assertion. */
const BOUND_MS = 10_000;
const TEST_TIMEOUT_MS = 30_000;
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

/** A sender to the loopback broker on a hand-moved clock that counts the clients it opened. */
function deadlineSender(time: ManualTime) {
  const clients: ServiceBusClient[] = [];
  const sender = new DeadlineSender(
    () => {
      const client = new ServiceBusClient(broker.connectionString);
      clients.push(client);
      return client;
    },
    "alerts",
    DEADLINE_MS,
    time,
  );
  // The broker answers again by then (afterEach): a real bound, in case it does not.
  closing.push(async () => void (await settlesWithin(sender.close(), BOUND_MS)));
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
    const time = manualTime();
    const { sender, clients } = deadlineSender(time);
    const thrown = error();
    const first = await outcome(
      sender.send("publishing 1 alert event", undefined, () => Promise.reject(thrown)),
    );
    if (dropped) {
      expect(first).toMatchObject({
        error: {
          message: `publishing 1 alert event failed: ${stalled(DEADLINE_MS)}`,
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
    // Each send's deadline goes with it: nothing is left to fire on a later send.
    expect(time.pending()).toBe(0);
  },
  TEST_TIMEOUT_MS,
);

/** Moves the clock past the deadline once the hung broker holds what the client sent. */
async function deadlinePasses(time: ManualTime): Promise<void> {
  await broker.waitForUnread(BOUND_MS);
  expect(time.dueIn()).toEqual([DEADLINE_MS]);
  time.advance(DEADLINE_MS);
}

it(
  "a send given up while connecting to a broker that answers nothing is told as the deadline, and the next connects afresh",
  async () => {
    const time = manualTime();
    const { sender, clients } = deadlineSender(time);
    broker.hang(true);
    const sending = outcome(sender.sendMessages({ messageId: "m-1", body: { n: 1 } }));
    await deadlinePasses(time);
    const given = await sending;
    expect(given).toMatchObject({
      error: { message: `sending message m-1 to alerts failed: ${stalled(DEADLINE_MS)}` },
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
    const time = manualTime();
    const { sender, clients } = deadlineSender(time);
    expect(await outcome(sender.sendMessages({ messageId: "m-3", body: { n: 3 } }))).toBe("sent");

    broker.hang(true);
    const sending = outcome(sender.sendMessages({ messageId: "m-4", body: { n: 4 } }));
    await deadlinePasses(time);
    const given = await sending;
    expect(given).toMatchObject({
      error: { message: `sending message m-4 to alerts failed: ${stalled(DEADLINE_MS)}` },
    });
    expect((given as { error: Error }).error.cause).toMatchObject({ name: "AbortError" });

    broker.hang(false);
    expect(await outcome(sender.sendMessages({ messageId: "m-5", body: { n: 5 } }))).toBe("sent");
    expect(clients).toHaveLength(2);
    expect(broker.accepted("alerts").map((m) => m.messageId)).toContain("m-5");
  },
  TEST_TIMEOUT_MS,
);

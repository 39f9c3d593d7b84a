// A send given up says which end gave it up: SERVICEBUS_TIMEOUT_MS, or the
// sweep's own stop. The outbox and the fan-out always pass the sweep's signal,
// so the words said "…, or the sweep was stopped" even when only the deadline
// had fired, and an operator could not tell a broker that stopped answering
// from a sweep that was ended. The deadline runs on a hand-moved clock; the
// broker is a loopback one that holds what it is sent when told to.

import { ServiceBusClient } from "@azure/service-bus";
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
const DOING = "publishing 1 alert event to alerts";
const STALLED = `${DOING} failed: Service Bus did not answer within 30000 ms (SERVICEBUS_TIMEOUT_MS)`;
const STOPPED = `${DOING} failed: stopped with the sweep`;

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

function deadlineSender(time: ManualTime): DeadlineSender {
  const sender = new DeadlineSender(
    () => new ServiceBusClient(broker.connectionString),
    "alerts",
    DEADLINE_MS,
    time,
  );
  closing.push(async () => void (await settlesWithin(sender.close(), BOUND_MS)));
  return sender;
}

/** The message a send failed with, or "sent" / "hung" once `BOUND_MS` have passed. */
function outcome(send: Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    send.then(
      () => "sent",
      (error: unknown) => (error as Error).message,
    ),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve("hung"), BOUND_MS))),
  ]).finally(() => clearTimeout(timer));
}

it(
  "a broker that stops answering reads as the deadline alone, though the sweep's signal was passed",
  async () => {
    const time = manualTime();
    const sender = deadlineSender(time);
    const sweep = new AbortController();
    broker.hang(true);
    const sending = outcome(
      sender.send(DOING, sweep.signal, (s, abortSignal) =>
        s.sendMessages({ messageId: "m-1", body: 1 }, { abortSignal }),
      ),
    );
    await broker.waitForUnread(BOUND_MS);
    time.advance(DEADLINE_MS);
    expect(await sending).toBe(STALLED);
    expect(sweep.signal.aborted).toBe(false);
  },
  TEST_TIMEOUT_MS,
);

it(
  "a sweep stopped while the broker holds the send reads as the stop, before the deadline",
  async () => {
    const time = manualTime();
    const sender = deadlineSender(time);
    const sweep = new AbortController();
    broker.hang(true);
    const sending = outcome(
      sender.send(DOING, sweep.signal, (s, abortSignal) =>
        s.sendMessages({ messageId: "m-2", body: 2 }, { abortSignal }),
      ),
    );
    await broker.waitForUnread(BOUND_MS);
    sweep.abort();
    expect(await sending).toBe(STOPPED);
    // The deadline never fired, and goes with the send.
    expect(time.pending()).toBe(0);
  },
  TEST_TIMEOUT_MS,
);

/**
 * A send that fails, as the SDK's do, once its signal has fired: both ends can
 * fire before the failure is told.
 */
const heldUntilAborted = (_: unknown, abortSignal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => {
    const aborted = () =>
      reject(Object.assign(new Error("The operation was aborted."), { name: "AbortError" }));
    if (abortSignal.aborted) aborted();
    else abortSignal.addEventListener("abort", aborted);
  });

it.each<[string, string, string]>([
  ["the deadline", "the sweep's stop", STALLED],
  ["the sweep's stop", "the deadline", STOPPED],
])(
  "%s firing just before %s is what the send says",
  async (first, _then, said) => {
    const time = manualTime();
    const sender = deadlineSender(time);
    const sweep = new AbortController();
    const sending = outcome(sender.send(DOING, sweep.signal, heldUntilAborted));
    const ends = [() => time.advance(DEADLINE_MS), () => sweep.abort()];
    if (first !== "the deadline") ends.reverse();
    for (const end of ends) end();
    expect(await sending).toBe(said);
  },
  TEST_TIMEOUT_MS,
);

it(
  "a sweep stopped before the send began reads as the stop",
  async () => {
    const time = manualTime();
    const sender = deadlineSender(time);
    const sweep = new AbortController();
    sweep.abort();
    expect(await outcome(sender.send(DOING, sweep.signal, heldUntilAborted))).toBe(STOPPED);
  },
  TEST_TIMEOUT_MS,
);

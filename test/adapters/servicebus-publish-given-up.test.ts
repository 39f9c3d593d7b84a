// A publish given up at SERVICEBUS_TIMEOUT_MS on an open link is not undone:
// its transfer already sits in the broker's socket, and lands once the broker
// reads again. The sweep keeps the event in the outbox and publishes it again
// under the same message id (the event id: alert key + sequence), so each
// event still reaches receivers once: the alerts queue's duplicate detection
// (infra/: one day) drops the second copy, and on an entity without it the
// dispatcher's delivery log skips a receiver that already has the event.
// The deadline runs on a hand-moved clock; real waits are bounded.

import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, expect, it } from "vitest";
import { ServiceBusEventSink } from "../../src/adapters/servicebus/publisher.js";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";
import { arpMissingOpen, noPrefixesOpen } from "../support/alert-event-fixture.js";
import { BOUND_MS, dispatching, until } from "../support/dispatch-harness.js";
import { RETRY } from "../support/dispatch-event.js";
import { manualTime } from "../support/manual-time.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { settlesWithin } from "../support/settles-within.js";
import { memoryLogger } from "../support/test-logger.js";

const ALERTS = "alerts";
/** SERVICEBUS_TIMEOUT_MS's default: only the hand-moved clock ever reaches it. */
const DEADLINE_MS = 30_000;
const TEST_TIMEOUT_MS = 30_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

/** The sweep's sink on the loopback broker, its link already open (a warm instance). */
async function warmSink(options: { duplicateDetectionWindowMs?: number } = {}) {
  const broker = await startBroker({ queues: [ALERTS], ...options });
  cleanups.push(() => broker.stop());
  cleanups.push(async () => broker.hang(false));
  const time = manualTime();
  const sink = new ServiceBusEventSink(
    () => new ServiceBusClient(broker.connectionString),
    ALERTS,
    DEADLINE_MS,
    time,
  );
  cleanups.push(async () => void (await settlesWithin(sink.close(), BOUND_MS)));
  const first = arpMissingOpen();
  await sink.publish([first]);
  return { broker, time, sink, first };
}

/** Publishes `event` while the broker hangs, and gives it up once the broker holds it unread. */
async function givenUp(
  broker: AmqpBroker,
  time: ReturnType<typeof manualTime>,
  sink: ServiceBusEventSink,
  event: AlertEvent,
) {
  broker.hang(true);
  const publishing = sink.publish([event]).then(
    () => "published",
    (error: Error) => error.message,
  );
  await broker.waitForUnread(BOUND_MS);
  time.advance(DEADLINE_MS);
  expect(await publishing).toBe(
    `publishing 1 alert event to ${ALERTS} failed: Service Bus did not answer within ${DEADLINE_MS} ms (SERVICEBUS_TIMEOUT_MS)`,
  );
}

it(
  "a publish given up on an open link lands when the broker answers again; the outbox's re-send under the same id is dropped as a duplicate",
  async () => {
    const { broker, time, sink, first } = await warmSink();
    const page = noPrefixesOpen();
    await givenUp(broker, time, sink, page);
    expect(broker.accepted(ALERTS).map((m) => m.messageId)).toEqual([first.id]);

    broker.hang(false);
    // The next sweep: the event is still in the outbox, and goes out again as it was.
    expect(await sink.publish([page])).toEqual({ shrunk: [], refused: [] });
    // Two copies reached the broker: the given-up one was not undone.
    await broker.waitForDuplicates(ALERTS, 1, BOUND_MS);
    expect(broker.accepted(ALERTS).map((m) => m.messageId)).toEqual([first.id, page.id]);
    expect(broker.active(ALERTS).map((m) => m.messageId)).toEqual([first.id, page.id]);
  },
  TEST_TIMEOUT_MS,
);

/** A pager that counts what it was sent, by event id. */
class CountingPager implements Receiver {
  readonly name = "pd";
  readonly kind = "pagerduty" as const;
  readonly heard: string[] = [];
  async send(event: AlertEvent): Promise<SendOutcome> {
    this.heard.push(event.id);
    return { ok: true, status: 202 };
  }
}

it(
  "on an entity without duplicate detection both copies are queued, and the dispatcher pages once",
  async () => {
    const { broker, time, sink, first } = await warmSink({ duplicateDetectionWindowMs: 0 });
    const page = noPrefixesOpen();
    await givenUp(broker, time, sink, page);
    broker.hang(false);
    await sink.publish([page]);
    await broker.waitForAccepted(ALERTS, 3, BOUND_MS);
    expect(broker.accepted(ALERTS).map((m) => m.messageId)).toEqual([first.id, page.id, page.id]);

    const pager = new CountingPager();
    const dispatcher = createDispatcher({
      receivers: new Map([["pd", pager]]),
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd"] }],
        routes: [{ name: "all", match: {}, actionGroups: ["on-call"] }],
      },
      deliveries: new MemoryDeliveries(),
      retry: RETRY,
      logger: memoryLogger().logger,
      now: () => new Date(),
      sleep: async () => undefined,
    });
    const { ctrlC } = dispatching(broker, dispatcher, cleanups, { entity: ALERTS });
    await until("all three messages completed", () => broker.completed(ALERTS).length === 3);
    await ctrlC();
    expect(pager.heard).toEqual([first.id, page.id]);
  },
  TEST_TIMEOUT_MS,
);

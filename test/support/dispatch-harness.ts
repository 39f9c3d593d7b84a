// `erwatch dispatch` as dispatch-command.ts runs it (the consume loop over a
// reconnecting consumer, closed at the end), for tests over the loopback
// broker, with the bounded waits they share. Every wait is on an event or on
// what the broker or the log says, within BOUND_MS, never on a sleep.

import { ServiceBusClient } from "@azure/service-bus";
import { expect } from "vitest";
import { ReconnectingConsumer } from "../../src/adapters/servicebus/reconnecting-consumer.js";
import { consumeEvents, type ConsumeResult } from "../../src/app/dispatch/consume-loop.js";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { startBroker, type AmqpBroker } from "./amqp-broker/broker.js";
import { settlesWithin } from "./settles-within.js";
import { memoryLogger } from "./test-logger.js";

/** Far above a loopback receive (maxWaitTimeInMs 300) and a late drain's 400 ms. */
export const BOUND_MS = 10_000;

/** Polls what the broker or the log says (not a clock) until `ok`, within BOUND_MS. */
export async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Gate {
  promise: Promise<void>;
  open: () => void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Runs the dispatcher over `entity`; Ctrl-C (`ctrlC`, also pushed to
 * `cleanups`) must close it within BOUND_MS. `taken` waits until the consumer
 * has a message in hand (the broker locking it is not enough: a receive can
 * still be cut short).
 */
export function dispatching(
  broker: AmqpBroker,
  dispatcher: Dispatcher,
  cleanups: Array<() => Promise<void>>,
  options: { entity: string; maxInFlight?: number; timeoutMs?: number },
) {
  const { logger, records } = memoryLogger();
  const consumer = new ReconnectingConsumer(
    () =>
      new ServiceBusClient(broker.connectionString, {
        retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
      }),
    dispatcher,
    {
      entity: options.entity,
      subscription: null,
      logger,
      maxInFlight: options.maxInFlight ?? 10,
      maxWaitTimeInMs: 300,
      longestDispatchMs: 60_000,
      timeoutMs: options.timeoutMs ?? 5_000,
    },
  );
  const stop = new AbortController();
  const run: Promise<ConsumeResult> = consumeEvents(consumer, {
    signal: stop.signal,
    once: false,
    logger,
    sleep: async () => undefined,
    firstRetryMs: 1_000,
    maxRetryMs: 1_000,
  }).finally(() => consumer.close());
  let stopped = false;
  const ctrlC = async () => {
    if (stopped) return;
    stopped = true;
    stop.abort();
    expect(
      await settlesWithin(
        run.then(() => undefined),
        BOUND_MS,
      ),
    ).toBe("closed");
  };
  cleanups.push(ctrlC);
  const taken = (id: string) =>
    until(`${id} taken`, () =>
      records().some(
        (r) =>
          r.msg === "alert events taken from Service Bus" &&
          (r.messageIds as string[]).includes(id),
      ),
    );
  return { run, ctrlC, records, taken };
}

/**
 * A loopback broker with queue `entity`, and `publish` of alert events named
 * `<alert>-<n>`: the n-th event of alert erw-<alert>. Both closed by `cleanups`.
 */
export async function startedBroker(
  cleanups: Array<() => Promise<void>>,
  entity: string,
): Promise<{ broker: AmqpBroker; publish: (...ids: string[]) => Promise<void> }> {
  const broker = await startBroker({ queues: [entity] });
  cleanups.push(() => broker.stop());
  const sb = new ServiceBusClient(broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
  });
  cleanups.push(() => sb.close());
  const sender = sb.createSender(entity);
  const publish = (...ids: string[]) =>
    sender.sendMessages(
      ids.map((id) => ({
        messageId: id,
        body: { key: `erw-${id.split("-")[0]}`, sequence: Number(id.split("-")[1]) },
      })),
    );
  return { broker, publish };
}

// `erwatch dispatch` (its consumer and loop, over the loopback broker) keeps
// receiving while alert events are being dispatched. It used to receive a
// batch and wait for every dispatch of it: a Sev0 published just after a
// batch began waited for that batch's slowest delivery (a receiver hanging
// until its timeout, a Teams channel asking for a minute twice), minutes with
// the defaults. Held: at most maxInFlight messages at once, one alert's events
// in turn at a receiver (the turns handed to the dispatcher, taken in the
// order received), and on Ctrl-C what is in flight winds down and what waited
// is given back, each message settled once. A dispatch is held by the test until it
// releases it; every wait is bounded and on an event, never on a sleep.

import { afterEach, expect, it } from "vitest";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { NO_TURN, ReceiverTurns } from "../../src/app/dispatch/receiver-turns.js";
import type { AmqpBroker } from "../support/amqp-broker/broker.js";
import {
  BOUND_MS,
  dispatching,
  gate,
  startedBroker,
  type Gate,
} from "../support/dispatch-harness.js";

const ALERTS = "alerts";
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Clients before their broker: closing a client whose broker is gone waits for a close frame.
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

/** Rejects naming `what` when `promise` has not settled within BOUND_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A dispatcher that completes each message, except those named in `held`,
 * which wait until released (or Ctrl-C, when they give the message back as
 * the real one does). Like the real one, it posts an alert's events to its
 * receiver in turn when the consumer asks for order, and gives back unposted an
 * event whose turn came after Ctrl-C. It records what started posting, what
 * finished, what it gave back, and the most dispatches at once.
 */
function scripted(held: string[]) {
  const gates = new Map<string, Gate>();
  const gateOf = (name: string) => {
    let g = gates.get(name);
    if (!g) gates.set(name, (g = gate()));
    return g;
  };
  const started: string[] = [];
  const finished: string[] = [];
  const gaveBack: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const turns = new ReceiverTurns();
  const dispatcher: Dispatcher = {
    dispatch: async (message, settlement, signal, ordered) => {
      const id = message.messageId;
      const turn = ordered
        ? turns.take((message.body as { key: string }).key, ["receiver"])
        : NO_TURN;
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        await turn.wait("receiver");
        if (signal.aborted) {
          gaveBack.push(id);
          await settlement.abandon("stopping");
          return { settled: "abandon", reason: "stopping" };
        }
        started.push(id);
        gateOf(`started ${id}`).open();
        if (held.includes(id)) {
          const stopped = new Promise<void>((resolve) =>
            signal.addEventListener("abort", () => resolve(), { once: true }),
          );
          await Promise.race([gateOf(`release ${id}`).promise, stopped]);
        }
        if (signal.aborted) {
          gaveBack.push(id);
          await settlement.abandon("stopping");
          return { settled: "abandon", reason: "stopping" };
        }
        await settlement.complete();
        finished.push(id);
        gateOf(`finished ${id}`).open();
        return { settled: "complete", delivered: [], skipped: [] };
      } finally {
        turn.doneAll();
        running -= 1;
      }
    },
  };
  return {
    dispatcher,
    started,
    finished,
    gaveBack,
    mostAtOnce: () => mostAtOnce,
    hasStarted: (id: string) => within(gateOf(`started ${id}`).promise, `${id} dispatched`),
    hasFinished: (id: string, what = `${id} delivered`) =>
      within(gateOf(`finished ${id}`).promise, what),
    release: (id: string) => gateOf(`release ${id}`).open(),
  };
}

/** Each message completed once, on its first delivery, and nothing left on the queue or locked. */
function settledOnce(broker: AmqpBroker, ids: string[]): void {
  expect(
    broker
      .completed(ALERTS)
      .map((m) => `${m.messageId} ${m.deliveryCount}`)
      .sort(),
  ).toEqual(ids.map((id) => `${id} 1`).sort());
  expect(broker.active(ALERTS)).toEqual([]);
  expect(broker.locked(ALERTS)).toBe(0);
}

it("a Sev0 published while another alert's delivery hangs is delivered without waiting for it", async () => {
  const { broker, publish } = await startedBroker(cleanups, ALERTS);
  const d = scripted(["slow-1"]);
  const { run, ctrlC, records } = dispatching(broker, d.dispatcher, cleanups, { entity: ALERTS });

  await publish("slow-1");
  await d.hasStarted("slow-1");
  const publishedAt = Date.now();
  await publish("sev0-1");
  // The old consumer received again only once slow-1 was settled: this never came.
  await d.hasFinished("sev0-1", "the Sev0 published after the hung delivery began");
  const waitedMs = Date.now() - publishedAt;
  expect(d.finished).toEqual(["sev0-1"]);
  // A receive's wait and a settlement: well inside the bound, whatever slow-1 does.
  expect(waitedMs).toBeLessThan(BOUND_MS);

  d.release("slow-1");
  await d.hasFinished("slow-1");
  await ctrlC();
  expect(await run).toEqual({ handled: 2, failure: null, stopped: true });
  settledOnce(broker, ["slow-1", "sev0-1"]);
  expect(records().filter((r) => Number(r.level) >= 40)).toEqual([]);
});

it("holds at most maxInFlight messages: the next is not taken until one of them is settled", async () => {
  const { broker, publish } = await startedBroker(cleanups, ALERTS);
  const d = scripted(["a-1", "b-1"]);
  const { run, ctrlC } = dispatching(broker, d.dispatcher, cleanups, {
    entity: ALERTS,
    maxInFlight: 2,
  });

  await publish("a-1", "b-1", "c-1");
  await Promise.all([d.hasStarted("a-1"), d.hasStarted("b-1")]);
  // Taken in one receive of two; no receive since, so c-1 is still waiting, unlocked.
  expect(broker.active(ALERTS).map((m) => m.messageId)).toEqual(["c-1"]);
  d.release("a-1");
  await d.hasFinished("c-1");
  d.release("b-1");
  await d.hasFinished("b-1");
  await ctrlC();
  expect(await run).toEqual({ handled: 3, failure: null, stopped: true });
  expect(d.mostAtOnce()).toBe(2);
  expect(d.finished).toEqual(["a-1", "c-1", "b-1"]);
  settledOnce(broker, ["a-1", "b-1", "c-1"]);
});

it("one alert's events go in turn across receives, other alerts' beside them", async () => {
  const { broker, publish } = await startedBroker(cleanups, ALERTS);
  const d = scripted(["k-1"]);
  const { run, ctrlC, taken } = dispatching(broker, d.dispatcher, cleanups, { entity: ALERTS });

  await publish("k-1");
  await d.hasStarted("k-1");
  await publish("k-2");
  await taken("k-2");
  // Published after k-2 was taken and delivered: the receives went on past k-2.
  await publish("x-1");
  await d.hasFinished("x-1");
  expect(d.started).toEqual(["k-1", "x-1"]);

  d.release("k-1");
  await d.hasFinished("k-2");
  await ctrlC();
  expect(await run).toEqual({ handled: 3, failure: null, stopped: true });
  expect(d.finished).toEqual(["x-1", "k-1", "k-2"]);
  settledOnce(broker, ["k-1", "k-2", "x-1"]);
});

it("Ctrl-C: receiving stops, the dispatch in flight winds down, the event waiting its alert's turn at the receiver goes back unposted, each settled once", async () => {
  const { broker, publish } = await startedBroker(cleanups, ALERTS);
  const d = scripted(["k-1"]);
  const { run, ctrlC, records, taken } = dispatching(broker, d.dispatcher, cleanups, {
    entity: ALERTS,
  });

  await publish("k-1");
  await d.hasStarted("k-1");
  await publish("k-2");
  await taken("k-2");
  await ctrlC();

  expect(await run).toEqual({ handled: 2, failure: null, stopped: true });
  expect(d.started).toEqual(["k-1"]);
  // Given back once each, not left to their locks (30 s here), nor handed
  // into a receive still waiting: both wait for the next run.
  expect(
    broker
      .active(ALERTS)
      .map((m) => `${m.messageId} ${m.deliveryCount}`)
      .sort(),
  ).toEqual(["k-1 1", "k-2 1"]);
  expect(broker.locked(ALERTS)).toBe(0);
  expect(broker.completed(ALERTS)).toEqual([]);
  // k-2 waited for k-1 at the receiver, and went back unposted when its turn came.
  expect(d.gaveBack).toEqual(["k-1", "k-2"]);
  expect(records().filter((r) => Number(r.level) >= 50)).toEqual([]);
});

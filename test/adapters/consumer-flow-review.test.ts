// `erwatch dispatch` keeps receiving while a message is being dispatched, so
// its receives must not cost that message its link. The SDK drains what is
// left of a receive's credit when the receive ends; a drain the broker does
// not answer within max(200 ms, what is left of the wait) has the SDK close
// the link, and the next receive on that receiver opens a new one under the
// same name. A message still held from the old link was then settled on the
// dead one (found by review: complete timed out, the lock was lost, and the
// event was delivered a second time). Every wait is bounded and on an event.

import { afterEach, expect, it } from "vitest";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { BOUND_MS, dispatching, gate, startedBroker, until } from "../support/dispatch-harness.js";
import { settlesWithin } from "../support/settles-within.js";

const ALERTS = "alerts";
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Clients before their broker: closing a client whose broker is gone waits for a close frame.
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

it("a message held while later receives' links are closed and reopened after late drains is settled once, on its own link", async () => {
  const { broker, publish } = await startedBroker(cleanups, ALERTS);

  const seen: string[] = [];
  const started = gate();
  const release = gate();
  const finished = new Map([
    ["k-1", gate()],
    ["x-1", gate()],
  ]);
  const dispatcher: Dispatcher = {
    dispatch: async (message, settlement) => {
      const id = message.messageId;
      seen.push(`${id} ${message.deliveryCount}`);
      if (id === "k-1") {
        started.open();
        await release.promise;
      }
      await settlement.complete();
      finished.get(id)?.open();
      return { settled: "complete", delivered: [], skipped: [] };
    },
  };

  await publish("k-1");
  const { run, ctrlC, records } = dispatching(broker, dispatcher, cleanups, {
    entity: ALERTS,
    timeoutMs: 2_000,
  });
  await started.promise;

  // Receives go on while k-1 is held; their drains are answered too late, so
  // the SDK closes their link, and the next receive opens it again. Two given
  // up: the second was on a link opened after the first was closed.
  broker.slowDrains(400);
  await until("two receive links closed after late drains", () => broker.drainsGivenUp() >= 2);
  broker.slowDrains(0);

  release.open();
  expect(await settlesWithin(finished.get("k-1")!.promise, BOUND_MS)).toBe("closed");
  // Receiving still goes on: an event published now is delivered, k-1 meanwhile settled.
  await publish("x-1");
  expect(await settlesWithin(finished.get("x-1")!.promise, BOUND_MS)).toBe("closed");

  // The link k-1 came on is closed once k-1 is settled; the receives go on one link.
  await until("one receive link left", () => broker.receiveLinks(ALERTS) === 1);

  await ctrlC();
  expect(await run).toEqual({ handled: 2, failure: null, stopped: true });
  // Each dispatched once, completed on its first delivery, nothing left locked.
  expect(seen).toEqual(["k-1 1", "x-1 1"]);
  expect(broker.completed(ALERTS).map((m) => `${m.messageId} ${m.deliveryCount}`)).toEqual([
    "k-1 1",
    "x-1 1",
  ]);
  expect(broker.active(ALERTS)).toEqual([]);
  expect(broker.locked(ALERTS)).toBe(0);
  // No settlement timed out, no close was given up.
  expect(records().filter((r) => Number(r.level) >= 40)).toEqual([]);
}, 30_000);

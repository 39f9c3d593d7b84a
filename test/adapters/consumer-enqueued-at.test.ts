// `erwatch dispatch` hands the dispatcher when Service Bus took each message
// (its enqueued time): a published message's redeliveries count their retry
// horizon from it, not from an event that waited out a broker outage in the
// outbox (dispatcher-horizon-first-dispatch.test.ts).

import { afterEach, expect, it } from "vitest";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { dispatching, startedBroker, until } from "../support/dispatch-harness.js";

const ALERTS = "alerts";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

it("passes each message's enqueued time to the dispatcher", async () => {
  const { broker, publish } = await startedBroker(cleanups, ALERTS);
  const seen: (Date | undefined)[] = [];
  const dispatcher: Dispatcher = {
    dispatch: async (message, settlement) => {
      seen.push(message.enqueuedAt);
      await settlement.complete();
      return { settled: "complete", delivered: [], skipped: [] };
    },
  };
  const { ctrlC } = dispatching(broker, dispatcher, cleanups, { entity: ALERTS });
  const before = Date.now();
  await publish("a-1");
  const after = Date.now();
  await until("dispatched", () => seen.length === 1);
  await ctrlC();
  const at = seen[0]?.getTime() ?? NaN;
  expect(at).toBeGreaterThanOrEqual(before - 1_000);
  expect(at).toBeLessThanOrEqual(after + 1_000);
});

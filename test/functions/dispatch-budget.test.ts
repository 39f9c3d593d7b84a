// A delivery's budget under the Functions host (FUNCTIONS_DELIVERY_BUDGET_MS,
// inside the five-minute message lock) runs on the clock the handler is
// given: these tests move it instead of waiting four minutes.

import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { Dispatcher } from "../../src/app/dispatch/dispatcher.js";
import { within } from "../../src/app/sweep-runs.js";
import { FUNCTIONS_DELIVERY_BUDGET_MS } from "../../src/config/functions.js";
import { dispatchHandler, RedeliveryRequested } from "../../src/functions/dispatch.js";
import { manualTime } from "../support/manual-time.js";

/** A real bound on waits for what other promise chains do (not a clock): far above their turns. */
const BOUND_MS = 5_000;
const noSender = { sendMessages: async () => undefined };
const context = () =>
  new InvocationContext({
    invocationId: "inv-1",
    triggerMetadata: { messageId: "m-1", deliveryCount: 1, applicationProperties: {} },
  });

/** A dispatcher whose receivers answer only once `answer` is called, or give back what the budget cut short. */
function heldDispatcher() {
  const signals: AbortSignal[] = [];
  let answer!: () => void;
  const dispatcher = {
    dispatch: (_message: unknown, _settlement: unknown, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise((resolve) => {
        answer = () => resolve({ settled: "complete", delivered: ["pagerduty"], skipped: [] });
        signal.addEventListener("abort", () =>
          resolve({ settled: "abandon", reason: `cut short: ${(signal.reason as Error).name}` }),
        );
      });
    },
  } as unknown as Dispatcher;
  return { dispatcher, signals, answer: () => answer() };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("dispatch function's delivery budget", () => {
  it("cuts a delivery short at FUNCTIONS_DELIVERY_BUDGET_MS on its clock, not before, and the host redelivers it", async () => {
    const time = manualTime(Date.parse("2026-11-22T02:00:00.000Z"));
    const held = heldDispatcher();
    const run = dispatchHandler(
      async () => ({ dispatcher: held.dispatcher, parking: noSender, requeue: noSender }),
      time,
    );
    const outcome = run({ id: "e-1" }, context()).then(
      () => "returned",
      (error: unknown) => error,
    );
    await until("the delivery", () => held.signals.length === 1);
    expect(time.dueIn()).toEqual([FUNCTIONS_DELIVERY_BUDGET_MS]);
    time.advance(FUNCTIONS_DELIVERY_BUDGET_MS - 1);
    expect(held.signals[0]!.aborted).toBe(false);
    time.advance(1);
    expect((held.signals[0]!.reason as Error).name).toBe("TimeoutError");
    const thrown = await within(outcome, BOUND_MS);
    expect(thrown).toBeInstanceOf(RedeliveryRequested);
    expect(String(thrown)).toMatch(/cut short: TimeoutError/);
  });

  it("drops the budget once the delivery is settled: nothing is left on its clock", async () => {
    const time = manualTime(0);
    const held = heldDispatcher();
    const run = dispatchHandler(
      async () => ({ dispatcher: held.dispatcher, parking: noSender, requeue: noSender }),
      time,
    );
    const outcome = run({ id: "e-2" }, context());
    await until("the delivery", () => held.signals.length === 1);
    expect(time.pending()).toBe(1);
    held.answer();
    expect(await within(outcome, BOUND_MS)).toBeUndefined();
    expect(time.pending()).toBe(0);
    expect(held.signals[0]!.aborted).toBe(false);
  });
});

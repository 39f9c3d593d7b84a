// One alert's events dispatched side by side keep their order at each
// receiver, and only there: the later event waits at a receiver for the
// earlier ones to be done with that receiver, not with every receiver.

import { describe, expect, it } from "vitest";
import { ReceiverTurns } from "../../src/app/dispatch/receiver-turns.js";

/** Whether `promise` has settled once everything already queued has run. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("turns per (alert, receiver)", () => {
  it("a later event waits at a receiver only for the earlier one's work there", async () => {
    const turns = new ReceiverTurns();
    const open = turns.take("erw-a", ["teams", "pd"]);
    const escalate = turns.take("erw-a", ["teams", "pd"]);
    expect(await settledYet(open.wait("teams"))).toBe(true);
    expect(await settledYet(escalate.wait("pd"))).toBe(false);
    open.done("pd"); // the open was not routed to PagerDuty, or is delivered there
    expect(await settledYet(escalate.wait("pd"))).toBe(true);
    // Teams is still waiting out the open's Retry-After.
    expect(await settledYet(escalate.wait("teams"))).toBe(false);
    open.done("teams");
    expect(await settledYet(escalate.wait("teams"))).toBe(true);
    escalate.doneAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(turns.size).toBe(0);
  });

  it("an event done early does not let the next one past an earlier one still there", async () => {
    const turns = new ReceiverTurns();
    const first = turns.take("erw-a", ["pd"]);
    const second = turns.take("erw-a", ["pd"]);
    const third = turns.take("erw-a", ["pd"]);
    second.done("pd");
    expect(await settledYet(third.wait("pd"))).toBe(false);
    first.done("pd");
    expect(await settledYet(third.wait("pd"))).toBe(true);
  });

  it("other alerts, and receivers an event does not name, never wait", async () => {
    const turns = new ReceiverTurns();
    turns.take("erw-a", ["pd"]);
    const other = turns.take("erw-b", ["pd"]);
    const elsewhere = turns.take("erw-a", ["teams"]);
    expect(await settledYet(other.wait("pd"))).toBe(true);
    expect(await settledYet(elsewhere.wait("teams"))).toBe(true);
    expect(await settledYet(elsewhere.wait("webhook"))).toBe(true);
  });

  it("done is idempotent and doneAll frees every place", async () => {
    const turns = new ReceiverTurns();
    const first = turns.take("erw-a", ["pd", "teams"]);
    const second = turns.take("erw-a", ["pd", "teams"]);
    first.done("pd");
    first.done("pd");
    first.doneAll();
    expect(await settledYet(Promise.all([second.wait("pd"), second.wait("teams")]))).toBe(true);
    second.doneAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(turns.size).toBe(0);
  });
});

// The flow `erwatch dispatch` holds its messages in: at most `max` at once, a
// taker waiting for room while it is full, each message begun as it is taken
// (one alert's order is kept at each receiver, receiver-turns.test.ts), and a
// count of what was settled for --once. No broker, no clock: each run is
// held by a gate the test opens.

import { expect, it } from "vitest";
import { DispatchFlow } from "../../src/adapters/servicebus/flow.js";

function gated() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const ran: string[] = [];
  /** A run that records its name and waits for the gate. */
  const run = (name: string) => async () => {
    ran.push(name);
    await gate;
  };
  return { open, ran, run };
}

/** Whether `promise` has settled once everything already queued has run. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

it("gives room as messages are settled, and none once stopped", async () => {
  const flow = new DispatchFlow(2);
  const a = gated();
  const b = gated();
  flow.hold(a.run("a-1"));
  flow.hold(b.run("b-1"));
  const room = flow.room(new AbortController().signal);
  expect(await settledYet(room)).toBe(false);
  a.open();
  expect(await room).toBe(1);

  const stop = new AbortController();
  flow.hold(gated().run("c-1"));
  const none = flow.room(stop.signal);
  stop.abort();
  expect(await none).toBe(0);
  expect(flow.size).toBe(2);
});

it("begins every message as it is taken, even one of an alert still being dispatched", async () => {
  const flow = new DispatchFlow(10);
  const first = gated();
  const ran: string[] = [];
  flow.hold(first.run("k-1"));
  const second = flow.hold(async () => void ran.push("k-2"));
  await second;
  expect([...first.ran, ...ran]).toEqual(["k-1", "k-2"]);
  expect(flow.size).toBe(1);
  first.open();
  await flow.settled();
  expect(flow.size).toBe(0);
});

it("a run that throws still frees its place", async () => {
  const flow = new DispatchFlow(1);
  const after: string[] = [];
  await flow.hold(() => Promise.reject(new Error("a bug")));
  await flow.hold(async () => void after.push("k-2"));
  expect(after).toEqual(["k-2"]);
  expect(flow.size).toBe(0);
});

it("settled() waits for what is held and counts what was settled since it last said", async () => {
  const flow = new DispatchFlow(10);
  expect(await flow.settled()).toBe(0);
  const g = gated();
  flow.hold(g.run("a-1"));
  flow.hold(async () => undefined);
  const waiting = flow.settled();
  expect(await settledYet(waiting)).toBe(false);
  g.open();
  expect(await waiting).toBe(2);
  expect(await flow.settled()).toBe(0);
});

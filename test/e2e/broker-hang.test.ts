// Service Bus that stops answering (a black-holed network, a namespace that
// hangs) while the Service Bus client runs as the product builds it: the
// SDK's own retry defaults, which wait 60 s per attempt and retry three times.
// A sweep gives a send up at SERVICEBUS_TIMEOUT_MS; its decisions wait in the
// outbox and go out, once, in the first sweep after the broker answers again.
// 5-minute timer on an injected clock, the send deadline on the sweep's clock:
// while the broker hangs, each send's deadline passes as soon as it is set, so
// a hung send costs the test no real time, and only the deadline ends it (the
// SDK's own timers are real and minutes long).

import functions from "@azure/functions";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import type { WorkMessage } from "../../src/app/work.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { SweepResult } from "../../src/app/sweep.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf, healthyCircuit, type SimCircuit } from "../support/estate/index.js";
import { setProviderState } from "../support/estate/mutators.js";
import { manualTime } from "../support/manual-time.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
/**
 * Half the SDK's 60 s per attempt (of four, 30 s apart). On the sweep's
 * clock, it passes at once while the broker hangs; on the real clock, one
 * hung send would outlast SWEEP_BOUND_MS.
 */
const SEND_DEADLINE_MS = 30_000;
/** A sweep of two circuits on loopback takes a few seconds; the SDK alone would wait minutes. */
const SWEEP_BOUND_MS = 25_000;

let azurite: Azurite;
let world: World | null = null;
let hanging = false;

/** Hangs the broker (or lets it answer again), as the sweep's clock knows. */
function hang(w: World, on: boolean): void {
  hanging = on;
  w.broker.hang(on);
}

/**
 * The sweep's clock (its timers, the timer function's window, and
 * SERVICEBUS_TIMEOUT_MS), from the real one's: a timer of the send
 * deadline's length set while the broker hangs has it pass on the next turn
 * of the event loop, once the send is under way. The sweep's other timers
 * are minutes long: none falls due on the way.
 */
function sendDeadlineClock(): Timekeeper {
  const time = manualTime(Date.now());
  return {
    now: time.now,
    after(ms, fn) {
      const cancel = time.after(ms, fn);
      if (ms === SEND_DEADLINE_MS && hanging) setImmediate(() => time.advance(ms));
      return cancel;
    },
  };
}
beforeAll(async () => {
  azurite = await startAzurite();
});
afterEach(async () => {
  if (world) hang(world, false);
  await world?.close();
  world = null;
});
afterAll(async () => {
  await azurite?.stop();
});

/** Rejects once `ms` have passed: a bound on a wait, not a timing assertion. */
async function within<T>(ms: number, what: string, run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([run, bound]);
  } finally {
    clearTimeout(timer);
  }
}

async function site(env: Record<string, string> = {}) {
  const bundles = [healthyCircuit({ name: "er-lon-a" }), healthyCircuit({ name: "er-lon-b" })];
  let now = new Date(T0);
  world = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sweepTime: sendDeadlineClock(),
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      SERVICEBUS_TIMEOUT_MS: String(SEND_DEADLINE_MS),
      ...env,
    },
    // As the product runs: no test-only retry settings on the Service Bus client.
    serviceBusOptions: {},
  });
  const w = world;
  /** One timer sweep at T0 + m minutes; fails if it is not over within SWEEP_BOUND_MS. */
  const sweep = (m: number): Promise<SweepResult> => {
    now = new Date(T0 + m * MIN);
    return within(SWEEP_BOUND_MS, `the sweep at ${m} min`, w.timerSweep());
  };
  /** The timer function as the host runs it, fan-out or not. */
  const tick = (m: number): Promise<void> => {
    now = new Date(T0 + m * MIN);
    const timer = sweepTimerHandler(async () => w.functionDeps);
    return within(
      SWEEP_BOUND_MS,
      `the timer at ${m} min`,
      timer(
        {
          isPastDue: false,
          schedule: { adjustForDST: false },
          scheduleStatus: { last: "", next: "", lastUpdated: "" },
        },
        new functions.InvocationContext({ invocationId: `timer-${m}` }),
      ),
    );
  };
  const sent = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .map((e) => `${e.action} ${e.family} ${e.severity} ${e.circuit.name}`);
  return { sweep, tick, sent, w, circuits: bundles.map((b) => b.circuit as SimCircuit) };
}

it("a broker that stops answering costs a sweep one SERVICEBUS_TIMEOUT_MS, not the SDK's minutes: the page waits in the outbox and goes out once when it answers again", async () => {
  const { sweep, sent, w, circuits } = await site();
  await sweep(0);
  // Nothing was sent at 0, so no connection is open: the hang meets its opening (a cold instance).
  hang(w, true);
  setProviderState(circuits[0]!, "NotProvisioned");
  const during = await sweep(5);
  expect(during.events.map((e) => `${e.action} ${e.family} ${e.severity}`)).toEqual([
    "open provider Sev0",
  ]);
  expect(during.brokerError).toMatch(
    new RegExp(`did not answer within ${SEND_DEADLINE_MS} ms \\(SERVICEBUS_TIMEOUT_MS\\)`),
  );
  expect(during.pendingInOutbox).toBe(1);
  expect(during.errors).toEqual([]);

  // Still hanging: the next sweep gives up the same way, and decides nothing twice.
  const still = await sweep(10);
  expect(still.events).toEqual([]);
  expect(still.brokerError).toMatch(/did not answer/);
  expect(still.pendingInOutbox).toBe(1);

  // Answering again: the page goes out in the next sweep, once.
  hang(w, false);
  const after = await sweep(15);
  expect(after.brokerError).toBeNull();
  expect(after.pendingInOutbox).toBe(0);
  expect(sent()).toEqual(["open provider Sev0 er-lon-a"]);

  // Hanging again with the link open (a warm instance): the other circuit's page waits the same
  // way. What the hung send left in the socket may still arrive: the broker keeps one copy.
  hang(w, true);
  setProviderState(circuits[1]!, "NotProvisioned");
  const warm = await sweep(20);
  expect(warm.events.map((e) => `${e.action} ${e.circuit.name}`)).toEqual(["open er-lon-b"]);
  expect(warm.brokerError).toMatch(/did not answer/);
  hang(w, false);
  const back = await sweep(25);
  expect(back.pendingInOutbox).toBe(0);
  expect(sent()).toEqual(["open provider Sev0 er-lon-a", "open provider Sev0 er-lon-b"]);
}, 120_000);

it("fanned out: a timer whose work cannot be sent fails within SERVICEBUS_TIMEOUT_MS, saying so, and the next one sends it", async () => {
  const QUEUE = "erwatch-sweep-work";
  const { tick, w, circuits } = await site({ SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "1" });
  await w.runtime.work!.claims.ensureTable();
  hang(w, true);
  setProviderState(circuits[0]!, "NotProvisioned");
  // A failed function, not a timer held into the next tick: the host logs it, and the
  // dead-man's switch (no "sweep finished" line) hears it if it lasts.
  await expect(tick(0)).rejects.toThrow(
    new RegExp(
      `sending \\d+ work messages? to ${QUEUE} failed: Service Bus did not answer within ${SEND_DEADLINE_MS} ms`,
    ),
  );
  hang(w, false);
  await tick(5);
  const work = w.broker.accepted(QUEUE).map((m) => m.body as WorkMessage);
  // Every circuit the sweep at 5 planned is handed out. What the hung send at 0 left in
  // the socket may arrive too, under its own sweep's ids.
  const last = work.at(-1)!.sweepId;
  const handedOut = work.filter((m) => m.sweepId === last).flatMap((m) => m.items);
  expect(handedOut.map((i) => i.target.name).sort()).toContain("er-lon-a");
}, 120_000);

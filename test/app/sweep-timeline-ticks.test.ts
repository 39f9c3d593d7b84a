// The timer's ticks through the real timer function, beside an on-demand
// sweep: hysteresis counts the timer's ticks, so a sweep someone ran between
// two ticks that read the circuit healthy does not hold the next tick's page,
// and a tick that fires while an on-demand sweep runs is still a tick.

import functions, { HttpRequest, InvocationContext } from "@azure/functions";
import { expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpSweepHandler } from "../../src/functions/http-sweep.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import {
  carrierDown,
  carrierDownBoth,
  healthyCircuit,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { MIN, timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const worlds = worldPerTest();

/** `erwatch sweep` at 10:08: on demand, as the CLI and POST /api/sweep run it, not a tick. */
function readAt8(t: Awaited<ReturnType<typeof timerWorld>>) {
  return t.w.runtime.sweeper.sweep({
    scope: { subscriptions: t.w.runtime.config.arm.subscriptions, circuitIds: [] },
    now: new Date(T0 + 8 * MIN),
    mode: "deep",
    abortSignal: AbortSignal.timeout(30_000),
  });
}

it("a Sev0 pages at the 10:10 tick though `erwatch sweep` read the circuit healthy at 10:08", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  const t = await timerWorld(worlds, T0, [bundle]);
  await t.sweepUntil(0, 5);
  const onDemand = await readAt8(t);
  expect(onDemand.errors).toEqual([]);
  expect(onDemand.verdicts.map((v) => v.name)).toEqual(["er-ams"]);
  carrierDownBoth(bundle.circuit as SimCircuit, PRIVATE);
  const tick = await t.sweep(10);
  expect(tick.plan.deep.map((d) => d.name)).toEqual(["er-ams"]);
  expect(t.sent().map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
    "open:path-down:Sev0",
  ]);
});

it("a Sev2 opens at its second tick (10:15), its ticks kept in the Alerts table, though `erwatch sweep` read the circuit healthy at 10:08", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  const t = await timerWorld(worlds, T0, [bundle]);
  await t.sweepUntil(0, 5);
  const onDemand = await readAt8(t);
  expect(onDemand.errors).toEqual([]);
  carrierDown(bundle.circuit as SimCircuit, PRIVATE, "secondary");
  await t.sweep(10);
  expect(t.sent()).toEqual([]);
  // By time alone (7 min since the clean reading at 10:08) it waited for 10:20.
  await t.sweep(15);
  expect(t.sent().map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
    "open:path-down:Sev2",
  ]);
});

/** `p`, or a failure naming `what` once 30 s have passed: no wait here is unbounded. */
function inTime<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(() => reject(new Error(`${what}: not within 30 s`)), 30_000)),
    ),
  ]).finally(() => clearTimeout(timer));
}

it("a Sev0 an on-demand estate sweep first read at 10:03 pages at the 10:05 tick that fired while that sweep still ran", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  const t = await timerWorld(worlds, T0, [bundle]);
  await t.sweepUntil(0, 0);
  carrierDownBoth(bundle.circuit as SimCircuit, PRIVATE);

  // POST /api/sweep of the estate at 10:03: it reads the Sev0 (no tick: nothing
  // opens) and is still running, held here, when the timer fires at 10:05.
  const base = t.w.functionDeps;
  const { sweeper } = base.runtime;
  let onDemandRead!: (r: SweepResult) => void;
  const read = new Promise<SweepResult>((resolve) => (onDemandRead = resolve));
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const onDemandDeps: SweepFunctionDeps = {
    ...base,
    runtime: {
      ...base.runtime,
      sweeper: {
        ...sweeper,
        sweep: async (request) => {
          const result = await sweeper.sweep(request);
          onDemandRead(result);
          await held;
          return result;
        },
      },
    },
  };
  t.at(3);
  const accepted = await httpSweepHandler(async () => onDemandDeps)(
    new HttpRequest({
      method: "POST",
      url: "http://localhost/api/sweep",
      body: { string: "" },
      headers: { "content-type": "application/json" },
    }),
    new InvocationContext({ invocationId: "http-10-03" }),
  );
  expect(accepted.status).toBe(202);
  const onDemand = await inTime(read, "the on-demand sweep's reads");
  expect(onDemand.errors).toEqual([]);
  expect(onDemand.plan.deep.map((d) => d.name)).toEqual(["er-ams"]);
  expect(t.sent()).toEqual([]);

  // The real timer function at 10:05, told (through its coordinator) once it
  // has asked for its sweep, so the on-demand one is let go only after that.
  let timerAsked!: () => void;
  const asked = new Promise<void>((resolve) => (timerAsked = resolve));
  const coordinator = new Proxy(base.coordinator, {
    get(target, prop) {
      if (prop !== "run") return Reflect.get(target, prop, target) as unknown;
      return (...args: Parameters<typeof target.run>) => {
        const admitted = target.run(...args);
        if (args[3]?.urgent) timerAsked();
        return admitted;
      };
    },
  });
  const ticks: SweepResult[] = [];
  t.at(5);
  const timer = sweepTimerHandler(async () => ({
    ...base,
    coordinator,
    runtime: {
      ...base.runtime,
      sweeper: {
        ...sweeper,
        sweep: async (request) => {
          const result = await sweeper.sweep(request);
          if (request.tick) ticks.push(result);
          return result;
        },
      },
    },
  }))(
    {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: "", next: "", lastUpdated: "" },
    },
    new functions.InvocationContext({ invocationId: "timer-10-05" }),
  );
  await inTime(asked, "the timer asking for its sweep");
  finish();
  await inTime(timer, "the timer function");

  // Its own sweep ran after the on-demand one, a tick: the Sev0 opens at it, not at 10:10.
  expect(t.sent().map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
    "open:path-down:Sev0",
  ]);
  expect(ticks).toHaveLength(1);
  expect(ticks[0]!.errors).toEqual([]);
  expect(ticks[0]!.sweepId).not.toBe(onDemand.sweepId);
  expect(t.sent()[0]).toMatchObject({
    firstSeen: new Date(T0 + 3 * MIN).toISOString(),
    occurredAt: new Date(T0 + 5 * MIN).toISOString(),
  });
  await t.sweep(10);
  expect(t.sent()).toHaveLength(1);
});

/** Sev0 reminded every 15 minutes, so a few ticks show the repeats' cadence. */
const REPEAT_SEV0_EVERY_15 = {
  ERWATCH_ALERT_POLICY: JSON.stringify({ repeatEveryMinutes: { Sev0: 15 } }),
};
const sentAt = (t: Awaited<ReturnType<typeof timerWorld>>) =>
  t.sent().map((e) => `${e.action}:${e.severity}`);

it("a repeat sent by the 10:15 tick fired 3 minutes late (10:18) is followed by the 10:30 tick's, on the cadence, not the 10:35's", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  const t = await timerWorld(worlds, T0, [bundle], REPEAT_SEV0_EVERY_15);
  carrierDownBoth(bundle.circuit as SimCircuit, PRIVATE);
  for (const m of [0, 5, 10]) await t.sweep(m, m);
  expect(sentAt(t)).toEqual(["open:Sev0"]);
  // A cold start: the host fires the 10:15 tick at 10:18 (isPastDue).
  await t.sweep(18, 15);
  expect(sentAt(t)).toEqual(["open:Sev0", "repeat:Sev0"]);
  for (const m of [20, 25]) await t.sweep(m, m);
  expect(sentAt(t)).toHaveLength(2);
  // Timed from 10:18, 12 minutes rounded to two ticks: it waited to 10:35.
  await t.sweep(30, 30);
  expect(sentAt(t)).toEqual(["open:Sev0", "repeat:Sev0", "repeat:Sev0"]);
});

it("a Sev2 opened by POST /api/sweep at 10:12:30 is reminded at the 10:30 tick, 15 minutes on, not half a tick early at 10:25", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  const t = await timerWorld(worlds, T0, [bundle], {
    ERWATCH_ALERT_POLICY: JSON.stringify({ repeatEveryMinutes: { Sev2: 15 } }),
  });
  await t.sweep(0, 0);
  carrierDown(bundle.circuit as SimCircuit, PRIVATE, "secondary");
  await t.sweep(5, 5);
  expect(sentAt(t)).toEqual([]);
  // The 10:10 tick is lost to a restart; someone sweeps the circuit at
  // 10:12:30, its second reading 12.5 minutes after the last clean one: it opens.
  t.at(12.5);
  const answered = await httpSweepHandler(async () => t.w.functionDeps)(
    new HttpRequest({
      method: "POST",
      url: "http://localhost/api/sweep",
      body: { string: JSON.stringify({ circuits: [circuitId(bundle.circuit as SimCircuit)] }) },
      headers: { "content-type": "application/json" },
    }),
    new InvocationContext({ invocationId: "http-10-12-30" }),
  );
  expect(answered.status).toBe(200);
  expect(sentAt(t)).toEqual(["open:Sev2"]);
  for (const m of [15, 20, 25]) await t.sweep(m, m);
  // 12.5 minutes old at 10:25, rounded to three ticks: reminded there.
  expect(sentAt(t)).toEqual(["open:Sev2"]);
  await t.sweep(30, 30);
  expect(sentAt(t)).toEqual(["open:Sev2", "repeat:Sev2"]);
});

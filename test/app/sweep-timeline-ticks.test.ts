// The timer's ticks through the real timer function, beside an on-demand
// sweep: hysteresis counts the timer's ticks, so a sweep someone ran between
// two ticks that read the circuit healthy does not hold the next tick's page.

import { expect, it } from "vitest";
import {
  carrierDown,
  carrierDownBoth,
  healthyCircuit,
  type SimCircuit,
} from "../support/estate/index.js";
import { MIN, timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const worlds = worldPerTest();

it("a Sev0 pages at the 10:10 tick though `erwatch sweep` read the circuit healthy at 10:08", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  const t = await timerWorld(worlds, T0, [bundle]);
  await t.sweepUntil(0, 5);
  // On demand, as the CLI and POST /api/sweep run it: not a tick.
  const onDemand = await t.w.runtime.sweeper.sweep({
    scope: { subscriptions: t.w.runtime.config.arm.subscriptions, circuitIds: [] },
    now: new Date(T0 + 8 * MIN),
    mode: "deep",
    abortSignal: AbortSignal.timeout(30_000),
  });
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
  const onDemand = await t.w.runtime.sweeper.sweep({
    scope: { subscriptions: t.w.runtime.config.arm.subscriptions, circuitIds: [] },
    now: new Date(T0 + 8 * MIN),
    mode: "deep",
    abortSignal: AbortSignal.timeout(30_000),
  });
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

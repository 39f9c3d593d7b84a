// The timer's tick through fan-out: the work messages say the sweep is the
// timer's, so the workers' hysteresis counts it as a tick, as the timer's own
// sweep does in one process (test/app/sweep-timeline-ticks.test.ts).

import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { WorkMessage } from "../../src/app/work.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  type SimCircuit,
} from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const MIN = 60_000;
const worlds = worldPerTest();

it("a Sev0 the workers read at the 10:10 tick pages then, though an on-demand sweep read the circuit healthy at 10:08", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(bundle),
    now: () => now,
    env: { SWEEP_WORK_QUEUE: QUEUE, SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const tick = async (m: number) => {
    now = new Date(T0 + m * MIN);
    await fan.timer(m);
    const work = w.broker.active(QUEUE).map((message) => message.body as WorkMessage);
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
    return work;
  };
  try {
    await tick(0);
    await tick(5);
    now = new Date(T0 + 8 * MIN);
    const onDemand = await w.runtime.sweeper.sweep({
      scope: { subscriptions: w.runtime.config.arm.subscriptions, circuitIds: [] },
      now,
      mode: "deep",
      abortSignal: AbortSignal.timeout(30_000),
    });
    expect(onDemand.verdicts.map((v) => v.name)).toEqual(["er-ams"]);
    carrierDownBoth(bundle.circuit as SimCircuit, PRIVATE);
    const work = await tick(10);
    expect(work.map((m) => [m.tick, m.items.map((i) => i.target.name)])).toEqual([
      [true, ["er-ams"]],
    ]);
    const sent = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
    expect(sent.map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
      "open:path-down:Sev0",
    ]);
  } finally {
    await bus.close();
  }
});

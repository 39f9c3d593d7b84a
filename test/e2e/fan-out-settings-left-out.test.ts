// Settings left out with fan-out on: the timer's sweep says them every tick,
// as a single-process sweep does, so the erwatch-settings-left-out health
// alert (infra/app/health-alerts.bicep, a 15-minute window on that line)
// stands while they last. Said only in one process, a silence list with a
// comma too many was left out (its windows page) and no health alert heard it.

import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const MIN = 60_000;
const worlds = worldPerTest();

it("each fanned-out timer sweep names the settings it runs without, on the line the health alert hears", async () => {
  const lines: string[] = [];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(healthyCircuit({ name: "er-ams" })),
    now: () => now,
    env: {
      SWEEP_WORK_QUEUE: QUEUE,
      ERWATCH_SILENCES: '[{"circuit": "er-ams", "start": "2026-11-22T09:00:00Z"},]',
    },
    logDestination: {
      write: (line) => {
        lines.push(line);
        return true;
      },
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  try {
    for (const m of [0, 5]) {
      now = new Date(T0 + m * MIN);
      await fan.timer(m);
      expect(await fan.drain()).toBe(true);
    }
    expect(fan.errors).toEqual([]);
    const said = lines
      .flatMap((l) => l.split("\n").filter(Boolean))
      .map((l) => JSON.parse(l) as { msg: string; ignored?: string[] })
      .filter((r) => r.msg.startsWith("entries of settings are invalid and left out ("));
    expect(said).toHaveLength(2);
    for (const r of said)
      expect(r.ignored).toEqual([expect.stringMatching(/^ERWATCH_SILENCES: is not valid JSON/)]);
  } finally {
    await bus.close();
  }
});

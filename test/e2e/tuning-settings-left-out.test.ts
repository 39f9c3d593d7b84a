// A tuning number that cannot be used (ARM_CONCURRENCY=0x10, typed at 2 a.m.)
// stopped the function app's start: every sweep failed on it, so a circuit
// that went down paged no one. The sweep now runs on the default, names the
// setting every sweep on the line the erwatch-settings-left-out health alert
// hears, and the dispatcher delivers on its own default the same way.

import { expect, it } from "vitest";
import { carrierDownBoth, estateOf, healthyCircuit } from "../support/estate/index.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T02:00:00.000Z");
const worlds = worldPerTest();

it("a bad ARM_CONCURRENCY stops no sweep and no page: the default applies, named every sweep", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  carrierDownBoth(bundle.circuit, "AzurePrivatePeering");
  const lines: string[] = [];
  // Built as the Functions build each entry from app settings (loadSweepConfig, loadDispatchConfig).
  const w = await worlds.start({
    estate: estateOf(bundle),
    now: () => new Date(T0),
    env: { ARM_CONCURRENCY: "0x10", DISPATCH_ATTEMPTS: "three" },
    logDestination: {
      write: (line) => {
        lines.push(...line.split("\n").filter(Boolean));
        return true;
      },
    },
  });
  expect(w.runtime.config.arm.concurrency).toBe(16);
  expect(w.dispatch.config.dispatch.attemptsPerDelivery).toBe(3);

  const result = await w.timerSweep();
  expect(result.events.map((e) => [e.action, e.severity])).toEqual([["open", "Sev0"]]);
  expect(await w.dispatchPending()).toBe(1);
  expect(w.pagerduty.requests).toHaveLength(1);

  const said = lines
    .map((l) => JSON.parse(l) as { msg: string; ignored?: string[] })
    .filter((r) => r.msg.startsWith("entries of settings are invalid and left out ("));
  expect(said.map((r) => r.ignored)).toEqual([
    [
      'ARM_CONCURRENCY: expected a whole number in digits from 1 to 64, got "0x10" (left out: the default 16 applies)',
    ],
  ]);
});

// Found by a review: erwatch:pair="none" (the word erwatch:peerings and
// erwatch:standby-path take for "nothing") joined every circuit so tagged into
// one site named "none": an unrelated circuit carrying held another's
// whole-circuit Sev0 at Sev1 "site redundancy holding", unsaid. It names no
// site now: reported, and the circuit is in no pair.

import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { resolveCircuitSettings } from "../../src/core/circuit-settings.js";
import {
  carrierDown,
  healthyCircuit,
  setTraffic,
  type SimCircuit,
} from "../support/estate/index.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

const defaults = { connectivityModel: "own-edge" as const, expectedPeerings: [PRIVATE] };

it.each(["none", "None"])(
  'erwatch:pair="%s" names no site: reported, and the circuit is in no pair',
  (value) => {
    const { settings, problems } = resolveCircuitSettings({ "erwatch:pair": value }, defaults);
    expect(settings.pair).toBeUndefined();
    expect(problems.join("\n")).toMatch(/erwatch:pair/);
  },
);

it("two unrelated circuits tagged erwatch:pair=none: one carrying does not hold the other's whole-circuit outage at Sev1", async () => {
  const none = { "erwatch:pair": "none", "erwatch:standby-path": "none" };
  const bundles = [
    healthyCircuit({ name: "er-lon", peeringLocation: "London", tags: none }),
    healthyCircuit({ name: "er-sin", peeringLocation: "Singapore", tags: none }),
  ];
  const [lon] = bundles.map((b) => b.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  await sweepUntil(0, 0);
  carrierDown(lon, PRIVATE, "primary");
  carrierDown(lon, PRIVATE, "secondary");
  await sweepUntil(5, 30);
  const opened = sent().filter(
    (e: AlertEvent) => e.family === "path-down" && e.circuit.name === "er-lon",
  );
  expect(opened[0]?.title).not.toContain("site redundancy holding");
  expect(opened[0]).toMatchObject({ action: "open", severity: "Sev0" });
});

it("two unrelated circuits tagged erwatch:pair=none: one carrying does not take another's traffic stop off the pager (Sev1 to Sev2)", async () => {
  const none = { "erwatch:pair": "none" };
  const bundles = [
    healthyCircuit({ name: "er-lon", peeringLocation: "London", tags: none }),
    healthyCircuit({ name: "er-sin", peeringLocation: "Singapore", tags: none }),
  ];
  const [lon] = bundles.map((b) => b.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  await sweepUntil(0, 10);
  for (const path of ["primary", "secondary"] as const)
    setTraffic(lon, PRIVATE, path, { inBps: 0, outBps: 0 });
  await sweepUntil(15, 45);
  const stops = sent()
    .filter((e) => e.family === "traffic" && e.circuit.name === "er-lon")
    .map((e) => `${e.action} ${e.severity}: ${e.title}`);
  expect(stops[0]).toMatch(/^open Sev1: /);
});

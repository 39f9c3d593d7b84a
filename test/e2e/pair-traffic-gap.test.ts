// A partner whose throughput is unknown for sweeps running (a region's Azure
// Monitor late, or its metrics read failing) is told by the last traffic its
// snapshot kept while that is fresh: each reading that could not say overwrote
// it, and the passive circuit's open Sev2 escalated to a Sev1 page and back
// though the partner's last known traffic (carrying) was within the age bound.

import { expect, it } from "vitest";
import {
  healthyCircuit,
  metricsDip,
  setTraffic,
  type SimCircuit,
} from "../support/estate/index.js";
import { MIN, timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

it("a partner's Azure Monitor late for 20 minutes does not page the passive circuit's Sev2 holding stop to Sev1", async () => {
  const pair = { "erwatch:pair": "site-ams" };
  const bundles = [
    healthyCircuit({ name: "er-ams-1", tags: pair }),
    healthyCircuit({ name: "er-ams-2", tags: pair, peeringLocation: "London" }),
  ];
  const [, ams2] = bundles.map((b) => b.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  const { w, sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  const heard = (from = 0) =>
    sent()
      .slice(from)
      .filter((e) => e.family === "traffic")
      .map((e) => `${e.circuit.name} ${e.action} ${e.severity}`);
  await sweepUntil(0, 10);
  for (const path of ["primary", "secondary"] as const)
    setTraffic(ams2, PRIVATE, path, { inBps: 0, outBps: 0 });
  await sweepUntil(15, 45);
  expect(heard()).toEqual(["er-ams-2 open Sev2"]);
  const before = sent().length;
  // er-ams-1's region: Azure Monitor sends nothing for 20 minutes (it still carries the site).
  metricsDip(w.estate.state, {
    circuit: "er-ams-1",
    from: new Date(T0 + 47 * MIN).toISOString(),
    to: new Date(T0 + 67 * MIN).toISOString(),
    value: "gap",
  });
  await sweepUntil(50, 90);
  expect(heard(before)).toEqual([]);
}, 120_000);

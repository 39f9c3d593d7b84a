// Azure Monitor's metrics batch and Log Analytics both hanging through a
// timer sweep, their calls let go of at ARM_TIMEOUT_MS on the Monitor's own
// timer (the world's `monitorTime`), moved by hand: the deadline is two
// minutes and the estate holds each call for 30 s, so the sweep ends within
// the test's bound only if the deadlines are counted on that timer. Before,
// a Monitor call's deadline ran on real time, and a test of a hung call waited
// it out for real.
//
// - The circuit's capacity and end-to-end rows read UNKNOWN naming the
//   timeout, on both paths; nothing pages.
// - The sweep after it, Azure Monitor answering again, reads both rows up.

import { expect, it } from "vitest";
import { MAX_DELAY_MS, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { manualTime } from "../support/manual-time.js";
import { runToDeadlines } from "../support/monitor-deadlines.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const TIMEOUT_MS = 120_000;
/** Well under the estate's hold of each call, and under the deadline by far. */
const REAL_BOUND_MS = 25_000;

const worlds = worldPerTest();

it("a metrics batch call and a Log Analytics query that hang are let go of at ARM_TIMEOUT_MS on the Monitor's timer, with no real wait: capacity and end to end read UNKNOWN naming the timeout, nothing pages, and the sweep after it reads them up", async () => {
  const bundle = healthyCircuit();
  withConnectionMonitor(bundle);
  const time = manualTime();
  const t = await timerWorld(
    worlds,
    T0,
    [bundle],
    { ARM_TIMEOUT_MS: String(TIMEOUT_MS) },
    { monitorTime: time },
  );
  expect(MAX_DELAY_MS).toBeGreaterThan(REAL_BOUND_MS);
  for (const operation of ["metricsBatch", "queryLogs"] as const)
    t.w.estate.addFault({
      match: { operation },
      behaviour: { kind: "slow", delayMs: MAX_DELAY_MS },
    });
  const asked = () =>
    t.w.estate.requests.filter(
      (r) => r.operation === "metricsBatch" || r.operation === "queryLogs",
    );

  const started = performance.now();
  const { value: hung, moves } = await runToDeadlines(t.sweep(0), time, t.w.estate, TIMEOUT_MS);
  expect(performance.now() - started).toBeLessThan(REAL_BOUND_MS);
  expect(moves).toBeGreaterThan(0);
  // Both were asked, and neither answered: the deadline let go of them.
  expect(new Set(asked().map((r) => r.operation))).toEqual(new Set(["metricsBatch", "queryLogs"]));
  expect(asked().every((r) => r.status === 0)).toBe(true);
  const paths = hung.verdicts
    .find((v) => v.name === bundle.circuit.name)!
    .peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
  for (const path of [paths.primary, paths.secondary]) {
    expect(path.capacity).toEqual({ status: "unknown", detail: "metrics read failed: timeout" });
    expect(path.endToEnd).toEqual({
      status: "unknown",
      detail: "Connection Monitor cm-er-circuit-prod read failed in workspace law-network: timeout",
    });
  }
  await t.w.dispatchPending();
  expect(t.sent()).toEqual([]);
  expect([...t.w.pagerduty.requests, ...t.w.teams.requests, ...t.w.webhook.requests]).toEqual([]);

  t.w.estate.clearFaults();
  const before = asked().length;
  const next = await t.sweep(5);
  expect(asked().slice(before).length).toBeGreaterThan(0);
  expect(
    asked()
      .slice(before)
      .every((r) => r.status === 200),
  ).toBe(true);
  const again = next.verdicts
    .find((v) => v.name === bundle.circuit.name)!
    .peerings.find((p) => p.name === "AzurePrivatePeering")!.paths.primary;
  expect([again.capacity.status, again.endToEnd.status]).toEqual(["up", "up"]);
  expect(time.pending()).toBe(0);
  await t.w.dispatchPending();
  expect(t.sent()).toEqual([]);
}, 120_000);

// Circuits wired to one VNet gateway and one Connection Monitor into its VNet
// (found for each of them), at the product's cadence on an injected clock: in
// one process, or fanned out with each circuit in its own worker batch. For
// the "one Connection Monitor, one page" tests.

import { ServiceBusClient } from "@azure/service-bus";
import { expect } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  estateOf,
  healthyCircuit,
  withConnectionMonitor,
  type CircuitBundle,
  type SimCircuit,
} from "./estate/index.js";
import { circuitId } from "./estate/ids.js";
import { fanOutDriver } from "./fan-out-driver.js";
import { ALERTS_QUEUE, type World } from "./world.js";
import type { Worlds } from "./world-per-test.js";

export const GATEWAY_T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const QUEUE = "erwatch-sweep-work";

/** The sweep an event was decided at (T0 + 5 min per sweep). */
export const sweepOf = (e: AlertEvent): number =>
  Math.round((Date.parse(e.occurredAt) - GATEWAY_T0) / (5 * MIN));

/** A world's end-to-end events, as "action severity circuit@sweep". */
export function endToEndOf(w: World): string[] {
  return w.broker
    .accepted(ALERTS_QUEUE)
    .map((m) => m.body as AlertEvent)
    .filter((e) => e.family === "end-to-end")
    .map((e) => `${e.action} ${e.severity} ${e.circuit.name}@${sweepOf(e)}`);
}

/** The circuits' bundles: the first with its own gateway, the rest wired to it. */
export function gatewayBundles(
  names: readonly string[],
  tags: Record<string, string> = {},
): CircuitBundle[] {
  const locations = ["Amsterdam", "London", "Paris", "Dublin"];
  const bundles = names.map((name, i) =>
    healthyCircuit({
      name,
      peeringLocation: locations[i % locations.length]!,
      tags,
      ...(i === 0 ? {} : { gateway: "none" as const }),
    }),
  );
  const wired = bundles[0]!.connections[0]!;
  for (const b of bundles.slice(1))
    b.connections.push({
      ...wired,
      name: `conn-${b.circuit.name}`,
      circuitId: circuitId(b.circuit),
    });
  return bundles;
}

/** er-a and er-b both wired to er-a's gateway; one monitor tests its VNet. */
export async function gatewayWorld(
  worlds: Worlds,
  fanOut: boolean,
  env: Record<string, string> = {},
  tags: Record<string, string> = {},
) {
  const bundles = gatewayBundles(["er-a", "er-b"], tags);
  const monitor = withConnectionMonitor(bundles[0]!);
  let now = new Date(GATEWAY_T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      // Every circuit read every sweep: the end-to-end results of both are read each time.
      SWEEP_MAX_READ_AGE_MINUTES: "5",
      ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "1" } : {}),
      ...env,
    },
  });
  if (fanOut) await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** Sweep k at T0 + 5k min (less `earlyMs`: a timer tick a moment early). */
  const round = async (k: number, earlyMs = 0) => {
    now = new Date(GATEWAY_T0 + k * 5 * MIN - earlyMs);
    if (!fanOut) {
      expect((await w.timerSweep()).errors).toEqual([]);
      return;
    }
    await fan.timer(k);
    await fan.drain();
    expect(w.broker.active(QUEUE)).toEqual([]);
    expect(fan.errors).toEqual([]);
  };
  const rounds = async (from: number, to: number) => {
    for (let k = from; k <= to; k += 1) await round(k);
  };
  return {
    w,
    a: bundles[0]!.circuit as SimCircuit,
    monitor,
    round,
    rounds,
    endToEnd: () => endToEndOf(w),
  };
}

/**
 * ERWATCH_ACTION_GROUPS with a pager (PagerDuty at `pagerUrl`, action group
 * "pager") and a channel (Teams, action group "channel"), routed by `routes`.
 */
export function pagerAndChannel(pagerUrl: string, routes: object[]): string {
  return JSON.stringify({
    receivers: [
      {
        kind: "pagerduty",
        name: "pagerduty",
        routingKeySetting: "PAGERDUTY_ROUTING_KEY",
        url: `${pagerUrl}/v2/enqueue`,
      },
      { kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" },
    ],
    actionGroups: [
      { name: "pager", receivers: ["pagerduty"] },
      { name: "channel", receivers: ["teams"] },
    ],
    routes,
  });
}

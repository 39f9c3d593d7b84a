// The data-plane timelines' harness: the real timer function every 5 minutes
// on an injected clock over the simulated estate (ARM, Azure Monitor's metrics
// batch and Log Analytics on loopback to the real clients), state in
// Azurite, events to the broker; and the moves the traffic timelines make.

import { expect } from "vitest";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import type { SweepResult } from "../../src/app/sweep.js";
import {
  carrierDown,
  healthyCircuit,
  restorePath,
  setTraffic,
  withConnectionMonitor,
  type CircuitBundle,
  type SimConnectionMonitor,
} from "./estate/index.js";
import { timerWorld, type TimerWorld } from "./timer-world.js";
import type { Worlds } from "./world-per-test.js";

export const PRIVATE = "AzurePrivatePeering";
export const T0 = Date.parse("2026-11-22T01:00:00.000Z");
export const at = (m: number) => new Date(T0 + m * 60_000).toISOString();

export interface Timeline extends TimerWorld {
  bundle: CircuitBundle;
  /** A second circuit, when asked for: healthy unless a test breaks it. */
  other: CircuitBundle | null;
  monitor: SimConnectionMonitor | null;
  /** What the broker accepted: action:family:severity, in order. */
  said(): string[];
  /** As `said`, without the "Blind:" repeats of alerts erwatch lost sight of (blind-notice.ts). */
  heard(): string[];
  /** Sweeps every 5 minutes over [from, to], with each sweep's result. */
  sweeps(from: number, to: number): Promise<SweepResult[]>;
}

export async function timeline(
  worlds: Worlds,
  options: {
    monitor?: boolean;
    env?: Record<string, string>;
    other?: boolean;
    tags?: Record<string, string>;
    /** The timer Azure Monitor and Log Analytics calls count their deadlines on. */
    monitorTime?: Timekeeper;
  } = {},
): Promise<Timeline> {
  const bundle = healthyCircuit(options.tags ? { tags: options.tags } : {});
  // With two circuits the tiered sweep reads a quiet one deep every other sweep (rotation).
  const other = options.other
    ? healthyCircuit({ name: "er-circuit-dr", peeringLocation: "London" })
    : null;
  const monitor = options.monitor ? withConnectionMonitor(bundle) : null;
  const t = await timerWorld(
    worlds,
    T0,
    other ? [bundle, other] : [bundle],
    options.env ?? {},
    options.monitorTime ? { monitorTime: options.monitorTime } : {},
  );
  return {
    ...t,
    bundle,
    other,
    monitor,
    said: () => t.sent().map((e) => `${e.action}:${e.family}:${e.severity}`),
    heard: () =>
      t
        .sent()
        .filter((e) => !(e.action === "repeat" && e.change.startsWith("Blind:")))
        .map((e) => `${e.action}:${e.family}:${e.severity}`),
    async sweeps(from, to) {
      const out: SweepResult[] = [];
      for (let m = from; m <= to; m += 5) out.push(await t.sweep(m));
      return out;
    },
  };
}

/** The path carries nothing either way (its minutes in Azure Monitor read 0 bits). */
export const pathQuiet = (t: Timeline, path: "primary" | "secondary") =>
  setTraffic(t.bundle.circuit, PRIVATE, path, { inBps: 0, outBps: 0 });
export const pathBusy = (t: Timeline, path: "primary" | "secondary") =>
  setTraffic(t.bundle.circuit, PRIVATE, path, { inBps: 240e6, outBps: 90e6 });
/** The active (primary) path of an active/passive circuit fails: down, and carrying nothing. */
export const activeDown = (t: Timeline) => {
  carrierDown(t.bundle.circuit, PRIVATE, "primary");
  pathQuiet(t, "primary");
};

/** The active path back and carrying from sweep 80: its outage and the failover's Sev1 both resolve. */
export async function activeBackResolvesBoth(t: Timeline) {
  restorePath(t.bundle.circuit, PRIVATE, "primary");
  pathBusy(t, "primary");
  await t.sweeps(80, 100);
  expect(t.heard()).toEqual([
    "open:path-down:Sev2",
    "open:traffic:Sev1",
    "resolve:path-down:Sev2",
    "resolve:traffic:Sev1",
  ]);
}

export const verdictOf = (r: SweepResult, name = "er-circuit-prod") =>
  r.verdicts.find((v) => v.name === name)!;
export const decisionOf = (r: SweepResult, family: string, name = "er-circuit-prod") =>
  r.decisions.find(
    (d) => d.family === family && d.circuitId.toLowerCase().endsWith(`/${name}`.toLowerCase()),
  );

// The tiered sweep never delays a data-plane page: a circuit whose metrics
// already show what traffic-stopped or saturation alerts on is read deep in
// the sweep that shows it, so with six circuits (each read deep by the rotation
// only every other sweep) the alert opens at the same minute as with one. The
// real timer every 5 minutes on an injected clock, the loopback estate serving
// ARM and Azure Monitor's metrics batch, state in Azurite.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import {
  healthyCircuit,
  metricsDip,
  setTraffic,
  type CircuitBundle,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const PROD = "er-circuit-prod";

const worlds = worldPerTest();

interface Run {
  /** The minute of the first `open` of the family; null when it never opened. */
  openedAt: number | null;
  /** Each sweep's plan entry for the broken circuit (absent: judged quiet on the cheap tier). */
  plans: { minute: number; reason?: string; detail?: string }[];
  /** Plan entries of the healthy circuits read because a cheap signal said so. */
  healthySignals: string[];
}

/**
 * `circuits` circuits, one of them (er-circuit-prod) broken by `breakIt` just
 * after the sweep at minute 0; timer sweeps every 5 minutes to `until`.
 */
async function run(
  circuits: number,
  family: string,
  breakIt: (b: CircuitBundle) => void,
  env: Record<string, string> = {},
  until = 45,
): Promise<Run> {
  const prod = healthyCircuit();
  const others = Array.from({ length: circuits - 1 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  const t = await timerWorld(worlds, T0, [prod, ...others], env);
  await t.sweep(0);
  breakIt(prod);
  const out: Run = { openedAt: null, plans: [], healthySignals: [] };
  for (let m = 5; m <= until; m += 5) {
    const result: SweepResult = await t.sweep(m);
    const planned = result.plan.deep.find((d) => d.name === PROD);
    out.plans.push({
      minute: m,
      ...(planned ? { reason: planned.reason, detail: planned.detail } : {}),
    });
    out.healthySignals.push(
      ...result.plan.deep
        .filter((d) => d.name !== PROD && d.reason === "signal")
        .map((d) => `${m}: ${d.name}: ${d.detail}`),
    );
    const opened = t.sent().find((e) => e.action === "open" && e.family === family);
    if (opened && out.openedAt === null) out.openedAt = m;
  }
  return out;
}

const stopBothPaths = (b: CircuitBundle) => {
  setTraffic(b.circuit, PRIVATE, "primary", { inBps: 0, outBps: 0 });
  setTraffic(b.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
};
const saturatePrimary = (b: CircuitBundle) =>
  setTraffic(b.circuit, PRIVATE, "primary", { inBps: 870e6, outBps: 90e6 });

describe("the cheap tier sends a circuit whose metrics show a data-plane alert to a deep read", () => {
  it("traffic-stopped opens at the same minute with six circuits as with one, and the plan says what the metrics showed", async () => {
    const alone = await run(1, "traffic", stopBothPaths);
    const six = await run(6, "traffic", stopBothPaths);
    expect(alone.openedAt).not.toBeNull();
    expect(six.openedAt).toBe(alone.openedAt);
    // The first sweep whose metrics show the stop reads it deep for that reason.
    const first = six.plans.find((p) => p.reason === "signal");
    expect(first?.detail).toMatch(
      /^Azure Monitor: no traffic either way on AzurePrivatePeering primary for \d+ min \(last carried \d\d:\d\d UTC\); no traffic either way on AzurePrivatePeering secondary/,
    );
    // The five healthy circuits carry traffic all along: their metrics send none of them deep.
    expect(six.healthySignals).toEqual([]);
  });

  it("saturation opens at the same minute with six circuits as with one", async () => {
    const alone = await run(1, "capacity", saturatePrimary);
    const six = await run(6, "capacity", saturatePrimary);
    expect(alone.openedAt).not.toBeNull();
    expect(six.openedAt).toBe(alone.openedAt);
    const first = six.plans.find((p) => p.reason === "signal");
    expect(first?.detail).toBe("Azure Monitor: primary in ≥ 87% of 1 Gbps for 15 min");
    expect(six.healthySignals).toEqual([]);
  });

  it("judges by the thresholds erwatch is configured with: 870 Mbps of 1 Gbps under SATURATION_PERCENT=90 sends nothing deep and pages nothing", async () => {
    const six = await run(6, "capacity", saturatePrimary, { SATURATION_PERCENT: "90" });
    expect(six.openedAt).toBeNull();
    expect(six.plans.filter((p) => p.reason === "signal")).toEqual([]);
    expect(six.healthySignals).toEqual([]);
  });
});

/**
 * The first timer sweep with an 8-second deadline: a quarter of it (2 s) is
 * the cheap tier's, so a metrics call slower than that times out there.
 */
async function shortSweep(t: Awaited<ReturnType<typeof timerWorld>>) {
  const result = await t.w.runtime.sweeper.sweep({
    scope: { subscriptions: t.w.runtime.config.arm.subscriptions, circuitIds: [] },
    now: new Date(T0),
    mode: "tiered",
    deadline: new Date(Date.now() + 8_000),
    abortSignal: AbortSignal.timeout(30_000),
  });
  expect(result.errors).toEqual([]);
  return result;
}

describe("the cheap tier's budget running out", () => {
  it("leaves the deep read to ask Azure Monitor itself, never to judge a circuit blind on what the cheap tier did not get", async () => {
    const prod = healthyCircuit();
    const t = await timerWorld(worlds, T0, [prod]);
    // Azure Monitor slow for the cheap tier's two calls only, past its share of the sweep.
    t.w.estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "slow", delayMs: 6_000 },
      times: 2,
    });
    const result = await shortSweep(t);
    const verdict = result.verdicts.find((v) => v.name === PROD)!;
    const paths = verdict.peerings.find((p) => p.name === PRIVATE)!.paths;
    // Before, the cheap tier's timeout was the deep read's metrics: capacity unknown, blind.
    expect([paths.primary.capacity.status, paths.secondary.capacity.status]).toEqual(["up", "up"]);
    expect(verdict.findings.map((f) => f.code)).not.toContain("monitoring-blind");
    const calls = t.w.estate.requests.filter((r) => r.operation === "metricsBatch");
    expect(calls.length).toBeGreaterThanOrEqual(4);
  });
});

describe("the cheap tier's Global Reach call running out of budget", () => {
  it("is asked again by the deep read, never judged blind on what the cheap tier did not get", async () => {
    const prod = healthyCircuit();
    const dr = healthyCircuit({ name: "er-circuit-dr" });
    prod.circuit.peerings[0]!.globalReach.push({
      name: "gr-prod-dr",
      peerCircuitPeeringId: `${circuitId(dr.circuit)}/peerings/AzurePrivatePeering`,
      status: "Connected",
    });
    const t = await timerWorld(worlds, T0, [prod, dr]);
    // Only the Global Reach call is slow, and only the cheap tier's.
    t.w.estate.addFault({
      match: { operation: "metricsBatch", metric: "GlobalReachBitsInPerSecond" },
      behaviour: { kind: "slow", delayMs: 6_000 },
      times: 1,
    });
    const result = await shortSweep(t);
    const verdict = result.verdicts.find((v) => v.name === PROD)!;
    const row = verdict.peerings.find((p) => p.name === PRIVATE)!.paths.primary.globalReach;
    expect(row.detail).not.toMatch(/throughput unknown/);
    expect(verdict.findings.map((f) => f.code)).not.toContain("monitoring-blind");
  });
});

describe("a circuit whose throughput Azure Monitor has no series for", () => {
  it("is read deep in its turn, as a healthy one is, not every sweep for an UNKNOWN no deep read mends", async () => {
    const prod = healthyCircuit();
    const others = Array.from({ length: 5 }, (_, i) =>
      healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
    );
    const t = await timerWorld(worlds, T0, [prod, ...others]);
    // Only nulls, from before the first sweep's look-back to after the last's.
    metricsDip(t.w.estate.state, {
      circuit: PROD,
      metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
      from: new Date(T0 - 24 * 60 * 60_000).toISOString(),
      to: new Date(T0 + 24 * 60 * 60_000).toISOString(),
      value: "gap",
    });
    const first = await t.sweep(0);
    const capacity = first.verdicts.find((v) => v.name === PROD)!.peerings[0]!.paths.primary
      .capacity;
    expect(capacity).toMatchObject({ status: "unknown", detail: "no throughput data" });
    const deepReads = new Map<string, number>();
    for (let m = 5; m <= 40; m += 5)
      for (const d of (await t.sweep(m)).plan.deep)
        deepReads.set(d.name, (deepReads.get(d.name) ?? 0) + 1);
    // Six circuits, two sweeps per rotation: each read deep every other sweep (4 of 8).
    expect(deepReads.get(PROD)).toBe(4);
    expect(deepReads.get("er-circuit-a")).toBe(4);
    // A gap in the metrics is told to nobody: no monitoring-blind, no page.
    expect(t.sent()).toEqual([]);
  });
});

describe("a circuit whose throughput series comes back", () => {
  it("has its capacity row judged in the sweep the cheap tier sees the series again, not when its turn comes", async () => {
    const prod = healthyCircuit();
    const others = Array.from({ length: 5 }, (_, i) =>
      healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
    );
    const t = await timerWorld(worlds, T0, [prod, ...others]);
    // No series through the first sweep; flowing again two minutes after it.
    metricsDip(t.w.estate.state, {
      circuit: PROD,
      metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
      from: new Date(T0 - 24 * 60 * 60_000).toISOString(),
      to: new Date(T0 + 2 * 60_000).toISOString(),
      value: "gap",
    });
    const first = await t.sweep(0);
    const capacity = (r: SweepResult) =>
      r.verdicts.find((v) => v.name === PROD)?.peerings[0]!.paths.primary.capacity;
    expect(capacity(first)).toMatchObject({ status: "unknown", detail: "no throughput data" });
    const next = await t.sweep(5);
    // Before: quiet on the cheap tier, its capacity UNKNOWN until the rotation came to it.
    expect(next.plan.deep.find((d) => d.name === PROD)).toMatchObject({ reason: "signal" });
    expect(capacity(next)?.status).toBe("up");
    // Back in step: read in its turn after that, not every sweep.
    const later = await t.sweep(10);
    expect(later.plan.deep.find((d) => d.name === PROD)?.reason ?? "quiet").not.toBe("signal");
    expect(t.sent()).toEqual([]);
  });
});

describe("a capacity row UNKNOWN after it was judged", () => {
  it("is judged again in the sweep the cheap tier sees the throughput back, as one never judged is", async () => {
    const prod = healthyCircuit();
    const others = Array.from({ length: 5 }, (_, i) =>
      healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
    );
    const t = await timerWorld(worlds, T0, [prod, ...others]);
    const capacity = (r: SweepResult) =>
      r.verdicts.find((v) => v.name === PROD)?.peerings[0]!.paths.primary.capacity;
    expect(capacity(await t.sweep(0))?.status).toBe("up");
    const gap = {
      circuit: PROD,
      path: "primary" as const,
      metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
      from: new Date(T0 - 24 * 60 * 60_000).toISOString(),
      to: new Date(T0 + 24 * 60 * 60_000).toISOString(),
      value: "gap" as const,
    };
    metricsDip(t.w.estate.state, gap);
    // Its turn comes within a rotation: the deep read finds no series.
    let m = 5;
    for (; m <= 20; m += 5) if (capacity(await t.sweep(m))?.status === "unknown") break;
    expect(m).toBeLessThanOrEqual(20);
    // The series back a minute after that sweep.
    gap.to = new Date(T0 + (m + 1) * 60_000).toISOString();
    const next = await t.sweep(m + 5);
    expect(next.plan.deep.find((d) => d.name === PROD)).toMatchObject({ reason: "signal" });
    expect(capacity(next)?.status).toBe("up");
    expect(t.sent()).toEqual([]);
  });
});

describe("an active/passive circuit whose active path's throughput Azure Monitor leaves out", () => {
  const countDeep = async (t: Awaited<ReturnType<typeof timerWorld>>, from: number, to: number) => {
    const reasons: string[] = [];
    let rows: string[] = [];
    for (let m = from; m <= to; m += 5) {
      const result = await t.sweep(m);
      reasons.push(result.plan.deep.find((d) => d.name === PROD)?.reason ?? "quiet");
      const paths = result.verdicts.find((v) => v.name === PROD)?.peerings[0]!.paths;
      if (paths) rows = [paths.primary.capacity.status, paths.secondary.capacity.status];
    }
    return { reasons, rows };
  };
  const activePassive = async () => {
    const prod = healthyCircuit({ tags: { "erwatch:standby-path": "secondary" } });
    const others = Array.from({ length: 5 }, (_, i) =>
      healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
    );
    return { prod, t: await timerWorld(worlds, T0, [prod, ...others]) };
  };
  const primaryGap = {
    circuit: PROD,
    path: "primary" as const,
    metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
    from: new Date(T0 - 24 * 60 * 60_000).toISOString(),
    to: new Date(T0 + 24 * 60 * 60_000).toISOString(),
    value: "gap" as const,
  };

  it("is read deep in its turn, not every sweep, once the standby's last traffic is older than the cheap tier's look-back", async () => {
    const { t } = await activePassive();
    metricsDip(t.w.estate.state, primaryGap);
    // The standby last carried 20 minutes before erwatch's first read of it.
    metricsDip(t.w.estate.state, {
      circuit: PROD,
      path: "secondary",
      metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
      from: new Date(T0 - 20 * 60_000).toISOString(),
      to: new Date(T0 + 24 * 60 * 60_000).toISOString(),
      value: 0,
    });
    await t.sweep(0);
    const { reasons, rows } = await countDeep(t, 5, 90);
    // Neither row can be judged while the active path has no series; no deep read mends them.
    expect(rows).toEqual(["unknown", "unknown"]);
    expect(reasons.filter((r) => r === "signal")).toEqual([]);
    // Six circuits, two sweeps per rotation: every other sweep (9 of 18).
    expect(reasons.filter((r) => r !== "quiet")).toHaveLength(9);
    expect(t.sent()).toEqual([]);
  });

  it("so too when the standby carried at an earlier read", async () => {
    const { prod, t } = await activePassive();
    await t.sweep(0);
    setTraffic(prod.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    metricsDip(t.w.estate.state, { ...primaryGap, from: new Date(T0 + 5 * 60_000).toISOString() });
    await countDeep(t, 5, 60);
    const { reasons, rows } = await countDeep(t, 65, 120);
    expect(rows).toEqual(["unknown", "unknown"]);
    expect(reasons.filter((r) => r === "signal")).toEqual([]);
    expect(reasons.filter((r) => r !== "quiet").length).toBeLessThanOrEqual(6);
    expect(t.sent()).toEqual([]);
  });
});

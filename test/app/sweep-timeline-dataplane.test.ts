// The data-plane alert families (traffic, capacity, end-to-end, config-drift)
// walked through the alert lifecycle at the product's cadence: the real timer
// function every 5 minutes on an injected clock, the simulated estate serving
// ARM, Azure Monitor's metrics batch and Log Analytics on loopback to the real
// clients, state in Azurite, events to the broker. What on-call lives through:
// metrics that lag or gap, values that make no sense, hysteresis, repeats,
// escalation, silences and inhibition, and a query that fails for one sweep.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import {
  carrierDown,
  editWire,
  healthyCircuit,
  metricsDip,
  restorePath,
  setTraffic,
  withConnectionMonitor,
  type CircuitBundle,
  type SimConnectionMonitor,
} from "../support/estate/index.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const at = (m: number) => new Date(T0 + m * 60_000).toISOString();

const worlds = worldPerTest();

interface Timeline extends TimerWorld {
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

async function timeline(
  options: { monitor?: boolean; env?: Record<string, string>; other?: boolean } = {},
): Promise<Timeline> {
  const bundle = healthyCircuit();
  // With two circuits the tiered sweep reads a quiet one deep every other sweep (rotation).
  const other = options.other
    ? healthyCircuit({ name: "er-circuit-dr", peeringLocation: "London" })
    : null;
  const monitor = options.monitor ? withConnectionMonitor(bundle) : null;
  const t = await timerWorld(worlds, T0, other ? [bundle, other] : [bundle], options.env ?? {});
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

const verdictOf = (r: SweepResult, name = "er-circuit-prod") =>
  r.verdicts.find((v) => v.name === name)!;
const decisionOf = (r: SweepResult, family: string, name = "er-circuit-prod") =>
  r.decisions.find(
    (d) => d.family === family && d.circuitId.toLowerCase().endsWith(`/${name}`.toLowerCase()),
  );

describe("traffic-stopped through the lifecycle", () => {
  it("opens after its window and two sweeps, a metrics gap neither resolves it nor counts, and it resolves after two clean sweeps", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 0, outBps: 0 });
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    await t.sweeps(5, 20);
    expect(t.said()).toEqual([]);
    await t.sweeps(25, 30);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);

    // Azure Monitor goes silent for 25 minutes: no data is not "traffic back".
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      from: at(25),
      to: at(55),
      value: "gap",
    });
    const during = await t.sweeps(35, 60);
    // Held as last seen; whoever holds the Sev1 hears once that erwatch lost sight of it.
    expect(t.said()).toEqual(["open:traffic:Sev1", "repeat:traffic:Sev1"]);
    expect(t.sent()[1]!.change).toMatch(/^Blind: /);
    const blind = during.filter((r) => decisionOf(r, "traffic")?.reason === "blind");
    expect(blind.length).toBeGreaterThan(0);
    expect(verdictOf(blind[0]!).peerings[0]!.paths.primary.capacity).toMatchObject({
      status: "unknown",
      detail: expect.stringMatching(/no throughput data/),
    });

    // The gap ends, still quiet: still the one alert. Then traffic comes back.
    await t.sweeps(65, 70);
    expect(t.said()).toHaveLength(2);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 240e6, outBps: 90e6 });
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 240e6, outBps: 90e6 });
    await t.sweep(75);
    expect(t.said()).toHaveLength(2);
    await t.sweeps(80, 85);
    expect(t.said().slice(2)).toEqual(["resolve:traffic:Sev1"]);
  });

  it("a gap on one path of a both-paths stop is not that path recovering: no de-escalation, and then one path, then both, recover", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 0, outBps: 0 });
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    await t.sweeps(5, 30);
    expect(t.heard()).toEqual(["open:traffic:Sev1"]);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      peering: PRIVATE,
      path: "primary",
      from: at(28),
      to: at(50),
      value: "gap",
    });
    const during = await t.sweeps(35, 50);
    expect(t.heard()).toEqual(["open:traffic:Sev1"]);
    expect(
      during.some((r) => verdictOf(r).peerings[0]!.paths.primary.capacity.status === "unknown"),
    ).toBe(true);
    // Data again, and the primary really carries traffic: Sev1 → Sev2 says so, then it resolves.
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 240e6, outBps: 90e6 });
    await t.sweeps(55, 75);
    expect(t.heard()).toEqual(["open:traffic:Sev1", "deescalate:traffic:Sev2"]);
    expect(t.sent().find((e) => e.action === "deescalate")!.change).toContain(
      "the primary path recovered",
    );
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 240e6, outBps: 90e6 });
    await t.sweeps(80, 95);
    expect(t.heard()).toEqual([
      "open:traffic:Sev1",
      "deescalate:traffic:Sev2",
      "resolve:traffic:Sev2",
    ]);
  });
});

/** Every minute of [from, to) of these throughput metrics of a path reads `value` at Azure Monitor. */
function oddThroughput(
  t: Timeline,
  path: "primary" | "secondary",
  value: number,
  from: number,
  to: number,
  metrics = ["BitsInPerSecond", "BitsOutPerSecond"],
) {
  metricsDip(t.w.estate.state, {
    circuit: "er-circuit-prod",
    peering: PRIVATE,
    path,
    metrics,
    from: at(from),
    to: at(to),
    value,
  });
}

const notesOf = (r: SweepResult) => verdictOf(r).peerings[0]!.notes ?? [];

describe("metric values that make no sense, through the real metrics reader", () => {
  it("negative bits/s is not 'no traffic': nothing pages, the values are named, and the other circuit is judged as ever", async () => {
    const t = await timeline({ other: true });
    await t.sweeps(0, 5);
    oddThroughput(t, "primary", -5, 6, 120);
    oddThroughput(t, "secondary", -5, 6, 120);
    const results = await t.sweeps(10, 60);
    expect(t.said()).toEqual([]);
    const prod = results.filter((r) => verdictOf(r) !== undefined);
    const last = prod[prod.length - 1]!;
    expect(verdictOf(last).peerings[0]!.paths.primary.capacity).toMatchObject({
      status: "unknown",
    });
    expect(notesOf(last).join("\n")).toMatch(/BitsInPerSecond -5 .*primary/);
    const dr = results.filter((r) => verdictOf(r, "er-circuit-dr") !== undefined);
    expect(dr.length).toBeGreaterThan(0);
    for (const r of dr)
      expect(verdictOf(r, "er-circuit-dr").peerings[0]!.paths.primary.capacity).toEqual({
        status: "up",
        detail: "in 24% · out 9% of 1 Gbps",
      });
  });

  it("a negative availability does not pass for a metrics dip that excuses a real stop", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 0, outBps: 0 });
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    // One minute of BgpAvailability -5 % on each path, inside the quiet window.
    for (const path of ["primary", "secondary"] as const)
      metricsDip(t.w.estate.state, {
        circuit: "er-circuit-prod",
        peering: PRIVATE,
        path,
        metrics: ["BgpAvailability"],
        from: at(12),
        to: at(13),
        value: -5,
      });
    const results = await t.sweeps(5, 30);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    expect(results.flatMap(notesOf).join("\n")).toMatch(/BgpAvailability -5 .*(primary|secondary)/);
    expect(results.flatMap(notesOf).join("\n")).not.toMatch(/a metrics dip, not paged/);
  });

  it("one absurd minute (1e30 bits/s) does not recover a stopped path; a run of them neither saturates it nor recovers it", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 0, outBps: 0 });
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    await t.sweeps(5, 30);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    oddThroughput(t, "primary", 1e30, 31, 32, ["BitsInPerSecond"]);
    const after = await t.sweeps(35, 50);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    expect(after.flatMap(notesOf).join("\n")).toMatch(/BitsInPerSecond 1e\+30 .*primary/);
    // Twenty minutes of them: no saturation, and the unread primary is not "recovered".
    oddThroughput(t, "primary", 1e30, 50, 75, ["BitsInPerSecond"]);
    await t.sweeps(55, 80);
    expect(t.heard()).toEqual(["open:traffic:Sev1"]);
    expect(t.sent().filter((e) => e.family === "capacity")).toEqual([]);
  });

  it("availability 250 % and a value that is not a number are named, never read as healthy", async () => {
    const t = await timeline();
    await t.sweep(0);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      peering: PRIVATE,
      path: "secondary",
      metrics: ["BgpAvailability"],
      from: at(0),
      to: at(120),
      value: 250,
    });
    // The 41st minute of the look-back of every throughput series: "NaN" as text.
    editWire(t.bundle.circuit, {
      read: "metrics",
      field: "value[0].timeseries[0].data[40].average",
      value: "NaN",
    });
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    const results = await t.sweeps(5, 15);
    expect(t.said()).toEqual(["open:path-down:Sev2"]);
    const last = results[results.length - 1]!;
    const notes = notesOf(last).join("\n");
    expect(notes).toMatch(/BgpAvailability 250 .*secondary/);
    expect(notes).toMatch(/"NaN"/);
    // 250 % is not Azure Monitor's view of a session that ARM reads down.
    const view = t.sent()[0]!.evidence.azureMonitor as { agrees: boolean | null; detail: string };
    expect(view.detail).not.toMatch(/250/);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
  });
});

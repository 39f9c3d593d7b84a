// The data-plane alert families (traffic, capacity, end-to-end, config-drift)
// walked through the alert lifecycle at the product's cadence: the real timer
// function every 5 minutes on an injected clock, the simulated estate serving
// ARM, Azure Monitor's metrics batch and Log Analytics on loopback to the real
// clients, state in Azurite, events to the broker. What on-call lives through:
// metrics that lag or gap, values that make no sense, hysteresis, repeats,
// escalation, silences and inhibition, and a query that fails for one sweep.
// traffic-stopped around outages and beside partner paths has its own file
// (sweep-timeline-traffic.test.ts).

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import {
  MAX_DELAY_MS,
  carrierDown,
  editWire,
  metricsDip,
  peeringOf,
  removePeering,
  restorePath,
  setTestResults,
  setTraffic,
  type CircuitBundle,
  type SimConnectionMonitor,
} from "../support/estate/index.js";
import {
  at,
  decisionOf,
  pathBusy,
  pathQuiet,
  PRIVATE,
  timeline as timelineOf,
  verdictOf,
  type Timeline,
} from "../support/dataplane-timeline.js";
import { manualTime } from "../support/manual-time.js";
import { runToDeadlines } from "../support/monitor-deadlines.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();
const timeline = (options?: Parameters<typeof timelineOf>[1]) => timelineOf(worlds, options);

describe("traffic-stopped through the lifecycle", () => {
  it("opens after its window and two sweeps, a metrics gap neither resolves it nor counts, and it resolves after two clean sweeps", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
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
    // A gap in the metrics opens no monitoring-blind alert: the notice says what is missing instead.
    expect(t.sent()[1]!.change).toMatch(
      /^Blind: erwatch has had no reading behind this alert since .*Azure Monitor's metrics or Connection Monitor's results missing/,
    );
    const blind = during.filter((r) => decisionOf(r, "traffic")?.reason === "blind");
    expect(blind.length).toBeGreaterThan(0);
    expect(verdictOf(blind[0]!).peerings[0]!.paths.primary.capacity).toMatchObject({
      status: "unknown",
      detail: expect.stringMatching(/no throughput data/),
    });

    // The gap ends, still quiet: still the one alert. Then traffic comes back.
    await t.sweeps(65, 70);
    expect(t.said()).toHaveLength(2);
    pathBusy(t, "primary");
    pathBusy(t, "secondary");
    await t.sweep(75);
    expect(t.said()).toHaveLength(2);
    await t.sweeps(80, 85);
    expect(t.said().slice(2)).toEqual(["resolve:traffic:Sev1"]);
  });

  it("a gap on one path of a both-paths stop is not that path recovering: no de-escalation, and then one path, then both, recover", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
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
    pathBusy(t, "primary");
    await t.sweeps(55, 75);
    expect(t.heard()).toEqual(["open:traffic:Sev1", "deescalate:traffic:Sev2"]);
    expect(t.sent().find((e) => e.action === "deescalate")!.change).toContain(
      "the primary path recovered",
    );
    pathBusy(t, "secondary");
    await t.sweeps(80, 95);
    expect(t.heard()).toEqual([
      "open:traffic:Sev1",
      "deescalate:traffic:Sev2",
      "resolve:traffic:Sev2",
    ]);
  });
  it("a stopped link whose sessions then drop is one outage: the Sev0 pages and the stop's all-clear waits for it", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    const down = await t.sweeps(35, 50);
    expect(t.said()).toEqual(["open:traffic:Sev1", "open:path-down:Sev0"]);
    expect(decisionOf(down[3]!, "traffic")).toMatchObject({ action: "none", reason: "inhibited" });
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    pathBusy(t, "primary");
    pathBusy(t, "secondary");
    await t.sweeps(55, 70);
    expect([...t.said()].sort()).toEqual([
      "open:path-down:Sev0",
      "open:traffic:Sev1",
      "resolve:path-down:Sev0",
      "resolve:traffic:Sev1",
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
  it("negative bits/s is not 'no traffic': only erwatch's blindness is told, the values are named, and the other circuit is judged as ever", async () => {
    const t = await timeline({ other: true });
    await t.sweeps(0, 5);
    oddThroughput(t, "primary", -5, 6, 120);
    oddThroughput(t, "secondary", -5, 6, 120);
    const results = await t.sweeps(10, 60);
    // Traffic and saturation cannot be judged on either path: monitoring-blind says so, nothing else.
    expect(t.said()).toEqual(["open:monitoring-blind:Sev3"]);
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
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
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
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    oddThroughput(t, "primary", 1e30, 31, 32, ["BitsInPerSecond"]);
    const after = await t.sweeps(35, 50);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    expect(after.flatMap(notesOf).join("\n")).toMatch(/BitsInPerSecond 1e\+30 .*primary/);
    // Twenty minutes of them: no saturation, and the unread primary is not "recovered"; that it is unread is told.
    oddThroughput(t, "primary", 1e30, 50, 75, ["BitsInPerSecond"]);
    await t.sweeps(55, 80);
    expect(t.heard()).toEqual(["open:traffic:Sev1", "open:monitoring-blind:Sev3"]);
    expect(t.sent().filter((e) => e.family === "capacity")).toEqual([]);
  });

  it("a minute dated 2099 carrying traffic does not recover a stopped path, now or later: it is named and left out", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      peering: PRIVATE,
      path: "primary",
      metrics: ["BitsInPerSecond"],
      from: at(31),
      to: at(32),
      value: "future-time",
    });
    const after = await t.sweeps(35, 95);
    expect(t.said()).toEqual(["open:traffic:Sev1"]);
    expect(after.flatMap(notesOf).join("\n")).toMatch(/dated after the query's end/);
    // Through 95, long after the odd minute left the look-back: still the one alert, never
    // "idle" because it was remembered as carrying traffic in 2099.
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

/** The Monitor calls' deadline where a test moves their timer itself. */
const TIMEOUT_MS = 30_000;
const capacityOf = (r: SweepResult) => verdictOf(r).peerings[0]!.paths.primary.capacity;
const blindTitles = (r: SweepResult) =>
  verdictOf(r)
    .findings.filter((f) => f.code === "monitoring-blind")
    .map((f) => f.title);

describe("metric values that make no sense every sweep: erwatch says it cannot judge the path", () => {
  it("absurd throughput on one path opens one monitoring-blind Sev3 naming it after three sweeps, holds no control-plane alert, and resolves two sweeps after the values are sane", async () => {
    const t = await timeline();
    await t.sweep(0);
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    // -5 bits/s both ways on the primary from 01:01 to 01:40; sane from 01:40.
    oddThroughput(t, "primary", -5, 1, 40);
    const before = await t.sweeps(5, 20);
    expect(t.said()).toEqual(["open:path-down:Sev2"]);
    // Unreadable from 01:15: blind at 01:15, 01:20, open at the third sweep in a row.
    expect(before.map((r) => blindTitles(r).length)).toEqual([0, 0, 1, 1]);
    const opened = await t.sweep(25);
    expect(t.said()).toEqual(["open:path-down:Sev2", "open:monitoring-blind:Sev3"]);
    const event = t.sent()[1]!;
    expect(event).toMatchObject({ severity: "Sev3", peering: PRIVATE, paths: ["primary"] });
    expect(event.title).toMatch(
      /^erwatch cannot understand what Azure answered for BitsInPerSecond of AzurePrivatePeering\/primary: -5 \(negative bits\/s\), \d+ minutes? since \d\d:\d\d UTC; 1 more answer it cannot understand$/,
    );
    expect(capacityOf(opened)).toMatchObject({
      status: "unknown",
      detail: expect.stringMatching(/Azure Monitor sent values that cannot be/),
    });
    const during = [opened, ...(await t.sweeps(30, 40))];
    // The path-down beside it is judged as ever: never held blind by the metrics.
    for (const r of [...before, ...during])
      expect(decisionOf(r, "path-down")?.reason).not.toBe("blind");
    expect(t.said()).toHaveLength(2);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    // Sane from 01:40: the row is judged at 01:45 and 01:50, so the blind alert resolves at 01:50, as the path-down does.
    const after = await t.sweeps(45, 50);
    expect(capacityOf(after[0]!).status).toBe("up");
    expect(blindTitles(after[0]!)).toEqual([]);
    expect([...t.said()].sort()).toEqual([
      "open:monitoring-blind:Sev3",
      "open:path-down:Sev2",
      "resolve:monitoring-blind:Sev3",
      "resolve:path-down:Sev2",
    ]);
    await t.sweeps(55, 70);
    expect(t.said()).toHaveLength(4);
  });

  it("a single odd minute among good ones is a note: nothing is told", async () => {
    const t = await timeline();
    await t.sweep(0);
    oddThroughput(t, "primary", -5, 12, 13);
    const results = await t.sweeps(5, 40);
    expect(t.said()).toEqual([]);
    expect(results.flatMap(blindTitles)).toEqual([]);
    expect(results.map((r) => capacityOf(r).status)).toEqual(Array(8).fill("up"));
    expect(results.flatMap(notesOf).join("\n")).toMatch(/BitsInPerSecond -5 for the primary path/);
  });
});

describe("Global Reach values that make no sense every sweep: as a path's capacity row", () => {
  it("-5 bits/s on a Connected connection's series opens one monitoring-blind Sev3 naming the metric and the connection, and resolves two sweeps after the values are sane", async () => {
    const t = await timeline();
    const dr = `/subscriptions/${t.bundle.circuit.subscriptionId}/resourceGroups/rg-hybrid-dr/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr`;
    peeringOf(t.bundle.circuit, PRIVATE).globalReach.push({
      name: "gr-to-er-circuit-dr",
      peerCircuitPeeringId: `${dr}/peerings/${PRIVATE}`,
      status: "Connected",
      traffic: { inBps: 12e6, outBps: 3e6 },
    });
    await t.sweep(0);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      metrics: ["GlobalReachBitsInPerSecond", "GlobalReachBitsOutPerSecond"],
      from: at(1),
      to: at(40),
      value: -5,
    });
    const during = await t.sweeps(5, 40);
    expect(t.said()).toEqual(["open:monitoring-blind:Sev3"]);
    const event = t.sent()[0]!;
    expect(event).toMatchObject({ severity: "Sev3", peering: PRIVATE, paths: [] });
    expect(event.title).toMatch(
      /^erwatch cannot understand what Azure answered for GlobalReachBitsInPerSecond of Global Reach gr-to-er-circuit-dr: -5 \(negative bits\/s\), \d+ minutes? since \d\d:\d\d UTC; 1 more answer it cannot understand$/,
    );
    const last = verdictOf(during.at(-1)!);
    // Connected is the control plane's word: the row stays up, its throughput is said to be unread.
    expect(last.peerings[0]!.paths.primary.globalReach).toEqual({
      status: "up",
      detail:
        "gr-to-er-circuit-dr Connected · no throughput data since 01:00 UTC; Azure Monitor sent values that cannot be (see notes)",
    });
    // The paths' capacity rows read as ever: the Global Reach series are not theirs.
    expect(last.peerings[0]!.paths.primary.capacity.status).toBe("up");
    await t.sweeps(45, 70);
    expect(t.said()).toEqual(["open:monitoring-blind:Sev3", "resolve:monitoring-blind:Sev3"]);
  });
});

describe("saturation through the lifecycle", () => {
  it("a throttled metrics query delays the open by its sweep, a failing one delays the resolve, and each is named as unread", async () => {
    // The Monitor calls' waits and deadlines on a timer moved by hand: a
    // throttled call's second is passed at once, a hung call let go of at its
    // deadline (before: 2 s of real time, a deadline set short for it).
    const time = manualTime();
    const t = await timeline({ env: { ARM_TIMEOUT_MS: String(TIMEOUT_MS) }, monitorTime: time });
    const driven = async (m: number) => {
      const { value } = await runToDeadlines(t.sweep(m), time, t.w.estate, TIMEOUT_MS, {
        isWait: (ms) => ms <= 1_000,
      });
      return value;
    };
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 870e6, outBps: 90e6 });
    await t.sweeps(5, 25);
    expect(t.said()).toEqual([]);
    // Saturated for the first time at 01:25 (pending); the query is throttled
    // all through 01:30 (the cheap tier's and the deep read's, which asks again).
    t.w.estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
    });
    const throttled = await driven(30);
    t.w.estate.clearFaults();
    expect(t.said()).toEqual([]);
    expect(capacityOf(throttled)).toEqual({
      status: "unknown",
      detail: "metrics read failed: throttled",
    });
    expect(blindTitles(throttled).join()).toMatch(/metrics of 1 circuit in westeurope: throttled/);
    expect(decisionOf(throttled, "capacity")).toMatchObject({ action: "none", reason: "blind" });
    await t.sweep(35);
    expect(t.said()).toEqual(["open:capacity:Sev3"]);

    // Back under 80 % at 01:40 (Azure shows it from 01:45); the query fails at 01:45 and 01:55.
    pathBusy(t, "primary");
    await t.sweep(40);
    t.w.estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "status", status: 503 },
    });
    const failed = await t.sweep(45);
    t.w.estate.clearFaults();
    expect(capacityOf(failed).detail).toBe("metrics read failed: server-error");
    await t.sweep(50);
    expect(t.said()).toEqual(["open:capacity:Sev3"]);
    // Held past the test: only the deadline lets go of it.
    t.w.estate.addFault({
      match: { operation: "metricsBatch" },
      behaviour: { kind: "slow", delayMs: MAX_DELAY_MS },
    });
    const slow = await driven(55);
    t.w.estate.clearFaults();
    expect(capacityOf(slow).detail).toBe("metrics read failed: timeout");
    expect(t.said()).toEqual(["open:capacity:Sev3"]);
    await t.sweep(60);
    expect(t.said()).toEqual(["open:capacity:Sev3", "resolve:capacity:Sev3"]);
  });
});

describe("Connection Monitor (end-to-end) through the lifecycle", () => {
  const failing = (m: SimConnectionMonitor, i: number, result: "Fail" | "Pass") => {
    const test = m.tests[i]!;
    test.result = result;
    test.checksFailed = result === "Fail" ? test.checksTotal : 0;
  };

  it("one test of two failing is Sev2, both Sev1 (escalate, repeat at 4 h), one again Sev2 (de-escalate); a failed query neither resolves nor counts", async () => {
    const t = await timeline({ monitor: true });
    t.monitor!.tests.push({ ...t.monitor!.tests[0]!, test: "tcp-1433", port: 1433 });
    await t.sweep(0);
    failing(t.monitor!, 0, "Fail");
    await t.sweep(5);
    expect(t.said()).toEqual([]);
    await t.sweep(10);
    expect(t.said()).toEqual(["open:end-to-end:Sev2"]);
    expect(t.sent()[0]!.code).toBe("e2e-warning");
    failing(t.monitor!, 1, "Fail");
    await t.sweep(15);
    expect(t.said()).toEqual(["open:end-to-end:Sev2", "escalate:end-to-end:Sev1"]);
    expect(t.sent()[1]!.code).toBe("e2e-fail");
    // Still failing four hours on: one repeat.
    await t.sweeps(20, 255);
    expect(t.said()).toEqual([
      "open:end-to-end:Sev2",
      "escalate:end-to-end:Sev1",
      "repeat:end-to-end:Sev1",
    ]);
    failing(t.monitor!, 1, "Pass");
    await t.sweep(260);
    expect(t.said().slice(3)).toEqual(["deescalate:end-to-end:Sev2"]);
    failing(t.monitor!, 0, "Pass");
    // Log Analytics fails the sweep after the tests pass again.
    t.w.estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 500 },
      times: 1,
    });
    const unread = await t.sweep(265);
    expect(verdictOf(unread).peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail:
        "Connection Monitor cm-er-circuit-prod read failed in workspace law-network: server-error",
    });
    // A failed read of the circuit, said for its workspace (app/query-failing.ts), no monitoring-blind.
    expect(verdictOf(unread).failedReads.map((f) => f.target)).toEqual([
      "Connection Monitor results in workspace law-network",
    ]);
    expect(blindTitles(unread)).toEqual([]);
    expect(decisionOf(unread, "end-to-end")).toMatchObject({ action: "none", reason: "blind" });
    await t.sweep(270);
    expect(t.said()).toHaveLength(4);
    await t.sweep(275);
    expect(t.said().slice(4)).toEqual(["resolve:end-to-end:Sev2"]);
  });

  it("a both-paths outage while end-to-end is open is one outage: e2e folds into path-down, and e2e's all-clear waits for it", async () => {
    const t = await timeline({ monitor: true });
    await t.sweep(0);
    setTestResults(t.monitor!, "Fail");
    await t.sweeps(5, 10);
    expect(t.said()).toEqual(["open:end-to-end:Sev1"]);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    await t.sweeps(15, 30);
    // The Sev0 pages; the tests still fail, so nobody is told end-to-end is fine.
    expect(t.said()).toEqual(["open:end-to-end:Sev1", "open:path-down:Sev0"]);
    expect(t.sent()[1]!.evidence.endToEnd).toMatchObject({ explainedBy: "arp-missing" });
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    setTestResults(t.monitor!, "Pass");
    await t.sweeps(35, 45);
    expect([...t.said()].sort()).toEqual([
      "open:end-to-end:Sev1",
      "open:path-down:Sev0",
      "resolve:end-to-end:Sev1",
      "resolve:path-down:Sev0",
    ]);
  });

  // The circuit or the tests' peering broken under an open end-to-end alert:
  // that break is the one alert, and "resolved" is not said of end-to-end
  // while it goes on.
  it.each([
    {
      what: "the private peering deleted",
      opened: "open:peering-config:Sev0",
      code: "peering-missing",
      brk: (b: CircuitBundle) => removePeering(b.circuit, PRIVATE),
    },
    {
      what: "the Azure side of the circuit Disabled",
      opened: "open:circuit-state:Sev1",
      code: "circuit-not-enabled",
      brk: (b: CircuitBundle) => void (b.circuit.circuitProvisioningState = "Disabled"),
    },
  ])(
    "$what while end-to-end is open is one outage: e2e folds into it, and e2e's all-clear waits for it",
    async ({ opened, code, brk }) => {
      const t = await timeline({ monitor: true });
      await t.sweep(0);
      setTestResults(t.monitor!, "Fail");
      await t.sweeps(5, 10);
      expect(t.said()).toEqual(["open:end-to-end:Sev1"]);
      brk(t.bundle);
      const broken = await t.sweeps(15, 40);
      // The tests still fail: nobody is told end-to-end is fine, nor paged twice.
      expect(t.said()).toEqual(["open:end-to-end:Sev1", opened]);
      expect(t.sent()[1]!.evidence.endToEnd).toMatchObject({ explainedBy: code });
      expect(verdictOf(broken.at(-1)!).findings.map((f) => f.code)).toEqual([code]);
      expect(decisionOf(broken.at(-1)!, "end-to-end")).toMatchObject({
        action: "none",
        reason: "inhibited",
      });
    },
  );

  it("a path already Sev0 down pages once when the tests fail too, and tests that lag its recovery by a sweep open nothing", async () => {
    const t = await timeline({ monitor: true });
    await t.sweep(0);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    await t.sweep(5);
    setTestResults(t.monitor!, "Fail");
    await t.sweeps(10, 25);
    expect(t.said()).toEqual(["open:path-down:Sev0"]);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    // Connection Monitor still reports the outage at the first sweep after it.
    await t.sweep(30);
    setTestResults(t.monitor!, "Pass");
    await t.sweeps(35, 50);
    expect(t.said()).toEqual(["open:path-down:Sev0", "resolve:path-down:Sev0"]);
  });

  it("a silence on the circuit holds the end-to-end page until it ends", async () => {
    const t = await timeline({
      monitor: true,
      env: {
        ERWATCH_SILENCES: JSON.stringify([
          { circuit: "er-circuit-prod", start: at(0), end: at(22), comment: "carrier works" },
        ]),
      },
    });
    await t.sweep(0);
    setTestResults(t.monitor!, "Fail");
    const held = await t.sweeps(5, 20);
    expect(t.said()).toEqual([]);
    expect(decisionOf(held[1]!, "end-to-end")).toMatchObject({ reason: "silenced" });
    await t.sweep(25);
    expect(t.said()).toEqual(["open:end-to-end:Sev1"]);
  });
});

describe("config-drift through the lifecycle", () => {
  it("opens after two sweeps, holds through a circuit read that fails, and resolves after two clean sweeps", async () => {
    const baseline = {
      "er-circuit-prod": { peerings: { AzurePrivatePeering: { vlanId: 200 } } },
    };
    const t = await timeline({ env: { ERWATCH_BASELINE: JSON.stringify(baseline) } });
    await t.sweep(0);
    peeringOf(t.bundle.circuit, PRIVATE).vlanId = 201;
    await t.sweep(5);
    expect(t.said()).toEqual([]);
    await t.sweep(10);
    expect(t.said()).toEqual(["open:config-drift:Sev3"]);
    peeringOf(t.bundle.circuit, PRIVATE).vlanId = 200;
    // ARM answers 503 to the listing and to the circuit's own GET for one sweep.
    for (const operation of ["listCircuits", "getCircuit"] as const)
      t.w.estate.addFault({ match: { operation }, behaviour: { kind: "status", status: 503 } });
    const unread = await t.sweep(15);
    expect(decisionOf(unread, "config-drift")).toMatchObject({ action: "none", reason: "blind" });
    t.w.estate.clearFaults();
    await t.sweep(20);
    expect(t.said()).toEqual(["open:config-drift:Sev3"]);
    await t.sweep(25);
    expect(t.said()).toEqual(["open:config-drift:Sev3", "resolve:config-drift:Sev3"]);
  });
});

describe("Global Reach throughput in the tiered sweep", () => {
  it("a connection to a watched circuit the rotation leaves quiet this sweep is still judged by its peer's key (was: 'peer circuit's service key unknown' whenever the two were not read together)", async () => {
    const t = await timeline({ other: true });
    const dr = t.other!.circuit;
    const idOf = (c: typeof dr) =>
      `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.Network/expressRouteCircuits/${c.name}`;
    peeringOf(t.bundle.circuit, PRIVATE).globalReach.push(
      {
        name: "gr-to-dr",
        peerCircuitPeeringId: `${idOf(dr)}/peerings/${PRIVATE}`,
        status: "Connected",
        traffic: { inBps: 12e6, outBps: 3e6 },
      },
      {
        // A peer erwatch does not watch: its key is nowhere in the listing.
        name: "gr-to-far",
        peerCircuitPeeringId: `/subscriptions/${dr.subscriptionId}/resourceGroups/rg-far/providers/Microsoft.Network/expressRouteCircuits/er-far/peerings/${PRIVATE}`,
        status: "Connected",
        traffic: { inBps: 5e6, outBps: 1e6 },
      },
    );
    const results = await t.sweeps(0, 30);
    const prodSweeps = results.filter((r) => r.verdicts.some((v) => v.name === "er-circuit-prod"));
    // Read with its peer at 0, then on its own by the rotation.
    expect(prodSweeps.length).toBeGreaterThanOrEqual(3);
    expect(
      prodSweeps.slice(1).every((r) => !r.verdicts.some((v) => v.name === "er-circuit-dr")),
    ).toBe(true);
    for (const r of prodSweeps)
      expect(verdictOf(r).peerings[0]!.paths.primary.globalReach.detail).toBe(
        "gr-to-dr Connected · 12 Mbps in / 3 Mbps out; gr-to-far Connected · peer circuit's service key unknown",
      );
  });
});

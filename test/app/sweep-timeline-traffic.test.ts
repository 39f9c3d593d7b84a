// traffic-stopped at the product's cadence through the real timer (see
// test/support/dataplane-timeline.ts): a path back from an outage of the
// control plane, an active/passive circuit whose active path fails, and a
// one-path stop beside a partner path that blips, flaps, goes unread or goes
// down; what on-call hears, and at what severity.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import {
  carrierDown,
  carrierDownBoth,
  clearWire,
  editWire,
  metricsDip,
  peeringOf,
  restoreBoth,
  restorePath,
  setPeeringState,
  setPrefixes,
  setTraffic,
} from "../support/estate/index.js";
import {
  activeBackResolvesBoth,
  activeDown,
  at,
  decisionOf,
  pathBusy,
  pathQuiet,
  PRIVATE,
  timeline as timelineOf,
  verdictOf,
  type Timeline,
} from "../support/dataplane-timeline.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();
const timeline = (options?: Parameters<typeof timelineOf>[1]) => timelineOf(worlds, options);

describe("traffic-stopped after an outage of the control plane", () => {
  const BOTH = ["primary", "secondary"] as const;
  const quiet = (t: Timeline) => {
    for (const path of BOTH) setTraffic(t.bundle.circuit, PRIVATE, path, { inBps: 0, outBps: 0 });
  };
  const busy = (t: Timeline) => {
    for (const path of BOTH)
      setTraffic(t.bundle.circuit, PRIVATE, path, { inBps: 240e6, outBps: 90e6 });
  };
  /** Sweeps 0–20: healthy, then from 5 an edge that announces nothing (0 prefixes, both paths). */
  async function zeroPrefixOutage(t: Timeline): Promise<number> {
    const count = Number(
      peeringOf(t.bundle.circuit, PRIVATE).paths.primary.neighbors.find((n) => n.v === 4)!
        .statePfxRcd,
    );
    await t.sweep(0);
    for (const path of BOTH) setPrefixes(t.bundle.circuit, PRIVATE, path, 0);
    await t.sweeps(5, 20);
    expect(t.heard()).toEqual(["open:path-down:Sev0"]);
    return count;
  }

  it("prefixes back with traffic slow to follow: the outage's quiet is no traffic-stopped, and nobody is paged for it", async () => {
    const t = await timeline();
    const count = await zeroPrefixOutage(t);
    // The route-map is rolled back at 25; the edge sends nothing for ten minutes more.
    for (const path of BOTH) setPrefixes(t.bundle.circuit, PRIVATE, path, count);
    quiet(t);
    const back = await t.sweeps(25, 30);
    for (const r of back) {
      expect(verdictOf(r).findings.map((f) => f.code)).not.toContain("traffic-stopped");
      expect(verdictOf(r).peerings[0]!.paths.primary.capacity.status).not.toBe("down");
    }
    busy(t);
    await t.sweeps(35, 50);
    expect(t.heard()).toEqual(["open:path-down:Sev0", "resolve:path-down:Sev0"]);
  });

  it("a path back from the outage that never carries again is traffic-stopped a window after it came back", async () => {
    const t = await timeline();
    const count = await zeroPrefixOutage(t);
    for (const path of BOTH) setPrefixes(t.bundle.circuit, PRIVATE, path, count);
    quiet(t);
    await t.sweeps(25, 35);
    expect(t.heard()).toEqual(["open:path-down:Sev0", "resolve:path-down:Sev0"]);
    await t.sweeps(40, 50);
    expect(t.heard()).toEqual([
      "open:path-down:Sev0",
      "resolve:path-down:Sev0",
      "open:traffic:Sev1",
    ]);
  });

  /** Traffic-stopped findings in these sweeps' verdicts, and the traffic pages heard. */
  const stops = (t: Timeline, sweeps: SweepResult[]) => ({
    found: sweeps.flatMap((r) =>
      verdictOf(r)
        .findings.filter((f) => f.code === "traffic-stopped")
        .map((f) => f.paths.join("+")),
    ),
    heard: t.heard().filter((h) => h.includes(":traffic:")),
  });

  it("the ARP reads failing through a zero-prefix outage leave it an outage all the same: no stop once the prefixes are back", async () => {
    const t = await timeline();
    const count = Number(
      peeringOf(t.bundle.circuit, PRIVATE).paths.primary.neighbors.find((n) => n.v === 4)!
        .statePfxRcd,
    );
    await t.sweep(0);
    for (const path of BOTH) setPrefixes(t.bundle.circuit, PRIVATE, path, 0);
    // 0 prefixes prove no layer 2, so the sweep reads ARP, and ARM fails those POSTs.
    t.w.estate.addFault({
      match: { operation: "arpTable" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
    const during = await t.sweeps(5, 20);
    expect(verdictOf(during.at(-1)!).peerings[0]!.paths.primary.provider.status).toBe("unknown");
    t.w.estate.clearFaults();
    for (const path of BOTH) setPrefixes(t.bundle.circuit, PRIVATE, path, count);
    quiet(t);
    const back = await t.sweeps(25, 35);
    busy(t);
    await t.sweeps(40, 55);
    expect(stops(t, back)).toEqual({ found: [], heard: [] });
  });

  it("route summaries unreadable for part of an outage do not end it: no stop when the paths are back", async () => {
    const t = await timeline();
    await t.sweep(0);
    carrierDownBoth(t.bundle.circuit, PRIVATE);
    await t.sweeps(5, 20);
    t.w.estate.addFault({
      match: { operation: "routeTablesSummary" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
    await t.sweeps(25, 40);
    t.w.estate.clearFaults();
    await t.sweeps(45, 50);
    restoreBoth(t.bundle.circuit, PRIVATE);
    quiet(t);
    const back = await t.sweeps(55, 60);
    expect(verdictOf(back[0]!).peerings[0]!.paths.primary.capacity.detail).toMatch(
      /^quiet since it came back from an outage at 01:55 UTC, which explains it; a stop only if still quiet past 02:10 UTC$/,
    );
    busy(t);
    await t.sweeps(65, 80);
    expect(stops(t, back)).toEqual({ found: [], heard: [] });
  });

  it("a standby path quiet by design before both paths went down is no stop once they are back", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 40);
    carrierDownBoth(t.bundle.circuit, PRIVATE);
    await t.sweeps(45, 60);
    restoreBoth(t.bundle.circuit, PRIVATE);
    quiet(t);
    const back = await t.sweeps(65, 75);
    pathBusy(t, "primary");
    const after = await t.sweeps(80, 95);
    expect(stops(t, [...back, ...after])).toEqual({ found: [], heard: [] });
  });

  it("active/passive, the active path fails: the standby has a window to take traffic over, and pages nothing when it does", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 40);
    activeDown(t);
    const failing = await t.sweeps(45, 50);
    expect(verdictOf(failing[0]!).peerings[0]!.paths.secondary.capacity).toMatchObject({
      status: "up",
      detail: expect.stringMatching(
        /^standby by design \(erwatch:standby-path\): no traffic either way for \d+ min; the other path last carried at 01:4\d UTC, so traffic fails over to this one: a stop only if still quiet past 01:5\d UTC$/,
      ),
    });
    pathBusy(t, "secondary");
    const over = await t.sweeps(55, 80);
    expect(stops(t, [...failing, ...over])).toEqual({ found: [], heard: [] });
    expect(t.heard()).toEqual(["open:path-down:Sev2"]);
  });

  it("active/passive, the active path fails and the standby never takes over: Sev1, nothing carries the peering", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 40);
    activeDown(t);
    const failing = await t.sweeps(45, 55);
    expect(stops(t, failing)).toEqual({ found: [], heard: [] });
    const never = await t.sweeps(60, 75);
    expect(t.heard()).toEqual(["open:path-down:Sev2", "open:traffic:Sev1"]);
    const found = verdictOf(never.at(-1)!).findings.find((f) => f.code === "traffic-stopped")!;
    expect(found.paths).toEqual(["secondary"]);
    expect(found.title).toMatch(
      /while the primary path is down: nothing carries this peering's traffic$/,
    );
    // The active path back: traffic returns to it, and the standby's quiet is by design again.
    await activeBackResolvesBoth(t);
  });

  it("active/passive with a standby never seen carrying: the active path fails and nothing fails over, Sev1 a window after its last traffic", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    activeDown(t);
    const failing = await t.sweeps(45, 55);
    expect(stops(t, failing)).toEqual({ found: [], heard: [] });
    const never = await t.sweeps(60, 75);
    expect(t.heard()).toEqual(["open:path-down:Sev2", "open:traffic:Sev1"]);
    expect(verdictOf(never.at(-1)!).peerings[0]!.paths.secondary.capacity.detail).toMatch(
      /^no traffic either way for \d+ min since the primary path last carried at 01:4\d UTC: the failover onto this standby did not happen$/,
    );
    await activeBackResolvesBoth(t);
  });

  it("a peering disabled and enabled again, traffic slow to follow, is no stop", async () => {
    const t = await timeline();
    await t.sweeps(0, 10);
    setPeeringState(t.bundle.circuit, PRIVATE, "Disabled");
    await t.sweeps(15, 20);
    setPeeringState(t.bundle.circuit, PRIVATE, "Enabled");
    quiet(t);
    const back = await t.sweeps(25, 35);
    busy(t);
    await t.sweeps(40, 55);
    expect(stops(t, back)).toEqual({ found: [], heard: [] });
  });

  it("a peering disabled for 90 minutes and enabled again, quiet for an hour, pages nothing: what it carried before is not remembered across", async () => {
    const t = await timeline();
    await t.sweeps(0, 10);
    setPeeringState(t.bundle.circuit, PRIVATE, "Disabled");
    await t.sweeps(15, 105);
    setPeeringState(t.bundle.circuit, PRIVATE, "Enabled");
    quiet(t);
    await t.sweeps(110, 170);
    expect(t.heard().filter((h) => h.includes(":traffic:"))).toEqual([]);
  });

  it("a both-paths stop whose primary session is reset to apply the fix, traffic back ten minutes after it returns: no escalation page, and no de-escalation while nothing carries", async () => {
    const t = await timeline();
    await t.sweep(0);
    quiet(t);
    await t.sweeps(5, 30);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    await t.sweeps(35, 45);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    quiet(t);
    await t.sweeps(50, 55);
    busy(t);
    await t.sweeps(60, 80);
    // While the primary is down the secondary still carries nothing: nothing carries the peering,
    // so the Sev1 stands (no "primary recovered" de-escalation) until traffic is back.
    expect(t.heard().filter((h) => h.includes(":traffic:"))).toEqual([
      "open:traffic:Sev1",
      "resolve:traffic:Sev1",
    ]);
  });

  it("a one-path stop whose path then goes down goes on after it returns: neither resolved by the outage nor opened twice", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(t.heard()).toEqual(["open:traffic:Sev2"]);
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    await t.sweeps(35, 60);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    pathQuiet(t, "secondary");
    const back = await t.sweeps(65, 90);
    expect(t.heard()).toEqual([
      "open:traffic:Sev2",
      "open:path-down:Sev2",
      "resolve:path-down:Sev2",
    ]);
    expect(verdictOf(back.at(-1)!).findings.map((f) => f.code)).toEqual(["traffic-stopped"]);
    // Traffic back on it: the stop resolves, once.
    pathBusy(t, "secondary");
    await t.sweeps(95, 110);
    expect(t.heard()).toEqual([
      "open:traffic:Sev2",
      "open:path-down:Sev2",
      "resolve:path-down:Sev2",
      "resolve:traffic:Sev2",
    ]);
  });

  it("a stop already open when the sessions dropped goes on after they return: neither resolved by the outage nor opened twice", async () => {
    const t = await timeline();
    await t.sweep(0);
    quiet(t);
    await t.sweeps(5, 30);
    expect(t.heard()).toEqual(["open:traffic:Sev1"]);
    carrierDownBoth(t.bundle.circuit, PRIVATE);
    await t.sweeps(35, 50);
    expect(t.heard()).toEqual(["open:traffic:Sev1", "open:path-down:Sev0"]);
    restoreBoth(t.bundle.circuit, PRIVATE);
    quiet(t);
    const after = await t.sweeps(55, 80);
    expect(t.heard()).toEqual([
      "open:traffic:Sev1",
      "open:path-down:Sev0",
      "resolve:path-down:Sev0",
    ]);
    expect(decisionOf(after.at(-1)!, "traffic")?.reason).not.toBe("clean");
    expect(verdictOf(after.at(-1)!).findings.map((f) => f.code)).toContain("traffic-stopped");
  });
});

describe("a one-path stop beside a partner that blips, flaps or goes unread", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));
  const stopSecondary = async (t: Timeline) => {
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
  };

  it("the carrying partner's route summary unreadable for 20 min does not escalate the stop to 'nothing carries'", async () => {
    const t = await timeline();
    await stopSecondary(t);
    t.w.estate.addFault({
      match: { operation: "routeTablesSummary", path: "primary" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
    const during = await t.sweeps(35, 55);
    const f = verdictOf(during.at(-1)!).findings.find((x) => x.code === "traffic-stopped");
    t.w.estate.clearFaults();
    await t.sweeps(60, 75);
    // The primary carried throughout (Azure Monitor says so): nothing new is wrong.
    expect({ title: f?.title, heard: traffic(t) }).toEqual({
      title: expect.not.stringMatching(/nothing carries/),
      heard: ["open:traffic:Sev2"],
    });
  });

  it("the carrying partner down for one 5-minute sweep (a blip path-down's hysteresis never pages) does not escalate and de-escalate the stop", async () => {
    const t = await timeline();
    await stopSecondary(t);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    await t.sweep(35);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    await t.sweeps(40, 60);
    expect(t.heard()).toEqual(["open:traffic:Sev2"]);
  });

  it("the carrying partner flapping (down one sweep, up the next) does not walk the stop Sev2 ↔ Sev1 every sweep", async () => {
    const t = await timeline();
    await stopSecondary(t);
    for (let m = 35; m <= 75; m += 10) {
      carrierDown(t.bundle.circuit, PRIVATE, "primary");
      await t.sweep(m);
      restorePath(t.bundle.circuit, PRIVATE, "primary");
      await t.sweep(m + 5);
    }
    expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
  });
});

describe("the standby beside an active path erwatch cannot fully see, or both paths back from an outage", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));
  const standbyQuiet = async (t: Timeline) => {
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 40);
    expect(traffic(t)).toEqual([]);
  };

  it("Azure Monitor silent for the active path alone (it carries; ARM healthy) does not page the standby", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await standbyQuiet(t);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      path: "primary",
      from: at(40),
      to: at(100),
      value: "gap",
    });
    const gap = await t.sweeps(45, 100);
    const titles = [
      ...new Set(
        gap.flatMap((r) =>
          verdictOf(r)
            .findings.filter((f) => f.code === "traffic-stopped")
            .map((f) => `${f.severity} ${f.title}`),
        ),
      ),
    ];
    expect({ heard: traffic(t), titles }).toEqual({ heard: [], titles: [] });
  });

  it("a one-path stop Sev1 beside a quiet partner whose throughput Azure Monitor leaves out for 20 min: no step-down to Sev2, no re-escalation", async () => {
    const t = await timeline();
    // The secondary never seen carrying: the primary's stop beside it is one path's.
    pathQuiet(t, "secondary");
    await t.sweep(0);
    pathQuiet(t, "primary");
    const stop = await t.sweeps(5, 40);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    expect(
      verdictOf(stop.at(-1)!).findings.find((f) => f.code === "traffic-stopped")?.paths,
    ).toEqual(["primary"]);
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      path: "secondary",
      from: at(35),
      to: at(60),
      value: "gap",
    });
    await t.sweeps(45, 90);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
  });

  it("the active path's route summary unreadable for 30 min while it carries does not page the standby", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await standbyQuiet(t);
    t.w.estate.addFault({
      match: { operation: "routeTablesSummary", path: "primary" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
    await t.sweeps(45, 75);
    t.w.estate.clearFaults();
    await t.sweeps(80, 95);
    expect(traffic(t)).toEqual([]);
  });

  it("both paths down, only the standby back and the failover onto it happens: no traffic page", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await standbyQuiet(t);
    carrierDownBoth(t.bundle.circuit, PRIVATE);
    await t.sweeps(45, 60);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    pathQuiet(t, "primary");
    await t.sweeps(65, 70);
    pathBusy(t, "secondary");
    await t.sweeps(75, 110);
    expect(traffic(t)).toEqual([]);
  });

  it("both paths down, only the standby back and nothing fails over onto it: Sev1 a window after it came back", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await standbyQuiet(t);
    carrierDownBoth(t.bundle.circuit, PRIVATE);
    await t.sweeps(45, 60);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    pathQuiet(t, "secondary");
    pathQuiet(t, "primary");
    const back = await t.sweeps(65, 100);
    const first = back.findIndex((r) =>
      verdictOf(r).findings.some((f) => f.code === "traffic-stopped"),
    );
    expect({ heard: traffic(t), firstStopAt: 65 + first * 5 }).toEqual({
      heard: ["open:traffic:Sev1"],
      firstStopAt: expect.any(Number),
    });
  });
});

describe("the never-carried standby through outages", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));
  const failedOver = async (t: Timeline) => {
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    activeDown(t);
    await t.sweeps(45, 75);
    expect(t.heard()).toEqual(["open:path-down:Sev2", "open:traffic:Sev1"]);
  };

  it("the never-carried standby paged Sev1 (active down) has its session reset: the Sev1 neither resolves nor reopens while the active stays down", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await failedOver(t);
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    await t.sweeps(80, 85);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    pathQuiet(t, "secondary");
    await t.sweeps(90, 130);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
  });

  it("the never-carried standby Sev1, then the active path back with traffic slow to return (10 min): one open, one resolve", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await failedOver(t);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    pathQuiet(t, "primary");
    await t.sweeps(80, 85);
    pathBusy(t, "primary");
    await t.sweeps(90, 120);
    expect(traffic(t)).toEqual(["open:traffic:Sev1", "resolve:traffic:Sev1"]);
  });

  it("the never-carried standby Sev1, then the active path back but never carrying: the Sev1 goes on, never resolved and opened again", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    await failedOver(t);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    pathQuiet(t, "primary");
    const after = await t.sweeps(80, 130);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    // Within the active path's window the standby's stop holds; after it, the active path's own.
    expect(verdictOf(after[1]!).peerings[0]!.paths.secondary.capacity.status).toBe("down");
    expect(
      verdictOf(after.at(-1)!).findings.find((f) => f.code === "traffic-stopped")?.paths,
    ).toEqual(["primary"]);
  });
});

describe("the path-down hold on a one-path stop", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));

  it("a both-paths stop, the primary down, the secondary's traffic back: no all-clear while the primary's stop is not known over; back still quiet, the stop goes on", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    await t.sweeps(35, 45);
    pathBusy(t, "secondary");
    await t.sweeps(50, 70);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    pathQuiet(t, "primary");
    await t.sweeps(75, 95);
    // One incident throughout: the primary's stop, now the only one, said as better.
    expect(traffic(t)).toEqual(["open:traffic:Sev1", "deescalate:traffic:Sev2"]);
    pathBusy(t, "primary");
    await t.sweeps(100, 120);
    expect(traffic(t)).toEqual([
      "open:traffic:Sev1",
      "deescalate:traffic:Sev2",
      "resolve:traffic:Sev2",
    ]);
  });

  it("the same, with the Sev1 repeated every 10 min while the primary is down: a repeat naming the secondary alone is no all-clear for the primary's stop", async () => {
    const t = await timeline({
      env: { ERWATCH_ALERT_POLICY: JSON.stringify({ repeatEveryMinutes: { Sev1: 10 } }) },
    });
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    const down = await t.sweeps(35, 45);
    // The primary's stop is no longer judged: the repeats name the secondary's alone.
    const stop = verdictOf(down.at(-1)!).findings.find((f) => f.code === "traffic-stopped");
    expect(stop?.paths).toEqual(["secondary"]);
    pathBusy(t, "secondary");
    await t.sweeps(50, 70);
    expect(traffic(t)).toEqual(["open:traffic:Sev1", "repeat:traffic:Sev1", "repeat:traffic:Sev1"]);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    pathQuiet(t, "primary");
    await t.sweeps(75, 95);
    pathBusy(t, "primary");
    await t.sweeps(100, 120);
    expect(traffic(t)).toEqual([
      "open:traffic:Sev1",
      "repeat:traffic:Sev1",
      "repeat:traffic:Sev1",
      "deescalate:traffic:Sev2",
      "resolve:traffic:Sev2",
    ]);
  });

  for (const sweepsDown of [1, 2, 3]) {
    it(`a one-path stop whose own session is reset for ${sweepsDown} sweep(s) to apply a fix (traffic still quiet after): opened once, never resolved`, async () => {
      const t = await timeline();
      await t.sweep(0);
      pathQuiet(t, "secondary");
      await t.sweeps(5, 30);
      expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
      carrierDown(t.bundle.circuit, PRIVATE, "secondary");
      await t.sweeps(35, 35 + (sweepsDown - 1) * 5);
      restorePath(t.bundle.circuit, PRIVATE, "secondary");
      pathQuiet(t, "secondary");
      await t.sweeps(35 + sweepsDown * 5, 90);
      expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
    });
  }

  it("a both-paths stop (Sev1), both paths go down, the primary back first (still quiet), then the secondary: opened once, never resolved", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "primary");
    pathQuiet(t, "secondary");
    await t.sweeps(5, 30);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    carrierDownBoth(t.bundle.circuit, PRIVATE);
    await t.sweeps(35, 50);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    pathQuiet(t, "primary");
    await t.sweeps(55, 70);
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    pathQuiet(t, "secondary");
    await t.sweeps(75, 100);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
  });
});

describe("the never-carried standby beside an active path erwatch cannot see", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));
  const titles = (rs: SweepResult[]) => [
    ...new Set(
      rs.flatMap((r) =>
        verdictOf(r)
          .findings.filter((f) => f.code === "traffic-stopped")
          .map(
            (f) =>
              `${f.severity} ${f.paths.join("+")} ${f.title.replace(/^.*~0 bits both ways/, "…")}`,
          ),
      ),
    ),
  ];

  it("active path carrying, but its route summary unreadable AND Azure Monitor silent for it for 30 min: the never-carried standby is no stop", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    t.w.estate.addFault({
      match: { operation: "routeTablesSummary", path: "primary" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      path: "primary",
      from: at(40),
      to: at(75),
      value: "gap",
    });
    const during = await t.sweeps(45, 75);
    t.w.estate.clearFaults();
    const after = await t.sweeps(80, 100);
    expect({ heard: traffic(t), titles: titles([...during, ...after]) }).toEqual({
      heard: [],
      titles: [],
    });
  });

  it("never-carried standby Sev1 (active down), the active path's route summary unreadable for 2 sweeps meanwhile: no de-escalation / re-escalation", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    activeDown(t);
    await t.sweeps(45, 75);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    t.w.estate.addFault({
      match: { operation: "routeTablesSummary", path: "primary" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
    const during = await t.sweeps(80, 85);
    t.w.estate.clearFaults();
    await t.sweeps(90, 110);
    expect({ heard: traffic(t), titles: titles(during) }).toEqual({
      heard: ["open:traffic:Sev1"],
      titles: [expect.stringMatching(/^Sev1/)],
    });
  });
});

describe("traffic memory when a peering goes unread for a sweep", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));
  const stateLeftOut = (t: Timeline) =>
    editWire(t.bundle.circuit, {
      read: "circuit",
      field: "properties.peerings[0].properties.state",
      remove: true,
    });

  it("never-carried standby Sev1 (active down an hour), ARM leaves the peering's state out for one sweep: the Sev1 stays open", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    activeDown(t);
    await t.sweeps(45, 130);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    stateLeftOut(t);
    await t.sweep(135);
    clearWire(t.bundle.circuit);
    await t.sweeps(140, 180);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
  });

  it("a one-path stop an hour old, ARM leaves the peering's state out for one sweep: the stop stays open", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 130);
    expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
    stateLeftOut(t);
    await t.sweep(135);
    clearWire(t.bundle.circuit);
    const after = await t.sweeps(140, 180);
    // The stopped path's last traffic is forgotten: quiet "never seen carrying".
    expect(verdictOf(after[0]!).peerings[0]!.paths.secondary.capacity.detail).toMatch(
      /^no traffic either way/,
    );
    expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
  });
});

describe("a one-minute BgpAvailability dip on a path already paged stopped", () => {
  const traffic = (t: Timeline) => t.heard().filter((h) => h.includes(":traffic:"));
  const dip = (t: Timeline, path: "primary" | "secondary", m: number) =>
    metricsDip(t.w.estate.state, {
      circuit: "er-circuit-prod",
      peering: PRIVATE,
      path,
      metrics: ["BgpAvailability"],
      from: at(m),
      to: at(m + 1),
      value: 0,
    });

  it("never-carried standby Sev1 (active down): a 1-minute BgpAvailability dip on the standby neither resolves nor reopens it", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" } });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    activeDown(t);
    await t.sweeps(45, 80);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
    dip(t, "secondary", 81);
    await t.sweeps(85, 120);
    expect(traffic(t)).toEqual(["open:traffic:Sev1"]);
  });

  it("a one-path stop Sev2: a 1-minute BgpAvailability dip on the stopped path neither resolves nor reopens it", async () => {
    const t = await timeline();
    await t.sweep(0);
    pathQuiet(t, "secondary");
    await t.sweeps(5, 40);
    expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
    dip(t, "secondary", 41);
    await t.sweeps(45, 80);
    expect(traffic(t)).toEqual(["open:traffic:Sev2"]);
  });
});

describe("the never-carried standby in the tiered sweep (a second circuit: rotation)", () => {
  it("the active path quiet with BGP up (traffic moved off the peering) beside a never-carried standby, with rotation: paged within a sweep of the window", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" }, other: true });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    pathQuiet(t, "primary");
    const rs = await t.sweeps(45, 75);
    const first = rs.findIndex((r) =>
      (verdictOf(r)?.findings ?? []).some((f) => f.code === "traffic-stopped"),
    );
    expect(t.heard().filter((h) => h.includes(":traffic:"))).toEqual(["open:traffic:Sev1"]);
    expect(45 + first * 5).toBeLessThanOrEqual(65);
  });

  it("the active path down beside a never-carried standby, with rotation: Sev1 as without", async () => {
    const t = await timeline({ tags: { "erwatch:standby-path": "secondary" }, other: true });
    pathQuiet(t, "secondary");
    await t.sweeps(0, 40);
    activeDown(t);
    await t.sweeps(45, 75);
    expect(t.heard()).toEqual(["open:path-down:Sev2", "open:traffic:Sev1"]);
  });
});

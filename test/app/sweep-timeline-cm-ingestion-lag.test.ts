// Log Analytics ingesting a whole workspace late, through the real timer
// function every 5 minutes on an injected clock (the estate's Log Analytics
// on loopback to the real clients, state in Azurite, events to the broker).
//
// Users saw ingestion 12 to 20 minutes late (Azure documents delays past 10
// minutes in its incidents) read as every source and destination writing to
// the workspace stopping at once: each circuit's tests "stopped reporting",
// and e2e-indeterminate opened on every circuit after two sweeps, blaming the
// endpoints for the pipeline's delay. Now the end-to-end row is UNKNOWN
// naming Log Analytics and the workspace, nothing opens, and the circuits
// read up again once it catches up; an endpoint that stops while others in
// the workspace report still reads "stopped reporting at HH:MM UTC".

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { stopReporting, withConnectionMonitor } from "../support/estate/index.js";
import { timeline as timelineOf } from "../support/dataplane-timeline.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

/** Two circuits, each with its monitor, both writing to the estate's one workspace. */
async function twoCircuits() {
  const t = await timelineOf(worlds, { monitor: true, other: true });
  const drMonitor = withConnectionMonitor(t.other!);
  t.w.estate.state.connectionMonitors = [...(t.w.estate.state.connectionMonitors ?? []), drMonitor];
  return { t, prodMonitor: t.monitor!, drMonitor };
}

/** Each circuit read deep this sweep, with its end-to-end row. */
const cells = (r: SweepResult) =>
  Object.fromEntries(
    r.verdicts.map((v) => {
      const cell = v.peerings[0]!.paths.primary.endToEnd;
      return [v.name, `${cell.status}: ${cell.detail}`];
    }),
  );
const e2eFindings = (r: SweepResult) =>
  r.verdicts.flatMap((v) => v.findings.filter((f) => f.layer === "endToEnd"));
const UP = "up: 1 test passes (RTT ≤ 14 ms)";

describe("Log Analytics ingesting the whole workspace late", () => {
  it("12 to 20 minutes late: every circuit's end to end is unknown naming Log Analytics, no e2e-indeterminate opens; up again once it catches up", async () => {
    const { t } = await twoCircuits();
    const early = await t.sweeps(0, 5);
    expect(early.flatMap((r) => Object.values(cells(r)))).toEqual(
      early.flatMap((r) => r.verdicts.map(() => UP)),
    );

    const delays = [12, 15, 20, 18, 14, 12, 16];
    const late: SweepResult[] = [];
    for (const [i, delay] of delays.entries()) {
      t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: delay };
      late.push(await t.sweep(10 + i * 5));
    }
    const read = late.flatMap((r) => r.verdicts.map((v) => v.name));
    expect(new Set(read)).toEqual(new Set(["er-circuit-prod", "er-circuit-dr"]));
    for (const [i, r] of late.entries())
      for (const cell of Object.values(cells(r)))
        expect(cell).toMatch(
          new RegExp(
            `^unknown: Log Analytics has ingested nothing in workspace law-network since \\d\\d:\\d\\d UTC \\(${delays[i]} min\\): 1 test not judged until it catches up$`,
          ),
        );
    expect(late.flatMap(e2eFindings)).toEqual([]);
    expect(t.said()).toEqual([]);

    t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: 3 };
    const back = await t.sweeps(45, 50);
    expect(back.flatMap((r) => Object.values(cells(r)))).toEqual(
      back.flatMap((r) => r.verdicts.map(() => UP)),
    );
    expect(t.said()).toEqual([]);
  });

  it("stalled past the whole 30-min look-back (nothing ingested since 01:03, the workspace holding no row at all in it): still unknown naming Log Analytics, never 'no results', nothing opens; up again once it catches up", async () => {
    const { t } = await twoCircuits();
    await t.sweeps(0, 5);
    // Ingestion stops at 01:03: each sweep finds the workspace's newest row 5 minutes older.
    const late: SweepResult[] = [];
    for (let m = 15; m <= 60; m += 5) {
      t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: m - 3 };
      late.push(await t.sweep(m));
    }
    for (const [i, r] of late.entries())
      for (const cell of Object.values(cells(r)))
        expect(cell).toBe(
          `unknown: Log Analytics has ingested nothing in workspace law-network since 01:03 UTC (${12 + i * 5} min): 1 test not judged until it catches up`,
        );
    // Past the look-back as within it.
    expect(late.slice(-4).flatMap((r) => r.verdicts).length).toBeGreaterThan(0);
    expect(late.flatMap(e2eFindings)).toEqual([]);
    expect(t.said()).toEqual([]);

    t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: 3 };
    const back = await t.sweeps(65, 70);
    expect(back.flatMap((r) => Object.values(cells(r)))).toEqual(
      back.flatMap((r) => r.verdicts.map(() => UP)),
    );
    expect(t.said()).toEqual([]);
  });

  it("one circuit's monitor stopped on its own for longer than the look-back while the other circuit's keeps the workspace fresh: no results, e2e-indeterminate on that circuit alone, as before", async () => {
    const { t, prodMonitor } = await twoCircuits();
    await t.sweeps(0, 5);
    stopReporting(prodMonitor, "onprem-app-01", "2026-11-22T01:07:00.000Z");
    const swept = await t.sweeps(10, 60);
    const prod = swept.flatMap((r) =>
      cells(r)["er-circuit-prod"] ? [cells(r)["er-circuit-prod"]] : [],
    );
    expect(prod.at(-1)).toMatch(/^unknown: Indeterminate: no results in the last 30 min/);
    expect(prod.join("\n")).not.toMatch(/Log Analytics/);
    expect(t.said()).toEqual(["open:end-to-end:Sev3"]);
  });

  it("one circuit's only endpoint stops while the other circuit's monitor keeps reporting: Indeterminate 'stopped reporting', e2e-indeterminate opens on that circuit alone", async () => {
    const { t, prodMonitor } = await twoCircuits();
    await t.sweeps(0, 5);
    stopReporting(prodMonitor, "onprem-app-01", "2026-11-22T01:07:00.000Z");
    const swept = await t.sweeps(10, 30);
    const prod = swept.flatMap((r) =>
      cells(r)["er-circuit-prod"] ? [cells(r)["er-circuit-prod"]] : [],
    );
    expect(prod.at(-1)).toBe(
      "unknown: Indeterminate: no results since 01:07 UTC (1 stopped reporting at 01:07 UTC)",
    );
    expect(
      swept.flatMap((r) => (cells(r)["er-circuit-dr"] ? [cells(r)["er-circuit-dr"]] : [])),
    ).toContain(UP);
    expect(t.said()).toEqual(["open:end-to-end:Sev3"]);
    expect(
      swept.flatMap((r) =>
        r.verdicts.flatMap((v) =>
          v.findings.filter((f) => f.code === "e2e-indeterminate").map(() => v.name),
        ),
      ),
    ).not.toContain("er-circuit-dr");
  });
});

describe("an end-to-end alert open when ingestion falls behind", () => {
  it("is held, neither resolved nor blamed on the endpoints, and its holder hears Blind: once it lasts", async () => {
    const { t, prodMonitor } = await twoCircuits();
    Object.assign(prodMonitor.tests[0]!, { result: "Fail", checksFailed: 10, roundTripMs: null });
    await t.sweeps(0, 10);
    expect(t.said()).toEqual(["open:end-to-end:Sev1"]);
    t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: 15 };
    await t.sweeps(15, 40);
    expect(t.heard()).toEqual(["open:end-to-end:Sev1"]);
    expect(t.sent().at(-1)).toMatchObject({
      action: "repeat",
      change: expect.stringMatching(/^Blind:.*Connection Monitor's results missing/),
    });
  });
});

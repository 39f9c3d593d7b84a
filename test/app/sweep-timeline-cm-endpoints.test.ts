// Connection Monitor endpoints that stop reporting, or that the monitor's
// definition drops, renames or adds, through the real timer function every
// 5 minutes on an injected clock (the estate's Log Analytics on loopback to
// the real clients, state in Azurite, events to the broker).
//
// Users saw a source whose agent stopped at 01:12 keep the circuit "up — 2
// tests pass" until 01:42, its last row judged until it left the 30-minute
// look-back; and an endpoint removed from the monitor was judged on its last
// row the same way. Now a row older than its test's frequency plus 10 minutes
// of ingestion is Indeterminate, "stopped reporting at 01:12 UTC", while rows
// Log Analytics ingests minutes late read as ever; and the rows of an
// endpoint its test group no longer names are not judged.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { passingTest, stopReporting, type WireEdit } from "../support/estate/index.js";
import { timeline as timelineOf, verdictOf } from "../support/dataplane-timeline.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

/** A monitor testing the VNet from two on-premises servers, onprem-app-01 and onprem-app-02. */
async function twoSources() {
  const t = await timelineOf(worlds, { monitor: true });
  const monitor = t.monitor!;
  monitor.endpoints.push({ name: "onprem-app-02", type: "ExternalAddress", address: "10.16.0.11" });
  monitor.tests.push(passingTest({ source: "onprem-app-02" }));
  return { t, monitor };
}

const endToEnd = (r: SweepResult) => verdictOf(r).peerings[0]!.paths.primary.endToEnd;
const e2eFinding = (r: SweepResult) =>
  verdictOf(r).findings.find((f) => f.layer === "endToEnd" || f.code.startsWith("e2e-"));
const UP = { status: "up", detail: "2 tests pass (RTT ≤ 14 ms)" };

describe("a source that stops reporting partway through the look-back", () => {
  it("is Indeterminate once silent past its frequency plus 10 minutes, not 'up' until its last row ages out; it opens e2e-indeterminate and resolves when it reports again", async () => {
    const { t, monitor } = await twoSources();
    const early = await t.sweeps(0, 10);
    expect(early.map(endToEnd)).toEqual([UP, UP, UP]);

    // Its agent stops at 01:12: its last row stays in Log Analytics.
    stopReporting(monitor, "onprem-app-02", "2026-11-22T01:12:00.000Z");
    const late = await t.sweeps(15, 20);
    // 3 and 8 minutes old: as late as ingestion may be, still judged.
    expect(late.map(endToEnd)).toEqual([UP, UP]);
    const stopped = await t.sweep(25);
    expect(endToEnd(stopped)).toEqual({
      status: "unknown",
      detail: "Indeterminate: 1 of 2 tests (1 stopped reporting at 01:12 UTC)",
    });
    expect(t.said()).toEqual([]);
    const opened = await t.sweep(30);
    expect(t.said()).toEqual(["open:end-to-end:Sev3"]);
    const finding = e2eFinding(opened)!;
    expect(finding.code).toBe("e2e-indeterminate");
    expect(finding.title).toMatch(
      /cannot judge 1 of 2 tests .*\(1 stopped reporting at 01:12 UTC\)/,
    );
    expect(finding.evidence["tests"]).toContainEqual(
      expect.objectContaining({
        source: "onprem-app-02",
        result: "Indeterminate",
        reason: "stopped reporting at 01:12 UTC (its last result Pass; it runs every 30 s)",
        stoppedAt: "2026-11-22T01:12:00.000Z",
      }),
    );
    // Past the look-back its row is gone: the same Indeterminate, now "no result".
    const gone = await t.sweeps(35, 50);
    expect(gone.map((r) => endToEnd(r).status)).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
    expect(endToEnd(gone[3]!).detail).toBe(
      "Indeterminate: 1 of 2 tests (1 with no result in the last 30 min)",
    );
    expect(t.said()).toEqual(["open:end-to-end:Sev3"]);

    // The agent is back.
    for (const test of monitor.tests) delete test.stoppedAt;
    const back = await t.sweeps(55, 60);
    expect(back.map(endToEnd)).toEqual([UP, UP]);
    expect(t.said()).toEqual(["open:end-to-end:Sev3", "resolve:end-to-end:Sev3"]);
  });

  it("rows that Log Analytics ingests 1 to 9.5 minutes late keep the circuit up, sweep after sweep", async () => {
    const { t } = await twoSources();
    const delays = [1, 9.5, 4, 9, 2, 9.5, 6, 9.5, 3, 8, 9.5, 1, 9];
    const seen: unknown[] = [];
    for (const [i, delay] of delays.entries()) {
      t.w.estate.state.monitor = { ...t.w.estate.state.monitor, logsDelayMinutes: delay };
      seen.push(endToEnd(await t.sweep(i * 5)));
    }
    expect(seen).toEqual(delays.map(() => UP));
    expect(t.said()).toEqual([]);
  });
});

describe("a Connection Monitor's endpoints edited mid-run: the verdict follows", () => {
  const sources = (...names: string[]): WireEdit => ({
    read: "monitor",
    field: "properties.testGroups[0].sources",
    value: names,
  });

  it("an endpoint removed is not judged on its last row; one renamed is judged under its new name; one added is judged with the others; one that cannot be read is named, and undone reads again", async () => {
    const { t, monitor } = await twoSources();
    expect((await t.sweeps(0, 5)).map(endToEnd)).toEqual([UP, UP]);

    // onprem-app-02 removed from the monitor: out of its endpoints and its test group.
    const removed: WireEdit[] = [
      { read: "monitor", field: "properties.endpoints[2]", remove: true },
      sources("onprem-app-01"),
    ];
    monitor.wire = removed;
    const after = await t.sweeps(10, 50);
    const ONE = { status: "up", detail: "1 test passes (RTT ≤ 14 ms)" };
    // Its last row (01:02) stays in the look-back until 01:32: never judged, never "stopped".
    expect(after.map(endToEnd)).toEqual(after.map(() => ONE));
    expect(t.said()).toEqual([]);

    // onprem-app-01 renamed onprem-app-11, and its test now fails.
    monitor.wire = [
      { read: "monitor", field: "properties.endpoints[2]", remove: true },
      { read: "monitor", field: "properties.endpoints[0].name", value: "onprem-app-11" },
      sources("onprem-app-11"),
    ];
    const renamed = monitor.tests.find((x) => x.source === "onprem-app-01")!;
    Object.assign(renamed, {
      result: "Fail",
      checksFailed: renamed.checksTotal,
      roundTripMs: null,
    });
    await t.sweep(55);
    const failing = await t.sweep(60);
    expect(endToEnd(failing)).toEqual({ status: "down", detail: "Fail: 1 of 1 tests" });
    expect(t.said()).toEqual(["open:end-to-end:Sev1"]);
    expect(e2eFinding(failing)!.evidence["failing"]).toEqual([
      expect.stringMatching(
        /^cm-er-circuit-prod\/onprem-to-vnet\/tcp-443: onprem-app-11 .*→ vm-app-01:443 Fail/,
      ),
    ]);
    expect(e2eFinding(failing)!.evidence["notDefined"]).toEqual([
      expect.stringMatching(
        /onprem-app-01 → vm-app-01:443 .* its source onprem-app-01 no longer in the test group/,
      ),
    ]);

    // onprem-app-03 added to the monitor and its group; its test passes.
    monitor.endpoints.push({
      name: "onprem-app-03",
      type: "ExternalAddress",
      address: "10.16.0.12",
    });
    monitor.tests.push(passingTest({ source: "onprem-app-03" }));
    monitor.wire = [
      { read: "monitor", field: "properties.endpoints[2]", remove: true },
      { read: "monitor", field: "properties.endpoints[0].name", value: "onprem-app-11" },
      sources("onprem-app-11", "onprem-app-03"),
    ];
    const added = await t.sweep(65);
    expect(endToEnd(added)).toEqual({ status: "warn", detail: "Warning: 1 of 2 tests" });
    expect(t.said()).toEqual(["open:end-to-end:Sev1", "deescalate:end-to-end:Sev2"]);

    // An endpoint sent as null: the monitor cannot be read, and says so.
    const edits = monitor.wire;
    monitor.wire = [...edits, { read: "monitor", field: "properties.endpoints[1]", value: null }];
    const odd = await t.sweep(70);
    expect(endToEnd(odd).status).toBe("unknown");
    expect(verdictOf(odd).failedReads).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/endpoints\[1\] is null/) }),
    );
    // Undone, the monitor reads as before.
    monitor.wire = edits;
    expect(endToEnd(await t.sweep(75))).toEqual({
      status: "warn",
      detail: "Warning: 1 of 2 tests",
    });
  });
});

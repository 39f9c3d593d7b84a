// Log Analytics ingesting a workspace later than the whole look-back left no
// row in it: the query's one scalar, the workspace's newest row of any
// monitor, rode on the test rows and was asked over the look-back alone, so
// the answer was empty and every endpoint read as silent. Now the newest is
// asked over the look-back and the day before it and comes on a row of its
// own (a `print` unioned to the test rows), there with no test row at all.

import { describe, expect, it } from "vitest";
import type { LogsTable } from "@azure/monitor-query-logs";
import {
  askedSpan,
  rowsOf,
  testResultQuery,
  workspaceNewestOf,
} from "../../src/adapters/monitor/logs.js";
import type { MonitorRef } from "../../src/core/dataplane/facts.js";

const MONITOR =
  "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/connectionMonitors/cm-er";
const ref: MonitorRef = { id: MONITOR, name: "cm-er", workspace: "w", how: "discovered" };
const WINDOW = {
  from: new Date("2026-11-22T01:30:00.000Z"),
  to: new Date("2026-11-22T02:00:00.000Z"),
};
const COLUMNS = ["TimeGenerated", "ConnectionMonitorResourceId", "TestResult", "WorkspaceNewest"];
/** As Log Analytics answers the union: the print row's other columns empty. */
const table = (rows: unknown[][]): LogsTable =>
  ({
    name: "PrimaryResult",
    columnDescriptors: COLUMNS.map((name) => ({ name, type: "string" })),
    rows,
  }) as LogsTable;
const NEWEST = new Date("2026-11-22T01:15:00.000Z");

describe("the query", () => {
  const query = testResultQuery([ref], WINDOW);

  it("asks the workspace's newest row of any monitor over the look-back and the day before it", () => {
    const span = askedSpan(WINDOW);
    expect(span.endTime).toEqual(WINDOW.to);
    expect(WINDOW.from.getTime() - span.startTime.getTime()).toBe(24 * 3_600_000);
    expect(query).toMatch(
      /^let newest = toscalar\(NWConnectionMonitorTestResult \| summarize max\(TimeGenerated\)\);$/m,
    );
  });

  it("reads the test rows of the look-back alone, and writes the newest on a row of its own", () => {
    expect(query).toContain(
      "| where TimeGenerated between (datetime(2026-11-22T01:30:00.000Z) .. datetime(2026-11-22T02:00:00.000Z))",
    );
    expect(query.trim().split("\n").at(-1)).toBe("| union (print WorkspaceNewest = newest)");
  });
});

describe("the answer", () => {
  it("with no test row in the look-back still says how far the workspace has ingested", () => {
    const answer = table([[null, null, null, NEWEST]]);
    expect(workspaceNewestOf(answer)).toBe(NEWEST.toISOString());
    expect(rowsOf(answer, WINDOW.to)).toEqual([]);
  });

  it("the workspace's row is no test, wherever it comes among the rows, and an odd row keeps its own index", () => {
    const answer = table([
      [null, null, null, NEWEST],
      [new Date("2026-11-22T01:58:00.000Z"), MONITOR, "Pass", null],
      [new Date("2026-11-22T01:58:00.000Z"), MONITOR, null, null],
    ]);
    const rows = rowsOf(answer, WINDOW.to);
    expect(rows.map((r) => r.test.result)).toEqual(["Pass", "Indeterminate"]);
    expect(rows[1]!.test.reason).toBe(
      "erwatch cannot read rows[2] of the result: TestResult is missing",
    );
    expect(workspaceNewestOf(answer)).toBe(NEWEST.toISOString());
  });

  it("a workspace holding no row in the day before either: no newest", () => {
    expect(workspaceNewestOf(table([[null, null, null, null]]))).toBeNull();
  });
});

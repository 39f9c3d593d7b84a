// Odd numbers in a Connection Monitor result row. A DestinationPort that is
// no port ("-1", 1.5, 1e308) was written after the endpoint's name
// ("vm-db-01:-1"), which then named no endpoint of the test group: the row
// was taken for an endpoint the group no longer lists, its Fail left out, and
// the circuit read "no result in the last 30 min" (Sev3) instead of e2e
// Sev1/Sev2. Counts and times no test can have were shown as measurements
// ("checks failed -25%", "RTT ≤ -14 ms", "Infinity%"). Each is now left out.

import { describe, expect, it } from "vitest";
import type { LogsTable } from "@azure/monitor-query-logs";
import { rowsOf } from "../../src/adapters/monitor/logs.js";
import {
  failedPercentOf,
  measureOf,
  percentOf,
  portOf,
} from "../../src/adapters/monitor/result-values.js";

describe("a destination port", () => {
  it.each<[unknown, number | null]>([
    [443, 443],
    ["443", 443],
    [" 1433 ", 1433],
    [1, 1],
    [65_535, 65_535],
    [0, null],
    [-1, null],
    ["-1", null],
    [1.5, null],
    [70_000, null],
    [1e308, null],
    ["1e308", null],
    ["NaN", null],
    ["Infinity", null],
    ["", null],
    [null, null],
    [undefined, null],
    [true, null],
    [{ port: 443 }, null],
    [[443], null],
  ])("%j → %j", (value, port) => {
    expect(portOf(value)).toBe(port);
  });
});

describe("checks failed as a percentage", () => {
  it.each<[unknown, unknown, number | null]>([
    [0, 20, 0],
    [5, 20, 25],
    [1, 3, 33.3],
    ["5", "20", 25],
    [20, 20, 100],
    [1e308, 1e308, 100],
    [-5, 20, null],
    [30, 20, null],
    [3, 0, null],
    [3, -20, null],
    ["NaN", 20, null],
    [5, "NaN", null],
    [null, 20, null],
    [5, undefined, null],
    [Infinity, Infinity, null],
  ])("%j of %j → %j", (failed, total, percent) => {
    expect(failedPercentOf(failed, total)).toBe(percent);
  });
});

describe("round trips and thresholds", () => {
  it.each<[unknown, number | null, number | null]>([
    // value, as a time (measureOf), as a percentage threshold (percentOf)
    [14, 14, 14],
    ["14.5", 14.5, 14.5],
    [0, 0, 0],
    [-14, null, null],
    [150, 150, null],
    [1e308, 1e308, null],
    ["NaN", null, null],
    ["", null, null],
    [null, null, null],
    [{}, null, null],
  ])("%j → %j ms, %j %%", (value, ms, percent) => {
    expect(measureOf(value)).toBe(ms);
    expect(percentOf(value)).toBe(percent);
  });
});

const COLUMNS = [
  ["TimeGenerated", "datetime"],
  ["ConnectionMonitorResourceId", "string"],
  ["TestGroupName", "string"],
  ["TestConfigurationName", "string"],
  ["TestResult", "string"],
  ["ChecksFailed", "int"],
  ["ChecksTotal", "int"],
  ["ChecksFailedPercentThreshold", "int"],
  ["AvgRoundTripTimeMs", "real"],
  ["RoundTripTimeMsThreshold", "real"],
  ["SourceName", "string"],
  ["DestinationName", "string"],
  ["DestinationPort", "int"],
] as const;
const MONITOR =
  "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/connectionMonitors/cm-er";
const AT = new Date("2026-11-22T01:57:00.000Z");

function rowWith(values: Partial<Record<(typeof COLUMNS)[number][0], unknown>>) {
  const base: Record<string, unknown> = {
    TimeGenerated: AT,
    ConnectionMonitorResourceId: MONITOR,
    TestGroupName: "onprem-to-vnet",
    TestConfigurationName: "tcp-443",
    TestResult: "Fail",
    ChecksFailed: 20,
    ChecksTotal: 20,
    ChecksFailedPercentThreshold: 10,
    AvgRoundTripTimeMs: 14,
    RoundTripTimeMsThreshold: 60,
    SourceName: "onprem-app-01",
    DestinationName: "vm-db-01",
    DestinationPort: 443,
    ...values,
  };
  const table = {
    name: "PrimaryResult",
    columnDescriptors: COLUMNS.map(([name, type]) => ({ name, type })),
    rows: [COLUMNS.map(([name]) => base[name])],
  } as LogsTable;
  return rowsOf(table, AT)[0]!.test;
}

describe("a result row read with odd numbers", () => {
  it.each<[string, Parameters<typeof rowWith>[0], Record<string, unknown>]>([
    ["a port", { DestinationPort: 443 }, { destination: "vm-db-01:443" }],
    ["a port as text", { DestinationPort: "443" }, { destination: "vm-db-01:443" }],
    ["a negative port", { DestinationPort: -1 }, { destination: "vm-db-01" }],
    ["a fractional port", { DestinationPort: 1.5 }, { destination: "vm-db-01" }],
    ["a port of 1e308", { DestinationPort: 1e308 }, { destination: "vm-db-01" }],
    ["no port", { DestinationPort: null }, { destination: "vm-db-01" }],
    [
      "more checks failed than run",
      { ChecksFailed: 300 },
      { checksFailedPercent: null, result: "Fail" },
    ],
    ["a negative count", { ChecksFailed: -5 }, { checksFailedPercent: null }],
    ["counts of 1e308", { ChecksFailed: 1e308, ChecksTotal: 1e308 }, { checksFailedPercent: 100 }],
    ["a negative round trip", { AvgRoundTripTimeMs: -14 }, { roundTripMs: null }],
    [
      "a threshold past 100 %",
      { ChecksFailedPercentThreshold: 150 },
      { checksFailedPercentThreshold: null },
    ],
    ["a negative RTT threshold", { RoundTripTimeMsThreshold: -60 }, { roundTripThresholdMs: null }],
  ])("%s", (_what, values, read) => {
    expect(rowWith(values)).toMatchObject(read);
  });
});

describe("a TestResult that is not a word", () => {
  const ROW = "erwatch cannot read rows[0] of the result: ";
  it.each<[string, unknown, string]>([
    ["a number", 7, "TestResult is 7, not a result erwatch knows"],
    ["a boolean", false, "TestResult is false, not a result erwatch knows"],
    ["an object", { r: "Pass" }, 'TestResult is {"r":"Pass"}, not a result erwatch knows'],
    [
      "a long list, cut",
      Array.from({ length: 30 }, (_, i) => i),
      "TestResult is [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,…, not a result erwatch knows",
    ],
    ["null: missing", null, "TestResult is missing"],
    ["left out: missing", undefined, "TestResult is missing"],
    ["blank text: missing", "  ", "TestResult is missing"],
  ])("%s", (_what, value, said) => {
    const test = rowWith({ TestResult: value });
    expect(test.result).toBe("Indeterminate");
    expect(test.reason).toBe(`${ROW}${said}`);
  });

  it("a word erwatch does not know is kept as the result, judged as any other word", () => {
    expect(rowWith({ TestResult: "Degraded" })).toMatchObject({ result: "Degraded", reason: null });
  });
});

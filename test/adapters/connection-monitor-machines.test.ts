// Users saw a Connection Monitor test read Pass while one of the VMs behind
// its VNet endpoint failed every check (its subnet's NSG or route table
// dropping the traffic): no Warning, no page. A VNet endpoint is tested from
// up to three sampled VMs and an on-premises one may be several Arc
// machines; NWConnectionMonitorTestResult writes one row per machine under
// the endpoint's names (the machine is SourceResourceId / SourceIP and their
// Destination counterparts), and erwatch kept only the latest row per
// endpoint name. Now the query and latestPerTest keep the latest row per
// machine as well, the failing machine is named in the evidence line, and
// rows that name no machine group by endpoint as before.

import { describe, expect, it } from "vitest";
import type { LogsTable } from "@azure/monitor-query-logs";
import { latestPerTest, rowsOf, testResultQuery } from "../../src/adapters/monitor/logs.js";
import { summarise } from "../../src/core/dataplane/end-to-end.js";
import type { MonitorRef } from "../../src/core/dataplane/facts.js";

const MONITOR =
  "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/connectionMonitors/cm-er";
const ref: MonitorRef = { id: MONITOR, name: "cm-er", workspace: "w", how: "discovered" };
const AT = new Date("2026-11-22T01:57:00.000Z");
const WINDOW = { from: new Date("2026-11-22T01:30:00.000Z"), to: AT };
const VM = (name: string) =>
  `/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`;

const COLUMNS = [
  ["TimeGenerated", "datetime"],
  ["ConnectionMonitorResourceId", "string"],
  ["TestGroupName", "string"],
  ["TestConfigurationName", "string"],
  ["TestResult", "string"],
  ["ChecksFailed", "int"],
  ["ChecksTotal", "int"],
  ["SourceName", "string"],
  ["SourceAddress", "string"],
  ["SourceIP", "string"],
  ["SourceResourceId", "string"],
  ["DestinationName", "string"],
  ["DestinationAddress", "string"],
  ["DestinationIP", "string"],
  ["DestinationResourceId", "string"],
  ["DestinationPort", "int"],
] as const;

interface Row {
  result?: string;
  minute?: number;
  sourceIp?: string | null;
  sourceId?: string | null;
  destinationIp?: string | null;
  destinationId?: string | null;
}

const cells = (r: Row) => [
  new Date(Date.UTC(2026, 10, 22, 1, r.minute ?? 57)),
  MONITOR,
  "vnet-to-onprem",
  "tcp-443",
  r.result ?? "Pass",
  r.result === "Fail" ? 20 : 0,
  20,
  "vnet-app(rg-app)",
  "",
  r.sourceIp ?? null,
  r.sourceId ?? null,
  "onprem-app-01",
  "10.16.0.10",
  r.destinationIp ?? null,
  r.destinationId ?? null,
  443,
];

const tableOf = (rows: Row[], columns: readonly (readonly [string, string])[] = COLUMNS) => {
  const keep = columns.map(([name]) => COLUMNS.findIndex(([n]) => n === name));
  return {
    name: "PrimaryResult",
    columnDescriptors: columns.map(([name, type]) => ({ name, type })),
    rows: rows.map((r) => keep.map((i) => cells(r)[i])),
  } as LogsTable;
};
const kept = (rows: Row[], columns?: readonly (readonly [string, string])[]) =>
  latestPerTest(rowsOf(tableOf(rows, columns), AT)).map((r) => r.test);

describe("the query", () => {
  it("keeps the latest row per source and destination machine, not per endpoint name", () => {
    const by = /summarize arg_max\(TimeGenerated, \*\) by (.*)/.exec(
      testResultQuery([ref], WINDOW),
    )?.[1];
    expect(by?.split(", ")).toEqual([
      "ConnectionMonitorResourceId",
      "TestGroupName",
      "TestConfigurationName",
      "SourceName",
      "SourceResourceId",
      "SourceIP",
      "DestinationName",
      "DestinationResourceId",
      "DestinationIP",
    ]);
    const project = /\| project (.*)/.exec(testResultQuery([ref], WINDOW))?.[1]?.split(", ");
    for (const column of ["SourceResourceId", "SourceIP", "DestinationResourceId", "DestinationIP"])
      expect(project).toContain(column);
  });
});

describe("the rows of several machines behind one endpoint", () => {
  it("one VM failing while two pass is a failing test (Warning), not a pass", () => {
    const tests = kept([
      { sourceId: VM("vm-app-01"), sourceIp: "10.1.0.4" },
      { sourceId: VM("vm-app-02"), sourceIp: "10.1.1.4", result: "Fail" },
      { sourceId: VM("vm-app-03"), sourceIp: "10.1.0.5" },
    ]);
    expect(tests.map((t) => t.result).sort()).toEqual(["Fail", "Pass", "Pass"]);
    const summary = summarise({
      monitors: [ref],
      from: "2026-11-22T01:30:00.000Z",
      to: "2026-11-22T02:00:00.000Z",
      tests,
    });
    expect(summary.overall).toBe("warning");
    expect(tests.find((t) => t.result === "Fail")).toMatchObject({
      source: "vnet-app(rg-app)",
      sourceMachine: "vm-app-02 10.1.1.4",
    });
  });

  it.each<{ name: string; rows: Row[]; results: string[] }>([
    {
      name: "two Arc machines behind one on-premises destination, one failing",
      rows: [
        { destinationId: VM("arc-01"), destinationIp: "10.16.0.11" },
        { destinationId: VM("arc-02"), destinationIp: "10.16.0.12", result: "Fail" },
      ],
      results: ["Fail", "Pass"],
    },
    {
      name: "one machine's older Fail and newer Pass: the newer only",
      rows: [
        { sourceId: VM("vm-app-01"), result: "Fail", minute: 40 },
        { sourceId: VM("vm-app-01"), minute: 57 },
      ],
      results: ["Pass"],
    },
    {
      name: "a VM whose IP changed is one machine, by its resource id",
      rows: [
        { sourceId: VM("vm-app-01"), sourceIp: "10.1.0.4", result: "Fail", minute: 40 },
        { sourceId: VM("vm-app-01"), sourceIp: "10.1.0.9", minute: 57 },
      ],
      results: ["Pass"],
    },
    {
      name: "a resource id written in two cases is one machine",
      rows: [
        { sourceId: VM("vm-app-01"), result: "Fail", minute: 40 },
        { sourceId: VM("VM-APP-01"), minute: 57 },
      ],
      results: ["Pass"],
    },
    {
      name: "machines known only by IP",
      rows: [{ sourceIp: "10.1.0.4" }, { sourceIp: "10.1.1.4", result: "Fail" }],
      results: ["Fail", "Pass"],
    },
    {
      name: "rows naming no machine group by endpoint, as before",
      rows: [{ result: "Fail", minute: 40 }, { minute: 57 }],
      results: ["Pass"],
    },
  ])("$name", ({ rows, results }) => {
    expect(
      kept(rows)
        .map((t) => t.result)
        .sort(),
    ).toEqual(results);
  });

  it("a result without the machine columns groups by endpoint, as before", () => {
    const without = COLUMNS.filter(([name]) => !/^(Source|Destination)(IP|ResourceId)$/.test(name));
    const tests = kept(
      [
        { sourceId: VM("vm-app-01"), result: "Fail", minute: 40 },
        { sourceId: VM("vm-app-02"), minute: 57 },
      ],
      without,
    );
    expect(tests).toHaveLength(1);
    expect(tests[0]).toMatchObject({ result: "Pass" });
    expect(tests[0]).not.toHaveProperty("sourceMachine");
  });

  it("names a machine by IP alone only when the endpoint's address does not already say it", () => {
    const [same] = kept([{ destinationIp: "10.16.0.10" }]);
    expect(same).not.toHaveProperty("destinationMachine");
    const [other] = kept([{ destinationIp: "10.16.0.12" }]);
    expect(other).toMatchObject({ destinationMachine: "10.16.0.12" });
  });
});

// Found by a review: a machine that left the endpoint (a scale set instance
// scaled in, a retired Arc server), its last row a Fail as it went down, kept
// the circuit at e2e-warning for the whole window beside machines that pass.
describe("a machine silent while another of its test reports", () => {
  const withFrequency = (seconds: number): MonitorRef => ({
    ...ref,
    frequencies: [{ test: "tcp-443", seconds }],
  });
  const rows: Row[] = [
    { sourceId: VM("vmss_0"), minute: 57 },
    { sourceId: VM("vmss_2"), result: "Fail", minute: 37 },
  ];
  const results = (monitors: MonitorRef[]) =>
    latestPerTest(rowsOf(tableOf(rows), AT), monitors)
      .map((r) => r.test.result)
      .sort();
  it.each<{ name: string; monitors: MonitorRef[]; results: string[] }>([
    { name: "every 60 s, silent 20 min: gone", monitors: [withFrequency(60)], results: ["Pass"] },
    {
      name: "every 15 min, silent 20 min: within its frequency and ingestion, kept",
      monitors: [withFrequency(900)],
      results: ["Fail", "Pass"],
    },
    { name: "its frequency not known: kept", monitors: [ref], results: ["Fail", "Pass"] },
    { name: "no monitors given: kept", monitors: [], results: ["Fail", "Pass"] },
  ])("$name", ({ monitors, results: expected }) => {
    expect(results(monitors)).toEqual(expected);
  });

  it("rows that name no machine are never judged gone", () => {
    const plain: Row[] = [{ minute: 57 }, { minute: 20, result: "Fail" }];
    expect(
      latestPerTest(rowsOf(tableOf(plain), AT), [withFrequency(60)]).map((r) => r.test.result),
    ).toEqual(["Pass"]);
  });
});

// Which rows of a Connection Monitor result are the circuit's, when its tag
// names a monitor without its id and the workspace holds several of that name.

import { describe, expect, it } from "vitest";
import { latestPerTest, ownRows } from "../../src/adapters/monitor/logs.js";
import type { EndToEndTest, MonitorRef } from "../../src/core/dataplane/facts.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const OTHER = "00000000-0000-0000-0000-000000000002";
const monitorId = (sub: string, watcher: string, name = "cm-er") =>
  `/subscriptions/${sub}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/${watcher}/connectionMonitors/${name}`;
const row = (id: string, result = "Pass") => ({
  monitorId: id,
  test: { monitor: id.split("/").pop()!, result } as EndToEndTest,
});
const byName = (region: string | null): MonitorRef => ({
  id: null,
  name: "cm-er",
  workspace: "w",
  how: "tagged",
  near: { subscriptionId: SUB, region },
});

describe("the rows of a monitor named without its id", () => {
  it.each([
    [
      "the one in the circuit's region's Network Watcher, not another region's",
      [monitorId(SUB, "NetworkWatcher_westeurope"), monitorId(SUB, "NetworkWatcher_eastus")],
      byName("westeurope"),
      [monitorId(SUB, "NetworkWatcher_westeurope")],
    ],
    [
      "the one in the circuit's subscription, whatever its watcher is called",
      [monitorId(OTHER, "nw-hub"), monitorId(SUB, "nw-spoke")],
      byName("westeurope"),
      [monitorId(SUB, "nw-spoke")],
    ],
    [
      "one of that name in another subscription, in the region's Network Watcher",
      [monitorId(OTHER, "NetworkWatcher_westeurope")],
      byName("westeurope"),
      [monitorId(OTHER, "NetworkWatcher_westeurope")],
    ],
    [
      "one of that name in the circuit's subscription, another region's watcher",
      [monitorId(SUB, "NetworkWatcher_eastus")],
      byName("westeurope"),
      [monitorId(SUB, "NetworkWatcher_eastus")],
    ],
    [
      "named with its id: every row the query matched",
      [monitorId(SUB, "NetworkWatcher_westeurope"), monitorId(SUB, "NetworkWatcher_eastus")],
      { id: monitorId(SUB, "NetworkWatcher_eastus"), name: "cm-er", workspace: "w", how: "tagged" },
      [monitorId(SUB, "NetworkWatcher_westeurope"), monitorId(SUB, "NetworkWatcher_eastus")],
    ],
  ] as const)("%s", (_, ids, monitor, kept) => {
    const rows = ids.map((id) => row(id));
    expect(ownRows(rows, [monitor as MonitorRef]).map((r) => r.monitorId)).toEqual(kept);
  });

  it("fails naming them when nothing singles one out: never judged on another circuit's tests", () => {
    const ids = [monitorId(SUB, "nw-a"), monitorId(SUB, "nw-b")];
    expect(() =>
      ownRows(
        ids.map((id) => row(id, "Fail")),
        [byName("westeurope")],
      ),
    ).toThrow(
      /tag names connection monitor cm-er, and the workspace has results of 2 monitors of that name \(.*nw-a.*nw-b.*\): tag the circuit with the monitor's resource id/,
    );
  });

  it("fails when the only one of that name is in neither the circuit's subscription nor its region (another circuit's, its own silent)", () => {
    const other = monitorId(OTHER, "NetworkWatcher_eastus");
    expect(() => ownRows([row(other, "Fail")], [byName("westeurope")])).toThrow(
      /one monitor of that name outside the circuit's subscription and region/,
    );
  });

  it("matches names and ids whatever their case", () => {
    const rows = [
      row(monitorId(SUB, "networkwatcher_WestEurope", "CM-ER")),
      row(monitorId(SUB, "NetworkWatcher_eastus", "cm-er")),
    ];
    expect(ownRows(rows, [byName("westeurope")]).map((r) => r.test.monitor)).toEqual(["CM-ER"]);
  });

  it("one monitor whose id Log Analytics wrote in two cases is that one monitor, not two of that name", () => {
    const id = monitorId(SUB, "NetworkWatcher_westeurope");
    const rows = [row(id), row(id.toLowerCase())];
    expect(ownRows(rows, [byName("westeurope")]).map((r) => r.monitorId)).toEqual([
      id,
      id.toLowerCase(),
    ]);
  });
});

describe("the newest row of each test", () => {
  const ID = monitorId(SUB, "NetworkWatcher_westeurope");
  const at = (m: number) => new Date(Date.UTC(2026, 10, 22, 1, m)).toISOString();
  const result = (
    id: string,
    result: string,
    minute: number,
    test: Partial<EndToEndTest> = {},
  ) => ({
    monitorId: id,
    test: {
      monitor: id.split("/").pop()!,
      monitorId: id,
      testGroup: "onprem-to-vnet",
      test: "tcp-443",
      source: "onprem-app-01",
      destination: "vm-app-01:443",
      result,
      at: at(minute),
      ...test,
    } as EndToEndTest,
  });

  it.each([
    [
      "one test under its monitor's id in two cases: the newer result only (a Fail since passed is no Warning)",
      [result(ID, "Fail", 1), result(ID.toUpperCase(), "Pass", 6)],
      ["Pass@6"],
    ],
    [
      "the newer first: still the newer",
      [result(ID.toLowerCase(), "Pass", 6), result(ID, "Fail", 1)],
      ["Pass@6"],
    ],
    [
      "its group, test, source and destination in another case: one test",
      [
        result(ID, "Fail", 1),
        result(ID, "Pass", 6, {
          testGroup: "OnPrem-To-VNet",
          test: "TCP-443",
          source: "ONPREM-APP-01",
          destination: "VM-App-01:443",
        }),
      ],
      ["Pass@6"],
    ],
    [
      "two tests of one monitor: both",
      [result(ID, "Fail", 1), result(ID, "Pass", 6, { test: "icmp" })],
      ["Fail@1", "Pass@6"],
    ],
    [
      "one test to two destinations: both",
      [result(ID, "Fail", 1), result(ID, "Pass", 1, { destination: "vm-app-02:443" })],
      ["Fail@1", "Pass@1"],
    ],
  ] as const)("%s", (_, rows, kept) => {
    expect(
      latestPerTest([...rows]).map(
        (r) => `${r.test.result}@${new Date(r.test.at).getUTCMinutes()}`,
      ),
    ).toEqual(kept);
  });
});

// The estate's Log Analytics follows the endpoints a Connection Monitor's
// definition sends. A test editing `properties.endpoints[i]` (its `wire`)
// used to edit the estate's own endpoints through the listing (the body
// shared them), so a null there reached the Log Analytics answer, which
// failed with a 500 reading its name, a removal took one more endpoint at
// every listing, and undoing the edit undid nothing. Now an edit changes the
// body sent alone, and the rows follow it: an endpoint sent no more writes
// no new row, one renamed in place writes under its new name, and the rows
// written before stay while the look-back reaches them. Real clients.

import { LogsQueryClient, type LogsTable } from "@azure/monitor-query-logs";
import { describe, expect, it } from "vitest";
import {
  estateOf,
  healthyCircuit,
  API_VERSION,
  passingTest,
  withConnectionMonitor,
  type SimulatedEstate,
  type WireEdit,
} from "./estate/index.js";
import { workspaceGuid } from "./estate/monitor-answers.js";
import { monitorId } from "./estate/network-answers.js";
import { estateWith, raw } from "./estate-sdk.js";
import { staticCredential } from "./estate-access.js";

const T0 = Date.parse("2026-11-22T02:00:00.000Z");

function world() {
  const bundle = healthyCircuit();
  const monitor = withConnectionMonitor(bundle, [
    passingTest(),
    passingTest({ source: "onprem-app-02" }),
  ]);
  monitor.endpoints.push({ name: "onprem-app-02", type: "ExternalAddress", address: "10.16.0.11" });
  return { state: estateOf(bundle), monitor };
}

/** The monitor as its Network Watcher lists it, then its rows as Log Analytics answers at `minute`. */
async function readAt(estate: SimulatedEstate, minute: number) {
  const monitor = estate.state.connectionMonitors![0]!;
  // As sent: the SDK's deserialiser cannot take a null endpoint (erwatch reads such a page itself).
  const listing = await raw(
    estate,
    `/subscriptions/${monitor.subscriptionId}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/connectionMonitors?api-version=${API_VERSION}`,
  );
  expect(listing.status).toBe(200);
  const listed = (JSON.parse(listing.body) as { value: { properties: { endpoints: unknown[] } }[] })
    .value;
  const logs = new LogsQueryClient(staticCredential, {
    endpoint: `${estate.url}/loganalytics/v1`,
    tlsOptions: { ca: estate.ca },
    retryOptions: { maxRetries: 0 },
  });
  const end = new Date(T0 + minute * 60_000);
  const result = await logs.queryWorkspace(
    workspaceGuid(monitor.workspaceResourceId),
    `NWConnectionMonitorTestResult | where ConnectionMonitorResourceId in~ ("${monitorId(monitor)}")`,
    { startTime: new Date(end.getTime() - 30 * 60_000), endTime: end },
  );
  if (!("tables" in result)) throw new Error(`partial: ${JSON.stringify(result)}`);
  const table = result.tables[0] as LogsTable;
  const at = (name: string) => table.columnDescriptors.findIndex((c) => c.name === name);
  const rows = table.rows.map(
    (r) =>
      `${(r[at("TimeGenerated")] as Date).toISOString().slice(11, 16)} ${String(r[at("SourceName")])} (${String(r[at("SourceAddress")])})`,
  );
  return {
    endpoints: listed[0]!.properties.endpoints.map(
      (e) => (e as { name?: string } | null)?.name ?? null,
    ),
    rows: rows.sort(),
  };
}

describe("a Connection Monitor's endpoints edited on the wire, mid-run", () => {
  it.each<[string, Omit<WireEdit, "read">, (string | null)[], string[]]>([
    [
      "one removed",
      { field: "properties.endpoints[2]", remove: true },
      ["onprem-app-01", "vm-app-01"],
      // onprem-app-02's last row, from before the edit, stays.
      ["01:57 onprem-app-02 (10.16.0.11)", "02:07 onprem-app-01 (10.16.0.10)"],
    ],
    [
      "one null (ARM cannot send it, erwatch must survive it)",
      { field: "properties.endpoints[2]", value: null },
      ["onprem-app-01", "vm-app-01", null],
      ["01:57 onprem-app-02 (10.16.0.11)", "02:07 onprem-app-01 (10.16.0.10)"],
    ],
    [
      "one renamed in place",
      { field: "properties.endpoints[2].name", value: "onprem-app-12" },
      ["onprem-app-01", "vm-app-01", "onprem-app-12"],
      [
        "01:57 onprem-app-02 (10.16.0.11)",
        "02:07 onprem-app-01 (10.16.0.10)",
        "02:07 onprem-app-12 (10.16.0.11)",
      ],
    ],
    [
      "one added that no test names",
      {
        field: "properties.endpoints[3]",
        value: { name: "onprem-app-03", type: "ExternalAddress", address: "10.16.0.12" },
      },
      ["onprem-app-01", "vm-app-01", "onprem-app-02", "onprem-app-03"],
      ["02:07 onprem-app-01 (10.16.0.10)", "02:07 onprem-app-02 (10.16.0.11)"],
    ],
  ])(
    "%s: the listing and the rows follow it, and undoing it undoes it",
    async (_what, edit, endpoints, rows) => {
      const { state, monitor } = world();
      const estate = await estateWith(state);
      const before = await readAt(estate, 0);
      expect(before.rows).toEqual([
        "01:57 onprem-app-01 (10.16.0.10)",
        "01:57 onprem-app-02 (10.16.0.11)",
      ]);

      monitor.wire = [{ read: "monitor", ...edit }];
      await readAt(estate, 5);
      const edited = await readAt(estate, 10);
      expect(edited.endpoints).toEqual(endpoints);
      expect(edited.rows).toEqual(rows);
      // The estate's own endpoints are as the test built them.
      expect(monitor.endpoints.map((e) => e.name)).toEqual([
        "onprem-app-01",
        "vm-app-01",
        "onprem-app-02",
      ]);

      monitor.wire = [];
      const undone = await readAt(estate, 15);
      expect(undone.endpoints).toEqual(["onprem-app-01", "vm-app-01", "onprem-app-02"]);
      expect(undone.rows.filter((r) => r.startsWith("02:12"))).toEqual([
        "02:12 onprem-app-01 (10.16.0.10)",
        "02:12 onprem-app-02 (10.16.0.11)",
      ]);
    },
  );
});

// Connection Monitor results from Log Analytics through
// @azure/monitor-query-logs: the latest NWConnectionMonitorTestResult row per
// monitor, test group, test, source and destination in the window, and per
// machine of each: a VNet endpoint is tested from up to three sampled VMs and
// an on-premises one may be several Arc machines, each writing its own rows
// under the endpoint's name (the machine is SourceResourceId / SourceIP and
// their Destination counterparts). Kept per endpoint name alone, the rows of
// one VM whose subnet drops the traffic were hidden by its neighbours' Pass. A workspace
// given as a GUID is queried with queryWorkspace (POST …/v1/workspaces/<id>/query);
// one known only by its resource id (Connection Monitor's output names it so)
// with queryResource on that id, which Log Analytics scopes to the workspace.
// Each answer carries, in the same query, the newest row the workspace holds
// of any monitor (WorkspaceNewest): when that too is older than a test's
// frequency plus the ingestion allowance, the workspace's ingestion is late,
// and a test's old row says nothing of its endpoint (stopped-tests.ts). It is
// asked over the look-back and the day before it, and written on a row of its
// own: ingestion later than the whole look-back leaves no test row to carry
// it, and no row in the look-back to find it in, yet is the same delay.

import type { LogsQueryClient, LogsTable } from "@azure/monitor-query-logs";
import type { TokenCredential } from "@azure/identity";
import type { EndToEndTest, MonitorRef } from "../../core/dataplane/facts.js";
import { workspaceName } from "../../core/dataplane/queried-workspace.js";
import {
  frequencyOf,
  INGESTION_ALLOWANCE_SEC,
  ofMonitor,
} from "../../core/dataplane/silent-tests.js";
import type { ArmClientOptions } from "../arm/clients.js";
import { WORKSPACE_OPERATIONS } from "../arm/operations.js";
import type { MonitorCall } from "./call.js";
import { failedPercentOf, measureOf, percentOf, portOf, resultProblem } from "./result-values.js";
import { boundedRetryAfterPolicy } from "../retry-after.js";
import type { WorkspaceAnswer } from "./workspace-turns.js";

export interface LogsReaderConfig {
  endpoint: string;
  scope: string;
  maxRetries: number;
  /** Per request: the client does not take an abort signal. */
  timeoutMs: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a workspace's query is said to read: the workspace by its short name. */
export const resultsTarget = (workspace: string) =>
  `Connection Monitor results in workspace ${workspaceName(workspace)}`;

/** A KQL string literal. */
const kql = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** How far before the look-back the workspace's newest row is looked for: Azure's ingestion incidents run for hours. */
export const INGESTED_HORIZON_MS = 24 * 3_600_000;

/** The span asked of Log Analytics: the look-back and the day before it (the newest row's). */
export const askedSpan = (window: { from: Date; to: Date }) => ({
  startTime: new Date(window.from.getTime() - INGESTED_HORIZON_MS),
  endTime: window.to,
});

export function testResultQuery(monitors: MonitorRef[], window: { from: Date; to: Date }): string {
  const ids = monitors.flatMap((m) => (m.id ? [kql(m.id)] : []));
  const names = monitors.filter((m) => !m.id).map((m) => kql(`/connectionMonitors/${m.name}`));
  const match = [
    ...(ids.length > 0 ? [`ConnectionMonitorResourceId in~ (${ids.join(", ")})`] : []),
    ...names.map((n) => `ConnectionMonitorResourceId endswith ${n}`),
  ].join(" or ");
  return [
    // Of every monitor writing there, not only these: one endpoint stopped
    // while the workspace ingests others' rows is told from late ingestion.
    "let newest = toscalar(NWConnectionMonitorTestResult | summarize max(TimeGenerated));",
    "NWConnectionMonitorTestResult",
    `| where TimeGenerated between (datetime(${window.from.toISOString()}) .. datetime(${window.to.toISOString()}))`,
    `| where ${match}`,
    "| summarize arg_max(TimeGenerated, *) by ConnectionMonitorResourceId, TestGroupName, TestConfigurationName, SourceName, SourceResourceId, SourceIP, DestinationName, DestinationResourceId, DestinationIP",
    "| project TimeGenerated, ConnectionMonitorResourceId, TestGroupName, TestConfigurationName, TestResult, ChecksFailed, ChecksTotal, ChecksFailedPercentThreshold, AvgRoundTripTimeMs, RoundTripTimeMsThreshold, SourceName, SourceAddress, SourceResourceId, SourceIP, DestinationName, DestinationAddress, DestinationResourceId, DestinationIP, DestinationPort, AdditionalData",
    // A row of its own, there with no test row; every other column empty.
    "| union (print WorkspaceNewest = newest)",
  ].join("\n");
}

class MalformedResult extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponseError";
  }
}

const str = (v: unknown): string | null =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : null;

/** One row of the result: its test, the monitor it belongs to by full id, and its machines. */
interface ResultRow {
  monitorId: string;
  test: EndToEndTest;
  /** Which machine ran it and which it reached (resource id, else IP); null when not written. */
  machines?: { source: string | null; destination: string | null };
}

/**
 * A machine as a reader knows it: its name (the resource id's last segment)
 * and IP; null when Log Analytics names neither, or only the IP the
 * endpoint's address already says.
 */
function machineOf(resourceId: string | null, ip: string | null, address: string | null) {
  const name = resourceId?.split("/").pop() || null;
  if (!name && (!ip || ip === address)) return null;
  return [name, ip].filter(Boolean).join(" ");
}

const columnsOf = (table: LogsTable) =>
  new Map(table.columnDescriptors.map((c, i) => [c.name ?? "", i]));

/** The workspace's own row: no monitor and no time, only WorkspaceNewest (the query's print). */
const workspaceRow = (get: (name: string) => unknown) =>
  str(get("ConnectionMonitorResourceId")) === null &&
  (get("TimeGenerated") === null || get("TimeGenerated") === undefined);

/**
 * The newest row of any monitor the workspace holds, as the answer gives it
 * (its own row, or written on every row by an older query); null when it
 * holds none in the span asked, or the answer does not say.
 */
export function workspaceNewestOf(table: LogsTable): string | null {
  const at = columnsOf(table).get("WorkspaceNewest");
  if (at === undefined) return null;
  const times = table.rows.flatMap((row) => {
    const v = row[at];
    const when = v instanceof Date ? v : new Date(String(v ?? ""));
    return v === null || v === undefined || Number.isNaN(when.getTime()) ? [] : [when.getTime()];
  });
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : null;
}

/**
 * The rows of the result, the workspace's own row apart. A row erwatch
 * cannot read (no result, no time) is kept as an Indeterminate test that
 * says why, so one odd row neither blinds the circuit's other tests nor
 * passes for a result it does not state.
 */
export function rowsOf(table: LogsTable, readAt: Date): ResultRow[] {
  const at = columnsOf(table);
  for (const needed of ["TimeGenerated", "ConnectionMonitorResourceId", "TestResult"])
    if (!at.has(needed)) throw new MalformedResult(`the result has no ${needed} column`);
  return table.rows.flatMap((row, i) => {
    const get = (name: string) => (at.has(name) ? row[at.get(name)!] : undefined);
    if (at.has("WorkspaceNewest") && workspaceRow(get)) return [];
    const time = get("TimeGenerated");
    const when = time instanceof Date ? time : new Date(String(time));
    const timeUnread = Number.isNaN(when.getTime());
    const result = str(get("TestResult"));
    const resultUnread = resultProblem(get("TestResult"));
    const unread = [
      ...(resultUnread === null ? [] : [resultUnread]),
      ...(timeUnread ? ["TimeGenerated is not a time"] : []),
    ];
    const reason = str(
      typeof get("AdditionalData") === "object"
        ? JSON.stringify(get("AdditionalData"))
        : get("AdditionalData"),
    );
    const monitorId = str(get("ConnectionMonitorResourceId")) ?? "";
    const port = portOf(get("DestinationPort"));
    const destination = str(get("DestinationName")) ?? str(get("DestinationAddress")) ?? "?";
    const machine = (side: "Source" | "Destination") => ({
      id: str(get(`${side}ResourceId`)) ?? str(get(`${side}IP`)),
      shown: machineOf(
        str(get(`${side}ResourceId`)),
        str(get(`${side}IP`)),
        str(get(`${side}Address`)),
      ),
    });
    const [from, to] = [machine("Source"), machine("Destination")];
    const test: EndToEndTest = {
      monitor: monitorId.split("/").pop() ?? monitorId,
      monitorId: monitorId || null,
      testGroup: str(get("TestGroupName")) ?? "?",
      test: str(get("TestConfigurationName")) ?? "?",
      result: unread.length > 0 ? "Indeterminate" : result!,
      checksFailedPercent: failedPercentOf(get("ChecksFailed"), get("ChecksTotal")),
      checksFailedPercentThreshold: percentOf(get("ChecksFailedPercentThreshold")),
      roundTripMs: measureOf(get("AvgRoundTripTimeMs")),
      roundTripThresholdMs: measureOf(get("RoundTripTimeMsThreshold")),
      source: str(get("SourceName")) ?? str(get("SourceAddress")) ?? "?",
      destination: port !== null ? `${destination}:${port}` : destination,
      sourceAddress: str(get("SourceAddress")),
      destinationAddress: str(get("DestinationAddress")),
      ...(from.shown ? { sourceMachine: from.shown } : {}),
      ...(to.shown ? { destinationMachine: to.shown } : {}),
      at: (timeUnread ? readAt : when).toISOString(),
      reason:
        unread.length > 0
          ? `erwatch cannot read rows[${i}] of the result: ${unread.join(", ")}`
          : reason
            ? reason.slice(0, 300)
            : null,
    };
    return [{ monitorId, test, machines: { source: from.id, destination: to.id } }];
  });
}

const lower = (text: string) => text.toLowerCase();

/**
 * A monitor named without its id matches every monitor of that name writing to
 * the workspace, in any region or subscription. The one in the circuit's
 * subscription and its region's Network Watcher (Azure's default name,
 * NetworkWatcher_<region>) is the circuit's; when that does not single one out,
 * or the only one is in neither, the read fails naming them, never judged on
 * another circuit's tests.
 */
export function ownRows(rows: ResultRow[], monitors: MonitorRef[]): ResultRow[] {
  // One monitor whose id Log Analytics wrote in two cases is one monitor, not
  // two of that name: keyed by the lower-cased id, shown as first written.
  const spelt = new Map<string, string>();
  for (const r of rows)
    if (!spelt.has(lower(r.monitorId))) spelt.set(lower(r.monitorId), r.monitorId);
  const drop = new Set<string>();
  for (const monitor of monitors) {
    if (monitor.id !== null || !monitor.near) continue;
    const suffix = lower(`/connectionMonitors/${monitor.name}`);
    const ids = [...spelt.keys()].filter((id) => id.endsWith(suffix));
    if (ids.length === 0) continue;
    const { subscriptionId, region } = monitor.near;
    const score = (id: string) =>
      (id.startsWith(lower(`/subscriptions/${subscriptionId}/`)) ? 1 : 0) +
      (region && id.includes(lower(`/networkWatchers/NetworkWatcher_${region}/`)) ? 1 : 0);
    const best = Math.max(...ids.map(score));
    const chosen = ids.filter((id) => score(id) === best);
    // One of that name, in neither the circuit's subscription nor its region's
    // Network Watcher, is as likely another circuit's whose own is silent.
    if (chosen.length > 1 || best === 0)
      throw new MalformedResult(
        `the circuit's tag names connection monitor ${monitor.name}, and the workspace has results of ${ids.length === 1 ? "one monitor of that name outside the circuit's subscription and region" : `${ids.length} monitors of that name`} (${ids.map((id) => spelt.get(id)).join(", ")}): tag the circuit with the monitor's resource id`,
      );
    for (const id of ids) if (id !== chosen[0]) drop.add(id);
  }
  return rows.filter((r) => !drop.has(lower(r.monitorId)));
}

/**
 * The newest row of each test and pair of machines. The query keeps the
 * latest row per monitor id as written, and Log Analytics compares text
 * case-sensitively: rows of one test under its monitor's id in two cases are
 * one test, whose older result (a Fail since passed) must not be judged
 * beside the newer. A machine is its resource id when written, so a VM whose
 * IP changed is one machine; rows naming no machine group by endpoint alone.
 * A machine silent for longer than its test's frequency and Log Analytics'
 * ingestion delay while another of the same test reported is gone (a scale
 * set instance scaled in, a retired Arc server): its last row, a Fail as it
 * went down, kept the circuit at e2e-warning for the whole window.
 */
export function latestPerTest(
  rows: ResultRow[],
  monitors: readonly MonitorRef[] = [],
): ResultRow[] {
  const newest = new Map<string, ResultRow>();
  const testKey = (r: ResultRow) =>
    [r.monitorId, r.test.testGroup, r.test.test, r.test.source, r.test.destination]
      .map((part) => lower(part ?? ""))
      .join("|");
  for (const r of rows) {
    const { source = null, destination = null } = r.machines ?? {};
    const key = [testKey(r), lower(source ?? ""), lower(destination ?? "")].join("|");
    const held = newest.get(key);
    if (!held || Date.parse(r.test.at) > Date.parse(held.test.at)) newest.set(key, r);
  }
  const kept = [...newest.values()];
  const latestOfTest = new Map<string, number>();
  for (const r of kept) {
    const at = Date.parse(r.test.at);
    if (!(at <= (latestOfTest.get(testKey(r)) ?? -Infinity))) latestOfTest.set(testKey(r), at);
  }
  return kept.filter((r) => {
    if (!r.machines) return true;
    const monitor = monitors.find((m) => ofMonitor(m, r.test));
    const seconds = frequencyOf(monitor, r.test.test);
    // Its frequency not known: not judged gone (the longest a test runs is the default window).
    if (seconds === null) return true;
    const gap = (latestOfTest.get(testKey(r)) ?? 0) - Date.parse(r.test.at);
    return !(gap > (seconds + INGESTION_ALLOWANCE_SEC) * 1000);
  });
}

/** What one workspace's query gives a circuit: its tests, and the workspace's newest row of any monitor. */
export interface WorkspaceTests {
  tests: EndToEndTest[];
  newest: string | null;
}

export class LogsReader {
  // Loaded with the first query: an estate without Connection Monitors never
  // queries, and never pays the SDK's memory (about 10 MB resident).
  private client: Promise<{ client: LogsQueryClient; success: string }> | undefined;

  constructor(
    private readonly credential: TokenCredential,
    private readonly config: LogsReaderConfig,
    private readonly call: MonitorCall,
    private readonly options: ArmClientOptions,
    /** The sweep's clock: a Retry-After given as a date is a wait from it, as the workspace's keep counts it. */
    private readonly now: () => Date,
    private readonly timeoutMs = config.timeoutMs,
  ) {}

  private logsClient() {
    this.client ??= import("@azure/monitor-query-logs").then(
      ({ LogsQueryClient, LogsQueryResultStatus }) => ({
        client: new LogsQueryClient(this.credential, {
          ...this.options.pipeline,
          additionalPolicies: [
            ...(this.options.pipeline?.additionalPolicies ?? []),
            {
              policy: boundedRetryAfterPolicy(() => this.now().getTime()),
              position: "perRetry",
            },
          ],
          endpoint: this.config.endpoint,
          credentials: { scopes: [this.config.scope] },
          retryOptions: { maxRetries: this.config.maxRetries, maxRetryDelayInMs: 10_000 },
          userAgentOptions: { userAgentPrefix: "erwatch" },
        }),
        success: LogsQueryResultStatus.Success as string,
      }),
    );
    return this.client;
  }

  /**
   * The latest result of every test of these monitors, all written to one
   * workspace, and the workspace's newest row of any monitor (null: none in
   * the look-back or the day before it). `answered`: whether Log Analytics
   * answered the query, so a failure is erwatch's reading of this circuit's
   * rows (a tag naming two monitors, a partial answer), not the workspace's.
   * `retryAfterMs`: what a 429 or a 503 asked to wait that the call did not
   * wait out.
   */
  async tests(
    workspace: string,
    monitors: MonitorRef[],
    window: { from: Date; to: Date },
    signal: AbortSignal,
  ): Promise<WorkspaceAnswer<WorkspaceTests>> {
    const query = testResultQuery(monitors, window);
    const timespan = askedSpan(window);
    let answered = false;
    let retryAfterMs: number | undefined;
    const got = await this.call({
      action: WORKSPACE_OPERATIONS.queryLogs,
      target: resultsTarget(workspace),
      signal,
      askedToWait: (ms) => (retryAfterMs = ms),
      run: async (abortSignal) => {
        const { client, success } = await this.logsClient();
        // queryWorkspace keeps only `requestOptions` of its options: the deadline goes there.
        const options = { abortSignal, requestOptions: { timeout: this.timeoutMs } };
        const result = GUID.test(workspace)
          ? await client.queryWorkspace(workspace, query, timespan, options)
          : // The client puts the id after a slash of its own: "/{+resourceId}/query".
            await client.queryResource(workspace.replace(/^\/+/, ""), query, timespan, options);
        answered = true;
        if (result.status !== success || !("tables" in result))
          throw Object.assign(
            new Error(
              `partial result: ${"partialError" in result ? result.partialError.message : result.status}`,
            ),
            { statusCode: 500 },
          );
        const table = result.tables[0];
        if (!table) return { tests: [], newest: null };
        const newest = workspaceNewestOf(table);
        const tests = latestPerTest(ownRows(rowsOf(table, window.to), monitors), monitors).map(
          (r) => (newest ? { ...r.test, ingested: { workspace, newest } } : r.test),
        );
        return { tests, newest };
      },
    });
    return {
      reading: got.ok ? got : { ...got, error: { ...got.error, workspace } },
      answered,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
}

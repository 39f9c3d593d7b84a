// erwatch's own health alerts (infra/app/health-alerts.bicep), checked against
// what they watch: the dead-man's switch looks for the line a real sweep
// writes, through the console the Functions host reads, at a level and
// sampling that let it reach Application Insights; the parked-events alert
// watches the queue the dispatcher parks on; every rule notifies the action
// group. The README's KQL looks for log lines the code writes.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSweeper } from "../../src/app/sweep.js";
import { fanOut, processWork, type WorkMessage } from "../../src/app/work.js";
import { consoleDestination } from "../../src/logging.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { DEFAULT_MAX_READ_AGE_MINUTES } from "../../src/core/sweep-plan.js";
import { loadDispatchConfig, loadStatusConfig } from "../../src/runtime/config.js";

/** The least a dispatcher needs to load its configuration; no receiver is contacted. */
const DISPATCH_ENV = {
  ERWATCH_STORAGE: "UseDevelopmentStorage=true",
  ServiceBusConnection: "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=x",
  WEBHOOK_URL: "https://itsm.example/alerts",
};
import type { DataPlaneReading, EndToEndFacts } from "../../src/core/dataplane/facts.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { ok } from "../support/readings.js";
import { isoMinutes } from "../support/iso-minutes.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";
import { body, decl, INFRA, loadBicep, ROOT, type BicepFile } from "./bicep.js";
import {
  endToEndReadFailedWords,
  unreadMonitorWords,
} from "../../src/core/dataplane/read-failed-words.js";
import type { ReadFailure } from "../../src/core/model.js";

const QUERY_ACTION = "Microsoft.OperationalInsights/workspaces/query/read";

/** A Connection Monitor results query that failed in the workspace of that name. */
const queryFailure = (name: string, over: Pick<ReadFailure, "kind" | "monitors">): ReadFailure => ({
  call: QUERY_ACTION,
  target: `Connection Monitor results in workspace ${name}`,
  message: "m",
  workspace: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/${name}`,
  ...(over.kind === "forbidden" ? { missingPermission: QUERY_ACTION } : {}),
  ...over,
});

const alerts = loadBicep(join(INFRA, "app", "health-alerts.bicep"));
const main = loadBicep(join(INFRA, "main.bicep"));
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), "utf8");

const resource = (f: BicepFile, name: string) => body(f.s, decl(f, "resource", name)).text;
/** A `key: value` directly in `text` (first occurrence), value as written. */
const value = (text: string, key: string) =>
  new RegExp(`^\\s*${key}: (.+)$`, "m").exec(text)?.[1]?.trim();
/** The text of a ''' multi-line string var. */
const multiline = (f: BicepFile, name: string) =>
  new RegExp(`^var ${name} = '''\\n([\\s\\S]*?)'''`, "m").exec(f.s.text)?.[1] ?? "";

/** Table Storage refuses the harness circuit's state every time (too large, say). */
function refuseSnapshots(h: Harness): void {
  const scoped = h.store.withSignal.bind(h.store);
  h.store.withSignal = (signal, log) => {
    const store = scoped(signal, log);
    store.putSnapshot = () =>
      Promise.reject(
        Object.assign(new Error("PropertyValueTooLarge"), { name: "StateStoreError" }),
      );
    return store;
  };
}

/** Table Storage cannot read the harness circuit's history (the History table gone, a role lost). */
function refuseHistory(h: Harness): void {
  const scoped = h.store.withSignal.bind(h.store);
  h.store.withSignal = (signal, log) => {
    const store = scoped(signal, log);
    store.listHistory = () =>
      Promise.reject(
        Object.assign(new Error("AuthorizationPermissionMismatch"), { name: "StateStoreError" }),
      );
    return store;
  };
}

/** Table Storage takes no history write (a role that reads but cannot write, writes refused). */
function refuseHistoryWrites(h: Harness): void {
  const scoped = h.store.withSignal.bind(h.store);
  h.store.withSignal = (signal, log) => {
    const store = scoped(signal, log);
    store.appendHistory = () =>
      Promise.reject(
        Object.assign(new Error("AuthorizationPermissionMismatch"), { name: "StateStoreError" }),
      );
    return store;
  };
}

const RULES = [
  "noCompletedSweep",
  "parkedAlertEvents",
  "functionFailures",
  "settingsLeftOut",
  "alertEventsNotPublished",
  "circuitNotRecorded",
  "historyUnreadable",
  "historyNotWritten",
  "fanOutWorkUnread",
  "workDeadLettered",
  "connectionMonitorLagging",
  "connectionMonitorQueryFailing",
];

const WORKSPACE =
  "/subscriptions/s/resourceGroups/rg-obs/providers/Microsoft.OperationalInsights/workspaces/law-network";
const MONITOR =
  "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus/connectionMonitors/cm-er";

/**
 * The circuit's Connection Monitor results as read at `now`: its one test's
 * row and the workspace's newest row of any monitor `lag` minutes old (a
 * 15-minute lag is Log Analytics ingesting late; 1 minute is fresh).
 */
function endToEndRead(now: Date, lag: number, workspace = WORKSPACE): DataPlaneReading {
  const newest = new Date(now.getTime() - lag * 60_000).toISOString();
  const facts: EndToEndFacts = {
    monitors: [
      {
        id: MONITOR,
        name: "cm-er",
        workspace,
        how: "discovered",
        testGroups: [
          {
            name: "onprem-to-vnet",
            testConfigurations: ["tcp-443"],
            sources: ["onprem-app-01"],
            destinations: ["vm-app-01"],
          },
        ],
        frequencies: [{ test: "tcp-443", seconds: 30 }],
      },
    ],
    from: new Date(now.getTime() - 30 * 60_000).toISOString(),
    to: now.toISOString(),
    tests: [
      {
        monitor: "cm-er",
        monitorId: MONITOR,
        testGroup: "onprem-to-vnet",
        test: "tcp-443",
        result: "Pass",
        checksFailedPercent: 0,
        checksFailedPercentThreshold: 10,
        roundTripMs: 12,
        roundTripThresholdMs: 100,
        source: "onprem-app-01",
        destination: "vm-app-01:443",
        at: newest,
        reason: null,
        ingested: { workspace, newest },
      },
    ],
    ingested: [{ workspace, newest }],
  };
  return { endToEnd: ok(facts) };
}

const REFUSING = WORKSPACE.replace("law-network", "law-refusing");

/** The same read, with a second monitor whose workspace refused the query (403). */
function withRefusedWorkspace(read: DataPlaneReading): DataPlaneReading {
  const got = read.endToEnd!;
  if (!got.ok) throw new Error("not a reading");
  return {
    endToEnd: ok({
      ...got.value,
      unread: [
        {
          monitor: "cm-b",
          monitorId: MONITOR.replace("cm-er", "cm-b"),
          readElsewhere: false,
          failure: {
            kind: "forbidden",
            call: "Microsoft.OperationalInsights/workspaces/query/read",
            target: "Connection Monitor results in workspace law-refusing",
            message: "The provided credentials have insufficient access",
            statusCode: 403,
            requestId: "req-403",
            workspace: REFUSING,
          },
        },
      ],
    }),
  };
}

describe("erwatch's own health alerts", () => {
  it("are wired into main.bicep with the Application Insights, Service Bus and parking queue they watch", () => {
    const module = body(main.s, decl(main, "module", "healthAlerts")).text;
    expect(decl(main, "module", "healthAlerts").type).toBe("app/health-alerts.bicep");
    expect(value(module, "applicationInsightsId")).toBe("monitoring.outputs.applicationInsightsId");
    expect(value(module, "serviceBusNamespaceId")).toBe("serviceBus.outputs.id");
    expect(value(module, "deadLetterQueueName")).toBe("serviceBus.outputs.deadLetterQueueName");
    expect(value(module, "workQueueName")).toBe("serviceBus.outputs.sweepWorkQueueName");
  });

  it("all notify the action group, resolve by themselves and are on", () => {
    const group = resource(alerts, "actionGroup");
    expect(value(group, "location")).toBe("'global'");
    expect(group).toMatch(/emailReceivers: \[for \(address, i\) in emailAddresses:/);
    expect(group).toMatch(/useCommonAlertSchema: true/);
    for (const name of RULES) {
      const rule = resource(alerts, name);
      expect(rule, name).toMatch(/actions: [[{][\s\S]*actionGroup\.id/);
      expect(value(rule, "autoMitigate"), name).toBe("true");
      expect(value(rule, "enabled"), name).toBe("true");
    }
  });

  it("the dead-man's switch fires when no sweep finished in 15 minutes", () => {
    const rule = resource(alerts, "noCompletedSweep");
    expect(decl(alerts, "resource", "noCompletedSweep").type).toMatch(
      /^Microsoft\.Insights\/scheduledQueryRules@/,
    );
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(isoMinutes(value(rule, "windowSize"))).toBe(15);
    expect(isoMinutes(value(rule, "evaluationFrequency"))).toBeLessThanOrEqual(5);
    expect(value(rule, "query")).toBe("sweepFinishedQuery");
    expect(value(rule, "operator")).toBe("'LessThan'");
    expect(value(rule, "threshold")).toBe("1");
    // The query always returns one row with the count, so "none" is a 0, not a missing row.
    const query = multiline(alerts, "sweepFinishedQuery");
    const column = /summarize (\w+) = count\(\)\s*$/.exec(query.trim())?.[1];
    expect(column).toBeTruthy();
    expect(value(rule, "metricMeasureColumn")).toBe(`'${column}'`);
    expect(value(rule, "timeAggregation")).toBe("'Total'");
  });

  it("the window covers three ticks of the default sweep schedule", () => {
    const schedule = /param sweepSchedule string = '0 \*\/(\d+) \* \* \* \*'/.exec(
      read("infra", "app", "function-app.bicep"),
    );
    expect(schedule).not.toBeNull();
    const window = isoMinutes(value(resource(alerts, "noCompletedSweep"), "windowSize"));
    expect(window).toBe(3 * Number(schedule![1]));
  });

  it("the parked-events alert watches the parking queue the dispatcher uses by default", () => {
    const rule = resource(alerts, "parkedAlertEvents");
    expect(decl(alerts, "resource", "parkedAlertEvents").type).toMatch(
      /^Microsoft\.Insights\/metricAlerts@/,
    );
    expect(rule).toMatch(/scopes: \[\s*serviceBusNamespaceId\s*\]/);
    expect(value(rule, "metricName")).toBe("'ActiveMessages'");
    expect(rule).toMatch(
      /name: 'EntityName'\s+operator: 'Include'\s+values: \[\s*deadLetterQueueName\s*\]/,
    );
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
    const parking = loadDispatchConfig(DISPATCH_ENV).deadLetterQueue;
    expect(read("infra", "app", "servicebus.bicep")).toContain(
      `var deadLetterQueueName = '${parking}'`,
    );
  });

  it("the work queue's dead letters are an alert: deep reads no worker could do, planned again unseen", () => {
    const rule = resource(alerts, "workDeadLettered");
    expect(decl(alerts, "resource", "workDeadLettered").type).toMatch(
      /^Microsoft\.Insights\/metricAlerts@/,
    );
    expect(rule).toMatch(/scopes: \[\s*serviceBusNamespaceId\s*\]/);
    expect(value(rule, "metricName")).toBe("'DeadletteredMessages'");
    expect(rule).toMatch(
      /name: 'EntityName'\s+operator: 'Include'\s+values: \[\s*workQueueName\s*\]/,
    );
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
    // The queue the timer sends work to when fan-out is on, which dead-letters (no forwarding).
    expect(read("infra", "main.bicep")).toMatch(
      /sweepWorkQueue: fanOut \? serviceBus\.outputs\.sweepWorkQueueName : ''/,
    );
    const queue = body(
      loadBicep(join(INFRA, "app", "servicebus.bicep")).s,
      decl(loadBicep(join(INFRA, "app", "servicebus.bicep")), "resource", "sweepWorkQueue"),
    ).text;
    expect(queue).not.toMatch(/forwardDeadLetteredMessagesTo/);
    expect(value(queue, "deadLetteringOnMessageExpiration")).not.toBe("true");
  });

  it("function failures are counted per function from failed invocations", () => {
    const rule = resource(alerts, "functionFailures");
    const query = multiline(alerts, "failedInvocationsQuery");
    expect(query).toMatch(/^requests\s*\n\| where success == false/);
    expect(query).toMatch(/summarize failures = count\(\) by operation_Name\s*$/);
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "metricMeasureColumn")).toBe("'failures'");
    expect(rule).toMatch(/name: 'operation_Name'/);
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
  });

  it("settings entries left out are told: the rule looks for the line the sweep and the dispatcher write", () => {
    const rule = resource(alerts, "settingsLeftOut");
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("settingsLeftOutQuery");
    expect(value(rule, "metricMeasureColumn")).toBe("'leftOut'");
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
    const needle = /message contains '"msg":"([^']+)'/.exec(
      multiline(alerts, "settingsLeftOutQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    for (const file of ["src/app/sweep.ts", "src/app/dispatch/left-out-reminder.ts"])
      expect(read(file), file).toMatch(new RegExp(`"${needle}[^"]*"`));
  });

  it("alert events that cannot leave the outbox fire it from two sweeps in 15 minutes", () => {
    const rule = resource(alerts, "alertEventsNotPublished");
    expect(decl(alerts, "resource", "alertEventsNotPublished").type).toMatch(
      /^Microsoft\.Insights\/scheduledQueryRules@/,
    );
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("unpublishedQuery");
    expect(isoMinutes(value(rule, "windowSize"))).toBe(15);
    expect(isoMinutes(value(rule, "evaluationFrequency"))).toBeLessThanOrEqual(5);
    const query = multiline(alerts, "unpublishedQuery");
    const column = /summarize (\w+) = dcount\(sweepId\)\s*$/.exec(query.trim())?.[1];
    expect(value(rule, "metricMeasureColumn")).toBe(`'${column}'`);
    expect(rule).toMatch(/operator: 'GreaterThanOrEqual'\s+threshold: 2\n/);
  });

  it("a circuit not recorded in three sweeps fires it, one alert for any number of them", () => {
    const rule = resource(alerts, "circuitNotRecorded");
    expect(decl(alerts, "resource", "circuitNotRecorded").type).toMatch(
      /^Microsoft\.Insights\/scheduledQueryRules@/,
    );
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("circuitNotRecordedQuery");
    expect(value(rule, "severity")).toBe("1");
    // Three ticks of the default schedule, whatever their alignment in the window.
    expect(isoMinutes(value(rule, "windowSize"))).toBeGreaterThanOrEqual(15);
    expect(isoMinutes(value(rule, "evaluationFrequency"))).toBeLessThanOrEqual(5);
    const query = multiline(alerts, "circuitNotRecordedQuery");
    expect(query).toMatch(
      /dcount\(tostring\(line\.sweepId\)\) by circuitId = tostring\(line\.circuitId\)/,
    );
    expect(query).toMatch(/\| where sweeps >= 3\n/);
    const column = /summarize (\w+) = count\(\)\s*$/.exec(query.trim())?.[1];
    expect(value(rule, "metricMeasureColumn")).toBe(`'${column}'`);
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
  });

  it("a circuit whose history could not be read in three sweeps fires it, however seldom the rotation reads the circuit", () => {
    const rule = resource(alerts, "historyUnreadable");
    const like = resource(alerts, "circuitNotRecorded");
    expect(decl(alerts, "resource", "historyUnreadable").type).toBe(
      decl(alerts, "resource", "circuitNotRecorded").type,
    );
    expect(value(rule, "name")).toBe("'erwatch-history-unreadable'");
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("historyUnreadableQuery");
    for (const key of ["evaluationFrequency", "metricMeasureColumn"])
      expect(value(rule, key), key).toBe(value(like, key));
    // A notch below not-recorded (Sev1): the circuit's outages still page.
    expect(value(rule, "severity")).toBe("2");
    const query = multiline(alerts, "historyUnreadableQuery");
    // Three sweeps of the same circuit, as not-recorded counts; but a history
    // that cannot be read is no trouble for the plan, so the circuit is read
    // deep only in its turn, at least every SWEEP_MAX_READ_AGE_MINUTES: three
    // such reads always fit the window (sweep-timeline-health-rules.test.ts).
    expect(query).toMatch(
      /\| summarize sweeps = dcount\(tostring\(line\.sweepId\)\), last = max\(timestamp\) by circuitId = tostring\(line\.circuitId\)\n/,
    );
    const sweepMinutes = isoMinutes(value(rule, "evaluationFrequency"));
    expect(isoMinutes(value(rule, "windowSize"))).toBe(
      DEFAULT_ALERT_POLICY.blindAfterSweeps * DEFAULT_MAX_READ_AGE_MINUTES,
    );
    // Open while the reads fail, resolved the age limit and a sweep after, not the window's 45.
    const recent = Number(/\| where sweeps >= 3 and last > ago\((\d+)m\)\n/.exec(query)?.[1]);
    expect(recent).toBe(DEFAULT_MAX_READ_AGE_MINUTES + sweepMinutes);
    expect(query).toMatch(/\| summarize circuits = count\(\)\s*$/);
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
    // What users lose, and where to look.
    const description = value(rule, "description") ?? "";
    for (const said of [
      "flap alerts neither open nor resolve",
      "prefix trend is not judged",
      "History table",
      "storage account\\'s availability",
      "Storage Table Data Contributor",
      '"history could not be read"',
    ])
      expect(description, said).toContain(said);
  });

  it("history not written in two sweeps within the flap window fires it: a flap's changes come a few an hour, never three sweeps running", () => {
    const rule = resource(alerts, "historyNotWritten");
    expect(decl(alerts, "resource", "historyNotWritten").type).toBe(
      decl(alerts, "resource", "historyUnreadable").type,
    );
    expect(value(rule, "name")).toBe("'erwatch-history-not-written'");
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("historyNotWrittenQuery");
    // As history-unreadable: the circuits' outages still page.
    expect(value(rule, "severity")).toBe(value(resource(alerts, "historyUnreadable"), "severity"));
    expect(isoMinutes(value(rule, "evaluationFrequency"))).toBeLessThanOrEqual(5);
    // More than 3 changes in the flap window open a flap alert: lost writes in
    // any two sweeps of it are heard before a flap could have been counted.
    expect(isoMinutes(value(rule, "windowSize"))).toBeGreaterThanOrEqual(
      DEFAULT_ALERT_POLICY.flap.windowMinutes,
    );
    const query = multiline(alerts, "historyNotWrittenQuery");
    const column = /summarize (\w+) = dcount\(sweepId\)\s*$/.exec(query.trim())?.[1];
    expect(column).toBeTruthy();
    expect(value(rule, "metricMeasureColumn")).toBe(`'${column}'`);
    expect(rule).toMatch(/operator: 'GreaterThanOrEqual'\s+threshold: 2\n/);
    const description = value(rule, "description") ?? "";
    for (const said of [
      "lost for good",
      "flap alert does not open",
      "History table",
      "storage account\\'s availability",
      "Storage Table Data Contributor",
      '"history could not be written"',
    ])
      expect(description, said).toContain(said);
  });

  it("Log Analytics ingesting a workspace late in three sweeps fires it, one alert per workspace whatever number of circuits' monitors write there, however seldom the rotation reads them", () => {
    const rule = resource(alerts, "connectionMonitorLagging");
    expect(decl(alerts, "resource", "connectionMonitorLagging").type).toBe(
      decl(alerts, "resource", "historyUnreadable").type,
    );
    expect(value(rule, "name")).toBe("'erwatch-connection-monitor-lagging'");
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("connectionMonitorLaggingQuery");
    // As history-unreadable: the other layers still page; what is lost is end to end.
    expect(value(rule, "severity")).toBe("2");
    // Three sweeps, as the per-circuit rules count and as long as
    // monitoring-blind waits before it opens on a read that fails. End to end
    // UNKNOWN for Log Analytics alone is no trouble, so the circuits writing
    // there are read deep only in their turn, at least every
    // SWEEP_MAX_READ_AGE_MINUTES: three such reads always fit the window,
    // where three in 20 minutes were never reached by a workspace read every
    // other sweep.
    expect(value(rule, "evaluationFrequency")).toBe(
      value(resource(alerts, "historyUnreadable"), "evaluationFrequency"),
    );
    const sweepMinutes = isoMinutes(value(rule, "evaluationFrequency"));
    expect(isoMinutes(value(rule, "windowSize"))).toBe(
      DEFAULT_ALERT_POLICY.blindAfterSweeps * DEFAULT_MAX_READ_AGE_MINUTES,
    );
    const query = multiline(alerts, "connectionMonitorLaggingQuery");
    expect(query).toMatch(
      /\| summarize sweeps = dcount\(tostring\(line\.sweepId\)\), last = max\(timestamp\) by workspace = tolower\(tostring\(line\.workspace\)\)\n/,
    );
    // Open while the lag lasts (a line at least every age limit, a sweep late
    // at most), resolved that long after fresh rows arrive, not the window's 45.
    const recent = Number(/\| where last > ago\((\d+)m\)\n/.exec(query)?.[1]);
    expect(recent).toBe(DEFAULT_MAX_READ_AGE_MINUTES + sweepMinutes);
    expect(query).toMatch(/\| project workspace, sweeps\s*$/);
    expect(value(rule, "metricMeasureColumn")).toBe("'sweeps'");
    expect(rule).toMatch(
      new RegExp(
        `operator: 'GreaterThanOrEqual'\\s+threshold: ${DEFAULT_ALERT_POLICY.blindAfterSweeps}\\n`,
      ),
    );
    // One alert per workspace: the circuits writing there are one.
    expect(rule).toMatch(/name: 'workspace'\s+operator: 'Include'\s+values: \[\s*'\*'\s*\]/);
    const description = value(rule, "description") ?? "";
    for (const said of [
      "end to end is UNKNOWN",
      "no e2e-fail, e2e-warning or e2e-indeterminate opens",
      "resolves",
      "one agent alone",
      "NWConnectionMonitorTestResult",
      "ingestion_time()",
    ])
      expect(description, said).toContain(said);
  });

  it("a workspace's Log Analytics query failing in three sweeps fires it, one alert per workspace, counted as the lagging rule counts", () => {
    const rule = resource(alerts, "connectionMonitorQueryFailing");
    const lagging = resource(alerts, "connectionMonitorLagging");
    expect(decl(alerts, "resource", "connectionMonitorQueryFailing").type).toBe(
      decl(alerts, "resource", "connectionMonitorLagging").type,
    );
    expect(value(rule, "name")).toBe("'erwatch-connection-monitor-query-failing'");
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("connectionMonitorQueryFailingQuery");
    // As lagging: the circuits' other layers still page; what is lost is end to end.
    expect(value(rule, "severity")).toBe("2");
    // Read in their turn, as for a lag: the same window, count and recency.
    for (const key of ["evaluationFrequency", "windowSize", "metricMeasureColumn"])
      expect(value(rule, key), key).toBe(value(lagging, key));
    const query = multiline(alerts, "connectionMonitorQueryFailingQuery");
    const counting = (q: string) => q.split("\n").slice(2).join("\n");
    expect(counting(query)).toBe(counting(multiline(alerts, "connectionMonitorLaggingQuery")));
    expect(query).toMatch(/tolower\(tostring\(line\.workspace\)\)/);
    expect(rule).toMatch(
      new RegExp(
        `operator: 'GreaterThanOrEqual'\\s+threshold: ${DEFAULT_ALERT_POLICY.blindAfterSweeps}\\n`,
      ),
    );
    expect(rule).toMatch(/name: 'workspace'\s+operator: 'Include'\s+values: \[\s*'\*'\s*\]/);
    const description = value(rule, "description") ?? "";
    for (const said of [
      "end to end is UNKNOWN",
      "No monitoring-blind opens",
      "resolves",
      "results reader",
      "connectionMonitorWorkspaceIds",
      "SWEEP_SCHEDULE",
      // Throttled: what erwatch does, not "queries it for each circuit".
      "nor before its Retry-After has passed",
      "requestId",
      "Service Health",
      // A kept 503 as the row says it, the time as an alert's others, not an ISO instant.
      'Log Analytics unavailable, not asked again before 02:12 UTC"',
    ])
      expect(description, said).toContain(said);
    // The end-to-end row quoted as erwatch says it: one workspace, each of several, beside others read.
    const refused = queryFailure("law-network", { kind: "forbidden", monitors: ["cm-a"] });
    const late = queryFailure("law-dr", { kind: "timeout", monitors: ["cm-b"] });
    const at = Date.parse("2026-11-22T02:00:00Z");
    for (const said of [
      endToEndReadFailedWords(refused, at),
      endToEndReadFailedWords({ ...refused, alsoFailed: [late] }, at),
      unreadMonitorWords("cm-a", refused, at),
    ])
      expect(description, said).toContain(`"${said}"`);
  });

  it("fan-out work sent in two sweeps and no batch finished fires it, from the lines the timer and the workers write", () => {
    const rule = resource(alerts, "fanOutWorkUnread");
    expect(decl(alerts, "resource", "fanOutWorkUnread").type).toMatch(
      /^Microsoft\.Insights\/scheduledQueryRules@/,
    );
    expect(rule).toMatch(/scopes: \[\s*applicationInsightsId\s*\]/);
    expect(value(rule, "query")).toBe("fanOutUnreadQuery");
    expect(value(rule, "severity")).toBe("1");
    expect(isoMinutes(value(rule, "windowSize"))).toBe(15);
    const query = multiline(alerts, "fanOutUnreadQuery");
    expect(query).toContain(
      "countif(tostring(line.msg) == 'sweep finished' and toint(line.messages) > 0)",
    );
    expect(query).toContain("countif(tostring(line.msg) == 'work done')");
    expect(query).toMatch(/project unread = iff\(sent >= 2 and done == 0, 1, 0\)\s*$/);
    expect(value(rule, "metricMeasureColumn")).toBe("'unread'");
    expect(rule).toMatch(/operator: 'GreaterThan'\s+threshold: 0\n/);
    // The two lines, with the field it reads, as the code writes them.
    const work = read("src/app/work.ts");
    expect(work).toMatch(/messages: messages\.length,[\s\S]*"sweep finished"/);
    expect(work).toContain('"work done"');
  });

  it("main.parameters.json lets azd set who hears about them", () => {
    const parameters = JSON.parse(read("infra", "main.parameters.json")) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.healthAlertEmails?.value).toBe("${ERWATCH_HEALTH_EMAILS}");
    expect(parameters.parameters.healthAlertWebhookUrl?.value).toBe(
      "${ERWATCH_HEALTH_WEBHOOK_URL}",
    );
  });
});

describe("what the alerts read reaches Application Insights", () => {
  it("host.json keeps traces and requests out of sampling and passes Information logs", () => {
    const host = JSON.parse(read("host.json")) as {
      logging: {
        logLevel: Record<string, string>;
        applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } };
      };
    };
    const { isEnabled, excludedTypes } = host.logging.applicationInsights.samplingSettings;
    if (isEnabled) {
      const excluded = excludedTypes.split(";");
      expect(excluded).toContain("Trace");
      expect(excluded).toContain("Request");
    }
    expect(["Trace", "Debug", "Information"]).toContain(host.logging.logLevel.Function);
  });

  it("the Function App does not raise LOG_LEVEL above info", () => {
    expect(read("infra", "app", "function-app.bicep")).not.toMatch(/LOG_LEVEL/);
    expect(loadStatusConfig({ ERWATCH_STORAGE: "UseDevelopmentStorage=true" }).logLevel).toBe(
      "info",
    );
  });
});

describe("the dead-man's switch looks for the line a finished sweep writes", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  /** The lines the rule counts: every `message contains` of its query. */
  const counted = (lines: string[]) => {
    const needles = [
      ...multiline(alerts, "sweepFinishedQuery").matchAll(/message contains '([^']+)'/g),
    ].map((m) => m[1]!);
    expect(needles.length).toBeGreaterThan(0);
    return lines.filter((l) => needles.every((n) => l.includes(n)));
  };
  const scope = { subscriptions: [new FakeReader().target.subscriptionId], circuitIds: [] };
  const now = new Date("2026-11-22T02:00:00.000Z");

  /** A sweeper over a fresh store whose log lines the test reads. */
  async function logged() {
    const { store } = await freshStore(azurite.connectionString);
    const { logger, lines } = memoryLogger();
    const sweeper = createSweeper({
      reader: new FakeReader(),
      store,
      sink: new InMemoryEventSink(),
      policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      silences: [],
      historyRetentionDays: 30,
      logger,
    });
    return { sweeper, logger, lines };
  }

  it("exactly one line per sweep, the last, at info, on console.log", async () => {
    const { sweeper, lines } = await logged();
    await sweeper.sweep({ scope, now, abortSignal: AbortSignal.timeout(30_000) });
    const matching = counted(lines());
    expect(matching).toHaveLength(1);
    expect(lines().at(-1)).toBe(matching[0]);
    expect(JSON.parse(matching[0]!)).toMatchObject({ level: 30, msg: "sweep finished" });

    // Under the host, info lines go to console.log: an Information trace whose message is the line.
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      consoleDestination().write(`${matching[0]}\n`);
      expect(log).toHaveBeenCalledWith(matching[0]);
    } finally {
      log.mockRestore();
    }
  });

  it("a sweep of named circuits (POST /api/sweep?circuit=…) is not counted: a script's sweeps keep no dead timer quiet", async () => {
    const { sweeper, lines } = await logged();
    await sweeper.sweep({
      targets: [new FakeReader().target],
      now,
      abortSignal: AbortSignal.timeout(30_000),
    });
    const finished = lines().filter((l) => l.includes('"msg":"sweep finished"'));
    expect(finished).toHaveLength(1);
    expect(JSON.parse(finished[0]!)).toMatchObject({ scope: "named" });
    expect(counted(lines())).toEqual([]);
  });

  it("the timer's fan-out (ERWATCH_SWEEP_FAN_OUT) writes the line once, at info (it wrote none: the switch fired every 15 minutes on a healthy erwatch)", async () => {
    const { sweeper, logger, lines } = await logged();
    const sent: unknown[] = [];
    await fanOut(
      sweeper,
      { send: async (messages) => void sent.push(...messages) },
      {
        scope,
        sweepId: "fanned-out",
        mode: "tiered",
        now,
        deadline: new Date(now.getTime() + 60_000),
        abortSignal: AbortSignal.timeout(30_000),
      },
      { batchSize: 20, logger },
    );
    expect(sent.length).toBeGreaterThan(0);
    const matching = counted(lines());
    expect(matching).toHaveLength(1);
    expect(JSON.parse(matching[0]!)).toMatchObject({
      level: 30,
      msg: "sweep finished",
      sweepId: "fanned-out",
      fannedOut: true,
      // What erwatch-fan-out-work-unread counts as a sweep that sent work.
      messages: sent.length,
    });
  });
});

describe("the README's KQL", () => {
  const readme = read("README.md");
  const kql = [...readme.matchAll(/```kusto\n([\s\S]*?)```/g)].map((m) => m[1]!).join("\n");
  // Every source file: a message may move between files, not out of the code.
  const sources = (readdirSync(join(ROOT, "src"), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .map((f) => read(join("src", f)));

  it("answers the usual questions", () => {
    expect(kql).toMatch(/sweep finished/);
    expect(kql).toMatch(/^requests$/m);
  });

  it("looks only for log messages the code writes", () => {
    const needles = [...kql.matchAll(/'"msg":"([^"']+)("?)'/g)];
    expect(needles.length).toBeGreaterThan(0);
    for (const [, text, closed] of needles) {
      // '"msg":"alert ' (no closing quote) is the start of a message built with a template.
      const written = closed ? `"${text}"` : `\`${text}\${`;
      expect(
        sources.some((s) => s.includes(written)),
        text,
      ).toBe(true);
    }
  });
});

describe("the not-published alert looks for the line a sweep writes when Service Bus fails", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("one warn line per sweep that could not publish, with its sweepId", async () => {
    const needle = /message contains '"msg":"([^']+)'/.exec(
      multiline(alerts, "unpublishedQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    const h = await sweepHarness(azurite.connectionString);
    h.bothDown();
    h.sink.failWith = new Error("Service Bus did not answer within 30000 ms");
    await h.run(0);
    await h.run(5);
    const lines = h.lines;
    const matching = lines()
      .filter((l) => l.includes(`"msg":"${needle}`))
      .map((l) => JSON.parse(l) as { level: number; sweepId?: string });
    expect(matching.map((l) => [l.level, l.sweepId])).toEqual([
      [40, "sweep-1"],
      [40, "sweep-2"],
    ]);
  });
});

describe("the not-recorded alert looks for the line a sweep writes for a circuit it cannot record", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("one error line per sweep naming the circuit and the sweep, while the circuit's outage pages nobody", async () => {
    const needle = /message contains '"msg":"([^']+)"'/.exec(
      multiline(alerts, "circuitNotRecordedQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    const h = await sweepHarness(azurite.connectionString);
    h.bothDown();
    // Table Storage refuses this circuit's state every time (too large, say).
    refuseSnapshots(h);
    for (const m of [0, 5, 10]) await h.run(m);
    expect(h.sent()).toEqual([]);
    const matching = h
      .lines()
      .filter((l) => l.includes(`"msg":"${needle}"`))
      .map((l) => JSON.parse(l) as { level: number; sweepId?: string; circuitId?: string });
    expect(matching.map((l) => [l.level, l.sweepId, l.circuitId])).toEqual(
      ["sweep-1", "sweep-2", "sweep-3"].map((s) => [50, s, h.reader.target.id]),
    );
  });
});

describe("the history-unreadable alert looks for the line a sweep writes for a circuit whose history it cannot read", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("one error line per sweep naming the circuit and the sweep, while the circuit's outage still pages", async () => {
    const needle = /message contains '"msg":"([^']+)'/.exec(
      multiline(alerts, "historyUnreadableQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    const h = await sweepHarness(azurite.connectionString);
    refuseHistory(h);
    for (const m of [0, 5]) await h.run(m);
    h.bothDown();
    await h.run(10);
    expect(h.sent()).toEqual(["open:path-down:Sev0#1"]);
    const matching = h
      .lines()
      .filter((l) => l.includes(`"msg":"${needle}`))
      .map((l) => JSON.parse(l) as { level: number; sweepId?: string; circuitId?: string });
    expect(matching.map((l) => [l.level, l.sweepId, l.circuitId])).toEqual(
      ["sweep-1", "sweep-2", "sweep-3"].map((s) => [50, s, h.reader.target.id]),
    );
  });
});

describe("the history-not-written alert looks for the line a sweep writes when its history write fails", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("an error line, with the sweep and the circuit, in every sweep whose changes were lost, while the outage still pages", async () => {
    const needle = /message contains '"msg":"([^']+)'/.exec(
      multiline(alerts, "historyNotWrittenQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0);
    refuseHistoryWrites(h);
    // A session that goes down and comes back: changes at 5 and 20, nothing to write at 10 and 15.
    h.bothDown();
    await h.run(5);
    await h.run(10);
    await h.run(15);
    h.reader.spec = {};
    await h.run(20);
    expect(h.sent()[0]).toBe("open:path-down:Sev0#1");
    const matching = h
      .lines()
      .filter((l) => l.includes(`"msg":"${needle}`))
      .map((l) => JSON.parse(l) as { level: number; sweepId?: string; circuitId?: string });
    expect(matching.every((l) => l.level === 50 && l.circuitId === h.reader.target.id)).toBe(true);
    // What the rule counts: distinct sweeps.
    expect([...new Set(matching.map((l) => l.sweepId))]).toEqual(["sweep-2", "sweep-5"]);
  });
});

describe("the lagging alert looks for the line a sweep writes for a workspace Log Analytics ingests late", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("one warn line per sweep naming the workspace and the sweep while it lags, none once fresh rows arrive or for a workspace that is fresh", async () => {
    const needle = /message contains '"msg":"([^']+)'/.exec(
      multiline(alerts, "connectionMonitorLaggingQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    const h = await sweepHarness(azurite.connectionString);
    const FRESH = WORKSPACE.replace("law-network", "law-other");
    const both = (m: number, lag: number): DataPlaneReading => {
      const late = endToEndRead(minute(m), lag).endToEnd!;
      const fresh = endToEndRead(minute(m), 1, FRESH).endToEnd!;
      if (!late.ok || !fresh.ok) throw new Error("not a reading");
      return {
        endToEnd: ok({
          ...late.value,
          monitors: [
            ...late.value.monitors,
            ...fresh.value.monitors.map((x) => ({
              ...x,
              name: "cm-b",
              id: MONITOR.replace("cm-er", "cm-b"),
            })),
          ],
          tests: [
            ...late.value.tests,
            ...fresh.value.tests.map((t) => ({
              ...t,
              monitor: "cm-b",
              monitorId: MONITOR.replace("cm-er", "cm-b"),
            })),
          ],
          ingested: [...late.value.ingested!, ...fresh.value.ingested!],
        }),
      };
    };
    for (const m of [0, 5, 10]) {
      h.reader.spec = { dataPlane: both(m, 12 + m) };
      await h.run(m);
    }
    h.reader.spec = { dataPlane: both(15, 2) };
    await h.run(15);
    expect(h.sent()).toEqual([]);
    const matching = h
      .lines()
      .filter((l) => l.includes(`"msg":"${needle}`))
      .map(
        (l) =>
          JSON.parse(l) as {
            level: number;
            sweepId?: string;
            circuitId?: string;
            workspace?: string;
            newest?: string;
          },
      );
    expect(matching.map((l) => [l.level, l.sweepId, l.workspace, l.newest])).toEqual(
      [0, 5, 10].map((m, i) => [
        40,
        `sweep-${i + 1}`,
        WORKSPACE,
        new Date(minute(m).getTime() - (12 + m) * 60_000).toISOString(),
      ]),
    );
    expect(matching.every((l) => l.circuitId === h.reader.target.id)).toBe(true);
  });
});

describe("the query-failing alert looks for the line a sweep writes for a workspace whose query fails", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("one warn line per sweep naming the workspace, what the query got and what to do, none once it answers; no monitoring-blind opens", async () => {
    const needle = /message contains '"msg":"([^']+)'/.exec(
      multiline(alerts, "connectionMonitorQueryFailingQuery"),
    )?.[1];
    expect(needle).toBeTruthy();
    const h = await sweepHarness(azurite.connectionString);
    for (const m of [0, 5, 10, 15, 20]) {
      h.reader.spec = { dataPlane: withRefusedWorkspace(endToEndRead(minute(m), 1)) };
      await h.run(m);
    }
    h.reader.spec = { dataPlane: endToEndRead(minute(25), 1) };
    await h.run(25);
    expect(h.sent()).toEqual([]);
    const matching = h
      .lines()
      .filter((l) => l.includes(`"msg":"${needle}`))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      matching.map((l) => [l.level, l.sweepId, l.workspace, l.kind, l.statusCode, l.requestId]),
    ).toEqual(
      [0, 5, 10, 15, 20].map((_, i) => [
        40,
        `sweep-${i + 1}`,
        REFUSING,
        "forbidden",
        403,
        "req-403",
      ]),
    );
    expect(matching.every((l) => l.circuitId === h.reader.target.id)).toBe(true);
    expect(String(matching[0]!.nextAction)).toMatch(/results reader' role on the workspace/);
  });
});

describe("LOG_LEVEL above info does not fire or blind the health alerts", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  /** Every log line a health alert's query looks for: its first `message contains`. */
  const needles = () =>
    [...alerts.s.text.matchAll(/^var (\w+Query) = '''\n([\s\S]*?)'''/gm)].flatMap((m) => {
      const needle = /message contains '([^']+)'/.exec(m[2]!)?.[1];
      return needle ? [[m[1]!, needle] as const] : [];
    });

  it.each(["warn", "error", "fatal"])(
    "LOG_LEVEL=%s under the Functions host: each line is still written (warn took 'sweep finished' and the dead-man's switch paged every 15 minutes; error took the warn lines)",
    async (level) => {
      const found = needles();
      expect(found.map(([name]) => name).sort()).toEqual([
        "circuitNotRecordedQuery",
        "connectionMonitorLaggingQuery",
        "connectionMonitorQueryFailingQuery",
        "fanOutUnreadQuery",
        "historyNotWrittenQuery",
        "historyUnreadableQuery",
        "settingsLeftOutQuery",
        "sweepFinishedQuery",
        "unpublishedQuery",
      ]);
      const h = await sweepHarness(azurite.connectionString, {
        log: { level, healthLines: true },
        ignoredSettings: ["ERWATCH_BASELINE.er-x.peerings: Required (this entry is left out)"],
      });
      const storeWithSignal = h.store.withSignal.bind(h.store);
      h.bothDown();
      h.sink.failWith = new Error("Service Bus did not answer within 30000 ms");
      await h.run(0);
      // Table Storage then refuses the circuit's state, and cannot read its history.
      refuseSnapshots(h);
      refuseHistory(h);
      await h.run(5);
      // ... and takes no history write: the circuit, readable again, comes back up,
      // its Connection Monitor results 15 minutes late in Log Analytics.
      h.store.withSignal = storeWithSignal;
      refuseHistoryWrites(h);
      // ... and another workspace its monitors write to refuses erwatch's query.
      h.reader.spec = { dataPlane: withRefusedWorkspace(endToEndRead(minute(7), 15)) };
      await h.run(7);
      // A fanned-out sweep's two lines: the timer's and a worker's.
      const sent: WorkMessage[] = [];
      await fanOut(
        h.sweeper,
        { send: async (messages) => void sent.push(...messages) },
        {
          scope: { subscriptions: [h.reader.target.subscriptionId], circuitIds: [] },
          sweepId: "fanned-out",
          mode: "deep",
          now: minute(10),
          deadline: minute(14),
          abortSignal: AbortSignal.timeout(30_000),
        },
        { batchSize: 20, logger: h.logger },
      );
      expect(sent.length).toBeGreaterThan(0);
      await processWork(
        h.sweeper,
        { claim: async () => "mine", finish: async () => undefined },
        sent[0]!,
        { worker: "w1", logger: h.logger, abortSignal: AbortSignal.timeout(30_000) },
      );
      const lines = h.lines();
      const missing = found.filter(([, needle]) => !lines.some((l) => l.includes(needle)));
      expect(missing).toEqual([]);
      expect(lines.some((l) => l.includes('"msg":"work done"'))).toBe(true);
      // The logs are still as quiet as asked: no other info line.
      expect(lines.filter((l) => l.includes('"msg":"sweep started"'))).toEqual([]);
    },
  );

  it("the Functions entries build their runtimes with the host's logger", () => {
    const calls = [
      ...read("src", "functions", "deps.ts").matchAll(/build\w+Runtime\(config, \{([^}]*)\}/g),
      ...read("src", "functions", "dispatch.ts").matchAll(/build\w+Runtime\(config, \{([^}]*)\}/g),
    ];
    expect(calls).toHaveLength(3);
    for (const [, options] of calls) expect(options).toMatch(/healthLines: true/);
  });
});

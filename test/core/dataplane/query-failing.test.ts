// A workspace whose Log Analytics query failed (403, 429, a 400 query
// rejected, a 5xx, the workspace gone) made monitoring-blind open on every
// circuit whose monitors write there: one page per circuit for one
// workspace, and each open alert kept its circuit "trouble", read deep every
// sweep on ARM, which mends nothing in Log Analytics. Now such a failure is
// said once per workspace (queryFailing, for the health alert), opens no
// monitoring-blind, and leaves the circuit to its turn; a Connection Monitor
// read over ARM that failed, a tagged monitor not there, or an endpoint
// stopped still open their own finding and read the circuit every sweep.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { EndToEndFacts, UnreadMonitor } from "../../../src/core/dataplane/facts.js";
import { queryFailing } from "../../../src/core/dataplane/log-analytics.js";
import { evaluateCircuit } from "../../../src/core/evaluate.js";
import type { CircuitReading, ReadFailure, Reading } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { troubleOf } from "../../../src/core/sweep-plan.js";
import { circuitReading, failed, ok } from "../../support/readings.js";
import { e2e, NOW, test } from "./builders.js";

const QUERY = "Microsoft.OperationalInsights/workspaces/query/read";
const MONITORS = "Microsoft.Network/networkWatchers/connectionMonitors/read";
const LAW = (name: string, spelling = "resourceGroups") =>
  `/subscriptions/s/${spelling}/rg-obs/providers/Microsoft.OperationalInsights/workspaces/${name}`;

const query = (
  kind: ReadFailure["kind"],
  workspace: string | undefined,
  statusCode?: number,
): ReadFailure => ({
  kind,
  call: QUERY,
  target: `Connection Monitor results in workspace ${(workspace ?? "law-old").split("/").pop()}`,
  message: "m",
  ...(statusCode ? { statusCode } : {}),
  ...(workspace ? { workspace } : {}),
});
const unread = (monitor: string, failure: ReadFailure): UnreadMonitor => ({
  monitor,
  monitorId: null,
  failure,
  readElsewhere: false,
});
const withUnread = (...gone: UnreadMonitor[]): Reading<EndToEndFacts> =>
  ok({ ...e2e([test("Pass")], 1), unread: gone });
const TAG_MISSING: ReadFailure = {
  kind: "not-found",
  call: MONITORS,
  target: "connection monitor cm-x named by the circuit's erwatch:connection-monitor tag",
  message: "not there",
};

describe("queryFailing: the workspaces whose query failed, once each", () => {
  it.each<{ name: string; read: Reading<EndToEndFacts> | undefined; said: string[] }>([
    { name: "not read", read: undefined, said: [] },
    { name: "every query answered", read: ok(e2e([test("Pass")])), said: [] },
    {
      name: "the only workspace refused (403)",
      read: failed({ ...query("forbidden", LAW("law-network"), 403) }),
      said: [`${LAW("law-network")} forbidden`],
    },
    {
      name: "a query rejected (400)",
      read: failed({ ...query("malformed", LAW("law-network"), 400) }),
      said: [`${LAW("law-network")} malformed`],
    },
    {
      name: "Log Analytics failing (503)",
      read: failed({ ...query("server-error", LAW("law-network"), 503) }),
      said: [`${LAW("law-network")} server-error`],
    },
    {
      name: "the Connection Monitors' ARM read failed: not a query",
      read: failed({ kind: "server-error", call: MONITORS, target: "connection monitors" }),
      said: [],
    },
    {
      name: "a tagged monitor not there: not a query",
      read: withUnread(unread("cm-x", TAG_MISSING)),
      said: [],
    },
    {
      name: "two monitors on one workspace spelt two ways: said once",
      read: withUnread(
        unread("cm-a", query("throttled", LAW("law-network"), 429)),
        unread("cm-b", query("throttled", LAW("law-network", "resourcegroups"), 429)),
      ),
      said: [`${LAW("law-network")} throttled`],
    },
    {
      name: "two workspaces failing: each said",
      read: withUnread(
        unread("cm-a", query("forbidden", LAW("law-a"), 403)),
        unread("cm-b", query("not-found", LAW("law-b"), 404)),
      ),
      said: [`${LAW("law-a")} forbidden`, `${LAW("law-b")} not-found`],
    },
    {
      name: "a failure kept before the workspace was: named as its target names it",
      read: failed({ ...query("forbidden", undefined, 403) }),
      said: ["law-old forbidden"],
    },
  ])("$name", ({ read, said }) => {
    expect(queryFailing(read).map((q) => `${q.workspace} ${q.failure.kind}`)).toEqual(said);
  });
});

describe("what a failed end-to-end read opens, and whether it reads the circuit every sweep", () => {
  const judge = (reading: CircuitReading) => {
    const { verdict, snapshot } = evaluateCircuit(
      reading,
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    const codes = verdict.findings.map((f) => f.code).sort();
    // monitoring-blind goes pending at once, and an alert not clear is trouble.
    const pending = verdict.findings
      .filter((f) => f.code === "monitoring-blind")
      .map(() => ({
        family: "monitoring-blind" as const,
        phase: "pending" as const,
        peering: null,
      }));
    return {
      codes,
      trouble: troubleOf(snapshot, pending) !== null,
      blindReads: verdict.findings
        .filter((f) => f.code === "monitoring-blind")
        .flatMap((f) => (f.evidence["failedReads"] as { call: string }[]).map((r) => r.call)),
      failedReads: verdict.failedReads.map((f) => f.call),
    };
  };

  it.each<{
    name: string;
    reading: CircuitReading;
    codes: string[];
    trouble: boolean;
    blindReads: string[];
  }>([
    {
      name: "the workspace's query refused (403): no monitoring-blind, no trouble",
      reading: circuitReading({
        dataPlane: { endToEnd: failed(query("forbidden", LAW("law-network"), 403)) },
      }),
      codes: [],
      trouble: false,
      blindReads: [],
    },
    {
      name: "the query rejected (400): the same",
      reading: circuitReading({
        dataPlane: { endToEnd: failed(query("malformed", LAW("law-network"), 400)) },
      }),
      codes: [],
      trouble: false,
      blindReads: [],
    },
    {
      name: "Log Analytics failing (500): the same",
      reading: circuitReading({
        dataPlane: { endToEnd: failed(query("server-error", LAW("law-network"), 500)) },
      }),
      codes: [],
      trouble: false,
      blindReads: [],
    },
    {
      name: "the Connection Monitors' ARM read failed: monitoring-blind, trouble, as before",
      reading: circuitReading({
        dataPlane: {
          endToEnd: failed({ kind: "server-error", call: MONITORS, target: "connection monitors" }),
        },
      }),
      codes: ["monitoring-blind"],
      trouble: true,
      blindReads: [MONITORS],
    },
    {
      name: "a tagged monitor not there: monitoring-blind, trouble, as before",
      reading: circuitReading({ dataPlane: { endToEnd: withUnread(unread("cm-x", TAG_MISSING)) } }),
      codes: ["monitoring-blind"],
      trouble: true,
      blindReads: [MONITORS],
    },
    {
      name: "an endpoint stopped reporting beside a query that failed: e2e-indeterminate, trouble",
      reading: circuitReading({
        dataPlane: {
          endToEnd: ok({
            ...e2e([], 1),
            unread: [
              { ...unread("cm-b", query("forbidden", LAW("law-b"), 403)), readElsewhere: false },
            ],
          }),
        },
      }),
      codes: ["e2e-indeterminate"],
      trouble: true,
      blindReads: [],
    },
    {
      name: "an ARP read failed beside the query: monitoring-blind names the ARP read alone",
      reading: circuitReading({
        paths: {
          AzurePrivatePeering: { primary: { arp: failed({ kind: "forbidden" }) } },
        },
        dataPlane: { endToEnd: failed(query("forbidden", LAW("law-network"), 403)) },
      }),
      codes: ["monitoring-blind"],
      trouble: true,
      blindReads: ["Microsoft.Network/expressRouteCircuits/peerings/arpTables/read"],
    },
  ])("$name", ({ reading, codes, trouble, blindReads }) => {
    const got = judge(reading);
    expect(got.codes).toEqual(codes);
    expect(got.trouble).toBe(trouble);
    expect(got.blindReads).toEqual(blindReads);
    // Every failure is still a failed read of the circuit: its log, its status page.
    const e2eRead = reading.dataPlane?.endToEnd;
    if (e2eRead && !e2eRead.ok) expect(got.failedReads).toContain(e2eRead.error.call);
  });
});

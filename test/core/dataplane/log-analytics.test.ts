// Which end-to-end UNKNOWN only Log Analytics mends: a workspace ingesting
// late, or its query failing. Marked on the snapshot, it is no trouble for
// the plan (sweep-plan.ts troubleOf), which read every circuit writing to the
// workspace deep every sweep for the whole incident; an UNKNOWN a deep read
// can mend (the Connection Monitors' own ARM read, a tagged monitor not
// there) or an endpoint stopped is not marked.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { EndToEndFacts, UnreadMonitor } from "../../../src/core/dataplane/facts.js";
import { waitsOnLogAnalytics } from "../../../src/core/dataplane/log-analytics.js";
import { evaluateCircuit } from "../../../src/core/evaluate.js";
import type { ReadFailure, Reading } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { troubleOf } from "../../../src/core/sweep-plan.js";
import { circuitReading } from "../../support/readings.js";
import { e2e, NOW, test } from "./builders.js";

const WORKSPACE = "5b5a8a1e-0000-4000-8000-00000000000a";
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const failure = (kind: ReadFailure["kind"], call: string): ReadFailure => ({
  kind,
  call,
  target: "Connection Monitor results in workspace law-network",
  message: kind,
});
const QUERY = "Microsoft.OperationalInsights/workspaces/query/read";
const WATCHER = "Microsoft.Network/networkWatchers/connectionMonitors/read";

const read = (value: EndToEndFacts): Reading<EndToEndFacts> => ({
  ok: true,
  value,
  readAt: NOW.toISOString(),
});
const failed = (f: ReadFailure): Reading<EndToEndFacts> => ({
  ok: false,
  error: f,
  readAt: NOW.toISOString(),
});

/** The monitor's one test, `minutes` old, in a workspace whose newest row is as old. */
const lagging = (minutes: number): EndToEndFacts => ({
  ...e2e([
    test("Pass", { at: ago(minutes), ingested: { workspace: WORKSPACE, newest: ago(minutes) } }),
  ]),
  monitors: e2e([]).monitors.map((m) => ({
    ...m,
    testGroups: [
      {
        name: "onprem-to-vnet",
        testConfigurations: ["tcp-443"],
        sources: ["onprem-app-01"],
        destinations: ["vnet-prod"],
      },
    ],
    frequencies: [{ test: "tcp-443", seconds: 30 }],
  })),
});
const unread = (f: ReadFailure): UnreadMonitor => ({
  monitor: "cm-legacy",
  monitorId: null,
  failure: f,
  readElsewhere: false,
});

/**
 * Every workspace failed and the tag names a monitor not there: the monitor
 * is the tag's to mend (a deep read says so), not Log Analytics' alone.
 */
const EVERY_WORKSPACE_AND_TAGGED_MISSING: ReadFailure = {
  ...failure("timeout", QUERY),
  alsoFailed: [failure("server-error", QUERY), failure("not-found", WATCHER)],
};

describe("waitsOnLogAnalytics", () => {
  it.each<{ name: string; read: Reading<EndToEndFacts> | undefined; waits: boolean }>([
    { name: "the workspace ingesting 15 min late", read: read(lagging(15)), waits: true },
    ...(["throttled", "server-error", "timeout", "network"] as const).map((kind) => ({
      name: `the query failing (${kind})`,
      read: failed(failure(kind, QUERY)),
      waits: true,
    })),
    {
      name: "one monitor's workspace query failing beside a test that passes",
      read: read({ ...e2e([test("Pass")]), unread: [unread(failure("server-error", QUERY))] }),
      waits: true,
    },
    {
      name: "every workspace's query failing",
      read: failed({
        ...failure("timeout", QUERY),
        alsoFailed: [failure("throttled", QUERY)],
      }),
      waits: true,
    },
    // What the deep read mends, or what is not Log Analytics'.
    {
      name: "every workspace's query failing and a tagged monitor not there",
      read: failed(EVERY_WORKSPACE_AND_TAGGED_MISSING),
      waits: false,
    },
    {
      name: "the Connection Monitors' own ARM read failing",
      read: failed(failure("throttled", WATCHER)),
      waits: false,
    },
    {
      name: "a tagged monitor not there beside a test that passes",
      read: read({ ...e2e([test("Pass")]), unread: [unread(failure("not-found", WATCHER))] }),
      waits: false,
    },
    {
      name: "the workspace late and a tagged monitor not there",
      read: read({ ...lagging(15), unread: [unread(failure("not-found", WATCHER))] }),
      waits: false,
    },
    {
      name: "an endpoint that stopped (fresh workspace)",
      read: read(e2e([test("Indeterminate")])),
      waits: false,
    },
    { name: "every test passing", read: read(e2e([test("Pass")])), waits: false },
    { name: "a Fail", read: read(e2e([test("Fail")])), waits: false },
    { name: "no Connection Monitor read", read: undefined, waits: false },
  ])("$name → $waits", ({ read: r, waits }) => {
    expect(waitsOnLogAnalytics(r)).toBe(waits);
  });
});

describe("the evaluation's snapshot", () => {
  const evaluate = (endToEnd: Reading<EndToEndFacts>) =>
    evaluateCircuit(
      circuitReading({ dataPlane: { endToEnd } }),
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    ).snapshot;

  it("first read while Log Analytics is late or its query fails: end to end UNKNOWN, marked, and no trouble for the plan", () => {
    for (const r of [read(lagging(15)), failed(failure("server-error", QUERY))]) {
      const s = evaluate(r);
      expect(s.peerings.AzurePrivatePeering!.paths.primary.endToEnd.status).toBe("unknown");
      expect(s.endToEndWaitsOn).toBe("log-analytics");
      expect(troubleOf(s, [])).toBeNull();
    }
  });

  it("first read while the Connection Monitors' ARM read fails: unmarked, trouble (the next deep read mends it)", () => {
    const s = evaluate(failed(failure("throttled", WATCHER)));
    expect(s.endToEndWaitsOn).toBeUndefined();
    expect(troubleOf(s, [])).toBe("endToEnd unknown on AzurePrivatePeering/primary");
  });

  it("every workspace failing and a tagged monitor not there: unmarked, trouble (read deep)", () => {
    const s = evaluate(failed(EVERY_WORKSPACE_AND_TAGGED_MISSING));
    expect(s.peerings.AzurePrivatePeering!.paths.primary.endToEnd.status).toBe("unknown");
    expect(s.endToEndWaitsOn).toBeUndefined();
    expect(troubleOf(s, [])).toBe("endToEnd unknown on AzurePrivatePeering/primary");
  });

  it("read up: unmarked", () => {
    expect(evaluate(read(e2e([test("Pass")]))).endToEndWaitsOn).toBeUndefined();
  });
});

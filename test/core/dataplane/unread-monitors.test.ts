// Users saw one Connection Monitor's failed read (its workspace deleted)
// stand for the whole circuit: another monitor's Fail never paged, and the
// row read UNKNOWN with only a Sev3 monitoring-blind. Now what was read is
// graded (Fail and Warning from the tests that ran), the monitors not read
// keep the row short of "up" and name themselves in it, and their failed
// reads are never an e2e-indeterminate blaming agents. A failed Log Analytics
// query is its workspace's health alert (app/query-failing.ts), not each
// circuit's monitoring-blind: a failed read of the circuit still.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { endToEndCell, summarise } from "../../../src/core/dataplane/end-to-end.js";
import type {
  EndToEndFacts,
  EndToEndTest,
  UnreadMonitor,
} from "../../../src/core/dataplane/facts.js";
import { evaluateCircuit } from "../../../src/core/evaluate.js";
import type { ReadFailure } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading } from "../../support/readings.js";
import { dp, e2e, NOW, test } from "./builders.js";

const GONE: ReadFailure = {
  kind: "not-found",
  call: "Microsoft.OperationalInsights/workspaces/query/read",
  target: "Connection Monitor results in workspace law-deleted",
  message: "The workspace could not be found",
  statusCode: 404,
};
const unread = (readElsewhere = false): UnreadMonitor => ({
  monitor: "cm-legacy",
  monitorId: null,
  failure: GONE,
  readElsewhere,
});
const facts = (tests: EndToEndTest[], gone: UnreadMonitor[], monitors = 1): EndToEndFacts => ({
  ...e2e(tests, monitors),
  unread: gone,
});

describe("some monitors read, others not", () => {
  it.each<{
    name: string;
    facts: EndToEndFacts;
    overall: string;
    cell: { status: string; detail: string };
    codes: string[];
  }>([
    {
      name: "the read one fails: Fail pages, the unread one named",
      facts: facts([test("Fail"), test("Fail", { test: "tcp-1433" })], [unread()]),
      overall: "fail",
      cell: {
        status: "down",
        detail: "Fail: 2 of 2 tests; cm-legacy not read in workspace law-deleted (not-found)",
      },
      codes: ["e2e-fail Sev1"],
    },
    {
      name: "the read one degraded: Warning",
      facts: facts([test("Fail"), test("Pass", { test: "tcp-1433" })], [unread()]),
      overall: "warning",
      cell: {
        status: "warn",
        detail: "Warning: 1 of 2 tests; cm-legacy not read in workspace law-deleted (not-found)",
      },
      codes: ["e2e-warning Sev2"],
    },
    {
      name: "the read one passes: not up, and no finding (the workspace's health alert says it)",
      facts: facts([test("Pass")], [unread()]),
      overall: "indeterminate",
      cell: {
        status: "unknown",
        detail:
          "cm-legacy not read in workspace law-deleted (not-found); 1 test passes (RTT ≤ 12 ms)",
      },
      codes: [],
    },
    {
      name: "the read one sent nothing: its own e2e-indeterminate",
      facts: facts([], [unread()]),
      overall: "indeterminate",
      cell: {
        status: "unknown",
        detail:
          "Indeterminate: no results in the last 30 min; cm-legacy not read in workspace law-deleted (not-found)",
      },
      codes: ["e2e-indeterminate Sev3"],
    },
    {
      name: "no monitor read at all: unknown, never 'no Connection Monitor'",
      facts: facts([], [unread()], 0),
      overall: "indeterminate",
      cell: {
        status: "unknown",
        detail: "cm-legacy not read in workspace law-deleted (not-found)",
      },
      codes: [],
    },
    {
      name: "its results read from another workspace it writes to: up, the gone one a failed read",
      facts: facts([test("Pass")], [unread(true)]),
      overall: "pass",
      cell: { status: "up", detail: "1 test passes (RTT ≤ 12 ms)" },
      codes: [],
    },
  ])("$name", ({ facts: f, overall, cell, codes }) => {
    const summary = summarise(f);
    expect(summary.overall).toBe(overall);
    expect(endToEndCell(summary, null)).toEqual(cell);
    const { verdict } = evaluateCircuit(
      circuitReading({ dataPlane: dp.e2e(f) }),
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.findings.map((x) => `${x.code} ${x.severity}`).sort()).toEqual(
      [...codes].sort(),
    );
    expect(verdict.failedReads).toEqual([GONE]);
  });
});

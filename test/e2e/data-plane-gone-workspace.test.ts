// Users saw one deleted Log Analytics workspace (404) hide another
// workspace's results: a circuit tested by two Connection Monitors read end
// to end UNKNOWN, only a Sev3 monitoring-blind followed (after several
// sweeps), and the other monitor's Fail, every test failing, never paged
// e2e-fail Sev1. The first workspace's failure stood for the whole circuit,
// and the other was never asked. Now every workspace is asked: what was read
// is graded (Fail and Warning from the tests that ran), the failed workspace
// is monitoring-blind's evidence, and its monitor's tests are not judged, so
// the row is never "up" on the others alone. Only when no workspace answers
// is the read a failure as a whole. Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  withConnectionMonitor,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);

describe("one monitor's workspace gone", () => {
  it("does not hide the other monitor's Fail: it still pages e2e-fail", async () => {
    const bundle = healthyCircuit();
    // Listed first: its workspace was deleted.
    const old = withConnectionMonitor(bundle, [passingTest({ test: "icmp" })]);
    old.name = "cm-er-legacy";
    old.workspaceResourceId = old.workspaceResourceId.replace(/law-network$/, "law-deleted");
    // The monitor that works: every test fails.
    withConnectionMonitor(bundle, [
      passingTest({ result: "Fail", checksFailed: 20, checksTotal: 20 }),
      passingTest({ test: "tcp-1433", port: 1433, result: "Fail", checksFailed: 20 }),
    ]);
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    // The deleted workspace's query (the first one asked) is answered as Log Analytics does.
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: {
        kind: "status",
        status: 404,
        code: "WorkspaceNotFoundError",
        message: "The workspace could not be found",
      },
      times: 1,
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    const queried = estate.requests.filter((r) => r.operation === "queryLogs");
    expect(queried.some((r) => decodeURIComponent(r.path).includes("law-network"))).toBe(true);
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
    const fail = verdict.findings.find((f) => f.code === "e2e-fail")!;
    expect(fail.evidence["unread"]).toEqual([
      expect.objectContaining({ monitor: "cm-er-legacy", kind: "not-found" }),
    ]);
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "down",
      detail: "Fail: 2 of 2 tests; cm-er-legacy not read in workspace law-deleted (not-found)",
    });
    // The gone workspace is the blind read, named with its own remedy.
    expect(verdict.failedReads).toEqual([
      expect.objectContaining({
        kind: "not-found",
        target: "Connection Monitor results in workspace law-deleted",
      }),
    ]);
  });

  it("beside a monitor that passes, the row is not 'up' and no e2e-indeterminate blames the agents", async () => {
    const bundle = healthyCircuit();
    const old = withConnectionMonitor(bundle, [passingTest({ test: "icmp" })]);
    old.name = "cm-er-legacy";
    old.workspaceResourceId = old.workspaceResourceId.replace(/law-network$/, "law-deleted");
    withConnectionMonitor(bundle);
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 404, code: "WorkspaceNotFoundError", message: "gone" },
      times: 1,
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({ ok: true });
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail:
        "cm-er-legacy not read in workspace law-deleted (not-found); 1 test passes (RTT ≤ 14 ms)",
    });
    expect(verdict.findings.map((f) => f.code)).not.toContain("e2e-indeterminate");
    expect(verdict.failedReads.map((f) => f.target)).toEqual([
      "Connection Monitor results in workspace law-deleted",
    ]);
  });

  it("one monitor writing to two workspaces, one of them deleted: its Fail, read from the other, still pages", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle, [
      passingTest({ result: "Fail", checksFailed: 20, checksTotal: 20 }),
    ]);
    const deleted = monitor.workspaceResourceId.replace(/law-network$/, "law-deleted");
    monitor.wire = [
      {
        read: "monitor",
        field: "properties.outputs",
        value: [
          { type: "Workspace", workspaceSettings: { workspaceResourceId: deleted } },
          {
            type: "Workspace",
            workspaceSettings: { workspaceResourceId: monitor.workspaceResourceId },
          },
        ],
      },
    ];
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 404, code: "WorkspaceNotFoundError", message: "gone" },
      times: 1,
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
    // Its results were read from the other output: the row is the Fail, the gone output blind evidence.
    expect(verdict.peerings[0]!.paths.primary.endToEnd.status).toBe("down");
    expect(verdict.failedReads.map((f) => f.target)).toEqual([
      "Connection Monitor results in workspace law-deleted",
    ]);
  });
});

// Users with a circuit tested by monitors writing to two Log Analytics
// workspaces, both failing, saw the end-to-end row name the first alone
// ("Connection Monitor cm-er-weu read failed in workspace law-network:
// forbidden, …"): granted the role there, the next sweep still read UNKNOWN,
// now for the other workspace, and only that workspace's log line had said
// so; the workspace's health trace was never written for the second one.
// Now the row names each workspace with its monitors and how its query
// failed, each is said failing for its health alert, and each is a failed
// read of the circuit. Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { queryFailing } from "../../src/core/dataplane/log-analytics.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  WORKSPACE_ID,
  withConnectionMonitor,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);
const DR_WORKSPACE = WORKSPACE_ID.replace(/law-network$/, "law-dr-uks");

describe("every workspace of a circuit's monitors failing", () => {
  it("the row names each workspace, its monitors and how its query failed; each is said failing", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle, [passingTest({ result: "Fail", checksFailed: 20 })]).name =
      "cm-er-weu";
    const dr = withConnectionMonitor(bundle, [passingTest({ test: "icmp" })]);
    dr.name = "cm-er-uks";
    dr.workspaceResourceId = DR_WORKSPACE;
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle), {
      ARM_MAX_RETRIES: "0",
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    estate.addFault({
      match: { operation: "queryLogs", workspace: WORKSPACE_ID },
      behaviour: {
        kind: "status",
        status: 403,
        code: "InsufficientAccessError",
        message: "The provided credentials have insufficient access",
      },
    });
    estate.addFault({
      match: { operation: "queryLogs", workspace: DR_WORKSPACE },
      behaviour: {
        kind: "status",
        status: 404,
        code: "WorkspaceNotFoundError",
        message: "The workspace could not be found",
      },
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({ ok: false });
    const { verdict, snapshot } = evaluateCircuit(
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
        "Connection Monitor read failed: cm-er-weu in workspace law-network (forbidden, missing Microsoft.OperationalInsights/workspaces/query/read); cm-er-uks in workspace law-dr-uks (not-found)",
    });
    // Each workspace for its own health alert; neither is the circuit's monitoring-blind.
    expect(queryFailing(got).map((f) => [f.workspace, f.failure.kind])).toEqual([
      [WORKSPACE_ID, "forbidden"],
      [DR_WORKSPACE, "not-found"],
    ]);
    expect(verdict.failedReads.map((f) => f.target)).toEqual([
      "Connection Monitor results in workspace law-network",
      "Connection Monitor results in workspace law-dr-uks",
    ]);
    expect(verdict.findings.map((f) => f.code)).toEqual([]);
    expect(snapshot.endToEndWaitsOn).toBe("log-analytics");
  });
});

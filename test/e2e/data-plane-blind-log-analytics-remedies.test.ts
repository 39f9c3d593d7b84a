// Users saw monitoring-blind for a failed Connection Monitor read give the
// remedies of an ARM read of the circuit: a deleted Log Analytics workspace
// (404) said "drop it from ERWATCH_CIRCUITS or tag it erwatch:ignore=true",
// which stops erwatch watching a live circuit; Log Analytics throttling (429)
// was blamed on Azure Resource Manager and ARM_CONCURRENCY, though its
// queries have their own limit. A failed query is now said once per
// workspace to erwatch's keeper, not as the circuit's monitoring-blind, and
// the next action follows what the query got: the workspace gone (the
// monitor's output or the erwatch:workspace tag), Log Analytics' own
// throttle, the workspace role for a 403, a query rejected (400).
// Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { queryFailing, queryFailingAction } from "../../src/core/dataplane/log-analytics.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { FaultBehaviour } from "../support/estate/model.js";
import { circuitId } from "../support/estate/ids.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);

/** The one workspace said failing, and what to do about it; no monitoring-blind on the circuit. */
async function failingAfter(behaviour: FaultBehaviour) {
  const bundle = healthyCircuit();
  withConnectionMonitor(bundle);
  const { estate, reader, dataPlane } = await readersOn(estateOf(bundle), {
    ARM_MAX_RETRIES: "0",
  });
  const reading = await readingOf(reader, circuitId(bundle.circuit));
  estate.addFault({ match: { operation: "queryLogs" }, behaviour });
  const got = await dataPlane.readEndToEnd(reading, options());
  expect(got).toMatchObject({ ok: false });
  const { verdict } = evaluateCircuit(
    { ...reading, dataPlane: { endToEnd: got! } },
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  );
  expect(verdict.findings.map((f) => f.code)).toEqual([]);
  expect(verdict.peerings[0]!.paths.primary.endToEnd.status).toBe("unknown");
  const failing = queryFailing(got);
  expect(failing).toHaveLength(1);
  expect(failing[0]!.workspace).toMatch(/\/workspaces\/law-network$/);
  return { ...failing[0]!, nextAction: queryFailingAction(failing[0]!.failure) };
}

describe("a Connection Monitor results query that fails, said for its workspace", () => {
  it("a deleted Log Analytics workspace (404) does not tell anyone to stop watching the circuit", async () => {
    const got = await failingAfter({
      kind: "status",
      status: 404,
      code: "WorkspaceNotFoundError",
      message: "The workspace could not be found",
    });
    expect(got.failure.kind).toBe("not-found");
    expect(got.nextAction).not.toMatch(/erwatch:ignore|ERWATCH_CIRCUITS/);
    expect(got.nextAction).toMatch(
      /workspace \/subscriptions\/\S+\/workspaces\/law-network no longer exists/,
    );
  });

  it("Log Analytics throttling (429) is not blamed on Azure Resource Manager or ARM_CONCURRENCY", async () => {
    const got = await failingAfter({ kind: "status", status: 429, retryAfterSeconds: 0 });
    expect(got.nextAction).not.toMatch(/Azure Resource Manager|ARM_CONCURRENCY/);
    expect(got.nextAction).toMatch(/Log Analytics is throttling/);
  });

  it("a query refused (403) asks for the workspace role on the workspace, not a grant on the subscription", async () => {
    const got = await failingAfter({
      kind: "status",
      status: 403,
      code: "InsufficientAccessError",
      message:
        "The provided credentials have insufficient access to perform the requested operation",
    });
    expect(got.nextAction).toMatch(/results reader' role on the workspace/);
    expect(got.nextAction).not.toMatch(/on subscription/);
  });

  it("a query rejected (400) is reported with its request id, not waited out as Azure's outage", async () => {
    const got = await failingAfter({
      kind: "status",
      status: 400,
      code: "BadArgumentError",
      message: "The request had some invalid properties",
    });
    expect(got.failure.statusCode).toBe(400);
    expect(got.nextAction).toMatch(/report it with the trace's message and requestId/);
  });
});

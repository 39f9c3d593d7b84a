// Users saw monitoring-blind for a failed Connection Monitor read give the
// remedies of an ARM read of the circuit: a deleted Log Analytics workspace
// (404) said "drop it from ERWATCH_CIRCUITS or tag it erwatch:ignore=true",
// which stops erwatch watching a live circuit; Log Analytics throttling (429)
// was blamed on Azure Resource Manager and ARM_CONCURRENCY, though its
// queries have their own limit. Now the next action follows the call that
// failed: the workspace gone (the monitor's output or the erwatch:workspace
// tag), Log Analytics' own throttle, and the workspace role for a 403.
// Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { FaultBehaviour } from "../support/estate/model.js";
import { circuitId } from "../support/estate/ids.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);

async function blindAfter(behaviour: FaultBehaviour) {
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
  const blind = verdict.findings.find((f) => f.code === "monitoring-blind");
  if (!blind) throw new Error(`no monitoring-blind: ${JSON.stringify(verdict.findings)}`);
  return blind;
}

describe("monitoring-blind for a Connection Monitor read", () => {
  it("a deleted Log Analytics workspace (404) does not tell the on-call to stop watching the circuit", async () => {
    const blind = await blindAfter({
      kind: "status",
      status: 404,
      code: "WorkspaceNotFoundError",
      message: "The workspace could not be found",
    });
    expect(blind.title).toMatch(/workspace law-network/);
    expect(blind.nextAction).not.toMatch(/erwatch:ignore|ERWATCH_CIRCUITS/);
    expect(blind.nextAction).toMatch(/workspace/i);
  });

  it("Log Analytics throttling (429) is not blamed on Azure Resource Manager or ARM_CONCURRENCY", async () => {
    const blind = await blindAfter({ kind: "status", status: 429, retryAfterSeconds: 0 });
    expect(blind.nextAction).not.toMatch(/Azure Resource Manager|ARM_CONCURRENCY/);
    expect(blind.nextAction).toMatch(/Log Analytics is throttling/);
  });

  it("a query refused (403) asks for the workspace role on the workspace, not a grant on the subscription", async () => {
    const blind = await blindAfter({
      kind: "status",
      status: 403,
      code: "InsufficientAccessError",
      message:
        "The provided credentials have insufficient access to perform the requested operation",
    });
    expect(blind.nextAction).toMatch(/results reader' role on the workspace/);
    expect(blind.nextAction).not.toMatch(/on subscription/);
  });
});

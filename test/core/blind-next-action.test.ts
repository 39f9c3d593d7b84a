// Users saw monitoring-blind for a failed Log Analytics query tell them what
// an ARM read's failure needs: a deleted workspace (404) "drop it from
// ERWATCH_CIRCUITS or tag it erwatch:ignore=true" (stopping the watch of a
// live circuit), Log Analytics throttling (429) blamed on Azure Resource
// Manager and ARM_CONCURRENCY. Now the words follow the call that failed:
// a Log Analytics query names the workspace, its own throttle and its own
// grant; ARM reads keep theirs.

import { describe, expect, it } from "vitest";
import { blindFindings } from "../../src/core/blind.js";
import type { ReadFailure } from "../../src/core/model.js";

const QUERY = "Microsoft.OperationalInsights/workspaces/query/read";
const CIRCUIT = "Microsoft.Network/expressRouteCircuits/read";

/** No failure here is a kept query: the time says nothing in these words. */
const SWEEP_AT = Date.parse("2026-11-22T02:00:00.000Z");

function nextAction(failure: Partial<ReadFailure> & Pick<ReadFailure, "kind" | "call">): string {
  const read = {
    target: "Connection Monitor results in workspace law-network",
    message: "m",
    ...failure,
  };
  return blindFindings(
    [{ peering: null, path: null, failure: read }],
    "sub-1",
    "Sev3",
    SWEEP_AT,
  )[0]!.nextAction;
}

describe("monitoring-blind's next action follows the call that failed", () => {
  it.each<{
    name: string;
    failure: Partial<ReadFailure> & Pick<ReadFailure, "kind" | "call">;
    says: RegExp[];
    never: RegExp[];
  }>([
    {
      name: "Log Analytics 404: the workspace is gone, not the circuit",
      failure: { kind: "not-found", call: QUERY, statusCode: 404 },
      says: [/workspace law-network no longer exists/, /erwatch:workspace/, /output/],
      never: [/ERWATCH_CIRCUITS/, /erwatch:ignore/],
    },
    {
      name: "Log Analytics 429: its own throttle",
      failure: { kind: "throttled", call: QUERY, statusCode: 429 },
      says: [
        /Log Analytics is throttling/,
        /SWEEP_SCHEDULE/,
        /fewer circuits/,
        // What erwatch does: a throttled workspace is not queried for each circuit.
        /no sweep asks it again before its Retry-After has passed/,
      ],
      never: [
        /Azure Resource Manager is throttling/,
        /ARM_CONCURRENCY/,
        /queries it for each circuit it reads/,
      ],
    },
    {
      name: "Log Analytics 403: the workspace role, on the workspace",
      failure: {
        kind: "forbidden",
        call: QUERY,
        missingPermission: "Microsoft.OperationalInsights/workspaces/query/read",
      },
      says: [
        /'erwatch Connection Monitor results reader' role on the workspace/,
        /connectionMonitorWorkspaceIds/,
        /lacks 'Microsoft\.OperationalInsights\/workspaces\/query\/read'/,
      ],
      never: [/on subscription sub-1/, /erwatch reader role/],
    },
    {
      name: "Log Analytics timing out: Log Analytics' health, not Microsoft.Network's",
      failure: { kind: "timeout", call: QUERY },
      says: [/Log Analytics did not answer in time/, /Service Health for Log Analytics/],
      never: [/Microsoft\.Network/],
    },
    {
      name: "a tagged Connection Monitor not found: the tag's to fix, not the circuit's",
      failure: {
        kind: "not-found",
        call: "Microsoft.Network/networkWatchers/connectionMonitors/read",
        target: "connection monitor cm-a named by the circuit's erwatch:connection-monitor tag",
      },
      says: [/Fix the circuit's erwatch:connection-monitor tag/, /resource id/],
      never: [/ERWATCH_CIRCUITS/, /erwatch:ignore/],
    },
    {
      name: "a tagged Connection Monitor in a region with no Network Watcher: said so, with what to do",
      failure: {
        kind: "not-found",
        call: "Microsoft.Network/networkWatchers/connectionMonitors/read",
        target: "connection monitor cm-a named by the circuit's erwatch:connection-monitor tag",
        noNetworkWatcherIn: ["westeurope"],
      },
      says: [
        /there is no Network Watcher in westeurope/,
        /tag its resource id, with the circuit's erwatch:workspace tag naming its workspace/,
        /enable Network Watcher in westeurope \(Azure creates NetworkWatcher_westeurope in resource group NetworkWatcherRG\)/,
        /The circuit is still watched/,
      ],
      // No watcher there to lack it, nor monitors there for the evidence to list.
      never: [/Network Watcher does not have/, /lists the monitors there/, /ERWATCH_CIRCUITS/],
    },
    {
      name: "Azure Monitor metrics 429: its own throttle, not ARM's",
      failure: {
        kind: "throttled",
        call: "Microsoft.Insights/metrics/read",
        target: "metrics of 50 circuits in westeurope",
        statusCode: 429,
      },
      says: [/Azure Monitor is throttling/, /SWEEP_SCHEDULE/],
      never: [/Azure Resource Manager is throttling/, /ARM_CONCURRENCY/],
    },
    {
      name: "an ARM 404 keeps its words",
      failure: { kind: "not-found", call: CIRCUIT, target: "circuit er-1" },
      says: [/ERWATCH_CIRCUITS/],
      never: [/workspace/],
    },
    {
      name: "an ARM 429 keeps its words",
      failure: { kind: "throttled", call: CIRCUIT },
      says: [/Azure Resource Manager is throttling/, /ARM_CONCURRENCY/],
      never: [/Log Analytics/],
    },
    {
      name: "an ARM 403 keeps its words",
      failure: { kind: "forbidden", call: CIRCUIT, missingPermission: CIRCUIT },
      says: [/on subscription sub-1/],
      never: [/workspace/],
    },
  ])("$name", ({ failure, says, never }) => {
    const words = nextAction(failure);
    for (const s of says) expect(words).toMatch(s);
    for (const n of never) expect(words).not.toMatch(n);
  });
});

// Found by a review of the per-machine Connection Monitor rows: the newest
// row of each test per machine was kept over the whole look-back (30 min), so
// a machine that stopped reporting (a scale set instance scaled in or
// replaced, a deallocated VM, a retired Arc server) kept its last row; a Fail
// written as it went down read e2e-warning (Sev2) for up to 30 minutes beside
// machines that all pass. A machine silent for longer than its test's
// frequency plus Log Analytics' ingestion delay, while another of the same
// test reported, is now gone. Through the real SDKs against the estate.

import { describe, expect, it } from "vitest";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  withConnectionMonitor,
  type SimTest,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { judgedEndToEnd } = readersPerTest(NOW);
const VM = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-app/virtualMachines/${name}`;

const row = (vm: string, i: number, extra: Partial<SimTest> = {}): SimTest =>
  passingTest({
    testGroup: "vnet-to-onprem",
    source: "vnet-app",
    destination: "onprem-app-01",
    sourceMachine: { resourceId: VM(vm), ip: `10.1.${i}.4` },
    ...extra,
  });

describe("a machine that left the endpoint", () => {
  it("is not judged on its last row once its neighbours report after it", async () => {
    // vmss_0 and vmss_1 pass now; vmss_2 was scaled in 20 minutes ago, its last
    // result (written as it went down) a Fail, and it has written nothing since.
    const tests = [
      row("vmss_0", 0),
      row("vmss_1", 1),
      row("vmss_2", 2, { result: "Fail", checksFailed: 20, removedMinutesAgo: 20 }),
    ];
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle, tests);
    const { verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(
      verdict.findings
        .filter((f) => f.code.startsWith("e2e-"))
        .map((f) => `${f.code} ${f.severity}`),
    ).toEqual([]);
  });
});

// Users saw a circuit read end to end "up" while one of the three VMs
// Connection Monitor samples in the VNet behind its gateway failed every
// check (that VM's subnet dropping the traffic): Log Analytics writes one row
// per machine under the endpoint's name, and erwatch kept only the latest
// row per endpoint name. Now each machine's latest row is judged: one VM
// failing beside two passing is e2e-warning (Sev2), its evidence line naming
// the VM; machines that all pass still read up. Real clients against the
// loopback estate, whose Log Analytics writes the machine columns.

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
  type SimTest,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);
const VM = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`;

/** The test from each of the VNet's three sampled VMs to on-premises. */
const fromVms = (failing: string | null): SimTest[] =>
  ["vm-app-01", "vm-app-02", "vm-app-03"].map((vm, i) =>
    passingTest({
      testGroup: "vnet-to-onprem",
      source: "vm-app-01",
      destination: "onprem-app-01",
      sourceMachine: { resourceId: VM(vm), ip: `10.1.${i}.4` },
      ...(vm === failing ? { result: "Fail", checksFailed: 20 } : {}),
    }),
  );

async function verdictWith(tests: SimTest[]) {
  const bundle = healthyCircuit();
  withConnectionMonitor(bundle, tests);
  const { reader, dataPlane } = await readersOn(estateOf(bundle));
  const reading = await readingOf(reader, circuitId(bundle.circuit));
  const got = await dataPlane.readEndToEnd(reading, options());
  return evaluateCircuit(
    { ...reading, dataPlane: { endToEnd: got! } },
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  ).verdict;
}

describe("one of the VMs behind a VNet endpoint failing", () => {
  it("is a degraded end to end (e2e-warning Sev2) naming the VM, not a pass", async () => {
    const verdict = await verdictWith(fromVms("vm-app-02"));
    const finding = verdict.findings.find((f) => f.code === "e2e-warning");
    expect(finding).toMatchObject({ severity: "Sev2" });
    const failing = finding!.evidence["failing"] as string[];
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatch(/vnet-to-onprem\/tcp-443: vm-app-01 \(vm-app-02 10\.1\.1\.4\) → /);
  });

  it("every VM passing reads up", async () => {
    const verdict = await verdictWith(fromVms(null));
    expect(verdict.peerings[0]!.paths.primary.endToEnd.status).toBe("up");
    expect(verdict.findings.filter((f) => f.code.startsWith("e2e-"))).toEqual([]);
  });
});

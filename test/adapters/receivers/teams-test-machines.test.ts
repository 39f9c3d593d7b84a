// A Connection Monitor test run from several machines behind one endpoint
// (a VNet's sampled VMs, several Arc servers) is one row per machine, and
// the Teams card used to say only the endpoints: three lines alike but for
// their result. Each line now names the machine when the evidence does.

import { describe, expect, it } from "vitest";
import { evidenceLines } from "../../../src/adapters/receivers/teams/evidence.js";

const test = (extra: Record<string, unknown>) => ({
  testGroup: "vnet-to-onprem",
  test: "tcp-443",
  source: "vnet-app",
  destination: "onprem-app-01:443",
  result: "Fail",
  ...extra,
});

describe("a test line on the Teams card", () => {
  it.each([
    [
      "names the machines when the evidence does",
      { sourceMachine: "vm-app-02 10.1.1.4", destinationMachine: "arc-02" },
      "Test vnet-to-onprem/tcp-443: vnet-app (vm-app-02 10.1.1.4) → onprem-app-01:443 (arc-02) Fail",
    ],
    [
      "reads as before without them",
      {},
      "Test vnet-to-onprem/tcp-443: vnet-app → onprem-app-01:443 Fail",
    ],
  ] as const)("%s", (_, extra, line) => {
    expect(evidenceLines({ tests: [test(extra)] }, false)).toEqual([line]);
  });
});

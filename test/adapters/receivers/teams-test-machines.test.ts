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
    [
      // PagerDuty and the webhook carry the evidence whole; the card's line was all a Teams reader had.
      "says why a test cannot be judged: it stopped reporting",
      {
        result: "Indeterminate",
        reason: "stopped reporting at 10:05 UTC (its last result Pass; it runs every 30 s)",
        stoppedAt: "2026-12-05T10:05:00Z",
      },
      "Test vnet-to-onprem/tcp-443: vnet-app → onprem-app-01:443 Indeterminate — stopped reporting at 10:05 UTC (its last result Pass; it runs every 30 s)",
    ],
    [
      "says Connection Monitor's own words on a failure, with what it measured",
      {
        reason: "Destination port is not reachable",
        checksFailedPercent: 100,
        checksFailedPercentThreshold: 30,
        roundTripMs: 12.4,
        roundTripThresholdMs: 100,
      },
      "Test vnet-to-onprem/tcp-443: vnet-app → onprem-app-01:443 Fail, checks failed 100% (threshold 30%), RTT 12 ms (threshold 100 ms) — Destination port is not reachable",
    ],
  ] as const)("%s", (_, extra, line) => {
    expect(evidenceLines({ tests: [test(extra)] }, false)).toEqual([line]);
  });
});

// An e2e-fail's evidence carries every test (`tests`) and its failing ones
// again as the sweep's lines (`failing`): the card printed each failure twice.
describe("an end-to-end failure's tests on the Teams card", () => {
  const failed = {
    monitor: "cm-ams",
    ...test({ reason: "Destination port is not reachable", checksFailedPercent: 100 }),
  };
  const passed = { monitor: "cm-ams", ...test({ test: "icmp", result: "Pass" }) };

  it("says each failing test once, naming its monitor", () => {
    const lines = evidenceLines(
      {
        overall: "fail",
        tests: [failed, passed],
        failing: [
          "cm-ams/vnet-to-onprem/tcp-443: vnet-app → onprem-app-01:443 Fail, checks failed 100% — Destination port is not reachable",
        ],
      },
      false,
    );
    expect(lines).toEqual([
      "Overall: fail",
      "Test cm-ams/vnet-to-onprem/tcp-443: vnet-app → onprem-app-01:443 Fail, checks failed 100% — Destination port is not reachable",
      "Test cm-ams/vnet-to-onprem/icmp: vnet-app → onprem-app-01:443 Pass",
    ]);
  });

  it("still says the failing lines when the evidence has no tests to say them", () => {
    expect(
      evidenceLines({ overall: "fail", failing: ["cm-ams/web/https: a → b Fail"] }, false),
    ).toEqual(["Overall: fail", "Failing: cm-ams/web/https: a → b Fail"]);
  });
});

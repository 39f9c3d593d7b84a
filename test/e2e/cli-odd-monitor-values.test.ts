// Odd values in what Connection Monitor and Log Analytics send, through the
// REAL SDKs against the loopback estate and judged by the CLI's public JSON
// report: each costs at most its own circuit's end to end, and none hides a
// failing test or a stopped one behind "passes" or "no result".

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  startEstate,
  withConnectionMonitor,
  type EstateState,
  type SimConnectionMonitor,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { byName, sweepReport } from "../support/estate-cli.js";

const NAMES = ["er-ams", "er-fra", "er-lon"];

function estateOfThree(): EstateState {
  return estateOf(
    ...NAMES.map((name) => {
      const bundle = healthyCircuit({ name });
      withConnectionMonitor(bundle);
      return bundle;
    }),
  );
}

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(estateOfThree());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = estateOfThree();
});

const primary = (c: ReportCircuit) => c.peerings[0]!.paths.primary;
const monitorOf = (name: string): SimConnectionMonitor =>
  estate.state.connectionMonitors!.find((m) => m.name === `cm-${name}`)!;

/** The other circuits, in the same region and workspace, read as ever. */
function othersJudged(report: Awaited<ReturnType<typeof sweepReport>>["report"], odd: string) {
  for (const name of NAMES.filter((n) => n !== odd)) {
    const c = byName(report, name);
    expect(primary(c).endToEnd, name).toEqual({
      status: "up",
      detail: "1 test passes (RTT ≤ 14 ms)",
    });
    expect(c.findings, name).toEqual([]);
    expect(c.failedReads, name).toEqual([]);
  }
}

describe("a DestinationPort that is no port", () => {
  it.each([
    ["-1", -1],
    ["1.5", 1.5],
    ["1e308", 1e308],
    ["70000", 70_000],
  ])(
    "(%s) on a failing test's row: the Fail is still judged (e2e-warning), not taken for a removed endpoint",
    async (_what, port) => {
      const monitor = monitorOf("er-ams");
      const vnet = (monitor.endpoints[1] as { resourceId: string }).resourceId;
      monitor.endpoints.push({ name: "vm-db-01", type: "AzureVNet", resourceId: vnet });
      monitor.tests = [
        passingTest(),
        passingTest({
          destination: "vm-db-01",
          result: "Fail",
          checksFailed: 20,
          roundTripMs: null,
          port,
        }),
      ];
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).endToEnd).toEqual({ status: "warn", detail: "Warning: 1 of 2 tests" });
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["e2e-warning Sev2"]);
      const failing = c.findings[0]!.evidence["failing"];
      expect(failing).toEqual([
        "cm-er-ams/onprem-to-vnet/tcp-443: onprem-app-01 → vm-db-01 Fail, checks failed 100% (threshold 10%)",
      ]);
      othersJudged(report, "er-ams");
    },
  );
});

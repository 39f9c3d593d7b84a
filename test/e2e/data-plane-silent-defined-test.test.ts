// Users saw a circuit's end to end read "up — 1 test passes" with no
// finding while another test its Connection Monitor defines (another group,
// or the same test from another source) sent nothing to Log Analytics in the
// window: its on-premises agent had stopped. Only the rows returned were
// counted. Now each enabled test the monitor defines (and each source of its
// group, when the others answered under their endpoint names) with no row in
// the window is Indeterminate, "no result in the last N min": the row is not
// up and e2e-indeterminate opens, as the README and runbook say. Silence is
// judged only when the window covers the test's frequency (testFrequencySec)
// plus Log Analytics' ingestion delay; a frequency that cannot be read is
// taken at the longest. Real clients against the loopback estate.

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
import type { SimConnectionMonitor } from "../support/estate/model.js";
import { readersPerTest } from "../support/data-plane-readers.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf } = readersPerTest(NOW);

async function judge(
  tests: Parameters<typeof withConnectionMonitor>[1],
  wire?: SimConnectionMonitor["wire"],
) {
  const bundle = healthyCircuit();
  const monitor = withConnectionMonitor(bundle, tests);
  if (wire) monitor.wire = wire;
  const { reader, dataPlane } = await readersOn(estateOf(bundle));
  const reading = await readingOf(reader, circuitId(bundle.circuit));
  const got = await dataPlane.readEndToEnd(reading, options());
  if (!got?.ok) throw new Error(`expected a reading: ${JSON.stringify(got)}`);
  const { verdict } = evaluateCircuit(
    { ...reading, dataPlane: { endToEnd: got } },
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  );
  return { got, verdict };
}

describe("a defined test with no result in the window", () => {
  it("a whole test group silent (its source's agent stopped) beside one that passes is not 'up'", async () => {
    const { got, verdict } = await judge([
      passingTest(),
      // Defined by the monitor (its group and configuration are in ARM), but
      // Log Analytics has no row for it in the last 30 minutes.
      passingTest({
        testGroup: "dc2-to-vnet",
        test: "tcp-1433",
        source: "onprem-db-01",
        port: 1433,
        result: "none",
      }),
    ]);
    // erwatch read the definition: it knows dc2-to-vnet/tcp-1433 exists.
    expect(got.value.monitors[0]!.testGroups).toEqual([
      {
        name: "onprem-to-vnet",
        testConfigurations: ["tcp-443"],
        sources: ["onprem-app-01"],
        destinations: ["vm-app-01"],
      },
      {
        name: "dc2-to-vnet",
        testConfigurations: ["tcp-1433"],
        sources: ["onprem-db-01"],
        destinations: ["vm-app-01"],
      },
    ]);
    const cell = verdict.peerings[0]!.paths.primary.endToEnd;
    expect(cell).toEqual({
      status: "unknown",
      detail: "Indeterminate: 1 of 2 tests (1 with no result in the last 30 min)",
    });
    const finding = verdict.findings.find((f) => f.code === "e2e-indeterminate");
    expect(finding?.title).toMatch(
      /cannot judge 1 of 2 tests .* \(1 with no result in the last 30 min\)/,
    );
    expect(finding?.evidence["tests"]).toContainEqual(
      expect.objectContaining({
        testGroup: "dc2-to-vnet",
        test: "tcp-1433",
        source: "onprem-db-01",
        result: "Indeterminate",
        reason: "no result in the last 30 min (it runs every 30 s)",
        silent: true,
      }),
    );
  });

  it("one source of a test silent while the other source passes is not 'up'", async () => {
    const { verdict } = await judge([
      passingTest(),
      passingTest({ source: "onprem-app-02", result: "none" }),
    ]);
    const cell = verdict.peerings[0]!.paths.primary.endToEnd;
    expect(cell.status).toBe("unknown");
    const finding = verdict.findings.find((f) => f.code === "e2e-indeterminate");
    expect(finding?.evidence["tests"]).toContainEqual(
      expect.objectContaining({ test: "tcp-443", source: "onprem-app-02", silent: true }),
    );
  });

  // A destination of the group whose tests sent nothing (its VM deallocated,
  // say) while the same source's tests to another destination pass read "up".
  it("one destination of a test silent while another destination passes is not 'up'", async () => {
    const { got, verdict } = await judge([
      passingTest(),
      passingTest({ destination: "vm-db-01", result: "none" }),
    ]);
    expect(got.value.monitors[0]!.testGroups).toEqual([
      expect.objectContaining({ destinations: ["vm-app-01", "vm-db-01"] }),
    ]);
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail: "Indeterminate: 1 of 2 tests (1 with no result in the last 30 min)",
    });
    const finding = verdict.findings.find((f) => f.code === "e2e-indeterminate");
    expect(finding?.evidence["tests"]).toContainEqual(
      expect.objectContaining({
        test: "tcp-443",
        source: "?",
        destination: "vm-db-01",
        result: "Indeterminate",
        reason: "no result in the last 30 min (it runs every 30 s)",
        silent: true,
      }),
    );
  });

  // A test that runs every 30 minutes may rightly have no row in a 30-minute
  // window; one whose frequency cannot be read might be such a test.
  it.each([
    ["runs every 30 minutes", { value: 1800 }],
    ["has a frequency erwatch cannot read", { remove: true }],
  ])("a silent test that %s is not judged silent: no false alarm", async (_what, edit) => {
    const { verdict } = await judge(
      [
        passingTest(),
        passingTest({
          testGroup: "dc2-to-vnet",
          test: "tcp-1433",
          source: "onprem-db-01",
          result: "none",
        }),
      ],
      [{ read: "monitor", field: "properties.testConfigurations[1].testFrequencySec", ...edit }],
    );
    expect(verdict.peerings[0]!.paths.primary.endToEnd.status).toBe("up");
    expect(verdict.findings).toEqual([]);
  });
});

// Traffic stopped on one path while the path beside it carries nothing either
// (read down, or quiet) is a peering that carries nothing: Connection Monitor
// failing then is that stop's doing, one alert carrying the test results, as
// for a stop on both paths. It paged a second Sev1 (e2e-fail "redundancy is
// not carrying the traffic") beside the traffic-stopped Sev1 for one incident.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { MetricName } from "../../../src/core/dataplane/facts.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import type { PathName } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading, type CircuitSpec } from "../../support/readings.js";
import { dp, e2e, metrics, NOW, quiet, test, type Shape } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

const judge = (spec: CircuitSpec) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW).verdict;

/** The active path quiet for 20 min after carrying; the standby never carried. */
const failoverMissed: Shape = (metric: MetricName, _p, path: PathName, ago) =>
  metric.startsWith("Bits") && (path === "secondary" || ago < 20)
    ? 0
    : (undefined as unknown as null);

describe("end-to-end failing while one path is stopped and nothing else carries", () => {
  it.each<{ name: string; spec: CircuitSpec; expected: string[]; explained: boolean }>([
    {
      name: "primary stopped, secondary's session down: one Sev1, the stop's, carrying the tests",
      spec: {
        paths: { AzurePrivatePeering: { secondary: { bgp: "Active" } } },
        dataPlane: {
          ...dp.metrics(metrics(quiet(["primary", "secondary"], 20))),
          ...dp.e2e(e2e([test("Fail")])),
        },
      },
      expected: ["bgp-down Sev2 secondary", "traffic-stopped Sev1 primary"],
      explained: true,
    },
    {
      name: "the standby quiet after the active path went down: the failover that did not happen",
      spec: {
        settings: { standbyPath: "secondary" },
        paths: { AzurePrivatePeering: { primary: { bgp: "Active" } } },
        dataPlane: { ...dp.metrics(metrics(failoverMissed)), ...dp.e2e(e2e([test("Fail")])) },
      },
      expected: ["bgp-down Sev2 primary", "traffic-stopped Sev1 secondary"],
      explained: true,
    },
    {
      name: "primary stopped beside a secondary that never carried (quiet too): a Warning folds in",
      spec: {
        dataPlane: {
          ...dp.metrics(
            metrics((m, _p, path, ago) =>
              m.startsWith("Bits") && (path === "secondary" || ago < 20)
                ? 0
                : (undefined as unknown as null),
            ),
          ),
          ...dp.e2e(e2e([test("Fail"), test("Pass", { test: "tcp-22" })])),
        },
      },
      expected: ["traffic-stopped Sev1 primary"],
      explained: true,
    },
    {
      // The other path carries: the stop explains nothing, the tests fail past the circuit.
      name: "primary stopped while the secondary carries: e2e-fail stays its own alert",
      spec: {
        dataPlane: {
          ...dp.metrics(metrics(quiet(["primary"], 20))),
          ...dp.e2e(e2e([test("Fail")])),
        },
      },
      expected: ["traffic-stopped Sev2 primary", "e2e-fail Sev1 primary+secondary"],
      explained: false,
    },
  ])("$name", ({ spec, expected, explained }) => {
    const v = judge(spec);
    expect(v.findings.map((f) => `${f.code} ${f.severity} ${f.paths.join("+")}`)).toEqual(expected);
    const stop = v.findings.find((f) => f.code === "traffic-stopped")!;
    expect(stop.evidence["endToEnd"] !== undefined).toBe(explained);
    if (explained)
      expect(v.peerings[0]!.paths.primary.endToEnd.detail).toMatch(
        /explained by .*traffic-stopped/,
      );
  });
});

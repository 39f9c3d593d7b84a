// A path down beside a path that is Established but carries nothing: the path
// down's title was judged on the control plane alone and said "redundancy
// holding (primary Established, 120 prefixes)" beside the Sev1 saying nothing
// carries the peering. Its words follow the traffic; where the other path
// carries, they stay.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading, type CircuitSpec } from "../../support/readings.js";
import { dp, metrics, NOW, quiet } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

const titles = (spec: CircuitSpec) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW).verdict.findings.map(
    (f) => `${f.code} ${f.severity}: ${f.title}`,
  );

describe("a path down beside a path that carries nothing", () => {
  it("does not say redundancy holds", () => {
    const got = titles({
      paths: { AzurePrivatePeering: { secondary: { bgp: "Active" } } },
      dataPlane: dp.metrics(metrics(quiet(["primary", "secondary"], 20))),
    });
    expect(got).toContainEqual(
      "bgp-down Sev2: BGP Active on the secondary path of AzurePrivatePeering — redundancy not holding: the primary path is Established but carries no traffic",
    );
    expect(got.join("\n")).not.toMatch(/redundancy holding/);
    expect(got.filter((t) => t.startsWith("traffic-stopped Sev1"))).toHaveLength(1);
  });

  it("says it holds while the other path carries", () => {
    const got = titles({
      paths: { AzurePrivatePeering: { secondary: { bgp: "Active" } } },
      dataPlane: dp.metrics(metrics(quiet(["secondary"], 20))),
    });
    expect(got).toEqual([
      "bgp-down Sev2: BGP Active on the secondary path of AzurePrivatePeering — redundancy holding (primary Established, 120 prefixes)",
    ]);
  });
});

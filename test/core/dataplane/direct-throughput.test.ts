// An ExpressRoute Direct circuit rides a port of your own (10 or 100 Gbps per
// link) and is rate-limited to its bandwidth only when you enable rate
// limiting: a 1 Gbps circuit on a 10 Gbps port can carry several Gbps on a
// link. Such minutes are traffic (and saturation), never values "the circuit
// cannot carry": taken for a gap they left the capacity row unknown, raised a
// monitoring-blind finding and hid the saturation.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { withoutImpossibleThroughput } from "../../../src/core/dataplane/plausible.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading, type CircuitSpec } from "../../support/readings.js";
import { dp, metrics, NOW, quiet } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

const judge = (spec: CircuitSpec) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW).verdict;

// The fixture's circuit is 1,000 Mbps; 2.5 Gbps both ways on the primary for the whole look-back.
const busy = () => metrics(quiet(["primary"], 60, 2.5e9));

describe("throughput past twice the bandwidth", () => {
  it("on an ExpressRoute Direct circuit is traffic, judged as saturation, with no monitoring-blind", () => {
    const v = judge({ direct: true, dataPlane: dp.metrics(busy()) });
    expect(v.findings.map((f) => `${f.code} ${f.severity} ${f.paths.join("+")}`)).toEqual([
      "saturation Sev3 primary",
    ]);
    expect(v.peerings[0]!.paths.primary.capacity).toMatchObject({
      status: "warn",
      detail: "in ≥ 250% · out ≥ 250% of 1 Gbps for 15 min",
    });
    expect(v.peerings[0]!.notes ?? []).toEqual([]);
  });

  it("on a provider circuit, rate-limited to its bandwidth per link, is a named gap", () => {
    const v = judge({ dataPlane: dp.metrics(busy()) });
    expect(v.findings.map((f) => f.code)).toContain("monitoring-blind");
    expect(v.findings.map((f) => f.code)).not.toContain("saturation");
  });

  it("is left as sent by the plausibility filter for a Direct circuit only", () => {
    const m = busy();
    expect(withoutImpossibleThroughput(m, 1000, { direct: true })).toBe(m);
    expect(withoutImpossibleThroughput(m, 1000).odd?.length).toBeGreaterThan(0);
  });
});

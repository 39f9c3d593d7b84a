// On a paired circuit (erwatch:pair) the Microsoft peering went down on both
// paths while its private peering carried the site. On-call saw Sev1 "BGP
// session down … — site redundancy holding (pair ams: er-ams-2 carrying
// traffic)": gradeForPair took any Sev0 path-down finding for the loss of the
// whole circuit and judged it by the partner's private peering, which carries
// none of the Microsoft peering's traffic (Microsoft 365, PaaS public
// endpoints). Now only a whole-circuit loss is graded by the pair
// (provider-not-provisioned, or the private peering down on both paths): the
// Microsoft peering down on both paths stays Sev0.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { PairContext } from "../../src/core/pairs.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, microsoftPeering, peering } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };

const partnerCarrying: PairContext = {
  name: "ams",
  partners: [{ id: "/c/er-ams-2", name: "er-ams-2", status: "carrying", traffic: "carrying" }],
};

describe("a pair does not grade one peering's outage as a whole-circuit loss", () => {
  it("the Microsoft peering down on both paths stays Sev0 while the private peering is fine", () => {
    const reading = circuitReading({
      peerings: [peering(), microsoftPeering("Configured")],
      settings: {
        expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"],
        pair: "ams",
      },
      paths: {
        // This circuit's private peering carries (healthy); only Microsoft peering is down.
        MicrosoftPeering: { primary: { bgp: "Active" }, secondary: { bgp: "Active" } },
      },
    });
    const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, NOW, {
      pair: partnerCarrying,
    });
    const ms = verdict.findings.find(
      (f) => f.peering === "MicrosoftPeering" && f.code === "bgp-down",
    );
    expect(ms).toBeDefined();
    expect(ms!.severity).toBe("Sev0");
    expect(ms!.title).not.toMatch(/site redundancy holding/);
  });
});

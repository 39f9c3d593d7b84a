// The gateway and Global Reach rows above a broken layer say "held: …" while
// their connection is still down. Their alerts were held only up to the
// source's severity: one more severe than the outage beneath (a Sev1 gateway
// alert over a Sev3 peering nobody expected, Disabled) resolved beside a row
// naming that outage as what holds it. Its resolve is held now, whatever the
// severities; what it would newly say is not.

import { describe, expect, it } from "vitest";
import { inhibitions, type ActiveAlert } from "../../src/core/inhibit.js";
import type { AlertFamily, FindingCode, PathName, Severity } from "../../src/core/model.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er";
const BOTH: PathName[] = ["primary", "secondary"];

const alert = (
  key: string,
  family: AlertFamily,
  code: FindingCode,
  severity: Severity,
  peering: string | null = "AzurePrivatePeering",
  paths: PathName[] = BOTH,
): ActiveAlert => ({
  key,
  family,
  code,
  severity,
  circuitId: CIRCUIT,
  peering,
  paths,
  active: true,
});

describe("the outage beneath a gateway or Global Reach alert more severe than it", () => {
  it.each<{ name: string; source: ActiveAlert; rule: string }>([
    {
      name: "a peering nobody expected, Disabled (Sev3)",
      source: alert("beneath", "peering-config", "peering-disabled", "Sev3"),
      rule: "a missing or disabled peering keeps the gateway and Global Reach alerts above it open",
    },
    {
      name: "a circuit its carrier never provisioned (Sev3)",
      source: alert("beneath", "provider", "provider-not-provisioned", "Sev3", null),
      rule: "the provider not provisioned keeps the gateway and Global Reach alerts above it open",
    },
    {
      name: "both paths down on a circuit of low criticality (Sev2)",
      source: alert("beneath", "path-down", "bgp-down", "Sev2"),
      rule: "both paths down keeps the gateway and Global Reach alerts above them open",
    },
  ])(
    "$name holds only the resolve of a Sev1 gateway and Global Reach alert",
    ({ source, rule }) => {
      const gateway = alert("gw", "gateway", "gateway-not-connected", "Sev1");
      const reach = alert("gr", "global-reach", "global-reach-down", "Sev1");
      const held = inhibitions([source, gateway, reach]);
      const hold = { by: "beneath", rule, only: "resolve", severity: source.severity };
      expect(held.get("gw")).toEqual(hold);
      expect(held.get("gr")).toEqual(hold);
    },
  );

  it("at or below the source's severity, everything is held as before", () => {
    const source = alert("beneath", "peering-config", "peering-disabled", "Sev0");
    const held = inhibitions([source, alert("gw", "gateway", "gateway-not-connected", "Sev1")]);
    expect(held.get("gw")).toEqual({
      by: "beneath",
      rule: "a missing or disabled peering holds what rides on it",
      severity: "Sev0",
    });
  });

  it("a path down on one path, or another peering's outage, holds nothing above", () => {
    const gateway = alert("gw", "gateway", "gateway-not-connected", "Sev1");
    const held = inhibitions([
      alert("one", "path-down", "bgp-down", "Sev2", "AzurePrivatePeering", ["primary"]),
      alert("other", "peering-config", "peering-disabled", "Sev3", "MicrosoftPeering"),
      gateway,
    ]);
    expect(held.has("gw")).toBe(false);
  });
});

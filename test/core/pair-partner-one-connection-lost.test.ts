// Found by a review of the pair change that reads a partner "down" when its
// private peering's gateway row is down: the row was down for a lost
// connection even while another of the partner's connections was Connected
// (a hub carrying the site's VNets, a DR hub's connection dropped). This
// circuit losing both private paths then paged Sev0 "the site is cut off".
// The row is amber (warn) while another connection is Connected: the partner
// carries, and its own Sev1 names the lost connection.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { siteStatusOfVerdict, type PairContext } from "../../src/core/pairs.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { CONNECTED_GATEWAY, circuitReading, ok } from "../support/readings.js";

const T0 = new Date("2026-11-22T02:00:00.000Z");
const T1 = new Date("2026-11-22T02:05:00.000Z");
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const settings = { pair: "ams" };

const hub = {
  ...CONNECTED_GATEWAY[0]!,
  gatewayId:
    "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/ergw-hub",
};
const dr = {
  ...hub,
  id: "/subscriptions/x/resourceGroups/rg-dr/providers/Microsoft.Network/connections/conn-er-dr",
  name: "conn-er-dr",
  gatewayId:
    "/subscriptions/x/resourceGroups/rg-dr/providers/Microsoft.Network/virtualNetworkGateways/ergw-dr",
};

describe("a partner that lost one of two gateway connections still carries the site", () => {
  it("is not 'down', and this circuit's loss is not 'the site is cut off'", () => {
    const first = evaluateCircuit(
      circuitReading({ settings, gateway: ok([hub, dr]) }),
      null,
      [],
      [],
      POLICY,
      T0,
    );
    const partner = evaluateCircuit(
      circuitReading({ settings, gateway: ok([hub, { ...dr, status: "NotConnected" }]) }),
      first.snapshot,
      first.changes,
      [],
      POLICY,
      T1,
    );
    // The partner pages its own Sev1 for the DR connection; its hub connection is Connected.
    expect(partner.verdict.findings.find((f) => f.code === "gateway-not-connected")?.severity).toBe(
      "Sev1",
    );
    const status = siteStatusOfVerdict(partner.verdict);

    const pair: PairContext = {
      name: "ams",
      partners: [{ id: "/c/er-ams-2", name: "er-ams-2", status, traffic: "unknown" }],
    };
    const down = { arp: "empty", bgp: "Idle" } as const;
    const { verdict } = evaluateCircuit(
      circuitReading({
        settings,
        paths: { AzurePrivatePeering: { primary: down, secondary: down } },
      }),
      null,
      [],
      [],
      POLICY,
      T1,
      { pair },
    );
    const graded = verdict.findings.find((f) => f.evidence["pair"] !== undefined);
    expect(graded?.title).not.toMatch(/the site is cut off/);
    expect(status).toBe("carrying");
  });
});

// On a provider-managed (IPVPN) circuit the carrier runs the layer-3 edge:
// they configured the peering's VLAN and /30 and run the router on its
// on-premises end. On-call saw an on-prem ARP entry missing or Incomplete
// there graded "shared" with "Your side first: … check your edge router's
// sub-interface for VLAN 200 and its address", sent to a router they do not
// have while the carrier ticket waited as a fallback. Now the break is the
// carrier's: the next action leads with the ticket and asks the carrier to
// check their router's sub-interface. On your own edge it stays shared (your
// VLAN tag or /30 first); on ExpressRoute Direct there is no carrier.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { ConnectivityModel } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, type PathSpec } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };

describe("layer 2 down: the on-prem end's owner follows the connectivity model", () => {
  it.each<{
    name: string;
    model: ConnectivityModel;
    direct?: boolean;
    primary?: PathSpec;
    secondary?: PathSpec;
    brief: string;
    next: RegExp;
    never: RegExp | null;
    ticket: boolean;
  }>([
    {
      name: "provider-managed, on-prem entry Incomplete: the carrier's, ticket first",
      model: "provider-managed",
      secondary: { arp: "incomplete", bgp: "Idle" },
      brief: "carrier Sev2 secondary",
      next: /^Open a ticket with Equinix for the secondary path \(service key .*\); the ticket text is attached\. .*Only one side resolves: on this provider-managed circuit Equinix runs the on-premises end of the peering, so ask them in the ticket to check their router's sub-interface for VLAN 200 and its address \(secondary: 192\.168\.10\.21\)/,
      never: /your edge router|Your side first|your router/,
      ticket: true,
    },
    {
      name: "provider-managed, only the Microsoft side resolves: the carrier's, ticket first",
      model: "provider-managed",
      primary: { arp: "microsoft-only", bgp: "Idle" },
      brief: "carrier Sev2 primary",
      next: /^Open a ticket with Equinix for the primary path.*their router's sub-interface for VLAN 200 and its address \(primary: 192\.168\.10\.17\)/,
      never: /your edge router|Your side first|your router/,
      ticket: true,
    },
    {
      name: "provider-managed, both paths Incomplete: Sev0, the carrier's",
      model: "provider-managed",
      primary: { arp: "incomplete", bgp: "Active" },
      secondary: { arp: "incomplete", bgp: "Active" },
      brief: "carrier Sev0 primary+secondary",
      next: /^Open a ticket with Equinix for the primary and secondary path.*\(primary: 192\.168\.10\.17, secondary: 192\.168\.10\.21\)/,
      never: /your edge router|Your side first|your router/,
      ticket: true,
    },
    {
      name: "provider-managed, one path empty and the other Incomplete: the half-formed hint goes to the carrier",
      model: "provider-managed",
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "incomplete", bgp: "Idle" },
      brief: "carrier Sev0 primary+secondary",
      next: /^Open a ticket with Equinix.*Only one side resolves: on this provider-managed circuit Equinix runs/,
      never: /your router/,
      ticket: true,
    },
    {
      name: "provider-managed, empty table: the carrier's, no on-prem hint",
      model: "provider-managed",
      primary: { arp: "empty", bgp: "Idle" },
      brief: "carrier Sev2 primary",
      next: /^Open a ticket with Equinix for the primary path .*Do not change router or gateway configuration\.$/,
      never: /Only one side resolves/,
      ticket: true,
    },
    {
      name: "own edge, on-prem entry Incomplete: still shared, your VLAN tag and /30 first",
      model: "own-edge",
      secondary: { arp: "incomplete", bgp: "Idle" },
      brief: "shared Sev2 secondary",
      next: /^Your side first: .*your edge router's sub-interface for VLAN 200 .*secondary: 192\.168\.10\.21.*open a ticket with Equinix/,
      never: null,
      ticket: true,
    },
    {
      name: "own edge, one path empty and the other Incomplete: the carrier's, your interface checked first",
      model: "own-edge",
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "incomplete", bgp: "Idle" },
      brief: "carrier Sev0 primary+secondary",
      next: /^Open a ticket with Equinix.*Only one side resolves: first confirm your router's interface is up/,
      never: /provider-managed/,
      ticket: true,
    },
    {
      name: "ExpressRoute Direct, whatever the model says: yours, no carrier",
      model: "provider-managed",
      direct: true,
      primary: { arp: "incomplete", bgp: "Idle" },
      brief: "you Sev2 primary",
      next: /^ExpressRoute Direct: no carrier/,
      never: /ticket with/,
      ticket: false,
    },
  ])("$name", ({ model, direct, primary, secondary, brief, next, never, ticket }) => {
    const { verdict } = evaluateCircuit(
      circuitReading({
        direct,
        settings: { connectivityModel: model },
        paths: {
          AzurePrivatePeering: {
            ...(primary ? { primary } : {}),
            ...(secondary ? { secondary } : {}),
          },
        },
      }),
      null,
      [],
      [],
      POLICY,
      NOW,
    );
    const f = verdict.findings.find((x) => x.code === "arp-missing");
    expect(f).toBeDefined();
    expect(`${f!.owner} ${f!.severity} ${f!.paths.join("+")}`).toBe(brief);
    expect(f!.nextAction).toMatch(next);
    if (never) expect(f!.nextAction).not.toMatch(never);
    expect(f!.ticket !== undefined).toBe(ticket);
    if (ticket) expect(f!.ticket).toContain("Service key:");
  });
});

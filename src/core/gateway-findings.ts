// The gateway wiring's finding, read from its assessment (wiring.ts). Wiring
// that was Connected and is not any more has stopped VNet traffic: Sev1
// whatever the configured grade, per connection as well as for the peering
// as a whole. Wiring never seen Connected is the configured grade (Sev3 by
// default). One finding per peering, so one alert: a second connection lost
// while the first is still out is the same incident, named in it.

import type { CircuitSettings, Finding, PeeringFacts, Severity } from "./model.js";
import { PATHS } from "./model.js";
import { severityRank } from "./severity.js";
import type { GatewayAssessment, LostConnection } from "./wiring.js";

const atLeastSev1 = (severity: Severity): Severity =>
  severityRank(severity) > severityRank("Sev1") ? "Sev1" : severity;

const gatewayName = (c: LostConnection) => c.gatewayId?.split("/").pop() ?? null;

function lostPart(c: LostConnection): string {
  const gateway = gatewayName(c);
  return `${c.name}${gateway ? ` (gateway ${gateway})` : ""} ${c.status === null ? "is gone" : `is ${c.status}`}`;
}

function lostAction(c: LostConnection): string {
  const on = gatewayName(c) ? `gateway ${gatewayName(c)}` : "its gateway";
  return c.status === null
    ? `${c.name} was deleted or moved: look in the activity log of its resource group and recreate it between ${on} and this circuit (a deletion on purpose pages too: silence the alert, or tag the circuit erwatch:expect-gateway=false for one sweep so erwatch forgets which connections were Connected).`
    : `Check ${on}'s health and ${c.name}'s authorization key; the circuit itself is fine.`;
}

function lostFinding(
  peering: PeeringFacts,
  wiring: Extract<GatewayAssessment, { state: "lost" }>,
  severity: Severity,
): Finding {
  const { lost, connected, connections } = wiring;
  const one = lost.length === 1;
  const others =
    connected > 0
      ? `; ${connected} other connection${connected === 1 ? " is" : "s are"} still Connected`
      : "";
  const behind = [...new Set(lost.map((c) => gatewayName(c) ?? `${c.name}'s gateway`))];
  return {
    code: "gateway-not-connected",
    layer: "gateway",
    owner: "you",
    severity: atLeastSev1(severity),
    peering: peering.name,
    paths: [...PATHS],
    title: `VNet traffic stopped: gateway connection${one ? "" : "s"} ${lost.map(lostPart).join(", ")}; ${one ? "it was" : "each was"} Connected at an earlier sweep${others}`,
    evidence: { connections, lost, wasConnected: true },
    nextAction: `Virtual networks behind ${behind.join(", ")} cannot reach on-premises meanwhile. ${lost.map(lostAction).join(" ")}`,
  };
}

/**
 * No gateway connection is Connected, or one that was is not any more.
 * `wasConnected`: the peering's wiring as a whole was Connected before
 * (what snapshots kept before each connection was remembered).
 */
export function gatewayFinding(
  peering: PeeringFacts,
  wiring: GatewayAssessment,
  settings: CircuitSettings,
  severity: Severity,
  wasConnected = false,
): Finding | null {
  if (!settings.expectGateway) return null;
  if (wiring.state === "lost") return lostFinding(peering, wiring, severity);
  if (wiring.state !== "none" && wiring.state !== "not-connected") return null;
  const { connections } = wiring;
  const none = wiring.state === "none";
  return {
    code: "gateway-not-connected",
    layer: "gateway",
    owner: "you",
    severity: wasConnected ? atLeastSev1(severity) : severity,
    peering: peering.name,
    paths: [...PATHS],
    title: none
      ? wasConnected
        ? `VNet traffic stopped: the circuit's gateway connection is gone (it was Connected at an earlier sweep)`
        : "Circuit is not wired to any ExpressRoute gateway: no virtual network can use it"
      : `${wasConnected ? "VNet traffic stopped: no" : "No"} gateway connection is Connected (${connections.map((c) => `${c.name}: ${c.status}`).join(", ")})${wasConnected ? "; it was Connected at an earlier sweep" : ""}`,
    evidence: { connections, wasConnected },
    nextAction: none
      ? wasConnected
        ? "The connection between your ExpressRoute gateway and this circuit was deleted or moved: look in the activity log of the gateway's resource group and recreate it; virtual networks behind the gateway cannot reach on-premises meanwhile."
        : "Create the connection between your ExpressRoute gateway and this circuit (connection type ExpressRoute); if it exists in a subscription erwatch does not watch, add that subscription to ERWATCH_SUBSCRIPTIONS; if the circuit only serves Global Reach, tag it erwatch:expect-gateway=false."
      : "Check the gateway's health and the connection's authorization key; the circuit itself is fine.",
  };
}

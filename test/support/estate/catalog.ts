// One circuit per scenario, named after its key: the seed's six root causes
// (provider, layer 2, BGP, peering, route advertisement, gateway), their
// impostors, and the limits. Each is a healthy circuit plus the mutators that
// make it the scenario, so it differs from healthy in exactly that fact.

import {
  healthyCircuit,
  estateOf,
  type CircuitBundle,
  type HealthyCircuitOptions,
} from "./builders.js";
import type { EstateState, SimCircuit } from "./model.js";
import {
  carrierDown,
  peeringOf,
  removePeering,
  setArp,
  setBgpState,
  setConnectionStatus,
  setPeeringState,
  setPrefixes,
  setProviderState,
  setPublicPrefixesState,
} from "./mutators.js";
import { generatedRoutes } from "./wire.js";

const PRIVATE = "AzurePrivatePeering";
const BOTH = ["primary", "secondary"] as const;

function scenario(
  name: string,
  options: Omit<HealthyCircuitOptions, "name"> = {},
  shape: (circuit: SimCircuit, estate: EstateState, bundle: CircuitBundle) => void = () => {},
): () => EstateState {
  return () => {
    const bundle = healthyCircuit({ ...options, name });
    const estate = estateOf(bundle);
    shape(bundle.circuit, estate, bundle);
    return estate;
  };
}

export const scenarioCatalog: Record<string, () => EstateState> = {
  healthy: scenario("healthy"),

  // Root cause 1: the provider has not (or no longer) lit its side.
  "provider-not-provisioned": scenario("provider-not-provisioned", {}, (c) => {
    setProviderState(c, "NotProvisioned");
    for (const path of BOTH) carrierDown(c, PRIVATE, path);
  }),

  // Root cause 2: layer 2, the carrier's segment.
  "carrier-down-both": scenario("carrier-down-both", {}, (c) => {
    for (const path of BOTH) carrierDown(c, PRIVATE, path);
  }),
  "carrier-maintenance-secondary": scenario("carrier-maintenance-secondary", {}, (c) => {
    carrierDown(c, PRIVATE, "secondary");
  }),
  // On-prem not answering ARP (wrong VLAN or IP on your router): the MSEE keeps
  // trying TCP, so the session sits in Active rather than Idle.
  "arp-microsoft-only-primary": scenario("arp-microsoft-only-primary", {}, (c) => {
    setArp(c, PRIVATE, "primary", "microsoft-only");
    setBgpState(c, PRIVATE, "primary", "Active");
  }),
  "arp-incomplete-secondary": scenario("arp-incomplete-secondary", {}, (c) => {
    setArp(c, PRIVATE, "secondary", "incomplete");
    setBgpState(c, PRIVATE, "secondary", "Active");
  }),

  // Root cause 3: BGP, with layer 2 healthy in every case.
  "bgp-idle-both": scenario("bgp-idle-both", {}, (c) => {
    for (const path of BOTH) setBgpState(c, PRIVATE, path, "Idle");
  }),
  "bgp-active-primary": scenario("bgp-active-primary", {}, (c) => {
    setBgpState(c, PRIVATE, "primary", "Active");
  }),
  "bgp-connect-both": scenario("bgp-connect-both", {}, (c) => {
    for (const path of BOTH) setBgpState(c, PRIVATE, path, "Connect");
  }),
  "bgp-opensent-secondary": scenario("bgp-opensent-secondary", {}, (c) => {
    setBgpState(c, PRIVATE, "secondary", "OpenSent");
  }),
  "bgp-openconfirm-both": scenario("bgp-openconfirm-both", {}, (c) => {
    for (const path of BOTH) setBgpState(c, PRIVATE, path, "OpenConfirm");
  }),
  // The carrier runs layer 3: the same BGP failure belongs to someone else.
  "provider-managed-bgp-down": scenario(
    "provider-managed-bgp-down",
    { tags: { "erwatch:connectivity-model": "provider-managed" } },
    (c) => {
      for (const path of BOTH) setBgpState(c, PRIVATE, path, "Idle");
    },
  ),

  // Root cause 4: the peering itself.
  "peering-missing": scenario("peering-missing", {}, (c) => removePeering(c, PRIVATE)),
  // An administratively disabled peering: its sub-interface is shut.
  "peering-disabled": scenario("peering-disabled", {}, (c) => {
    setPeeringState(c, PRIVATE, "Disabled");
    for (const path of BOTH) {
      setArp(c, PRIVATE, path, "empty");
      setBgpState(c, PRIVATE, path, "Idle (Admin)");
    }
  }),
  "microsoft-validation-pending": scenario(
    "microsoft-validation-pending",
    { microsoftPeering: true },
    (c) => setPublicPrefixesState(c, "ValidationNeeded"),
  ),
  "microsoft-configuring": scenario("microsoft-configuring", { microsoftPeering: true }, (c) =>
    setPublicPrefixesState(c, "Configuring"),
  ),
  "global-reach-down": scenario("global-reach-down", {}, (c) => {
    const dr = `/subscriptions/${c.subscriptionId}/resourceGroups/rg-hybrid-dr/providers/Microsoft.Network/expressRouteCircuits`;
    peeringOf(c, PRIVATE).globalReach.push(
      {
        name: "gr-to-er-circuit-dr",
        peerCircuitPeeringId: `${dr}/er-circuit-dr/peerings/${PRIVATE}`,
        status: "Connected",
      },
      {
        name: "gr-to-er-circuit-apac",
        peerCircuitPeeringId: `${dr}/er-circuit-apac/peerings/${PRIVATE}`,
        status: "Disconnected",
      },
    );
  }),

  // Root cause 5: route advertisement (the seed's 2 a.m. incident is "zero-prefixes-both").
  "zero-prefixes-both": scenario("zero-prefixes-both", {}, (c) => {
    for (const path of BOTH) setPrefixes(c, PRIVATE, path, 0);
  }),
  "zero-prefixes-primary": scenario("zero-prefixes-primary", {}, (c) =>
    setPrefixes(c, PRIVATE, "primary", 0),
  ),
  "prefix-near-limit": scenario("prefix-near-limit", { skuTier: "Standard", prefixes: 3300 }),
  "prefix-critical": scenario("prefix-critical", { skuTier: "Standard", prefixes: 3850 }),
  "prefix-premium": scenario("prefix-premium", { skuTier: "Premium", prefixes: 9600 }),

  // Root cause 5b: the gateway side, which every circuit read shows as healthy.
  "gateway-missing": scenario("gateway-missing", { gateway: "none" }),
  "gateway-not-connected": scenario("gateway-not-connected", {}, (_c, estate) =>
    setConnectionStatus(estate, "gateway-not-connected", "NotConnected"),
  ),
  "vwan-healthy": scenario("vwan-healthy", { gateway: "vwan" }),

  // Root cause 6 and the impostors: every layer healthy; erwatch must not invent a circuit fault.
  "asymmetric-routing": scenario("asymmetric-routing", {}, (c) => {
    const peering = peeringOf(c, PRIVATE);
    // Primary is preferred on-prem; secondary is AS-path prepended, so the two
    // directions can pick different links after a failover.
    peering.paths.primary.routes = generatedRoutes(peering.paths.primary).map((r) => ({
      ...r,
      locPrf: "200",
    }));
    peering.paths.secondary.routes = generatedRoutes(peering.paths.secondary).map((r) => ({
      ...r,
      locPrf: "100",
      path: `${r.path} ${r.path} ${r.path}`,
    }));
  }),
  "dns-impostor": scenario("dns-impostor"),
  "nsg-impostor": scenario("nsg-impostor"),

  // Broken underneath, so a test can prove the tag (and not health) kept it quiet.
  ignored: scenario("ignored", { tags: { "erwatch:ignore": "true" } }, (c) => {
    for (const path of BOTH) carrierDown(c, PRIVATE, path);
  }),
};

/** Every catalog circuit in one estate (names are unique, so they coexist). */
export function wholeCatalog(): EstateState {
  const parts = Object.values(scenarioCatalog).map((build) => build());
  return {
    circuits: parts.flatMap((p) => p.circuits),
    connections: parts.flatMap((p) => p.connections),
    vwanGateways: parts.flatMap((p) => p.vwanGateways),
    vnetGateways: parts.flatMap((p) => p.vnetGateways ?? []),
    connectionMonitors: parts.flatMap((p) => p.connectionMonitors ?? []),
  };
}

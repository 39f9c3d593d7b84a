// Scenario builders: pure, deterministic data (ids and keys derive from
// names). A healthy circuit is the starting point; every broken scenario is a
// healthy one with mutators applied, so "broken" differs from "healthy" in
// exactly the fact the scenario is about.

import { circuitId, seedOf, stableUuid, virtualNetworkGatewayId } from "./ids.js";
import type {
  EstateState,
  SimCircuit,
  SimConnection,
  SimConnectionMonitor,
  SimPeering,
  SimTest,
  SimVnetGateway,
  SimVwanGateway,
} from "./model.js";
import { healthyPath } from "./paths.js";

export const DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
export const DEFAULT_RESOURCE_GROUP = "rg-hybrid-core";
export const DEFAULT_LOCATION = "westeurope";
export const DEFAULT_CIRCUIT = "er-circuit-prod";
export const DEFAULT_PREFIXES = 120;
export const PEER_ASN = 65010;
export const MICROSOFT_PEERING_ASN = 64500;

export interface CircuitBundle {
  circuit: SimCircuit;
  connections: SimConnection[];
  vwanGateways: SimVwanGateway[];
  /** The VNet gateway a `vnet` circuit is connected to (its VNet is what Connection Monitor tests). */
  vnetGateways?: SimVnetGateway[];
  connectionMonitors?: SimConnectionMonitor[];
}

export interface HealthyCircuitOptions {
  name?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  skuTier?: string;
  prefixes?: number;
  tags?: Record<string, string>;
  microsoftPeering?: boolean;
  gateway?: "vnet" | "vwan" | "none";
  /** Connectivity provider and peering location (default Equinix at Amsterdam): outages group by them. */
  serviceProviderName?: string;
  peeringLocation?: string;
}

export function privatePeering(seed: string, prefixes: number): SimPeering {
  const peering: SimPeering = {
    name: "AzurePrivatePeering",
    state: "Enabled",
    peerASN: PEER_ASN,
    primaryPeerAddressPrefix: "192.168.10.16/30",
    secondaryPeerAddressPrefix: "192.168.10.20/30",
    vlanId: 200,
    globalReach: [],
    peerConnections: [],
    paths: { primary: { arp: [], neighbors: [] }, secondary: { arp: [], neighbors: [] } },
  };
  peering.paths = {
    primary: healthyPath(seed, peering, "primary", prefixes),
    secondary: healthyPath(seed, peering, "secondary", prefixes),
  };
  return peering;
}

/** Microsoft peering with validated public prefixes; each session carries one route per prefix. */
export function microsoftPeering(seed: string): SimPeering {
  const advertisedPublicPrefixes = ["203.0.113.0/26", "203.0.113.64/26", "203.0.113.128/26"];
  const peering: SimPeering = {
    name: "MicrosoftPeering",
    state: "Enabled",
    peerASN: MICROSOFT_PEERING_ASN,
    primaryPeerAddressPrefix: "198.51.100.0/30",
    secondaryPeerAddressPrefix: "198.51.100.4/30",
    vlanId: 300,
    microsoft: { advertisedPublicPrefixes, advertisedPublicPrefixesState: "Configured" },
    globalReach: [],
    peerConnections: [],
    paths: { primary: { arp: [], neighbors: [] }, secondary: { arp: [], neighbors: [] } },
  };
  peering.paths = {
    primary: healthyPath(seed, peering, "primary", advertisedPublicPrefixes.length),
    secondary: healthyPath(seed, peering, "secondary", advertisedPublicPrefixes.length),
  };
  return peering;
}

export function healthyCircuit(options: HealthyCircuitOptions = {}): CircuitBundle {
  const name = options.name ?? DEFAULT_CIRCUIT;
  const subscriptionId = options.subscriptionId ?? DEFAULT_SUBSCRIPTION;
  const resourceGroup = options.resourceGroup ?? DEFAULT_RESOURCE_GROUP;
  const location = options.location ?? DEFAULT_LOCATION;
  const seed = seedOf({ subscriptionId, resourceGroup, name });
  const peerings = [privatePeering(seed, options.prefixes ?? DEFAULT_PREFIXES)];
  if (options.microsoftPeering) peerings.push(microsoftPeering(seed));

  const circuit: SimCircuit = {
    subscriptionId,
    resourceGroup,
    name,
    location,
    tags: { ...(options.tags ?? {}) },
    skuTier: options.skuTier ?? "Standard",
    skuFamily: "MeteredData",
    bandwidthInMbps: 1000,
    serviceKey: stableUuid(`serviceKey:${seed}`),
    serviceProviderName: options.serviceProviderName ?? "Equinix",
    peeringLocation: options.peeringLocation ?? "Amsterdam",
    circuitProvisioningState: "Enabled",
    serviceProviderProvisioningState: "Provisioned",
    peerings,
  };

  const id = circuitId(circuit);
  const connections: SimConnection[] = [];
  const vwanGateways: SimVwanGateway[] = [];
  const vnetGateways: SimVnetGateway[] = [];
  const gateway = options.gateway ?? "vnet";
  if (gateway === "vnet") {
    vnetGateways.push({
      subscriptionId,
      resourceGroup,
      name: `ergw-${name}`,
      location,
      vnetId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet-${name}`,
    });
    connections.push({
      subscriptionId,
      resourceGroup,
      name: `conn-${name}`,
      location,
      circuitId: id,
      gatewayId: virtualNetworkGatewayId(subscriptionId, resourceGroup, `ergw-${name}`),
      connectionStatus: "Connected",
    });
  } else if (gateway === "vwan") {
    vwanGateways.push({
      subscriptionId,
      resourceGroup,
      name: `ergw-hub-${name}`,
      location,
      connections: [
        {
          name: `erconn-${name}`,
          circuitPeeringId: `${id}/peerings/AzurePrivatePeering`,
          provisioningState: "Succeeded",
        },
      ],
    });
  }
  return { circuit, connections, vwanGateways, vnetGateways };
}

export const WORKSPACE_ID = `/subscriptions/${DEFAULT_SUBSCRIPTION}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-network`;

/** A passing test of a Connection Monitor, from an on-premises server into the VNet. */
export function passingTest(overrides: Partial<SimTest> = {}): SimTest {
  return {
    testGroup: "onprem-to-vnet",
    test: "tcp-443",
    source: "onprem-app-01",
    destination: "vm-app-01",
    port: 443,
    result: "Pass",
    checksFailed: 0,
    checksTotal: 20,
    roundTripMs: 14,
    checksFailedPercentThreshold: 10,
    roundTripThresholdMs: 60,
    ...overrides,
  };
}

/**
 * A Connection Monitor, as the portal creates one with an ExpressRoute
 * connection: an on-premises endpoint and the VNet behind the circuit's
 * gateway, results in a Log Analytics workspace. Added to the bundle.
 */
export function withConnectionMonitor(
  bundle: CircuitBundle,
  tests: SimTest[] = [passingTest()],
): SimConnectionMonitor {
  const vnet = bundle.vnetGateways?.[0]?.vnetId;
  if (!vnet) throw new Error("a Connection Monitor needs the circuit's VNet gateway");
  const c = bundle.circuit;
  const monitor: SimConnectionMonitor = {
    subscriptionId: c.subscriptionId,
    location: c.location,
    name: `cm-${c.name}`,
    endpoints: [
      { name: "onprem-app-01", type: "ExternalAddress", address: "10.16.0.10" },
      { name: "vm-app-01", type: "AzureVNet", resourceId: vnet },
    ],
    workspaceResourceId: WORKSPACE_ID,
    tests,
  };
  bundle.connectionMonitors = [...(bundle.connectionMonitors ?? []), monitor];
  return monitor;
}

export function estateOf(...bundles: CircuitBundle[]): EstateState {
  return {
    circuits: bundles.map((b) => b.circuit),
    connections: bundles.flatMap((b) => b.connections),
    vwanGateways: bundles.flatMap((b) => b.vwanGateways),
    vnetGateways: bundles.flatMap((b) => b.vnetGateways ?? []),
    connectionMonitors: bundles.flatMap((b) => b.connectionMonitors ?? []),
  };
}

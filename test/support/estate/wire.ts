// Estate → ARM JSON, shaped like the api-version 2026-01-01 examples in the
// REST specs (properties nested under `properties`, which the SDK flattens).
// Fields ARM always sends are included even when erwatch ignores them, so a
// deserializer that trips over them trips here too.

import {
  circuitId,
  connectionId,
  etagOf,
  expressRouteGatewayId,
  sameName,
  stableUuid,
} from "./ids.js";
import type {
  EstateState,
  SimCircuit,
  SimConnection,
  SimGlobalReach,
  SimPath,
  SimPeering,
  SimRouteRow,
  SimVwanGateway,
} from "./model.js";
import { applyWireEdits } from "./wire-edits.js";

type Json = Record<string, unknown>;

const AZURE_ASN = 12076;

function globalReachJson(peeringId: string, c: SimGlobalReach, index: number): Json {
  const id = `${peeringId}/connections/${c.name}`;
  return {
    id,
    etag: etagOf(id),
    name: c.name,
    properties: {
      expressRouteCircuitPeering: { id: peeringId },
      peerExpressRouteCircuitPeering: { id: c.peerCircuitPeeringId },
      addressPrefix: `10.250.${index}.0/29`,
      circuitConnectionStatus: c.status,
      provisioningState: "Succeeded",
    },
    type: "Microsoft.Network/expressRouteCircuits/peerings/connections",
  };
}

function peerConnectionJson(peeringId: string, c: SimGlobalReach, index: number): Json {
  // ARM names inbound Global Reach connections by GUID; the human name is `connectionName`.
  const guid = stableUuid(`peerConnection:${peeringId}/${c.name}`);
  const id = `${peeringId}/peerConnections/${guid}`;
  return {
    name: guid,
    id,
    etag: etagOf(id),
    properties: {
      provisioningState: "Succeeded",
      expressRouteCircuitPeering: { id: peeringId },
      peerExpressRouteCircuitPeering: { id: c.peerCircuitPeeringId },
      addressPrefix: `10.251.${index}.0/29`,
      circuitConnectionStatus: c.status,
      connectionName: c.name,
      authResourceGuid: "",
    },
    type: "Microsoft.Network/expressRouteCircuits/peerings/peerConnections",
  };
}

/** The vWAN ExpressRoute connection that uses this peering, for the peering's `expressRouteConnection`. */
function vwanConnectionFor(peeringId: string, state: EstateState): string | undefined {
  for (const gateway of state.vwanGateways) {
    const c = gateway.connections.find((x) => sameName(x.circuitPeeringId, peeringId));
    if (c) return `${expressRouteGatewayId(gateway)}/expressRouteConnections/${c.name}`;
  }
  return undefined;
}

function peeringJson(circuit: SimCircuit, peering: SimPeering, state: EstateState): Json {
  const id = `${circuitId(circuit)}/peerings/${peering.name}`;
  const properties: Json = {
    provisioningState: "Succeeded",
    peeringType: peering.name,
    azureASN: AZURE_ASN,
    peerASN: peering.peerASN,
    primaryPeerAddressPrefix: peering.primaryPeerAddressPrefix,
    secondaryPeerAddressPrefix: peering.secondaryPeerAddressPrefix,
    primaryAzurePort: "",
    secondaryAzurePort: "",
    state: peering.state,
    vlanId: peering.vlanId,
    gatewayManagerEtag: "",
    lastModifiedBy: "Customer",
    connections: peering.globalReach.map((c, i) => globalReachJson(id, c, i)),
    peeredConnections: peering.peerConnections.map((c, i) => peerConnectionJson(id, c, i)),
  };
  if (peering.microsoft) {
    properties.microsoftPeeringConfig = {
      advertisedPublicPrefixes: peering.microsoft.advertisedPublicPrefixes,
      advertisedCommunities: [],
      advertisedPublicPrefixesState: peering.microsoft.advertisedPublicPrefixesState,
      customerASN: peering.peerASN,
      legacyMode: 0,
      routingRegistryName: "ARIN",
    };
  }
  const vwan = vwanConnectionFor(id, state);
  if (vwan) properties.expressRouteConnection = { id: vwan };
  return {
    name: peering.name,
    id,
    etag: etagOf(id),
    properties,
    type: "Microsoft.Network/expressRouteCircuits/peerings",
  };
}

export function circuitJson(circuit: SimCircuit, state: EstateState): Json {
  return applyWireEdits(plainCircuitJson(circuit, state), circuit.wire, "circuit") as Json;
}

function plainCircuitJson(circuit: SimCircuit, state: EstateState): Json {
  const id = circuitId(circuit);
  return {
    name: circuit.name,
    id,
    etag: etagOf(id),
    type: "Microsoft.Network/expressRouteCircuits",
    location: circuit.location,
    tags: circuit.tags,
    properties: {
      provisioningState: "Succeeded",
      peerings: circuit.peerings.map((p) => peeringJson(circuit, p, state)),
      authorizations: [],
      serviceProviderProperties: {
        serviceProviderName: circuit.serviceProviderName,
        peeringLocation: circuit.peeringLocation,
        bandwidthInMbps: circuit.bandwidthInMbps,
      },
      circuitProvisioningState: circuit.circuitProvisioningState,
      allowClassicOperations: false,
      gatewayManagerEtag: "",
      serviceKey: circuit.serviceKey,
      serviceProviderProvisioningState: circuit.serviceProviderProvisioningState,
      globalReachEnabled: circuit.peerings.some((p) => p.globalReach.length > 0),
    },
    sku: {
      name: `${circuit.skuTier}_${circuit.skuFamily}`,
      tier: circuit.skuTier,
      family: circuit.skuFamily,
    },
  };
}

/** `withStatus`: only a GET carries connectionStatus; the real list omits it. */
export function connectionJson(connection: SimConnection, withStatus: boolean): Json {
  const id = connectionId(connection);
  const properties: Json = {
    provisioningState: "Succeeded",
    resourceGuid: stableUuid(`resourceGuid:${id}`),
    // The SDK's deserializer reads `virtualNetworkGateway1.properties` unguarded;
    // the spec examples always carry it, so it is sent (empty) here too.
    virtualNetworkGateway1: { id: connection.gatewayId, properties: {} },
    peer: { id: connection.circuitId },
    connectionType: "ExpressRoute",
    routingWeight: 0,
    enableBgp: false,
    useLocalAzureIpAddress: false,
    usePolicyBasedTrafficSelectors: false,
    ipsecPolicies: [],
    trafficSelectorPolicies: [],
    ingressBytesTransferred: 0,
    egressBytesTransferred: 0,
    expressRouteGatewayBypass: false,
    enablePrivateLinkFastPath: false,
    connectionMode: "Default",
  };
  if (withStatus) properties.connectionStatus = connection.connectionStatus;
  const json = {
    name: connection.name,
    id,
    etag: etagOf(id),
    type: "Microsoft.Network/connections",
    location: connection.location,
    properties,
  };
  return applyWireEdits(json, connection.wire, "connection") as Json;
}

export function vwanGatewayJson(gateway: SimVwanGateway): Json {
  const id = expressRouteGatewayId(gateway);
  const hub = `/subscriptions/${gateway.subscriptionId}/resourceGroups/${gateway.resourceGroup}/providers/Microsoft.Network/virtualHubs/hub-${gateway.name}`;
  const json = {
    name: gateway.name,
    id,
    etag: etagOf(id),
    location: gateway.location,
    type: "Microsoft.Network/expressRouteGateways",
    properties: {
      provisioningState: "Succeeded",
      virtualHub: { id: hub },
      autoScaleConfiguration: { bounds: { min: 1 } },
      allowNonVirtualWanTraffic: false,
      expressRouteConnections: gateway.connections.map((c) => ({
        name: c.name,
        id: `${id}/expressRouteConnections/${c.name}`,
        properties: {
          provisioningState: c.provisioningState,
          expressRouteCircuitPeering: { id: c.circuitPeeringId },
          routingWeight: 0,
          enableInternetSecurity: false,
          routingConfiguration: {
            associatedRouteTable: { id: `${hub}/hubRouteTables/defaultRouteTable` },
            propagatedRouteTables: {
              labels: ["default"],
              ids: [{ id: `${hub}/hubRouteTables/defaultRouteTable` }],
            },
            vnetRoutes: { staticRoutes: [] },
          },
        },
      })),
    },
  };
  return applyWireEdits(json, gateway.wire, "vwanGateway") as Json;
}

export function arpRowsJson(path: SimPath): Json[] {
  return path.arp.map((r) => ({
    age: r.age,
    interface: r.interface,
    ipAddress: r.ipAddress,
    macAddress: r.macAddress,
  }));
}

export function summaryRowsJson(path: SimPath): Json[] {
  return path.neighbors.map((n) => ({
    neighbor: n.neighbor,
    v: n.v,
    as: n.as,
    upDown: n.upDown,
    // Always a string on the wire, even when it is a count.
    statePfxRcd: String(n.statePfxRcd),
  }));
}

/** One /24 per received prefix: what the MSEE learned from an Established IPv4 neighbor. */
export function generatedRoutes(path: SimPath): SimRouteRow[] {
  const rows: SimRouteRow[] = [];
  path.neighbors.forEach((n, k) => {
    if (n.v !== 4 || !/^\d+$/.test(n.statePfxRcd.trim())) return;
    const count = Number(n.statePfxRcd.trim());
    for (let i = 0; i < count; i++) {
      const block = 16 + k * 48 + Math.floor(i / 256);
      rows.push({
        network: `10.${block}.${i % 256}.0/24`,
        nextHop: n.neighbor,
        locPrf: "",
        weight: 0,
        path: String(n.as),
      });
    }
  });
  return rows;
}

export function routeRowsJson(path: SimPath): Json[] {
  return (path.routes ?? generatedRoutes(path)).map((r) => ({
    network: r.network,
    nextHop: r.nextHop,
    locPrf: r.locPrf,
    weight: r.weight,
    path: r.path,
  }));
}

// A circuit's Connection Monitors are discovered by the VNets behind its
// gateways; wiring that names none read "no Connection Monitor tests this
// circuit" without a word. Which wiring leaves the VNet unknown, and what is
// said about it.

import { describe, expect, it } from "vitest";
import { unplacedWiring } from "../../src/adapters/monitor/unplaced-wiring.js";
import type { GatewayConnectionFacts } from "../../src/core/model.js";

const GW =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/ergw-1";
const vnet = (gatewayId: string | null | undefined, name = "conn-1"): GatewayConnectionFacts => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/${name}`,
  name,
  kind: "vnet-gateway",
  peering: null,
  status: "Connected",
  ...(gatewayId === undefined ? {} : { gatewayId }),
});
const vwan: GatewayConnectionFacts = {
  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteGateways/hub/expressRouteConnections/c",
  name: "c",
  kind: "vwan",
  peering: "AzurePrivatePeering",
  status: "Succeeded",
};
const REMEDY =
  ", so the Connection Monitors testing the VNet behind it cannot be found: tag the circuit erwatch:connection-monitor with the monitor's name or resource id";

describe("wiring whose VNet is not known", () => {
  it.each<[string, GatewayConnectionFacts[], string[], string | null]>([
    ["a connection naming its gateway, the gateway its VNet", [vnet(GW)], [], null],
    ["no connection at all", [], [], null],
    ["a vWAN connection (its hub has no VNet gateway)", [vwan], [], null],
    [
      "a connection naming no gateway (null)",
      [vnet(null)],
      [],
      `gateway connection conn-1 names no virtual network gateway${REMEDY}`,
    ],
    [
      "a connection naming no gateway (left out)",
      [vnet(undefined)],
      [],
      `gateway connection conn-1 names no virtual network gateway${REMEDY}`,
    ],
    [
      "a connection whose gateway id is blank",
      [vnet("  ")],
      [],
      `gateway connection conn-1 names no virtual network gateway${REMEDY}`,
    ],
    [
      "a gateway naming no GatewaySubnet",
      [vnet(GW)],
      [GW],
      `virtual network gateway ergw-1 names no GatewaySubnet${REMEDY}`,
    ],
    [
      "both, each named",
      [vnet(GW), vnet(null, "conn-2")],
      [GW],
      `gateway connection conn-2 names no virtual network gateway; virtual network gateway ergw-1 names no GatewaySubnet${REMEDY}`,
    ],
  ])("%s", (_what, connections, unplaced, said) => {
    expect(unplacedWiring(connections, unplaced)).toBe(said);
  });
});

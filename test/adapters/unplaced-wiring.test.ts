// A circuit's Connection Monitors are discovered by the VNets behind its
// gateways; a gateway that names no VNet read "no Connection Monitor tests
// this circuit" without a word. What is said about it.

import { describe, expect, it } from "vitest";
import { unplacedWiring } from "../../src/adapters/monitor/unplaced-wiring.js";

const GW = (name: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/${name}`;
const REMEDY =
  ", so the Connection Monitors testing the VNet behind it cannot be found: tag the circuit erwatch:connection-monitor with the monitor's name or resource id";

describe("wiring whose VNet is not known", () => {
  it.each<[string, string[], string | null]>([
    ["every gateway's VNet known", [], null],
    [
      "a gateway naming no GatewaySubnet",
      [GW("ergw-1")],
      `virtual network gateway ergw-1 names no GatewaySubnet${REMEDY}`,
    ],
    [
      "two gateways, each named",
      [GW("ergw-1"), GW("ergw-2")],
      `virtual network gateway ergw-1 names no GatewaySubnet; virtual network gateway ergw-2 names no GatewaySubnet${REMEDY}`,
    ],
  ])("%s", (_what, unplaced, said) => {
    expect(unplacedWiring(unplaced)).toBe(said);
  });
});

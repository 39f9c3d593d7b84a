// A circuit's Connection Monitors are discovered by the VNets behind its
// gateways. A VNet gateway connection that names no gateway, or a gateway
// whose body names no GatewaySubnet, leaves nothing to match them against:
// the circuit read "no Connection Monitor tests this circuit" (n/a) without
// a word while the monitor testing it went unread.

import { TAGS } from "../../core/circuit-settings.js";
import type { GatewayConnectionFacts } from "../../core/model.js";

/** Why the circuit's monitors cannot be matched to its VNets; null when every VNet is known. */
export function unplacedWiring(
  connections: readonly GatewayConnectionFacts[],
  unplacedGateways: readonly string[],
): string | null {
  const parts = [
    ...connections
      .filter((c) => c.kind === "vnet-gateway" && !c.gatewayId?.trim())
      .map((c) => `gateway connection ${c.name || c.id} names no virtual network gateway`),
    ...unplacedGateways.map(
      (g) => `virtual network gateway ${g.split("/").pop() || g} names no GatewaySubnet`,
    ),
  ];
  if (parts.length === 0) return null;
  return `${parts.join("; ")}, so the Connection Monitors testing the VNet behind it cannot be found: tag the circuit ${TAGS.connectionMonitor} with the monitor's name or resource id`;
}

// A circuit's Connection Monitors are discovered by the VNets behind its
// gateways. A gateway whose body names no GatewaySubnet leaves nothing to
// match them against: the circuit read "no Connection Monitor tests this
// circuit" (n/a) without a word while the monitor testing it went unread.
// A VNet gateway connection naming no gateway never gets here: its read
// fails (virtualNetworkGateway1.id is empty), and that failure is the end
// to end's.

import { TAGS } from "../../core/circuit-settings.js";

/** Why the circuit's monitors cannot be matched to its VNets; null when every gateway's VNet is known. */
export function unplacedWiring(unplacedGateways: readonly string[]): string | null {
  if (unplacedGateways.length === 0) return null;
  const parts = unplacedGateways.map(
    (g) => `virtual network gateway ${g.split("/").pop() || g} names no GatewaySubnet`,
  );
  return `${parts.join("; ")}, so the Connection Monitors testing the VNet behind it cannot be found: tag the circuit ${TAGS.connectionMonitor} with the monitor's name or resource id`;
}

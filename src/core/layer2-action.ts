// The next action for layer 2 down on a path (arp-missing). Whom to send
// on-call to first depends on who runs the on-premises end of the peering's
// VLAN and /30: you on your own edge, the carrier on a provider-managed
// circuit (they configured the peering and run the router there), nobody
// between you and Microsoft on ExpressRoute Direct.

import type { CircuitFacts, Owner, PathName, PeeringFacts } from "./model.js";
import { onPremAddress } from "./arp.js";

export interface Layer2Break {
  circuit: CircuitFacts;
  peering: PeeringFacts;
  owner: Owner;
  direct: boolean;
  providerManaged: boolean;
  paths: PathName[];
  /** Some path's ARP table resolves one side only, or holds an Incomplete entry. */
  halfFormed: boolean;
}

/** The on-premises end of each path's /30, as the alert names it. */
function onPremEnds({ peering, paths }: Layer2Break): string {
  return paths
    .map((path) => {
      const subnet =
        path === "primary" ? peering.primaryPeerAddressPrefix : peering.secondaryPeerAddressPrefix;
      return `${path}: ${onPremAddress(subnet) ?? "the first usable address of the /30"}`;
    })
    .join(", ");
}

export function layer2NextAction(b: Layer2Break): string {
  const { circuit, peering, paths } = b;
  const provider = circuit.serviceProviderName ?? "the connectivity provider";
  const vlan = peering.vlanId ?? "?";
  const ticket = `open a ticket with ${provider} for the ${paths.join(" and ")} path (service key ${circuit.serviceKey ?? "?"}); the ticket text is attached`;
  if (b.direct) {
    const port = circuit.expressRoutePortId?.split("/").pop() ?? "the port";
    return `ExpressRoute Direct: no carrier between your router and Microsoft's port ${port}. Check your router's interface for VLAN ${vlan} and the cross-connect at the colocation (the ExpressRoute port's Admin State, Line Protocol and Rx Light Level metrics); if your side and the light levels are good, open an Azure support case for ${port}.`;
  }
  if (b.owner === "shared") {
    return `Your side first: the on-prem ARP entry is missing or Incomplete, so check your edge router's sub-interface for VLAN ${vlan} and its address (${onPremEnds(b)}), and that the interface is up. If the tag and the /30 are right, ${ticket}.`;
  }
  const lead = `${ticket.charAt(0).toUpperCase()}${ticket.slice(1)}. Do not change router or gateway configuration.`;
  if (!b.halfFormed) return lead;
  // A half-formed adjacency points at the on-premises interface, whose
  // owner the model decides: on provider-managed it belongs in the ticket.
  return b.providerManaged
    ? `${lead} Only one side resolves: on this provider-managed circuit ${provider} runs the on-premises end of the peering, so ask them in the ticket to check their router's sub-interface for VLAN ${vlan} and its address (${onPremEnds(b)}), and that it is up.`
    : `${lead} Only one side resolves: first confirm your router's interface is up and holds the first usable address of the /30.`;
}

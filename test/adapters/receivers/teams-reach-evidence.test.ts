// A Global Reach connection's evidence line on the Teams card: IPv6 Global
// Reach has its own status, and the card said "Connected" (IPv4's) beside a
// title that named IPv6 Disconnected.

import { expect, it } from "vitest";
import { evidenceLines } from "../../../src/adapters/receivers/teams/evidence.js";

const connection = (extra: Record<string, unknown>) => ({
  name: "gr-to-dr",
  peerCircuitPeeringId:
    "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/expressRouteCircuits/er-dr/peerings/AzurePrivatePeering",
  direction: "outbound",
  ...extra,
});

it.each([
  ["IPv4 only", { status: "Disconnected" }, "Connection gr-to-dr: Disconnected"],
  ["status not reported", { status: null }, "Connection gr-to-dr: status not reported"],
  [
    "IPv6 cut beside IPv4 Connected",
    { status: "Connected", ipv6: { status: "Disconnected" } },
    "Connection gr-to-dr: IPv4 Connected, IPv6 Disconnected",
  ],
  [
    "IPv6 status not reported",
    { status: "Connected", ipv6: { status: null } },
    "Connection gr-to-dr: IPv4 Connected, IPv6 status not reported",
  ],
] as const)("%s", (_, extra, line) => {
  expect(evidenceLines({ connections: [connection(extra)] }, false)).toEqual([line]);
});

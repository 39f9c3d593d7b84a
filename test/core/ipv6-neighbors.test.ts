// Which paths of a peering have no IPv6 neighbor: known from a route summary
// read whole, kept from before where a path says nothing this time.

import { describe, expect, it } from "vitest";
import { ipv6NoNeighborPaths } from "../../src/core/ipv6-neighbors.js";
import type { SnapshotPeering } from "../../src/core/snapshot.js";
import { circuitReading, failed, neighbor, ok } from "../support/readings.js";

const PRIVATE = "AzurePrivatePeering";
const dual = [neighbor("120"), neighbor("Idle", 6)];
const v4 = [neighbor("120")];
const before = (ipv6NoNeighbor: unknown) => ({ ipv6NoNeighbor }) as unknown as SnapshotPeering;

describe("ipv6NoNeighborPaths", () => {
  it("a path whose summary lists no IPv6 neighbor has none; one listing it, Idle or not, has one", () => {
    const reading = circuitReading({
      paths: { [PRIVATE]: { primary: { bgp: v4 }, secondary: { bgp: dual } } },
    });
    expect(ipv6NoNeighborPaths(reading, PRIVATE, before(["secondary"]))).toEqual(["primary"]);
    // Any case, as ARM and a stored name may differ.
    expect(ipv6NoNeighborPaths(reading, "azureprivatepeering", undefined)).toEqual(["primary"]);
  });

  it("a summary that failed or was read in part says nothing: what was known is kept", () => {
    const partial = { ...ok(v4), partial: true as const };
    const reading = circuitReading({
      paths: {
        [PRIVATE]: { primary: { bgp: failed({ kind: "throttled" }) }, secondary: { bgp: partial } },
      },
    });
    expect(ipv6NoNeighborPaths(reading, PRIVATE, before(["primary"]))).toEqual(["primary"]);
    expect(ipv6NoNeighborPaths(reading, PRIVATE, before(["secondary"]))).toEqual(["secondary"]);
    expect(ipv6NoNeighborPaths(reading, PRIVATE, undefined)).toEqual([]);
  });

  it("a circuit not read keeps what was known; a stored value that is not a list of paths is none", () => {
    const unread = circuitReading({ circuit: failed({ kind: "throttled" }) });
    expect(ipv6NoNeighborPaths(unread, PRIVATE, before(["primary", "secondary"]))).toEqual([
      "primary",
      "secondary",
    ]);
    expect(ipv6NoNeighborPaths(unread, PRIVATE, before("primary"))).toEqual([]);
    expect(ipv6NoNeighborPaths(unread, PRIVATE, before(["primary", "<b>"]))).toEqual(["primary"]);
  });
});

// What a resolve leads with: how the alert reads at the sweep that resolved
// it. Its title and evidence are the last firing sweep's; a card led with
// "3,820 of 4,000 — reaches 4,000 in about 3 min" over a layer table reading
// 120 of 4,000, a saturation's resolve with its old load, an end-to-end
// resolve with "Overall: fail".

import { describe, expect, it } from "vitest";
import type { LayerCell, PathLayers, PeeringVerdict } from "../../src/core/model.js";
import {
  resolution,
  retiredResolution,
  type ResolvedAlert,
} from "../../src/core/resolve-action.js";

const up = (detail: string): LayerCell => ({ status: "up", detail });

function path(prefixes: number, capacity = "in 31% · out 9% of 1 Gbps"): PathLayers {
  return {
    provider: up("ARP complete (2 entries)"),
    bgp: up("Established"),
    peering: up("Enabled, VLAN 210, peer AS 65010"),
    routes: up(`${prefixes} prefixes`),
    gateway: up("ergw-ams connected"),
    globalReach: { status: "n/a", detail: "not configured" },
    endToEnd: up("2 tests pass"),
    capacity: up(capacity),
  };
}

function peering(name: string, primary: PathLayers, secondary: PathLayers): PeeringVerdict {
  return {
    name,
    paths: { primary, secondary },
    prefixes: { primary: 120, secondary: 118 },
    limits: { primary: 4000, secondary: 4000 },
    ipv6: { prefixes: { primary: 12, secondary: null }, limits: { primary: 100, secondary: 100 } },
  };
}

const PRIVATE = peering("AzurePrivatePeering", path(120), path(118));
const MICROSOFT = peering("MicrosoftPeering", path(7), path(7));

const alert = (over: Partial<ResolvedAlert>): ResolvedAlert => ({
  family: "path-down",
  layer: "provider",
  peering: "AzurePrivatePeering",
  paths: ["primary", "secondary"],
  evidence: {},
  ...over,
});

describe("resolution: how a resolve reads now", () => {
  it.each([
    [
      "a route limit: the count now against the limit",
      alert({ family: "route-limit", layer: "routes", evidence: { family: "ipv4" } }),
      "received prefixes on AzurePrivatePeering: primary 120 of 4,000, secondary 118 of 4,000",
    ],
    [
      "IPv6's route limit: its own count and limit (a session not up says so)",
      alert({ family: "route-limit", layer: "routes", evidence: { family: "ipv6" } }),
      "received IPv6 prefixes on AzurePrivatePeering: primary 12 of 100, secondary no count (session not Established)",
    ],
    [
      "a path down on both paths: its layer's cells",
      alert({}),
      "provider / L2 ok · ARP complete (2 entries) on both paths of AzurePrivatePeering",
    ],
    [
      "a path down on one path: that path, in the peering's own spelling",
      alert({ peering: "azureprivatepeering", layer: "routes", paths: ["secondary"] }),
      "routes ok · 118 prefixes on the secondary path of AzurePrivatePeering",
    ],
    [
      "cells that differ by path: each path's",
      alert({ layer: "routes" }),
      "routes of AzurePrivatePeering: primary ok · 120 prefixes; secondary ok · 118 prefixes",
    ],
    [
      "saturation (no one peering): the link's throughput now",
      alert({ family: "capacity", layer: "capacity", peering: null, paths: ["primary"] }),
      "capacity ok · in 31% · out 9% of 1 Gbps on the primary path",
    ],
    [
      "traffic stopped (raised on routes): throughput now, not the routes",
      alert({ family: "traffic", layer: "routes", paths: ["primary"] }),
      "capacity ok · in 31% · out 9% of 1 Gbps on the primary path of AzurePrivatePeering",
    ],
    [
      "end to end: the tests now, not the failing ones",
      alert({ family: "end-to-end", layer: "endToEnd" }),
      "end to end ok · 2 tests pass on both paths of AzurePrivatePeering",
    ],
    [
      "the provider across peerings that read differently: each peering's",
      alert({ family: "provider", layer: "routes", peering: null, paths: ["primary"] }),
      "routes on the primary path: AzurePrivatePeering ok · 120 prefixes, MicrosoftPeering ok · 7 prefixes",
    ],
    [
      "a drift: no row of its own",
      alert({ family: "config-drift", layer: "peering" }),
      "the running configuration matches the declared baseline",
    ],
    [
      "a blind read",
      alert({ family: "monitoring-blind", layer: "monitoring" }),
      "erwatch reads again",
    ],
    [
      "a fleet outage: no one circuit's reading",
      alert({ family: "fleet", layer: "provider", peering: null, paths: [] }),
      "the circuits are no longer down together at provider / L2; a circuit still broken alone has its own alert",
    ],
    [
      "a peering no longer read",
      alert({ peering: "GonePeering" }),
      "no longer seen by erwatch's latest sweep",
    ],
  ])("%s", (_name, resolved, expected) => {
    expect(resolution(resolved, [PRIVATE, MICROSOFT])).toBe(expected);
  });

  it("says a retired circuit's resolve is no reading at all", () => {
    expect(retiredResolution("circuit no longer exists")).toBe(
      "not watched any more (circuit no longer exists): erwatch did not see it clear and cannot say how it is",
    );
  });
});

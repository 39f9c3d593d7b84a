// Where a circuit's Connection Monitors may live. The portal creates one with
// an ExpressRoute connection in the connection's region (its sources must be
// there), and a circuit commonly serves VNets in other regions (Standard: its
// geopolitical region; Premium: anywhere). Searching only the Network Watcher
// of the circuit's own region read such a circuit "no Connection Monitor
// tests this circuit" while every test of its gateway's VNet failed. So the
// Network Watchers of its gateways' regions, in the gateways' subscriptions,
// are searched too, and for a name a circuit's tag gives, those of the vWAN
// hubs' ExpressRoute gateways it is connected through (their region comes
// with the wiring read). Every listing and gateway read is memoised per
// sweep: a region costs one listing however many circuits reach it.

import { regionKey } from "../../core/dataplane/batches.js";
import type { Reading } from "../../core/model.js";
import { failedLike } from "../arm/call.js";
import type { ArmContext } from "../arm/context.js";
import {
  gatewayPlace,
  monitorsInRegion,
  parseGatewayId,
  watcherRegions,
  type RegionMonitors,
  type WatcherReadOptions,
} from "../arm/network-watcher.js";

export interface Place {
  subscriptionId: string;
  region: string;
}

/** What one place's Network Watcher holds. */
export interface PlaceMonitors extends RegionMonitors {
  place: Place;
}

export interface NearMonitors {
  /** The circuit's own place first, then each gateway's not already searched. */
  places: PlaceMonitors[];
  /** The VNets of the circuit's gateways, when asked for. */
  vnets: string[];
  /** The gateways, when VNets were asked for, whose body names no VNet (no GatewaySubnet read). */
  unplaced: string[];
}

const keyOf = (p: Place) => `${p.subscriptionId}|${regionKey(p.region)}`.toLowerCase();

export const allMonitors = (near: NearMonitors) => near.places.flatMap((p) => p.monitors);
export const allOdd = (near: NearMonitors) => near.places.flatMap((p) => p.odd);

/**
 * The monitors of the circuit's own region and of its gateways' regions.
 * A gateway is read for its region only when its subscription has a Network
 * Watcher in a region not yet searched (else it cannot add one); with
 * `vnets`, every gateway is read for its VNet once any monitor was found,
 * since a monitor's endpoints are matched against them. `hubs` are places
 * already known (vWAN hubs' ExpressRoute gateways): searched when their
 * subscription has a Network Watcher there, with no gateway read.
 */
export async function monitorsNear(
  ctx: ArmContext,
  home: Place,
  gatewayIds: readonly string[],
  options: WatcherReadOptions & { vnets: boolean; hubs?: readonly Place[] },
): Promise<Reading<NearMonitors>> {
  const first = await monitorsInRegion(ctx, home.subscriptionId, home.region, options);
  if (!first.ok) return failedLike(first);
  const near: NearMonitors = {
    places: [{ place: home, ...first.value }],
    vnets: [],
    unplaced: [],
  };
  const searched = new Set([keyOf(home)]);
  for (const gatewayId of gatewayIds) {
    const subscriptionId = parseGatewayId(gatewayId)?.subscriptionId;
    if (!subscriptionId) continue; // read below for its VNet, which fails naming it
    const regions = await watcherRegions(ctx, subscriptionId, options);
    if (!regions.ok) return failedLike(regions);
    if (regions.value.every((region) => searched.has(keyOf({ subscriptionId, region })))) continue;
    const gateway = await gatewayPlace(ctx, gatewayId, options);
    if (!gateway.ok) return failedLike(gateway);
    const region = gateway.value.location;
    if (!region || !regions.value.includes(regionKey(region))) continue;
    const place = { subscriptionId, region };
    if (searched.has(keyOf(place))) continue;
    searched.add(keyOf(place));
    const found = await monitorsInRegion(ctx, subscriptionId, region, options);
    if (!found.ok) return failedLike(found);
    near.places.push({ place, ...found.value });
  }
  for (const hub of options.hubs ?? []) {
    if (searched.has(keyOf(hub))) continue;
    const regions = await watcherRegions(ctx, hub.subscriptionId, options);
    if (!regions.ok) return failedLike(regions);
    if (!regions.value.includes(regionKey(hub.region))) continue;
    searched.add(keyOf(hub));
    const found = await monitorsInRegion(ctx, hub.subscriptionId, hub.region, options);
    if (!found.ok) return failedLike(found);
    near.places.push({ place: hub, ...found.value });
  }
  if (options.vnets && (allMonitors(near).length > 0 || allOdd(near).length > 0))
    for (const gatewayId of gatewayIds) {
      const gateway = await gatewayPlace(ctx, gatewayId, options);
      if (!gateway.ok) return failedLike(gateway);
      if (gateway.value.vnet) near.vnets.push(gateway.value.vnet);
      else near.unplaced.push(gatewayId);
    }
  return { ok: true, value: near, readAt: ctx.now().toISOString() };
}

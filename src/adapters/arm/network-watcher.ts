// The ARM reads of the data plane: the Network Watchers of a subscription's
// regions and their Connection Monitors, the VNet and region a gateway lives
// in, and (diagnose) the routes a gateway learned. Listings are shared across the circuits of a
// sweep through the session memo and paced with every other ARM read.

import type { ReadSession } from "../../app/ports.js";
import type { LearnedRoute } from "../../core/dataplane/facts.js";
import { regionKey } from "../../core/dataplane/batches.js";
import type { Reading } from "../../core/model.js";
import { collect, failedLike, parsed } from "./call.js";
import type { ArmContext } from "./context.js";
import { lifted, listing } from "./listing.js";
import { MalformedResponseError } from "./wire/fields.js";
import {
  parseGatewayPlace,
  parseLearnedRoutes,
  parseWatcher,
  readMonitor,
  type GatewayPlace,
  type MonitorFacts,
  type OddMonitor,
  type WatcherFacts,
} from "./wire/network-watcher.js";

export interface WatcherReadOptions {
  abortSignal: AbortSignal;
  session: ReadSession;
}

export interface GatewayRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseGatewayId(id: string): GatewayRef | null {
  const m =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworkGateways\/([^/]+)$/i.exec(
      id.trim(),
    );
  return m ? { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! } : null;
}

/**
 * The gateway a read is of. An id that names none fails that read alone as
 * malformed (thrown inside the call, so it is classified and reported as an
 * ARM answer erwatch cannot read), and Azure is not asked.
 */
function named(ref: GatewayRef | null, gatewayId: string): GatewayRef {
  if (!ref) throw new MalformedResponseError(`${gatewayId} is not a gateway id`);
  return ref;
}

async function watchers(
  ctx: ArmContext,
  subscriptionId: string,
  options: WatcherReadOptions,
): Promise<Reading<WatcherFacts[]>> {
  const ops = ctx.clients.for(subscriptionId).networkWatchers;
  const what = `Network Watchers of subscription ${subscriptionId}`;
  const listed = await options.session.memo(`watchers:${subscriptionId}`.toLowerCase(), () =>
    ctx.call({
      operation: "listNetworkWatchers",
      target: what,
      signal: options.abortSignal,
      run: (abortSignal): Promise<unknown[]> => collect(ops.listAll({ abortSignal })),
    }),
  );
  if (!listed.ok) return failedLike(listed);
  return parsed({ operation: "listNetworkWatchers", target: what, readAt: listed.readAt }, () =>
    listed.value.flatMap((w) => {
      const facts = parseWatcher(w);
      return facts ? [facts] : [];
    }),
  );
}

/** The regions the subscription has a Network Watcher in (as regionKey spells them). */
export async function watcherRegions(
  ctx: ArmContext,
  subscriptionId: string,
  options: WatcherReadOptions,
): Promise<Reading<string[]>> {
  const all = await watchers(ctx, subscriptionId, options);
  if (!all.ok) return all;
  return { ...all, value: [...new Set(all.value.map((w) => regionKey(w.location)))] };
}

/** A region's Connection Monitors: those erwatch reads, and those it cannot (each with its failure). */
export interface RegionMonitors {
  /** The Network Watchers listed, by name: where a monitor not among them was looked for. */
  watchers: string[];
  monitors: MonitorFacts[];
  /**
   * A monitor that cannot be read fails only the circuits it might test (the
   * caller knows which): the region's other circuits are judged without it.
   */
  odd: { monitor: OddMonitor; failure: Reading<never> }[];
}

/** Every Connection Monitor of the Network Watcher(s) in the region. */
export async function monitorsInRegion(
  ctx: ArmContext,
  subscriptionId: string,
  region: string,
  options: WatcherReadOptions,
): Promise<Reading<RegionMonitors>> {
  const all = await watchers(ctx, subscriptionId, options);
  if (!all.ok) return all;
  const here = all.value.filter((w) => regionKey(w.location) === regionKey(region));
  const found: RegionMonitors = { watchers: here.map((w) => w.name), monitors: [], odd: [] };
  for (const watcher of here) {
    const got = await monitorsOfWatcher(ctx, subscriptionId, watcher, options);
    if (!got.ok) return got;
    found.monitors.push(...got.value.monitors);
    found.odd.push(...got.value.odd);
  }
  return { ok: true, value: found, readAt: ctx.now().toISOString() };
}

/** The Network Watcher a Connection Monitor's resource id names, or null when it is not one. */
export function watcherOfMonitorId(
  id: string,
): (Pick<WatcherFacts, "id" | "name" | "resourceGroup"> & { subscriptionId: string }) | null {
  const m =
    /^(\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkWatchers\/([^/]+))\/connectionMonitors\/[^/]+$/i.exec(
      id.trim(),
    );
  return m ? { id: m[1]!, subscriptionId: m[2]!, resourceGroup: m[3]!, name: m[4]! } : null;
}

/**
 * One Network Watcher's Connection Monitors. Memoised per sweep by the
 * watcher's id, so a watcher reached by its region and by a monitor id a tag
 * names is listed once.
 */
export async function monitorsOfWatcher(
  ctx: ArmContext,
  subscriptionId: string,
  watcher: Pick<WatcherFacts, "id" | "name" | "resourceGroup">,
  options: WatcherReadOptions,
): Promise<Reading<RegionMonitors>> {
  const ops = ctx.clients.for(subscriptionId).connectionMonitors;
  const what = `connection monitors of ${watcher.name}`;
  const listed = await options.session.memo(`monitors:${watcher.id}`.toLowerCase(), () =>
    ctx.call({
      operation: "listConnectionMonitors",
      target: what,
      signal: options.abortSignal,
      run: (abortSignal) =>
        listing(() => ops.list(watcher.resourceGroup, watcher.name, { abortSignal })),
    }),
  );
  // The row names the watcher that refused or failed, not only its kind.
  if (!listed.ok) return { ...listed, error: { ...listed.error, networkWatchers: [watcher.name] } };
  const found: RegionMonitors = { watchers: [watcher.name], monitors: [], odd: [] };
  // A monitor the SDK could not take is read by the same parser, from what ARM sent.
  for (const item of [...listed.value.items, ...listed.value.untaken.map(lifted)]) {
    const read = readMonitor(item);
    if (read.ok) {
      found.monitors.push(read.facts);
      continue;
    }
    const from = {
      operation: "listConnectionMonitors" as const,
      target: `connection monitor ${read.odd.name ?? "(no name)"} of ${watcher.name}`,
      readAt: listed.readAt,
    };
    const failure = parsed<never>(from, () => {
      throw new MalformedResponseError(read.odd.problem);
    });
    found.odd.push({
      monitor: read.odd,
      failure: failure.ok
        ? failure
        : {
            ...failure,
            error: {
              ...failure.error,
              networkWatchers: [watcher.name],
              ...(read.odd.name ? { monitors: [read.odd.name] } : {}),
            },
          },
    });
  }
  return { ok: true, value: found, readAt: listed.readAt };
}

/** The VNet and region the gateway lives in (each null when its body does not say). */
export function gatewayPlace(
  ctx: ArmContext,
  gatewayId: string,
  options: WatcherReadOptions,
): Promise<Reading<GatewayPlace>> {
  const ref = parseGatewayId(gatewayId);
  const what = `virtual network gateway ${ref?.name ?? gatewayId}`;
  return options.session.memo(`gateway:${gatewayId}`.toLowerCase(), () =>
    ctx.call({
      operation: "getVirtualNetworkGateway",
      target: what,
      signal: options.abortSignal,
      run: async (abortSignal) => {
        const gateway = named(ref, gatewayId);
        const ops = ctx.clients.for(gateway.subscriptionId).virtualNetworkGateways;
        return parseGatewayPlace(
          await ops.get(gateway.resourceGroup, gateway.name, { abortSignal }),
        );
      },
    }),
  );
}

/** What the gateway learned over BGP (a long-running POST, polled like the ARP reads). */
export function learnedRoutes(
  ctx: ArmContext,
  gatewayId: string,
  options: { abortSignal: AbortSignal },
): Promise<Reading<LearnedRoute[]>> {
  const ref = parseGatewayId(gatewayId);
  return ctx.call({
    operation: "learnedRoutes",
    target: `learned routes of gateway ${ref?.name ?? gatewayId}`,
    signal: options.abortSignal,
    run: async (abortSignal) => {
      const gateway = named(ref, gatewayId);
      const ops = ctx.clients.for(gateway.subscriptionId).virtualNetworkGateways;
      const lro = { updateIntervalInMs: ctx.config.lroPollIntervalMs, abortSignal };
      return parseLearnedRoutes(
        await ops.getLearnedRoutes(gateway.resourceGroup, gateway.name, lro),
      );
    },
  });
}

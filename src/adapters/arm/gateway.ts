// The Azure side of the circuit: VNet gateway connections (Microsoft.Network/
// connections whose peer is the circuit) and vWAN ExpressRoute connections
// (in ExpressRoute gateways, pointing at one of its peerings). Listings are
// shared across the circuits of a sweep through the session memo.

import type { ReadOptions, ReadSession } from "../../app/ports.js";
import { tag, TAGS } from "../../core/circuit-settings.js";
import type { GatewayConnectionFacts, ReadFailure, Reading } from "../../core/model.js";
import { sameId } from "../../core/resource-id.js";
import { collect, failedLike, parsed } from "./call.js";
import { fieldFailure } from "./circuit.js";
import type { ArmContext } from "./context.js";
import { connectionsTo, parseConnection, vwanConnectionsTo } from "./wire/connections.js";

export interface GatewayTarget {
  subscriptionId: string;
  resourceGroup: string;
  /** The circuit's resource id, as connections reference it. */
  circuitId: string;
  tags: Record<string, string>;
}

interface Scope {
  subscriptionId: string;
  resourceGroup: string;
}

type Memo = ReadSession["memo"];

/** Resource groups to search for gateway connections: the circuit's own, plus any the tag names. */
export function connectionScopes(target: GatewayTarget): Scope[] {
  const extra = (tag(target.tags, TAGS.connectionResourceGroups) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry): Scope => {
      const [first, second] = entry.split("/");
      return second
        ? { subscriptionId: first as string, resourceGroup: second }
        : { subscriptionId: target.subscriptionId, resourceGroup: first as string };
    });
  const all = [
    { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup },
    ...extra,
  ];
  const key = (s: Scope) => `${s.subscriptionId}/${s.resourceGroup}`;
  return all.filter((s, i) => all.findIndex((o) => sameId(key(o), key(s))) === i);
}

async function vnetConnectionsIn(
  ctx: ArmContext,
  scope: Scope,
  circuitId: string,
  options: ReadOptions,
  memo: Memo,
  problems: ReadFailure[],
): Promise<Reading<GatewayConnectionFacts[]>> {
  const network = ctx.clients.for(scope.subscriptionId).virtualNetworkGatewayConnections;
  const key = `connections:${scope.subscriptionId}/${scope.resourceGroup}`.toLowerCase();
  const what = `gateway connections in ${scope.resourceGroup}`;
  const listed = await memo(key, () =>
    ctx.call({
      operation: "listConnections",
      target: what,
      signal: options.abortSignal,
      onRead: options.onRead,
      run: (abortSignal): Promise<unknown[]> =>
        collect(network.list(scope.resourceGroup, { abortSignal })),
    }),
  );
  if (!listed.ok) return failedLike(listed);
  // Parsed per circuit: whether a connection is this circuit's depends on the circuit.
  const mine = parsed({ operation: "listConnections", target: what, readAt: listed.readAt }, () =>
    connectionsTo(listed.value, circuitId),
  );
  if (!mine.ok) return failedLike(mine);
  const found: GatewayConnectionFacts[] = [];
  for (const name of mine.value) {
    // The list omits connectionStatus; only a GET carries it.
    const target = `gateway connection ${name}`;
    const got = await ctx.call({
      operation: "getConnection",
      target,
      signal: options.abortSignal,
      onRead: options.onRead,
      run: async (abortSignal) =>
        parseConnection(await network.get(scope.resourceGroup, name, { abortSignal }), name),
    });
    if (!got.ok) return failedLike(got);
    problems.push(...got.value.problems.map((p) => fieldFailure("getConnection", target, p)));
    found.push(got.value.facts);
  }
  return { ok: true, value: found, readAt: ctx.now().toISOString() };
}

async function vwanConnections(
  ctx: ArmContext,
  target: GatewayTarget,
  options: ReadOptions,
  memo: Memo,
  problems: ReadFailure[],
): Promise<Reading<GatewayConnectionFacts[]>> {
  const gateways = ctx.clients.for(target.subscriptionId).expressRouteGateways;
  const what = `ExpressRoute gateways in subscription ${target.subscriptionId}`;
  const listed = await memo(`vwan:${target.subscriptionId}`.toLowerCase(), () =>
    ctx.call({
      operation: "listExpressRouteGateways",
      target: what,
      signal: options.abortSignal,
      onRead: options.onRead,
      // Not a pager in this API: one response with a value array.
      run: (abortSignal): Promise<unknown> => gateways.listBySubscription({ abortSignal }),
    }),
  );
  if (!listed.ok) return failedLike(listed);
  const from = {
    operation: "listExpressRouteGateways" as const,
    target: what,
    readAt: listed.readAt,
  };
  const mine = parsed(from, () => vwanConnectionsTo(listed.value, target.circuitId));
  if (!mine.ok) return failedLike(mine);
  problems.push(
    ...mine.value.problems.map((p) => fieldFailure("listExpressRouteGateways", what, p)),
  );
  return { ok: true, value: mine.value.facts, readAt: listed.readAt };
}

/** Every connection that wires the circuit to a gateway; the first failed read makes it all unknown. */
export async function readGateway(
  ctx: ArmContext,
  target: GatewayTarget,
  options: ReadOptions,
  problems: ReadFailure[],
): Promise<Reading<GatewayConnectionFacts[]>> {
  // Outside a sweep (diagnose) there is no session to share listings with.
  const session = options.session;
  const memo: Memo = session ? (key, load) => session.memo(key, load) : (_key, load) => load();
  const found: GatewayConnectionFacts[] = [];
  for (const scope of connectionScopes(target)) {
    const vnet = await vnetConnectionsIn(ctx, scope, target.circuitId, options, memo, problems);
    if (!vnet.ok) return vnet;
    found.push(...vnet.value);
  }
  const vwan = await vwanConnections(ctx, target, options, memo, problems);
  if (!vwan.ok) return vwan;
  found.push(...vwan.value);
  return { ok: true, value: found, readAt: ctx.now().toISOString() };
}

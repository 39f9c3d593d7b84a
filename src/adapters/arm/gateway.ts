// The Azure side of the circuit: VNet gateway connections (Microsoft.Network/
// connections whose peer is the circuit) and vWAN ExpressRoute connections
// (in ExpressRoute gateways, pointing at one of its peerings). Listings are
// shared across the circuits of a sweep through the session memo.

import type { ReadOptions, ReadSession } from "../../app/ports.js";
import { tag, TAGS } from "../../core/circuit-settings.js";
import type { GatewayConnectionFacts, Reading } from "../../core/model.js";
import { sameId } from "../../core/resource-id.js";
import { collect, failedLike } from "./call.js";
import type { ArmContext } from "./context.js";

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
): Promise<Reading<GatewayConnectionFacts[]>> {
  const network = ctx.clients.for(scope.subscriptionId).virtualNetworkGatewayConnections;
  const key = `connections:${scope.subscriptionId}/${scope.resourceGroup}`.toLowerCase();
  const listed = await memo(key, () =>
    ctx.call({
      operation: "listConnections",
      target: `gateway connections in ${scope.resourceGroup}`,
      signal: options.abortSignal,
      onRead: options.onRead,
      run: (abortSignal) => collect(network.list(scope.resourceGroup, { abortSignal })),
    }),
  );
  if (!listed.ok) return failedLike(listed);
  const mine = listed.value.filter(
    (c) =>
      c.connectionType === "ExpressRoute" &&
      c.peer?.id !== undefined &&
      sameId(c.peer.id, circuitId),
  );
  const found: GatewayConnectionFacts[] = [];
  for (const connection of mine) {
    // The list omits connectionStatus; only a GET carries it.
    const got = await ctx.call({
      operation: "getConnection",
      target: `gateway connection ${connection.name}`,
      signal: options.abortSignal,
      onRead: options.onRead,
      run: (abortSignal) =>
        network.get(scope.resourceGroup, connection.name ?? "", { abortSignal }),
    });
    if (!got.ok) return failedLike(got);
    found.push({
      id: got.value.id ?? connection.id ?? "",
      name: got.value.name ?? connection.name ?? "",
      kind: "vnet-gateway",
      peering: null,
      status: got.value.connectionStatus ?? "Unknown",
    });
  }
  return { ok: true, value: found, readAt: ctx.now().toISOString() };
}

async function vwanConnections(
  ctx: ArmContext,
  target: GatewayTarget,
  options: ReadOptions,
  memo: Memo,
): Promise<Reading<GatewayConnectionFacts[]>> {
  const gateways = ctx.clients.for(target.subscriptionId).expressRouteGateways;
  const vwan = await memo(`vwan:${target.subscriptionId}`.toLowerCase(), () =>
    ctx.call({
      operation: "listExpressRouteGateways",
      target: `ExpressRoute gateways in subscription ${target.subscriptionId}`,
      signal: options.abortSignal,
      onRead: options.onRead,
      // Not a pager in this API: one response with a value array.
      run: (abortSignal) =>
        gateways.listBySubscription({ abortSignal }).then((list) => list.value ?? []),
    }),
  );
  if (!vwan.ok) return failedLike(vwan);
  const prefix = `${target.circuitId}/peerings/`.toLowerCase();
  const found: GatewayConnectionFacts[] = [];
  for (const gateway of vwan.value) {
    for (const c of gateway.expressRouteConnections ?? []) {
      const peeringId = c.expressRouteCircuitPeering?.id ?? "";
      if (!peeringId.toLowerCase().startsWith(prefix)) continue;
      found.push({
        id: c.id ?? "",
        name: c.name,
        kind: "vwan",
        peering: peeringId.slice(prefix.length),
        status: c.provisioningState ?? "Unknown",
      });
    }
  }
  return { ok: true, value: found, readAt: vwan.readAt };
}

/** Every connection that wires the circuit to a gateway; the first failed read makes it all unknown. */
export async function readGateway(
  ctx: ArmContext,
  target: GatewayTarget,
  options: ReadOptions,
): Promise<Reading<GatewayConnectionFacts[]>> {
  // Outside a sweep (diagnose) there is no session to share listings with.
  const session = options.session;
  const memo: Memo = session ? (key, load) => session.memo(key, load) : (_key, load) => load();
  const found: GatewayConnectionFacts[] = [];
  for (const scope of connectionScopes(target)) {
    const vnet = await vnetConnectionsIn(ctx, scope, target.circuitId, options, memo);
    if (!vnet.ok) return vnet;
    found.push(...vnet.value);
  }
  const vwan = await vwanConnections(ctx, target, options, memo);
  if (!vwan.ok) return vwan;
  found.push(...vwan.value);
  return { ok: true, value: found, readAt: ctx.now().toISOString() };
}

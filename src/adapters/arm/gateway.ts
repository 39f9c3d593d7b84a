// The Azure side of the circuit: VNet gateway connections (Microsoft.Network/
// connections whose peer is the circuit) and vWAN ExpressRoute connections
// (in ExpressRoute gateways, pointing at one of its peerings). Found with one
// Azure Resource Graph query across the watched subscriptions (a connection in
// any resource group, a vWAN hub in another watched subscription); when that
// query fails, read per resource group (the circuit's and those its
// erwatch:connection-resource-groups tag names) and per subscription for vWAN,
// and say so: the failure is a monitoring-blind read, never silent. Listings
// and the query are shared across the circuits of a sweep through the session
// memo.

import type { ReadOptions, ReadSession } from "../../app/ports.js";
import { tag, TAGS } from "../../core/circuit-settings.js";
import type { GatewayConnectionFacts, ReadFailure, Reading } from "../../core/model.js";
import { parseCircuitId, sameId } from "../../core/resource-id.js";
import { failedLike, parsed } from "./call.js";
import { fieldFailure } from "./circuit.js";
import type { ArmContext } from "./context.js";
import { lifted, liftedWith, listing, onePage } from "./listing.js";
import { connectionsTo, parseConnection, vwanConnectionsTo } from "./wire/connections.js";
import { MalformedResponseError } from "./wire/fields.js";
import {
  canonicalConnectionStatus,
  connectionParts,
  parseWiringRows,
  WIRING_QUERY,
  wiringOf,
  type WiringRow,
} from "./wire/graph.js";

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

type Connections = ReturnType<ArmContext["clients"]["for"]>["virtualNetworkGatewayConnections"];

/**
 * One connection's GET. The SDK's model code trips on a body it does not
 * expect (a null gateway, a null among its IPsec policies) with a TypeError
 * that names no field; the body is read as ARM sent it instead, and the
 * parser names the field or reads the connection.
 */
async function getConnection(
  network: Connections,
  resourceGroup: string,
  name: string,
  abortSignal: AbortSignal,
): Promise<ReturnType<typeof parseConnection>> {
  let sent: unknown;
  const model: unknown = await network
    .get(resourceGroup, name, {
      abortSignal,
      onResponse: (response) => (sent = response.parsedBody),
    })
    .catch((error: unknown) => {
      if ((error as Error)?.name !== "TypeError" || sent === undefined) throw error;
      return lifted(sent);
    });
  return parseConnection(model, name);
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
      run: (abortSignal) => listing(() => network.list(scope.resourceGroup, { abortSignal })),
    }),
  );
  if (!listed.ok) return failedLike(listed);
  // An item the SDK could not take is still whose it says it is: its own GET
  // (below) fails for its circuit alone, not the listing for the group's.
  const items = [...listed.value.items, ...listed.value.untaken.map(lifted)];
  // Parsed per circuit: whether a connection is this circuit's depends on the circuit.
  const mine = parsed({ operation: "listConnections", target: what, readAt: listed.readAt }, () =>
    connectionsTo(items, circuitId),
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
      run: (abortSignal) => getConnection(network, scope.resourceGroup, name, abortSignal),
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
      run: (abortSignal) =>
        listing(() => onePage(() => gateways.listBySubscription({ abortSignal }))),
    }),
  );
  if (!listed.ok) return failedLike(listed);
  const from = {
    operation: "listExpressRouteGateways" as const,
    target: what,
    readAt: listed.readAt,
  };
  // A response the SDK could not take is read by the same parser, from what ARM
  // sent: each gateway's properties, and each of its connections', lifted.
  const value = [
    ...listed.value.items,
    ...listed.value.untaken.map(liftedWith("expressRouteConnections")),
  ];
  const mine = parsed(from, () => vwanConnectionsTo({ value }, target.circuitId));
  if (!mine.ok) return failedLike(mine);
  problems.push(
    ...mine.value.problems.map((p) => fieldFailure("listExpressRouteGateways", what, p)),
  );
  return { ok: true, value: mine.value.facts, readAt: listed.readAt };
}

/** The subscriptions the query covers: the watched ones, those of watched circuit ids, and the circuit's. */
export function graphSubscriptions(ctx: ArmContext, target: GatewayTarget): string[] {
  const all = [
    ...ctx.config.subscriptions,
    ...ctx.config.circuitIds.map((id) => parseCircuitId(id)?.subscriptionId ?? ""),
    target.subscriptionId,
  ]
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  return [...new Set(all)].sort();
}

/** Pages the query follows before it gives up (1,000 rows a page: a million connections). */
const MAX_GRAPH_PAGES = 1_000;

function queryWiring(
  ctx: ArmContext,
  subscriptions: string[],
  options: ReadOptions,
): Promise<Reading<WiringRow[]>> {
  return ctx.call({
    operation: "queryResourceGraph",
    target: `ExpressRoute connections in ${subscriptions.length === 1 ? `subscription ${subscriptions[0]}` : `${subscriptions.length} subscriptions`} (Resource Graph)`,
    signal: options.abortSignal,
    onRead: options.onRead,
    run: async (abortSignal) => {
      const rows: WiringRow[] = [];
      let skipToken: string | undefined;
      for (let page = 0; page < MAX_GRAPH_PAGES; page += 1) {
        const answer = await ctx.clients.graph().resources(
          {
            query: WIRING_QUERY,
            subscriptions,
            options: { resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
          },
          { abortSignal },
        );
        rows.push(...parseWiringRows(answer.data));
        skipToken = answer.skipToken || undefined;
        if (!skipToken) {
          // Truncated without a way to page on: some connections were left out.
          if (String(answer.resultTruncated) === "true")
            throw new MalformedResponseError("resultTruncated is true and there is no $skipToken");
          return rows;
        }
      }
      throw new MalformedResponseError(`more than ${MAX_GRAPH_PAGES} pages`);
    },
  });
}

/** The circuit's connections from the query's rows; a VNet connection whose status the query lacks is read with a GET. */
async function fromGraph(
  ctx: ArmContext,
  target: GatewayTarget,
  rows: WiringRow[],
  readAt: string,
  options: ReadOptions,
  problems: ReadFailure[],
): Promise<Reading<GatewayConnectionFacts[]>> {
  const { vnet, vwan } = wiringOf(rows, target.circuitId);
  const found: GatewayConnectionFacts[] = [];
  for (const row of vnet) {
    const status = canonicalConnectionStatus(row.status);
    // A row without its gateway is read as the per-group path reads it: the
    // GET names what ARM holds (left out, null, blank) or the gateway the
    // index has not caught up with, never wiring up with no gateway.
    if (status !== null && row.gateway !== null) {
      found.push({
        id: row.id,
        name: row.name,
        kind: "vnet-gateway",
        peering: null,
        status,
        gatewayId: row.gateway,
      });
      continue;
    }
    const what = `gateway connection ${row.name}`;
    const parts = connectionParts(row.id);
    if (!parts) {
      return parsed({ operation: "queryResourceGraph", target: what, readAt }, () => {
        throw new MalformedResponseError(`${row.id} is not a connection id`);
      });
    }
    const network = ctx.clients.for(parts.subscriptionId).virtualNetworkGatewayConnections;
    const got = await ctx.call({
      operation: "getConnection",
      target: what,
      signal: options.abortSignal,
      onRead: options.onRead,
      run: (abortSignal) => getConnection(network, parts.resourceGroup, parts.name, abortSignal),
    });
    if (!got.ok) return failedLike(got);
    problems.push(...got.value.problems.map((p) => fieldFailure("getConnection", what, p)));
    found.push(got.value.facts);
  }
  for (const c of vwan) {
    if (c.status === null)
      problems.push(
        fieldFailure("queryResourceGraph", `vWAN ExpressRoute connection ${c.name}`, {
          field: "provisioningState",
          problem: "is missing or not understood",
        }),
      );
    found.push(c);
  }
  return { ok: true, value: found, readAt };
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
  const subscriptions = graphSubscriptions(ctx, target);
  const graph = await memo(`graph:${subscriptions.join(",")}`, () =>
    queryWiring(ctx, subscriptions, options),
  );
  if (graph.ok) return fromGraph(ctx, target, graph.value, graph.readAt, options, problems);
  // The fallback may miss a connection elsewhere: the failure is reported, not swallowed.
  problems.push({
    ...graph.error,
    message: `${graph.error.message} (gateway wiring read per resource group instead: a connection in another group or subscription is not seen)`,
  });
  const found: GatewayConnectionFacts[] = [];
  for (const scope of connectionScopes(target)) {
    const vnet = await vnetConnectionsIn(ctx, scope, target.circuitId, options, memo, problems);
    if (!vnet.ok) return vnet;
    found.push(...vnet.value);
  }
  const vwan = await vwanConnections(ctx, target, options, memo, problems);
  if (!vwan.ok) return vwan;
  found.push(...vwan.value);
  // Partial: a connection not in these groups is not seen, so not gone.
  return { ok: true, value: found, readAt: ctx.now().toISOString(), partial: true };
}

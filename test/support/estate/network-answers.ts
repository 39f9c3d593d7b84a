// The estate's Network Watcher and gateway answers: one Network Watcher per
// region a subscription has circuits or monitors in (NetworkWatcher_<region>
// in NetworkWatcherRG, as Azure creates them), its Connection Monitors, a VNet
// gateway (which VNet it lives in) and the routes it learned — by default
// every prefix the circuits it is connected to receive, plus its own VNet.

import { armError, type Answer, type AnswerContext } from "./answers.js";
import { resourceNotFound } from "./arm-errors.js";
import { etagOf, sameName, stableUuid, virtualNetworkGatewayId } from "./ids.js";
import { accepted } from "./lro.js";
import type { EstateState, SimConnectionMonitor, SimVnetGateway } from "./model.js";
import type { Route } from "./routing.js";
import { generatedRoutes } from "./wire.js";
import { applyWireEdits } from "./wire-edits.js";

export const WATCHER_RG = "NetworkWatcherRG";
const region = (location: string) => location.toLowerCase().replace(/\s+/g, "");
export const watcherName = (location: string) => `NetworkWatcher_${region(location)}`;
const json = (value: unknown) => JSON.stringify(value);

export function watcherId(subscriptionId: string, location: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${WATCHER_RG}/providers/Microsoft.Network/networkWatchers/${watcherName(location)}`;
}

export function monitorId(m: SimConnectionMonitor): string {
  return `${watcherId(m.subscriptionId, m.location)}/connectionMonitors/${m.name}`;
}

export const gatewayIdOf = (g: SimVnetGateway) =>
  virtualNetworkGatewayId(g.subscriptionId, g.resourceGroup, g.name);

function watchers(state: EstateState, subscriptionId: string) {
  const regions = new Set<string>();
  for (const c of state.circuits)
    if (sameName(c.subscriptionId, subscriptionId)) regions.add(region(c.location));
  for (const m of state.connectionMonitors ?? [])
    if (sameName(m.subscriptionId, subscriptionId)) regions.add(region(m.location));
  for (const gone of state.withoutNetworkWatcher ?? [])
    if (sameName(gone.subscriptionId, subscriptionId)) regions.delete(region(gone.location));
  return [...regions].sort().map((location) => ({
    id: watcherId(subscriptionId, location),
    name: watcherName(location),
    type: "Microsoft.Network/networkWatchers",
    location,
    etag: etagOf(watcherId(subscriptionId, location)),
    properties: { provisioningState: "Succeeded" },
  }));
}

/**
 * The monitor as its Network Watcher sends it, wire edits applied to a copy:
 * an edit of `properties.endpoints[i]` changes what is sent, never the
 * estate's own endpoints (which Log Analytics' rows are written from).
 */
export function monitorJson(m: SimConnectionMonitor): unknown {
  const id = monitorId(m);
  // A test removed is gone from the definition; its rows linger in Log Analytics.
  const defined = m.tests.filter((t) => t.removedMinutesAgo === undefined);
  const configurations = [...new Map(defined.map((t) => [t.test, t])).values()];
  const groups = [...new Map(defined.map((t) => [t.testGroup, t])).keys()];
  const body = {
    id,
    name: m.name,
    type: "Microsoft.Network/networkWatchers/connectionMonitors",
    location: region(m.location),
    etag: etagOf(id),
    properties: {
      provisioningState: "Succeeded",
      monitoringStatus: "Running",
      connectionMonitorType: "MultiEndpoint",
      endpoints: structuredClone(m.endpoints),
      testConfigurations: configurations.map((t) => ({
        name: t.test,
        testFrequencySec: 30,
        protocol: "Tcp",
        tcpConfiguration: { port: t.port },
        successThreshold: {
          checksFailedPercent: t.checksFailedPercentThreshold,
          roundTripTimeMs: t.roundTripThresholdMs,
        },
      })),
      testGroups: groups.map((name) => {
        const tests = defined.filter((t) => t.testGroup === name);
        return {
          name,
          disable: false,
          testConfigurations: [...new Set(tests.map((t) => t.test))],
          sources: [...new Set(tests.map((t) => t.source))],
          destinations: [...new Set(tests.map((t) => t.destination))],
        };
      }),
      outputs: [
        { type: "Workspace", workspaceSettings: { workspaceResourceId: m.workspaceResourceId } },
      ],
    },
  };
  return applyWireEdits(body, m.wire, "monitor");
}

function findGateway(
  state: EstateState,
  route: { subscriptionId: string; resourceGroup: string; gateway: string },
) {
  return (state.vnetGateways ?? []).find(
    (g) =>
      sameName(g.subscriptionId, route.subscriptionId) &&
      sameName(g.resourceGroup, route.resourceGroup) &&
      sameName(g.name, route.gateway),
  );
}

function gatewayJson(g: SimVnetGateway) {
  const id = gatewayIdOf(g);
  return {
    name: g.name,
    id,
    etag: etagOf(id),
    type: "Microsoft.Network/virtualNetworkGateways",
    location: g.location,
    properties: {
      provisioningState: "Succeeded",
      resourceGuid: stableUuid(`resourceGuid:${id}`),
      ipConfigurations: [
        {
          name: "default",
          id: `${id}/ipConfigurations/default`,
          etag: etagOf(`${id}/ipConfigurations/default`),
          properties: {
            provisioningState: "Succeeded",
            privateIPAllocationMethod: "Dynamic",
            subnet: { id: `${g.vnetId}/subnets/GatewaySubnet` },
            publicIPAddress: { id: `${id}-pip` },
          },
        },
      ],
      gatewayType: "ExpressRoute",
      vpnType: "RouteBased",
      sku: { name: "ErGw1AZ", tier: "ErGw1AZ" },
      enableBgp: false,
      activeActive: false,
    },
  };
}

/** What the gateway learned: its own VNet, and each prefix its circuits' private peering receives. */
export function learnedRoutesOf(state: EstateState, g: SimVnetGateway) {
  if (g.learnedRoutes)
    return g.learnedRoutes.map((r) => ({
      ...r,
      localAddress: "10.100.0.4",
      sourcePeer: r.nextHop,
      weight: 32769,
    }));
  const own = [
    {
      network: "10.100.0.0/16",
      origin: "Network",
      asPath: "",
      nextHop: "",
      localAddress: "10.100.0.4",
      sourcePeer: "10.100.0.4",
      weight: 32768,
    },
  ];
  const id = gatewayIdOf(g);
  const circuits = state.connections
    .filter((c) => sameName(c.gatewayId, id))
    .flatMap((c) =>
      state.circuits.filter((x) =>
        c.circuitId.toLowerCase().endsWith(`/expressroutecircuits/${x.name.toLowerCase()}`),
      ),
    );
  const heard = new Map<
    string,
    {
      network: string;
      origin: string;
      asPath: string;
      nextHop: string;
      localAddress: string;
      sourcePeer: string;
      weight: number;
    }
  >();
  for (const circuit of circuits) {
    const peering = circuit.peerings.find((p) => sameName(p.name, "AzurePrivatePeering"));
    if (!peering || peering.state !== "Enabled") continue;
    for (const path of ["primary", "secondary"] as const)
      for (const r of peering.paths[path].routes ?? generatedRoutes(peering.paths[path]))
        heard.set(r.network, {
          network: r.network,
          origin: "EBgp",
          asPath: `12076-${r.path}`,
          nextHop: path === "primary" ? "10.100.0.12" : "10.100.0.13",
          localAddress: "10.100.0.4",
          sourcePeer: path === "primary" ? "10.100.0.12" : "10.100.0.13",
          weight: 32769,
        });
  }
  return [...own, ...heard.values()];
}

type NetworkRoute = Extract<
  Route,
  {
    operation:
      | "listNetworkWatchers"
      | "listConnectionMonitors"
      | "getVirtualNetworkGateway"
      | "learnedRoutes";
  }
>;

export function networkAnswer(ctx: AnswerContext, route: NetworkRoute): Answer {
  const state = ctx.state();
  switch (route.operation) {
    case "listNetworkWatchers":
      return { status: 200, body: json({ value: watchers(state, route.subscriptionId) }) };
    case "listConnectionMonitors": {
      const watcher = watchers(state, route.subscriptionId).find(
        (w) => sameName(w.name, route.networkWatcher) && sameName(WATCHER_RG, route.resourceGroup),
      );
      if (!watcher)
        return armError(
          resourceNotFound(
            "Microsoft.Network/networkWatchers",
            route.networkWatcher,
            route.resourceGroup,
          ),
        );
      const value = (state.connectionMonitors ?? [])
        .filter(
          (m) =>
            sameName(m.subscriptionId, route.subscriptionId) &&
            region(m.location) === watcher.location,
        )
        .map(monitorJson);
      return { status: 200, body: json({ value }) };
    }
    case "getVirtualNetworkGateway": {
      const g = findGateway(state, route);
      return g
        ? { status: 200, body: json(gatewayJson(g)) }
        : armError(
            resourceNotFound(
              "Microsoft.Network/virtualNetworkGateways",
              route.gateway,
              route.resourceGroup,
            ),
          );
    }
    case "learnedRoutes": {
      const g = findGateway(state, route);
      if (!g)
        return armError(
          resourceNotFound(
            "Microsoft.Network/virtualNetworkGateways",
            route.gateway,
            route.resourceGroup,
          ),
        );
      const operation = ctx.operations.create({
        kind: "learnedRoutes",
        shape: ctx.lro.shape,
        subscriptionId: g.subscriptionId,
        location: g.location,
        circuit: g.name,
        peering: "",
        devicePath: "",
        body: json({ value: learnedRoutesOf(state, g) }),
        pollsLeft: ctx.lro.pendingPolls,
        neverEnding: false,
      });
      return accepted(ctx.baseUrl, operation, ctx.lro.retryAfterSeconds);
    }
  }
}

// Builds domain readings directly (no wire) for the pure classifier tests.

import type { DataPlaneReading } from "../../src/core/dataplane/facts.js";
import type {
  ArpReading,
  ArpRow,
  BgpNeighborRow,
  RouteRow,
  CircuitReading,
  CircuitSettings,
  GatewayConnectionFacts,
  PathName,
  PathReading,
  PeeringFacts,
  ReadFailure,
  Reading,
} from "../../src/core/model.js";

export const READ_AT = "2026-11-22T02:01:00.000Z";
export const CIRCUIT_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRouteCircuits/er-circuit-prod";

export const ok = <T>(value: T): Reading<T> => ({ ok: true, value, readAt: READ_AT });
export const failed = <T>(
  failure: Partial<ReadFailure> & Pick<ReadFailure, "kind">,
): Reading<T> => ({
  ok: false,
  readAt: READ_AT,
  error: {
    call: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
    target: "ARP table AzurePrivatePeering/primary",
    message: "failed",
    ...failure,
  },
});

export function arpRows(
  path: PathName,
  mode: "healthy" | "empty" | "microsoft-only" | "incomplete",
): ArpRow[] {
  const base = path === "primary" ? 16 : 20;
  const onPrem: ArpRow = {
    age: 10,
    interface: "On-Prem",
    ipAddress: `192.168.10.${base + 1}`,
    macAddress: "0050.56a1.2b3c",
  };
  const microsoft: ArpRow = {
    age: 0,
    interface: "Microsoft",
    ipAddress: `192.168.10.${base + 2}`,
    macAddress: "5c5e.abd1.0001",
  };
  switch (mode) {
    case "healthy":
      return [onPrem, microsoft];
    case "empty":
      return [];
    case "microsoft-only":
      return [microsoft];
    case "incomplete":
      return [{ ...onPrem, macAddress: "Incomplete" }, microsoft];
  }
}

export function neighbor(statePfxRcd: string, v = 4, upDown = "1d02h"): BgpNeighborRow {
  return {
    neighbor: v === 4 ? "192.168.10.17" : "3ffe:ffff:0:cd30::1",
    v,
    as: 65010,
    upDown,
    statePfxRcd,
  };
}

/** `count` routes 10.<i>.0.0/24 (i from `from`), as the full route table lists them. */
export function routeRows(count: number, from = 0): RouteRow[] {
  return Array.from({ length: count }, (_, i) => ({
    network: `10.${Math.floor((from + i) / 256)}.${(from + i) % 256}.0/24`,
    nextHop: "192.168.10.17",
    locPrf: "",
    weight: 0,
    path: "65010",
  }));
}

export interface PathSpec {
  arp?: "healthy" | "empty" | "microsoft-only" | "incomplete" | ArpReading;
  bgp?: string | BgpNeighborRow[] | Reading<BgpNeighborRow[]>;
  /** The session uptime the route summary shows, when `bgp` is a string (default "1d02h"). */
  upDown?: string;
  /** The full route table (diagnose --routes). */
  routes?: RouteRow[] | Reading<RouteRow[]>;
}

export function pathReading(path: PathName, spec: PathSpec = {}): PathReading {
  const arp = spec.arp ?? "healthy";
  const bgp = spec.bgp ?? "120";
  const reading: PathReading = {
    arp: typeof arp === "string" ? ok(arpRows(path, arp)) : arp,
    summary:
      typeof bgp === "string"
        ? ok([neighbor(bgp, 4, spec.upDown)])
        : Array.isArray(bgp)
          ? ok(bgp)
          : bgp,
  };
  if (spec.routes) reading.routes = Array.isArray(spec.routes) ? ok(spec.routes) : spec.routes;
  return reading;
}

export function peering(overrides: Partial<PeeringFacts> = {}): PeeringFacts {
  return {
    name: "AzurePrivatePeering",
    peeringType: "AzurePrivatePeering",
    state: "Enabled",
    azureASN: 12076,
    peerASN: 65010,
    primaryPeerAddressPrefix: "192.168.10.16/30",
    secondaryPeerAddressPrefix: "192.168.10.20/30",
    vlanId: 200,
    advertisedPublicPrefixesState: null,
    advertisedPublicPrefixes: [],
    globalReach: [],
    ...overrides,
  };
}

export function microsoftPeering(
  state: string,
  overrides: Partial<PeeringFacts> = {},
): PeeringFacts {
  return peering({
    name: "MicrosoftPeering",
    peeringType: "MicrosoftPeering",
    vlanId: 300,
    primaryPeerAddressPrefix: "123.0.0.0/30",
    secondaryPeerAddressPrefix: "123.0.0.4/30",
    advertisedPublicPrefixesState: state,
    advertisedPublicPrefixes: ["123.1.0.0/24"],
    ...overrides,
  });
}

export const CONNECTED_GATEWAY: GatewayConnectionFacts[] = [
  {
    id: "/subscriptions/x/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/connections/conn-er-prod",
    name: "conn-er-prod",
    kind: "vnet-gateway",
    peering: null,
    status: "Connected",
  },
];

export const DEFAULT_SETTINGS: CircuitSettings = {
  connectivityModel: "own-edge",
  criticality: "normal",
  expectedPeerings: ["AzurePrivatePeering"],
  expectGateway: true,
};

export interface CircuitSpec {
  providerState?: string;
  /** The Azure side's circuitProvisioningState (default "Enabled"). */
  circuitState?: string | null;
  /** null: the circuit body said nothing about its tier. */
  skuTier?: string | null;
  peerings?: PeeringFacts[];
  paths?: Record<string, Partial<Record<PathName, PathSpec>>>;
  gateway?: Reading<GatewayConnectionFacts[]>;
  settings?: Partial<CircuitSettings>;
  circuit?: Reading<never>;
  /** When the reads happened (default READ_AT): a sweep harness stamps its clock here. */
  readAt?: string;
  dataPlane?: DataPlaneReading;
  /** An ExpressRoute Direct circuit: on a port of your own, no provider properties. */
  direct?: boolean;
}

export const DIRECT_PORT_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRoutePorts/erdirect-sv1";

/** Re-stamps every read made at READ_AT with `at`; reads given with their own time keep it. */
function stamped(reading: CircuitReading, at: string): CircuitReading {
  const stamp = <R extends { readAt: string }>(r: R): R =>
    r.readAt === READ_AT ? { ...r, readAt: at } : r;
  const paths: CircuitReading["paths"] = {};
  for (const [name, byPath] of Object.entries(reading.paths)) {
    const each = (p: PathReading): PathReading => ({
      arp: stamp(p.arp),
      summary: stamp(p.summary),
      ...(p.routes ? { routes: stamp(p.routes) } : {}),
    });
    paths[name] = { primary: each(byPath.primary), secondary: each(byPath.secondary) };
  }
  return {
    ...reading,
    circuit: stamp(reading.circuit),
    gateway: stamp(reading.gateway),
    paths,
  };
}

/** A healthy private-peering circuit unless the spec says otherwise. */
export function circuitReading(spec: CircuitSpec = {}): CircuitReading {
  const peerings = spec.peerings ?? [peering()];
  const paths: CircuitReading["paths"] = {};
  for (const p of peerings) {
    if (p.state !== "Enabled") continue;
    const given = spec.paths?.[p.name] ?? {};
    paths[p.name] = {
      primary: pathReading("primary", given.primary),
      secondary: pathReading("secondary", given.secondary),
    };
  }
  const reading: CircuitReading = {
    ref: {
      id: CIRCUIT_ID,
      name: "er-circuit-prod",
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      resourceGroup: "rg-hybrid-core",
      location: "westus",
      tags: {},
    },
    settings: { ...DEFAULT_SETTINGS, ...spec.settings },
    circuit:
      spec.circuit ??
      ok({
        circuitProvisioningState: spec.circuitState === undefined ? "Enabled" : spec.circuitState,
        serviceProviderProvisioningState: spec.providerState ?? "Provisioned",
        skuTier: spec.skuTier === undefined ? "Standard" : spec.skuTier,
        skuFamily: "MeteredData",
        bandwidthInMbps: 1000,
        serviceKey: "a1410692-0000-4ceb-b94a-b90b94d398d1",
        serviceProviderName: spec.direct ? null : "Equinix",
        peeringLocation: spec.direct ? null : "Silicon Valley",
        ...(spec.direct ? { expressRoutePortId: DIRECT_PORT_ID } : {}),
        peerings,
      }),
    paths: spec.circuit ? {} : paths,
    gateway: spec.gateway ?? ok(CONNECTED_GATEWAY),
    ...(spec.dataPlane ? { dataPlane: spec.dataPlane } : {}),
  };
  return spec.readAt ? stamped(reading, spec.readAt) : reading;
}

/**
 * `circuitReading(spec)` with its peering list read in part: the spec's
 * peerings read beside `unreadable` entries that were not ([peering, null]),
 * as the ARM wire reader hands such a body on.
 */
export function readInPart(spec: CircuitSpec = {}, unreadable = 1): CircuitReading {
  const r = circuitReading(spec);
  if (!r.circuit.ok) throw new Error("the circuit reads");
  const read = r.circuit.value.peerings ?? [];
  return {
    ...r,
    circuit: {
      ...r.circuit,
      value: {
        ...r.circuit.value,
        peerings: null,
        peeringsUnread: {
          listed: read.length + unreadable,
          unreadable,
          entries: Array.from({ length: unreadable }, (_, i) => read.length + i),
        },
        ...(read.length > 0 ? { peeringsRead: read } : {}),
      },
    },
  };
}

// Mutators tests call between sweeps. Each changes one fact the way the real
// estate would show it (a dead link empties ARP AND drops BGP to Idle), and
// throws on a name that does not exist, because that is a bug in the test.

import { DEFAULT_PREFIXES } from "./builders.js";
import { circuitNameOf, sameName, seedOf } from "./ids.js";
import type {
  EstateState,
  SimCircuit,
  SimConnectionMonitor,
  SimPath,
  SimPeering,
  SimTest,
  WireEdit,
} from "./model.js";
import {
  arpRows,
  carriedPrefixes,
  DOWN_UP_DOWN,
  ESTABLISHED_UP_DOWN,
  healthyPath,
  neighborPrefixes,
  neighborRow,
  type ArpMode,
  type PathName,
} from "./paths.js";

export type BgpState =
  "Established" | "Idle" | "Connect" | "Active" | "OpenSent" | "OpenConfirm" | string;

export function peeringOf(circuit: SimCircuit, peering: string): SimPeering {
  const found = circuit.peerings.find((p) => sameName(p.name, peering));
  if (!found) throw new Error(`circuit ${circuit.name} has no peering ${peering}`);
  return found;
}

function pathOf(
  circuit: SimCircuit,
  peering: string,
  path: PathName,
): { peering: SimPeering; path: SimPath } {
  const p = peeringOf(circuit, peering);
  return { peering: p, path: p.paths[path] };
}

/** The count a peering carries when nothing else is known: its advertised public prefixes, or the default. */
function defaultPrefixes(peering: SimPeering): number {
  return peering.microsoft ? peering.microsoft.advertisedPublicPrefixes.length : DEFAULT_PREFIXES;
}

export function setArp(circuit: SimCircuit, peering: string, path: PathName, mode: ArpMode): void {
  const target = pathOf(circuit, peering, path);
  target.path.arp = arpRows(seedOf(circuit), target.peering, path, mode);
}

/** Non-Established puts the state name in statePfxRcd; Established restores the count. */
export function setBgpState(
  circuit: SimCircuit,
  peering: string,
  path: PathName,
  state: BgpState,
): void {
  const target = pathOf(circuit, peering, path);
  if (target.path.neighbors.length === 0) {
    target.path.neighbors = [
      neighborRow(
        target.peering,
        path,
        carriedPrefixes(target.path, defaultPrefixes(target.peering)),
        state,
      ),
    ];
  }
  for (const n of target.path.neighbors) {
    const count = neighborPrefixes(n, defaultPrefixes(target.peering));
    n.establishedPrefixes = count;
    if (state === "Established") {
      n.statePfxRcd = String(count);
      n.upDown = ESTABLISHED_UP_DOWN;
    } else {
      n.statePfxRcd = state;
      n.upDown = DOWN_UP_DOWN;
    }
  }
  // A session that changed state re-learns its routes; hand-written tables would be stale.
  delete target.path.routes;
}

/** The count the IPv4 session reports (and keeps for when it comes back, if it is down now). */
export function setPrefixes(
  circuit: SimCircuit,
  peering: string,
  path: PathName,
  count: number,
): void {
  const target = pathOf(circuit, peering, path);
  if (target.path.neighbors.length === 0)
    target.path.neighbors = [neighborRow(target.peering, path, count)];
  for (const n of target.path.neighbors) {
    if (n.v !== 4) continue;
    n.establishedPrefixes = count;
    if (/^\d+$/.test(n.statePfxRcd.trim())) n.statePfxRcd = String(count);
  }
  delete target.path.routes;
}

export function setProviderState(
  circuit: SimCircuit,
  state: SimCircuit["serviceProviderProvisioningState"],
): void {
  circuit.serviceProviderProvisioningState = state;
}

/** A layer-2 failure as it really looks: nothing in ARP, and BGP Idle because TCP cannot even start. */
export function carrierDown(circuit: SimCircuit, peering: string, path: PathName): void {
  setArp(circuit, peering, path, "empty");
  setBgpState(circuit, peering, path, "Idle");
}

/** Back to healthy ARP and an Established session carrying the count it had before. */
export function restorePath(circuit: SimCircuit, peering: string, path: PathName): void {
  const target = pathOf(circuit, peering, path);
  const count = carriedPrefixes(target.path, defaultPrefixes(target.peering));
  target.peering.paths[path] = healthyPath(seedOf(circuit), target.peering, path, count);
}

/** The carrier's link down on both paths of a peering (a site outage, or a circuit's both-paths outage). */
export function carrierDownBoth(circuit: SimCircuit, peering: string): void {
  carrierDown(circuit, peering, "primary");
  carrierDown(circuit, peering, "secondary");
}

/** Both paths of a peering back to healthy. */
export function restoreBoth(circuit: SimCircuit, peering: string): void {
  restorePath(circuit, peering, "primary");
  restorePath(circuit, peering, "secondary");
}

export function setPeeringState(
  circuit: SimCircuit,
  peering: string,
  state: "Enabled" | "Disabled",
): void {
  peeringOf(circuit, peering).state = state;
}

export function removePeering(circuit: SimCircuit, peering: string): void {
  const found = peeringOf(circuit, peering);
  circuit.peerings = circuit.peerings.filter((p) => p !== found);
}

/**
 * Microsoft peering validation. Microsoft accepts no routes until the public
 * prefixes are validated, so the sessions stay Established but carry 0 until
 * the state is Configured.
 */
export function setPublicPrefixesState(circuit: SimCircuit, state: string): void {
  const peering = peeringOf(circuit, "MicrosoftPeering");
  if (!peering.microsoft)
    throw new Error(`circuit ${circuit.name}: MicrosoftPeering has no microsoft config`);
  peering.microsoft.advertisedPublicPrefixesState = state;
  const count = state === "Configured" ? peering.microsoft.advertisedPublicPrefixes.length : 0;
  for (const path of ["primary", "secondary"] as const)
    setPrefixes(circuit, peering.name, path, count);
}

/** Outbound (`connections`) or inbound (`peeredConnections`) Global Reach, by name. */
export function setGlobalReachStatus(
  circuit: SimCircuit,
  peering: string,
  name: string,
  status: string,
): void {
  const p = peeringOf(circuit, peering);
  const found = [...p.globalReach, ...p.peerConnections].find((g) => sameName(g.name, name));
  if (!found)
    throw new Error(
      `circuit ${circuit.name} peering ${peering} has no Global Reach connection ${name}`,
    );
  found.status = status;
}

const pointsAt = (id: string, circuitName: string) => {
  const name = circuitNameOf(id);
  return name !== undefined && sameName(name, circuitName);
};

/** Every Microsoft.Network/connections resource whose peer is the named circuit. */
export function setConnectionStatus(
  estate: EstateState,
  circuitName: string,
  status: string,
): void {
  const mine = estate.connections.filter((c) => pointsAt(c.circuitId, circuitName));
  if (mine.length === 0) throw new Error(`no gateway connection points at circuit ${circuitName}`);
  for (const c of mine) c.connectionStatus = status;
}

/** Removes the circuit's gateway connections of both kinds (VNet gateway and vWAN hub). */
export function removeConnections(estate: EstateState, circuitName: string): void {
  estate.connections = estate.connections.filter((c) => !pointsAt(c.circuitId, circuitName));
  for (const gateway of estate.vwanGateways) {
    gateway.connections = gateway.connections.filter(
      (c) => !pointsAt(c.circuitPeeringId, circuitName),
    );
  }
}

/** vWAN ExpressRoute connections report provisioningState, not a connection status (extension). */
export function setVwanConnectionState(
  estate: EstateState,
  circuitName: string,
  provisioningState: string,
): void {
  const mine = estate.vwanGateways
    .flatMap((g) => g.connections)
    .filter((c) => pointsAt(c.circuitPeeringId, circuitName));
  if (mine.length === 0)
    throw new Error(`no vWAN ExpressRoute connection points at circuit ${circuitName}`);
  for (const c of mine) c.provisioningState = provisioningState;
}

/**
 * Sends an odd value for one field of the circuit's JSON (or of one of its
 * path reads): `{ read: "arpTable", peering, path, field: "value[0].interface", value: 7 }`.
 * Edits stack in order; `clearWire` drops them.
 */
export function editWire(circuit: SimCircuit, ...edits: WireEdit[]): void {
  if (edits.some((e) => e.read === "connection"))
    throw new Error("connection edits belong to a connection: use editConnectionWire");
  if (edits.some((e) => e.read === "monitor"))
    throw new Error("monitor edits belong to a Connection Monitor: set its `wire`");
  if (edits.some((e) => e.read === "vwanGateway"))
    throw new Error("vwanGateway edits belong to a vWAN gateway: set its `wire`");
  circuit.wire = [...(circuit.wire ?? []), ...edits.map((e) => structuredClone(e))];
}

export function clearWire(circuit: SimCircuit): void {
  delete circuit.wire;
}

/** The same for the JSON of every Microsoft.Network/connections resource that points at the circuit. */
export function editConnectionWire(
  estate: EstateState,
  circuitName: string,
  ...edits: Omit<WireEdit, "read">[]
): void {
  const mine = estate.connections.filter((c) => pointsAt(c.circuitId, circuitName));
  if (mine.length === 0) throw new Error(`no gateway connection points at circuit ${circuitName}`);
  for (const c of mine)
    c.wire = [
      ...(c.wire ?? []),
      ...edits.map((e) => ({ ...structuredClone(e), read: "connection" as const })),
    ];
}

/** What the path carries while its session is up (Azure Monitor's BitsIn/OutPerSecond). */
export function setTraffic(
  circuit: SimCircuit,
  peering: string,
  path: PathName,
  traffic: { inBps: number; outBps: number },
): void {
  peeringOf(circuit, peering).paths[path].traffic = { ...traffic };
}

/** Every test of the monitor now reports `result` (Fail: every check failed; none: no rows at all). */
export function setTestResults(
  monitor: SimConnectionMonitor,
  result: SimTest["result"],
  extra: Partial<SimTest> = {},
): void {
  for (const t of monitor.tests) {
    t.result = result;
    t.checksFailed = result === "Fail" ? t.checksTotal : result === "Pass" ? 0 : t.checksFailed;
    t.roundTripMs = result === "Fail" ? null : (t.roundTripMs ?? 14);
    Object.assign(t, extra);
  }
}

/**
 * The endpoint stops reporting at `at` (its agent stopped, its VM
 * deallocated): every test from or to it writes no row after then, and its
 * last row stays in Log Analytics while the look-back reaches it.
 */
export function stopReporting(monitor: SimConnectionMonitor, endpoint: string, at: string): void {
  const tests = monitor.tests.filter((t) => t.source === endpoint || t.destination === endpoint);
  if (tests.length === 0) throw new Error(`no test of ${monitor.name} runs from or to ${endpoint}`);
  for (const t of tests) t.stoppedAt ??= at;
}

/** A stretch of Azure Monitor data the control plane does not show (a dip to `value`, or a gap). */
export function metricsDip(
  estate: EstateState,
  override: NonNullable<NonNullable<EstateState["monitor"]>["metricOverrides"]>[number],
): void {
  estate.monitor = {
    ...estate.monitor,
    metricOverrides: [...(estate.monitor?.metricOverrides ?? []), override],
  };
}

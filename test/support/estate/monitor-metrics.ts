// Azure Monitor's ExpressRoute circuit metrics, made from the estate's state.
// Availability follows the control plane (ARP resolves, BGP Established);
// throughput is the path's `traffic` (a busy default) while it can carry any,
// else 0. The estate has no clock of its own: the end of each query is "now",
// and what the circuit looked like then is remembered, so a later query sees
// history as it was (a change shows from the query that first saw it: a test
// that changes the estate and sweeps at T has the change happen at T). The
// newest minutes are withheld as Azure withholds them (1–3 minutes late, the
// same for every query ending in the same minute), and overrides put dips and
// gaps in that the control plane does not show. Global Reach throughput is per
// connection (outbound and inbound), split by the peer circuit's service key:
// the connection's `traffic` while it is Connected, else 0.

import { circuitId, sameName, stableUuid } from "./ids.js";
import type { EstateState, SimCircuit, SimPath, SimPeering } from "./model.js";

export const METRICS = {
  BgpAvailability: { display: "BGP Availability", unit: "Percent", split: ["PeeringType", "Peer"] },
  ArpAvailability: { display: "ARP Availability", unit: "Percent", split: ["PeeringType", "Peer"] },
  BitsInPerSecond: {
    display: "Bits In Per Second",
    unit: "BitsPerSecond",
    split: ["PeeringType", "DeviceRole"],
  },
  BitsOutPerSecond: {
    display: "Bits Out Per Second",
    unit: "BitsPerSecond",
    split: ["PeeringType", "DeviceRole"],
  },
  GlobalReachBitsInPerSecond: {
    display: "Global Reach Bits In Per Second",
    unit: "BitsPerSecond",
    split: ["PeeredCircuitSKey"],
  },
  GlobalReachBitsOutPerSecond: {
    display: "Global Reach Bits Out Per Second",
    unit: "BitsPerSecond",
    split: ["PeeredCircuitSKey"],
  },
} as const;
export type SimMetric = keyof typeof METRICS;
export type SimReachMetric = "GlobalReachBitsInPerSecond" | "GlobalReachBitsOutPerSecond";
export type SimPathMetric = Exclude<SimMetric, SimReachMetric>;
export const isReachMetric = (m: SimMetric): m is SimReachMetric => m.startsWith("GlobalReach");

const MINUTE = 60_000;
const PATHS = ["primary", "secondary"] as const;
type Path = (typeof PATHS)[number];

/** Azure's own words for the peering type and the path, as the dimensions carry them. */
export const PEERING_TYPE: Record<string, string> = {
  AzurePrivatePeering: "Private",
  MicrosoftPeering: "Microsoft",
  AzurePublicPeering: "Public",
};

const DEFAULT_TRAFFIC: Record<string, { inBps: number; outBps: number }> = {
  AzurePrivatePeering: { inBps: 240e6, outBps: 90e6 },
  MicrosoftPeering: { inBps: 30e6, outBps: 8e6 },
};

function established(path: SimPath): number | null {
  const n = path.neighbors.find((x) => x.v === 4 && /^\d+$/.test(x.statePfxRcd.trim()));
  return n ? Number(n.statePfxRcd.trim()) : null;
}

function arpResolves(path: SimPath): boolean {
  const onPrem = path.arp.find((r) => r.interface === "On-Prem");
  return (
    !!onPrem &&
    onPrem.macAddress !== "Incomplete" &&
    path.arp.some((r) => r.interface === "Microsoft")
  );
}

/** The values one path shows right now, per metric. */
export function currentValues(
  circuit: SimCircuit,
  peering: SimPeering,
  path: Path,
): Record<SimPathMetric, number> {
  const provisioned = circuit.serviceProviderProvisioningState === "Provisioned";
  const p = peering.paths[path];
  const enabled = peering.state === "Enabled";
  const arp = provisioned && enabled && arpResolves(p);
  const prefixes = provisioned && enabled ? established(p) : null;
  const carrying = arp && prefixes !== null && prefixes > 0;
  const traffic = p.traffic ?? DEFAULT_TRAFFIC[peering.name] ?? { inBps: 5e6, outBps: 2e6 };
  return {
    ArpAvailability: arp ? 100 : 0,
    BgpAvailability: prefixes !== null && arp ? 100 : 0,
    BitsInPerSecond: carrying ? traffic.inBps : 0,
    BitsOutPerSecond: carrying ? traffic.outBps : 0,
  };
}

type Snapshot = Map<string, Partial<Record<SimMetric, number>>>;
const seriesKey = (peering: string, path: Path) => `${peering.toLowerCase()}|${path}`;
const reachKey = (peerServiceKey: string) => `globalreach|${peerServiceKey.toLowerCase()}`;

const DEFAULT_REACH_TRAFFIC = { inBps: 12e6, outBps: 3e6 };

/** The peer circuit's service key: the estate's circuit when it has it, else a stable one of the id. */
export function peerServiceKey(state: EstateState, peerCircuitPeeringId: string): string {
  const peer = peerCircuitPeeringId.replace(/\/peerings\/[^/]+\/?$/i, "");
  const known = state.circuits.find((c) => sameName(circuitId(c), peer));
  return known?.serviceKey ?? stableUuid(`serviceKey:${peer.toLowerCase()}`);
}

/** Every Global Reach connection of the circuit, outbound and inbound, with its peer's service key. */
function reachOf(state: EstateState, circuit: SimCircuit) {
  return circuit.peerings.flatMap((p) =>
    [...p.globalReach, ...p.peerConnections].map((g) => ({
      connection: g,
      key: peerServiceKey(state, g.peerCircuitPeeringId),
    })),
  );
}

function snapshotOf(state: EstateState, circuit: SimCircuit): Snapshot {
  const out: Snapshot = new Map();
  for (const peering of circuit.peerings)
    for (const path of PATHS)
      out.set(seriesKey(peering.name, path), currentValues(circuit, peering, path));
  for (const { connection, key } of reachOf(state, circuit)) {
    const traffic = connection.traffic ?? DEFAULT_REACH_TRAFFIC;
    const connected = connection.status === "Connected";
    const before = out.get(reachKey(key)) ?? {};
    out.set(reachKey(key), {
      GlobalReachBitsInPerSecond:
        (before.GlobalReachBitsInPerSecond ?? 0) + (connected ? traffic.inBps : 0),
      GlobalReachBitsOutPerSecond:
        (before.GlobalReachBitsOutPerSecond ?? 0) + (connected ? traffic.outBps : 0),
    });
  }
  return out;
}

/** Per estate state and circuit: what each query saw, in time order. */
const memory = new WeakMap<EstateState, Map<string, { at: number; values: Snapshot }[]>>();

function observed(
  state: EstateState,
  circuit: SimCircuit,
  at: number,
): { at: number; values: Snapshot }[] {
  let byCircuit = memory.get(state);
  if (!byCircuit) memory.set(state, (byCircuit = new Map()));
  const key = `${circuit.subscriptionId}/${circuit.resourceGroup}/${circuit.name}`.toLowerCase();
  const seen = byCircuit.get(key) ?? [];
  const last = seen[seen.length - 1];
  const now = { at, values: snapshotOf(state, circuit) };
  if (!last || at > last.at) seen.push(now);
  else if (at === last.at) seen[seen.length - 1] = now;
  byCircuit.set(key, seen);
  return seen;
}

/**
 * The state the latest query at or before `at` saw (before the first: the
 * first). Searched from the newest without copying: a soak's circuit holds a
 * query per sweep, and this is asked for every minute of every series.
 */
function seenAt(history: { at: number; values: Snapshot }[], at: number) {
  for (let i = history.length - 1; i >= 0; i -= 1) if (history[i]!.at <= at) return history[i]!;
  return history[0]!;
}

/** How late Azure is for a query ending at `end`: fixed, or varying minute by minute within [min, max]. */
function delayMinutes(state: EstateState, end: number): number {
  const given = state.monitor?.metricsDelayMinutes ?? [1, 3];
  if (typeof given === "number") return given;
  const [min, max] = given;
  return min + (Math.floor(end / MINUTE) % (max - min + 1));
}

function override(
  state: EstateState,
  circuit: SimCircuit,
  peering: string,
  path: Path | null,
  metric: SimMetric,
  at: number,
): number | "gap" | "odd-time" | "future-time" | undefined {
  for (const o of state.monitor?.metricOverrides ?? []) {
    if (!sameName(o.circuit, circuit.name)) continue;
    // A Global Reach series has no peering or path: only an override naming its metric touches it.
    if (path === null && !o.metrics?.includes(metric)) continue;
    if (o.peering && !sameName(o.peering, peering)) continue;
    if (o.path && o.path !== path) continue;
    if (o.metrics && !o.metrics.includes(metric)) continue;
    if (at >= Date.parse(o.from) && at < Date.parse(o.to)) return o.value;
  }
  return undefined;
}

/** One minute as Azure Monitor sends it: no `average` for a gap. */
function minute(timeStamp: string, value: number | "gap" | "odd-time" | "future-time") {
  if (value === "gap") return { timeStamp };
  if (value === "odd-time") return { timeStamp: "not a time", average: 0 };
  if (value === "future-time") return { timeStamp: "2099-01-01T00:00:00.000Z", average: 5e6 };
  return { timeStamp, average: value };
}

export interface SeriesOut {
  peering: SimPeering;
  path: Path;
  data: { timeStamp: string; average?: number }[];
}

/**
 * One metric of one circuit over [start, end): a point per minute, the
 * newest `delay` minutes without a value (not arrived yet), as Azure sends it.
 */
export function metricSeries(
  state: EstateState,
  circuit: SimCircuit,
  metric: SimMetric,
  start: number,
  end: number,
  delay = delayMinutes(state, end),
): SeriesOut[] {
  const history = observed(state, circuit, end);
  const visibleUntil = end - delay * MINUTE;
  const first = Math.floor(start / MINUTE) * MINUTE;
  const out: SeriesOut[] = [];
  for (const peering of circuit.peerings) {
    if (peering.state !== "Enabled") continue;
    for (const path of PATHS) {
      const data: SeriesOut["data"] = [];
      for (let at = first; at < end; at += MINUTE) {
        if (at > visibleUntil) {
          data.push({ timeStamp: new Date(at).toISOString() });
          continue;
        }
        // The state the latest query at or before this minute saw (before the first: the first).
        const seen = seenAt(history, at);
        let value: number | "gap" | "odd-time" | "future-time" =
          seen.values.get(seriesKey(peering.name, path))![metric] ?? 0;
        value = override(state, circuit, peering.name, path, metric, at) ?? value;
        data.push(minute(new Date(at).toISOString(), value));
      }
      out.push({ peering, path, data });
    }
  }
  return out;
}

export interface ReachSeriesOut {
  peerServiceKey: string;
  data: { timeStamp: string; average?: number }[];
}

/** A Global Reach metric of one circuit over [start, end), one series per peer circuit, as metricSeries. */
export function reachSeries(
  state: EstateState,
  circuit: SimCircuit,
  metric: SimReachMetric,
  start: number,
  end: number,
  delay = delayMinutes(state, end),
): ReachSeriesOut[] {
  const history = observed(state, circuit, end);
  const visibleUntil = end - delay * MINUTE;
  const first = Math.floor(start / MINUTE) * MINUTE;
  const keys = [...new Set(reachOf(state, circuit).map((r) => r.key))];
  return keys.map((peerServiceKey) => {
    const data: ReachSeriesOut["data"] = [];
    for (let at = first; at < end; at += MINUTE) {
      const timeStamp = new Date(at).toISOString();
      if (at > visibleUntil) {
        data.push({ timeStamp });
        continue;
      }
      const seen = seenAt(history, at);
      let value: number | "gap" | "odd-time" | "future-time" =
        seen.values.get(reachKey(peerServiceKey))?.[metric] ?? 0;
      value = override(state, circuit, "", null, metric, at) ?? value;
      data.push(minute(timeStamp, value));
    }
    return { peerServiceKey, data };
  });
}

// The thresholds the data plane is judged by, and the declared baseline that
// drift is measured against. Plain data, validated at start by src/config.

import type { ConnectivityModel } from "../model.js";

export interface PeeringBaseline {
  peerASN?: number;
  primaryPeerAddressPrefix?: string;
  secondaryPeerAddressPrefix?: string;
  vlanId?: number;
}

export interface CircuitBaseline {
  skuTier?: string;
  bandwidthInMbps?: number;
  connectivityModel?: ConnectivityModel;
  /** Names (or resource ids) of the gateway connections that must wire the circuit. */
  gatewayConnections?: string[];
  peerings?: Record<string, PeeringBaseline>;
}

export interface DataPlanePolicy {
  /** Throughput at or above this share of the bandwidth, per path and direction, for `minutes`: saturation. */
  saturation: { percent: number; minutes: number };
  /** Both directions at or under `floorBps` for `minutes`, after carrying more: traffic stopped. */
  trafficStopped: { minutes: number; floorBps: number };
  /** Share (0–1) of a window's minutes that must have data before anything sustained is judged. */
  coverage: number;
  /** Metrics whose newest point is older than this say nothing (Azure is 1–3 minutes late). */
  staleMinutes: number;
  /** Both paths Established with prefix counts this many percent apart: an asymmetry note. */
  asymmetryPercent: number;
  /** Declared configuration per circuit (keys: name or resource id, lower-case). */
  baseline: Record<string, CircuitBaseline>;
}

export const DEFAULT_DATA_PLANE_POLICY: DataPlanePolicy = {
  saturation: { percent: 80, minutes: 15 },
  trafficStopped: { minutes: 15, floorBps: 1000 },
  coverage: 0.8,
  staleMinutes: 10,
  asymmetryPercent: 20,
  baseline: {},
};

export function baselineFor(
  policy: DataPlanePolicy,
  circuit: { id: string; name: string },
): CircuitBaseline | null {
  return (
    policy.baseline[circuit.id.toLowerCase()] ?? policy.baseline[circuit.name.toLowerCase()] ?? null
  );
}

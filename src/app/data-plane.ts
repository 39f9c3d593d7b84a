// The data plane within one sweep: Azure Monitor metrics for every circuit
// whose region discovery already knows are asked for at once, in batches,
// while the ARM reads run; each circuit's reading then gets its metrics and its
// Connection Monitor results attached (CircuitReading.dataPlane) before it is
// judged. A circuit named by id, whose region is only known once it is read,
// gets its own batch. Circuits with Global Reach connections have their Global
// Reach throughput read too, and the service keys of the peer circuits the
// sweep listed are attached, so each series can be told to its connection.

import type { CircuitMetrics } from "../core/dataplane/facts.js";
import { readablePeerings, type CircuitReading, type Reading } from "../core/model.js";
import { peerCircuitOf } from "../core/dataplane/global-reach.js";
import {
  metricsTargetOf,
  type CircuitTarget,
  type DataPlaneReadOptions,
  type DataPlaneReader,
  type MetricsTarget,
} from "./ports.js";

export interface DataPlaneSession {
  /** The reading with its data plane attached; unchanged when no data-plane reader runs. */
  attach(reading: CircuitReading): Promise<CircuitReading>;
}

const key = (id: string) => id.toLowerCase();

/** Every listed circuit's service key, by lower-case id. */
export function listedServiceKeys(targets: readonly CircuitTarget[]): Map<string, string> {
  return new Map(
    targets.flatMap((t) => {
      const sk = t.listed?.facts.serviceKey;
      return sk ? [[key(t.id), sk] as const] : [];
    }),
  );
}

/** The circuits `target`'s Global Reach connections peer with (lower-case ids), as listed. */
export function globalReachPeersOf(target: CircuitTarget): string[] {
  return (target.listed ? readablePeerings(target.listed.facts) : []).flatMap((p) =>
    (p.globalReach ?? []).map((g) => peerCircuitOf(g.peerCircuitPeeringId)),
  );
}

export function startDataPlane(
  reader: DataPlaneReader | undefined,
  targets: CircuitTarget[],
  options: DataPlaneReadOptions,
  /** Metrics the sweep's cheap signals already read (by lower-case id): not asked for again; each entry is let go once attached. */
  prefetched?: Map<string, Reading<CircuitMetrics>>,
  /**
   * Service keys the sweep's listing gave, by lower-case circuit id, beyond
   * `targets`: a Global Reach peer that is not read deep this sweep is still
   * known by its key, so its connection's series can be told apart.
   */
  listedKeys?: ReadonlyMap<string, string>,
): DataPlaneSession {
  if (!reader) return { attach: async (reading) => reading };
  const planned: MetricsTarget[] = targets.flatMap((t) =>
    prefetched?.has(key(t.id)) ? [] : (metricsTargetOf(t) ?? []),
  );
  const serviceKeys = new Map([
    ...(listedKeys ?? []),
    ...targets.flatMap((t) => {
      const sk = t.listed?.facts.serviceKey;
      return sk ? [[key(t.id), sk] as const] : [];
    }),
  ]);
  // Started now, awaited per circuit: the batches run alongside the ARM reads.
  const batch = planned.length > 0 ? reader.readMetrics(planned, options) : null;
  // Not awaited here; a rejection is seen by the circuits that await it.
  batch?.catch(() => undefined);
  const inPlan = new Set(planned.map((t) => key(t.id)));

  async function metricsFor(reading: CircuitReading): Promise<Reading<CircuitMetrics> | undefined> {
    const id = key(reading.ref.id);
    const ready = prefetched?.get(id);
    if (ready) {
      prefetched!.delete(id);
      return ready;
    }
    if (batch && inPlan.has(id)) return (await batch).get(id);
    if (!reading.circuit.ok || !reading.ref.location) return undefined;
    const globalReach = readablePeerings(reading.circuit.value).some(
      (p) => p.globalReach.length > 0,
    );
    const single = await reader!.readMetrics(
      [
        {
          id: reading.ref.id,
          subscriptionId: reading.ref.subscriptionId,
          region: reading.ref.location,
          ...(globalReach ? { globalReach } : {}),
        },
      ],
      options,
    );
    return single.get(id);
  }

  /** The service keys of this circuit's Global Reach peers that the sweep listed. */
  function peerKeysOf(reading: CircuitReading): Record<string, string> | undefined {
    if (!reading.circuit.ok) return undefined;
    const out: Record<string, string> = {};
    for (const p of readablePeerings(reading.circuit.value))
      for (const g of p.globalReach) {
        const peer = peerCircuitOf(g.peerCircuitPeeringId);
        const sk = serviceKeys.get(peer);
        if (sk) out[peer] = sk;
      }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  return {
    async attach(reading) {
      if (!reading.circuit.ok) return reading;
      const [metrics, endToEnd] = await Promise.all([
        metricsFor(reading),
        reader.readEndToEnd(reading, options),
      ]);
      if (!metrics && !endToEnd) return reading;
      const peerServiceKeys = metrics ? peerKeysOf(reading) : undefined;
      return {
        ...reading,
        dataPlane: {
          ...(metrics ? { metrics } : {}),
          ...(endToEnd ? { endToEnd } : {}),
          ...(peerServiceKeys ? { peerServiceKeys } : {}),
        },
      };
    },
  };
}

// Azure Monitor as the cheap signal of the tiered sweep: one metrics batch per
// (subscription, region) group of up to 50 circuits, judged by
// core/dataplane/signal.ts. What it read is handed on, so a circuit read deep
// this sweep does not have its metrics asked for twice.

import { metricsSignal } from "../core/dataplane/signal.js";
import {
  createReadSession,
  metricsTargetOf,
  type DataPlaneReader,
  type MetricsTarget,
} from "./ports.js";
import type { CheapSignals } from "./sweep-plan.js";

/** `windowMinutes`: how far back a dip counts (since about the last sweep, with Azure's delay). */
export function metricSignals(reader: DataPlaneReader, windowMinutes: number): CheapSignals {
  return {
    async read(targets, { abortSignal, now }) {
      const planned: MetricsTarget[] = targets.flatMap((t) => metricsTargetOf(t) ?? []);
      const troubled = new Map<string, string>();
      if (planned.length === 0) return { troubled };
      const metrics = await reader.readMetrics(planned, {
        abortSignal,
        now,
        session: createReadSession(),
      });
      for (const [id, reading] of metrics) {
        if (!reading.ok) continue;
        const signal = metricsSignal(reading.value, now, windowMinutes);
        if (signal) troubled.set(id.toLowerCase(), signal);
      }
      return { troubled, metrics };
    },
  };
}

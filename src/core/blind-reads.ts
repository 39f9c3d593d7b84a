// The failed reads of a circuit that make it monitoring-blind. Classify judges
// the ARM reads and the data plane's whole reads; the data plane adds the
// Azure Monitor reads it finds it cannot use (dataplane/apply.ts), and
// counts these beside them, so a peering has one monitoring-blind finding.

import { onceEachRead, type BlindRead } from "./blind.js";
import { logAnalyticsFailure } from "./dataplane/log-analytics.js";
import { unreadFailures } from "./dataplane/unread-monitors.js";
import { eachFailure, type CircuitReading } from "./model.js";

/** Each failed read of a circuit, where it was aimed. */
export function failedReadsOf(reading: CircuitReading): BlindRead[] {
  // Without the circuit nothing else was read: that one failure is the story.
  if (!reading.circuit.ok) return [{ peering: null, path: null, failure: reading.circuit.error }];
  const out: BlindRead[] = [];
  if (!reading.gateway.ok) out.push({ peering: null, path: null, failure: reading.gateway.error });
  for (const failure of reading.fieldFailures ?? [])
    out.push({ peering: null, path: null, failure });
  // A read that failed in several places is as many failed reads.
  for (const read of [reading.dataPlane?.metrics, reading.dataPlane?.endToEnd])
    if (read && !read.ok)
      for (const failure of eachFailure(read.error))
        out.push({ peering: null, path: null, failure });
  // Some monitors read, others not: the others' failures are as blind as a whole read's.
  const e2e = reading.dataPlane?.endToEnd;
  if (e2e?.ok)
    for (const failure of [
      ...unreadFailures(e2e.value),
      ...e2e.value.monitors.flatMap((m) => (m.unreadGroups ?? []).map((g) => g.failure)),
    ])
      out.push({ peering: null, path: null, failure });
  for (const [peering, paths] of Object.entries(reading.paths)) {
    for (const path of ["primary", "secondary"] as const) {
      const r = paths[path];
      if (!r.arp.ok) out.push({ peering, path, failure: r.arp.error });
      if (!r.summary.ok) out.push({ peering, path, failure: r.summary.error });
      if (r.routes && !r.routes.ok) out.push({ peering, path, failure: r.routes.error });
    }
  }
  return onceEachRead(out);
}

/**
 * The failed reads monitoring-blind names. A Log Analytics query that failed
 * is said once per workspace to erwatch's keeper (dataplane/log-analytics.ts
 * queryFailing), not as each circuit's monitoring-blind: still a failed read
 * of the circuit, in its log and status.
 */
export function blindReadsOf(reading: CircuitReading): BlindRead[] {
  return failedReadsOf(reading).filter((f) => !logAnalyticsFailure(f.failure));
}

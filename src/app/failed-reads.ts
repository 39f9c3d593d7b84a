// A read that failed is said in the sweep's log the sweep it fails in:
// monitoring-blind names it only after `blindAfterSweeps` sweeps, and the
// x-ms-request-id is what Azure support asks for.

import type { CircuitVerdict } from "../core/model.js";
import type { Logger } from "../logging.js";

export function logFailedReads(verdict: CircuitVerdict, log: Logger): void {
  if (verdict.failedReads.length === 0) return;
  log.warn(
    { failedReads: verdict.failedReads },
    "reads failed; what they cover is UNKNOWN this sweep",
  );
}

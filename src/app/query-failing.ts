// A workspace whose Log Analytics query fails (refused, throttled, a query it
// rejects, a 5xx, the workspace gone) leaves end to end UNKNOWN on every
// circuit whose monitors write there, and is no circuit's to mend: as each
// circuit's monitoring-blind it paged once per circuit for one workspace, and
// each open alert read its circuit deep every sweep, on ARM, which does not
// mend Log Analytics. Said once per circuit per sweep for each such
// workspace, on the circuit's logger (its circuitId and the sweepId), at any
// LOG_LEVEL under the host: the erwatch-connection-monitor-query-failing
// health alert counts the sweeps of each workspace, one alert however many
// circuits write there.

import { queryFailing, queryFailingAction } from "../core/dataplane/log-analytics.js";
import type { CircuitReading } from "../core/model.js";
import { healthLine, type Logger } from "../logging.js";

export const QUERY_FAILING_MESSAGE =
  "Log Analytics cannot be queried for Connection Monitor results; end to end is UNKNOWN on the monitors writing to the workspace, and no end-to-end alert opens or resolves";

export function logQueryFailing(reading: CircuitReading, log: Logger): void {
  // As the end-to-end row is judged: only on a circuit read.
  if (!reading.circuit.ok) return;
  for (const { workspace, failure } of queryFailing(reading.dataPlane?.endToEnd))
    healthLine(log).warn(
      {
        workspace,
        kind: failure.kind,
        statusCode: failure.statusCode ?? null,
        notAskedBefore: failure.notAskedBefore ?? null,
        message: failure.message,
        requestId: failure.requestId ?? null,
        nextAction: queryFailingAction(failure),
      },
      QUERY_FAILING_MESSAGE,
    );
}

// Log Analytics ingesting a workspace late leaves end to end UNKNOWN on every
// circuit whose monitors write there, and opens nothing
// (core/dataplane/stopped-tests.ts): sweep after sweep, nobody but the holders
// of alerts already open would hear that end to end is blind. Said once per
// circuit per sweep for each such workspace, on the circuit's logger (its
// circuitId and the sweepId), at any LOG_LEVEL under the host: the
// erwatch-connection-monitor-lagging health alert counts the sweeps of each
// workspace, one alert however many circuits write there.

import { ingestionLate } from "../core/dataplane/end-to-end.js";
import type { CircuitReading } from "../core/model.js";
import { healthLine, type Logger } from "../logging.js";

export const INGESTION_LAG_MESSAGE =
  "Log Analytics is ingesting Connection Monitor results late; end to end is UNKNOWN on the monitors writing to the workspace, and no end-to-end alert opens or resolves";

export function logIngestionLag(reading: CircuitReading, log: Logger): void {
  const read = reading.dataPlane?.endToEnd;
  // As the end-to-end row is judged: only on a circuit read, from results read.
  if (!reading.circuit.ok || !read?.ok) return;
  for (const late of ingestionLate(read.value))
    healthLine(log).warn(
      { workspace: late.workspace, newest: late.newest, minutes: late.minutes, tests: late.tests },
      INGESTION_LAG_MESSAGE,
    );
}

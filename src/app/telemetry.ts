// erwatch's own health, as numbers an SRE can chart and alert on. The
// application says what happened through this small port; the adapter
// (src/adapters/telemetry) turns it into OpenTelemetry instruments exported to
// Application Insights, and tests read it from an in-memory meter. Metric names
// and attributes are a contract for dashboards: see the README.

import type { ReadErrorKind, Severity } from "../core/model.js";

export interface SweepMeasurement {
  durationMs: number;
  /** Circuits read and judged. */
  circuitsRead: number;
  /** Circuits not judged: tagged erwatch:ignore, or erwatch failed on them. */
  circuitsSkipped: { ignored: number; failed: number };
  /** The sweep covered the whole scope (timer, CLI) or named circuits (on demand). */
  scope: "all" | "targets";
}

export interface Telemetry {
  sweepFinished(m: SweepMeasurement): void;
  /** One per failed ARM read, by kind (forbidden, throttled, …) and RBAC operation. */
  readFailed(kind: ReadErrorKind, call: string): void;
  /** Open alerts (firing or resolving) per severity after a sweep; every severity reported, zeros too. */
  openAlerts(bySeverity: Record<Severity, number>): void;
  /** From the decision that made the event to the broker accepting it. */
  eventPublished(latencyMs: number, action: string): void;
  /** From the decision that made the event to its delivery to every receiver routed to. */
  eventDelivered(latencyMs: number, action: string): void;
  deadLettered(reason: string): void;
  /** Every HTTP request to ARM, retries included, by status ("429" counts throttling). */
  armRequest(status: number, method: string): void;
}

/** Telemetry that goes nowhere: the default, and what runs without Application Insights. */
export const NO_TELEMETRY: Telemetry = {
  sweepFinished: () => undefined,
  readFailed: () => undefined,
  openAlerts: () => undefined,
  eventPublished: () => undefined,
  eventDelivered: () => undefined,
  deadLettered: () => undefined,
  armRequest: () => undefined,
};

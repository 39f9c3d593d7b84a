// The Telemetry port on OpenTelemetry instruments. The names are a contract
// for dashboards and alert rules (README, "erwatch's own health"); units follow
// the OpenTelemetry conventions (ms for latencies here, as Application
// Insights charts them).

import type { Meter } from "@opentelemetry/api";
import type { Telemetry } from "../../app/telemetry.js";

export const METRICS = {
  sweepDuration: "erwatch.sweep.duration",
  circuitsRead: "erwatch.sweep.circuits.read",
  circuitsSkipped: "erwatch.sweep.circuits.skipped",
  readsFailed: "erwatch.arm.reads.failed",
  armRequests: "erwatch.arm.requests",
  armThrottled: "erwatch.arm.throttled",
  openAlerts: "erwatch.alerts.open",
  publishLatency: "erwatch.events.publish.latency",
  deliveryLatency: "erwatch.events.delivery.latency",
  deadLetters: "erwatch.events.deadlettered",
} as const;

export function otelTelemetry(meter: Meter): Telemetry {
  const sweepDuration = meter.createHistogram(METRICS.sweepDuration, {
    unit: "ms",
    description: "Wall time of one sweep, discovery to publish",
  });
  const circuitsRead = meter.createCounter(METRICS.circuitsRead, {
    description: "Circuits read and judged",
  });
  const circuitsSkipped = meter.createCounter(METRICS.circuitsSkipped, {
    description:
      "Circuits not judged: tagged erwatch:ignore (reason=ignored) or erwatch failed on them (reason=failed)",
  });
  const readsFailed = meter.createCounter(METRICS.readsFailed, {
    description: "Failed ARM reads by kind (forbidden, throttled, timeout, …) and RBAC operation",
  });
  const armRequests = meter.createCounter(METRICS.armRequests, {
    description: "HTTP requests to Azure Resource Manager, retries included, by status",
  });
  const armThrottled = meter.createCounter(METRICS.armThrottled, {
    description: "ARM answers 429 Too Many Requests",
  });
  const openAlerts = meter.createGauge(METRICS.openAlerts, {
    description: "Alerts open at the receivers after the last sweep, by severity",
  });
  const publishLatency = meter.createHistogram(METRICS.publishLatency, {
    unit: "ms",
    description: "From the decision that made an alert event to Service Bus accepting it",
  });
  const deliveryLatency = meter.createHistogram(METRICS.deliveryLatency, {
    unit: "ms",
    description: "From the decision that made an alert event to its delivery to every receiver",
  });
  const deadLetters = meter.createCounter(METRICS.deadLetters, {
    description: "Alert events dead-lettered, by reason",
  });
  return {
    sweepFinished(m) {
      sweepDuration.record(m.durationMs, { scope: m.scope });
      circuitsRead.add(m.circuitsRead, { scope: m.scope });
      circuitsSkipped.add(m.circuitsSkipped.ignored, { scope: m.scope, reason: "ignored" });
      circuitsSkipped.add(m.circuitsSkipped.failed, { scope: m.scope, reason: "failed" });
    },
    readFailed(kind, call) {
      readsFailed.add(1, { kind, call });
    },
    openAlerts(bySeverity) {
      for (const [severity, count] of Object.entries(bySeverity))
        openAlerts.record(count, { severity });
    },
    eventPublished(latencyMs, action) {
      publishLatency.record(latencyMs, { action });
    },
    eventDelivered(latencyMs, action) {
      deliveryLatency.record(latencyMs, { action });
    },
    deadLettered(reason) {
      deadLetters.add(1, { reason });
    },
    armRequest(status, method) {
      armRequests.add(1, { "http.response.status_code": status, "http.request.method": method });
      if (status === 429) armThrottled.add(1);
    },
  };
}

// PagerDuty Events API v2. One alert key is one PagerDuty alert (dedup_key),
// so escalations update the incident that is already paging instead of
// opening another. Pure: everything comes in as arguments.

import type { AlertEvent } from "../../../core/alert-event.js";
import type { Severity } from "../../../core/model.js";
import { truncate } from "../../../core/text.js";

export const PAGERDUTY_MAX_SUMMARY = 1024;
export const PAGERDUTY_MAX_DEDUP_KEY = 255;

export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = {
  Sev0: "critical",
  Sev1: "error",
  Sev2: "warning",
  Sev3: "info",
  Sev4: "info",
};

interface TriggerEvent {
  routing_key: string;
  event_action: "trigger";
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  client: "erwatch";
}

interface ResolveEvent {
  routing_key: string;
  event_action: "resolve";
  dedup_key: string;
}

export type PagerDutyEvent = TriggerEvent | ResolveEvent;

export function buildPagerDutyEvent(event: AlertEvent, routingKey: string): PagerDutyEvent {
  // The event schema bounds the key already; a longer one here is a bug upstream, not a PagerDuty problem.
  if (event.key.length === 0 || event.key.length > PAGERDUTY_MAX_DEDUP_KEY) {
    throw new RangeError(
      `alert key must be 1–${PAGERDUTY_MAX_DEDUP_KEY} characters for a PagerDuty dedup_key, got ${event.key.length}`,
    );
  }
  if (event.action === "resolve") {
    return { routing_key: routingKey, event_action: "resolve", dedup_key: event.key };
  }
  const c = event.circuit;
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: event.key,
    payload: {
      summary: truncate(`${c.name}: ${event.title}`, PAGERDUTY_MAX_SUMMARY),
      source: c.name,
      severity: PAGERDUTY_SEVERITY[event.severity],
      timestamp: event.occurredAt,
      component: event.peering ?? "circuit",
      group: event.layer,
      class: event.code,
      custom_details: {
        action: event.action,
        sequence: event.sequence,
        change: event.change,
        owner: event.owner,
        paths: event.paths,
        nextAction: event.nextAction,
        evidence: event.evidence,
        ticket: event.ticket,
        circuitId: c.id,
        serviceKey: c.serviceKey ?? null,
        provider: c.serviceProviderName ?? null,
        peeringLocation: c.peeringLocation ?? null,
      },
    },
    client: "erwatch",
  };
}

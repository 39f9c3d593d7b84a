// PagerDuty Events API v2. One alert key is one PagerDuty alert (dedup_key),
// so escalations update the incident that is already paging instead of
// opening another. Pure: everything comes in as arguments.
//
// Fields are chosen for what responders do with them: `source` is the circuit's
// resource id (names repeat across subscriptions), `component` the peering (or
// "circuit"), `group` the provider and peering location (a carrier outage hits
// every circuit there at once), `class` the finding code, and `links` lead to
// the status page, the circuit in the portal and the code's runbook.
//
// An alert about no single circuit says what it is about instead (subject.ts):
// a fleet outage's component is its site ("Equinix at Amsterdam") and its
// group the same provider and location its members' own alerts are grouped
// by; a subscription's is the subscription. Their `source` stays the subject
// (the place key, the subscription's resource id): unique, and stable.
//
// A blind notice (a repeat whose change begins "Blind:") says so first in the
// summary, with since when, and carries `blindSince` in custom_details: the
// incident stands as last seen, its evidence is the last reading, not news.

import type { AlertEvent } from "../../../core/alert-event.js";
import type { Severity } from "../../../core/model.js";
import { truncate } from "../../../core/text.js";
import {
  blindLookAt,
  blindness,
  blindNow,
  blindWhat,
  changeWithoutTitle,
  dataPlaneBlind,
  namesEarly,
  NO_DATA_PLANE_READING,
  providerAt,
  utcMinute,
} from "../alert-words.js";
import { carrierTicket } from "../carrier-ticket.js";
import { alertLinks, type AlertLink, type LinkOptions } from "../links.js";
import { alertSubject, type AlertSubject } from "../subject.js";

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
  links: Pick<AlertLink, "href" | "text">[];
  client: "erwatch";
  client_url?: string;
}

interface ResolveEvent {
  routing_key: string;
  event_action: "resolve";
  dedup_key: string;
}

export type PagerDutyEvent = TriggerEvent | ResolveEvent;

export function buildPagerDutyEvent(
  event: AlertEvent,
  routingKey: string,
  options: LinkOptions = {},
): PagerDutyEvent {
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
  const subject = alertSubject(event);
  const blind = blindness(event);
  const unseen = subject.kind === "site" ? `the circuits of ${subject.name}` : subject.name;
  // A fleet outage's title already begins with its circuits and their site, and
  // a subscription's names it ("erwatch cannot read subscription …"): said
  // twice, the id filled a phone's notification before what failed.
  // So does a circuit's when its title says it early ("End-to-end tests fail
  // over er-x while …"): "er-x: End-to-end tests fail over er-x" read twice.
  const named =
    subject.kind === "site" ||
    (subject.kind === "subscription" && event.title.includes(subject.subscriptionId)) ||
    (subject.kind === "circuit" && namesEarly(event.title, c.name));
  const since = blind?.since ? ` since ${utcMinute(blind.since)}` : "";
  const rows = blind ? dataPlaneBlind(event, subject, blind.cause) : null;
  const summary = blind
    ? blind.cause === "history"
      ? `BLIND: erwatch cannot count the flaps of ${unseen}${since}, its history cannot be read; the incident stands as last seen, not resolved: ${event.title}`
      : rows !== null
        ? `BLIND: erwatch has ${blind.paths === null ? "had no reading behind this incident on" : "not had a reading behind this incident on every path of"} ${unseen}${since}; the incident stands as last seen, not resolved: ${event.title}`
        : `BLIND: erwatch cannot see ${blindWhat(blind.paths, unseen)}${since}; the incident stands as last seen, not resolved: ${event.title}`
    : named
      ? event.title
      : `${c.name}: ${event.title}`;
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: event.key,
    payload: {
      summary: truncate(summary, PAGERDUTY_MAX_SUMMARY),
      source: c.id,
      severity: PAGERDUTY_SEVERITY[event.severity],
      timestamp: event.occurredAt,
      ...componentAndGroup(event, subject),
      class: event.code,
      custom_details: {
        ...(blind
          ? {
              blindSince: blind.since,
              ...(blind.paths ? { blindPaths: blind.paths } : {}),
              ...(blind.cause ? { blindCause: blind.cause } : {}),
              blind: `${
                blind.cause === "history"
                  ? "erwatch cannot read the history this incident's flaps are counted from (its circuit still reads)"
                  : rows !== null
                    ? `erwatch has ${blind.paths ? "not had a reading behind this incident on every path" : "had no reading behind this incident"} (${NO_DATA_PLANE_READING})`
                    : blind.paths
                      ? "erwatch cannot read all the layers behind this incident"
                      : "erwatch cannot read the layers behind this incident"
              }${since}${blindNow(blind.paths, event.family)}; it stands as last seen, neither resolved nor changed, and its evidence is that last reading. Look at ${blindLookAt(subject, blind.cause, rows)}.`,
            }
          : {}),
        action: event.action,
        // PagerDuty's four levels take Sev3 and Sev4 alike: erwatch's own, as Teams and the webhook say it.
        severity: event.severity,
        sequence: event.sequence,
        episodeId: event.episodeId,
        change: changeWithoutTitle(event.change, event.title),
        ...(subject.kind === "circuit" ? { circuit: c.name } : {}),
        // The contract's value, as the webhook's alertContext.layer: rules match on it.
        layer: event.layer,
        owner: event.owner,
        paths: event.paths,
        nextAction: event.nextAction,
        firstSeen: event.firstSeen,
        evidence: event.evidence,
        ticket: carrierTicket(event),
        ...subjectDetails(event, subject),
      },
    },
    links: alertLinks(event, options).map(({ href, text }) => ({ href, text })),
    client: "erwatch",
    ...(options.statusUrl ? { client_url: options.statusUrl } : {}),
  };
}

function componentAndGroup(
  event: AlertEvent,
  subject: AlertSubject,
): { component: string; group: string } {
  // A site or a subscription is both the affected thing and what its alerts are grouped by.
  if (subject.kind !== "circuit") return { component: subject.name, group: subject.name };
  return {
    component: event.peering ?? "circuit",
    group: providerAt(event.circuit) ?? "provider unknown",
  };
}

/** What a responder quotes to the carrier or searches by; a place or a subscription has no circuit's facts. */
function subjectDetails(event: AlertEvent, subject: AlertSubject): Record<string, unknown> {
  const c = event.circuit;
  switch (subject.kind) {
    case "site":
      return {
        site: subject.name,
        provider: subject.provider,
        peeringLocation: subject.peeringLocation,
        circuits: subject.members.map((m) => m.name),
        serviceKeys: subject.members.flatMap((m) => m.serviceKey ?? []),
      };
    case "subscription":
      return { subscription: subject.subscriptionId };
    case "circuit":
      return {
        serviceKey: c.serviceKey ?? null,
        provider: c.serviceProviderName ?? null,
        peeringLocation: c.peeringLocation ?? null,
      };
  }
}

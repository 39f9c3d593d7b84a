// The Azure Monitor common alert schema, so Logic Apps, Functions and ITSM
// connectors built for Azure alerts take erwatch's alerts unchanged: they
// route on `essentials` and find erwatch's own fields in `alertContext`.
// Pure: everything comes in as arguments.

import type { AlertEvent } from "../../../core/alert-event.js";
import { OWNER_WORDS } from "../../../core/vocabulary.js";
import {
  blindness,
  changeWithoutTitle,
  LAST_FIRING,
  LAST_TOLD,
  resolvedNow,
} from "../alert-words.js";
import { carrierTicket } from "../carrier-ticket.js";
import { alertSubject } from "../subject.js";

/**
 * Azure's own values are "Metric", "Log" and "Activity Log", and consumers
 * pick the alertContext parser by them; erwatch's verdict comes from ARM reads
 * (ARP and BGP tables, provisioning state) and fits none. "Unknown" is the
 * value Azure Alerts Management itself gives alerts from monitors outside
 * Azure Monitor, so a consumer falls through to its generic branch instead of
 * mis-parsing a metric condition that is not there.
 */
export const SIGNAL_TYPE = "Unknown";

/**
 * The service that shapes alertContext. Non-Azure sources (Nagios, Zabbix,
 * SCOM) appear under their own name in Alerts Management; erwatch does the
 * same, which tells a consumer exactly whose alertContext it is holding.
 */
export const MONITORING_SERVICE = "erwatch";

export type MonitorCondition = "Fired" | "Resolved";

export interface CommonAlert {
  schemaId: "azureMonitorCommonAlertSchema";
  data: {
    essentials: {
      alertId: string;
      alertRule: string;
      severity: string;
      signalType: string;
      monitorCondition: MonitorCondition;
      monitoringService: string;
      alertTargetIDs: string[];
      configurationItems: string[];
      originAlertId: string;
      firedDateTime: string;
      resolvedDateTime?: string;
      description: string;
      essentialsVersion: "1.0";
      alertContextVersion: "1.0";
    };
    alertContext: Record<string, unknown>;
    customProperties: null;
  };
}

export function buildCommonAlert(event: AlertEvent): CommonAlert {
  const c = event.circuit;
  const targets = affected(event);
  const blind = blindness(event);
  const resolved = event.action === "resolve";
  return {
    schemaId: "azureMonitorCommonAlertSchema",
    data: {
      essentials: {
        // One alert instance: the same id for the Fired, its escalations and its
        // Resolved, a new one when the condition opens again later, so an ITSM
        // tool pairs a resolve with its own ticket and never reopens an old one.
        alertId: alertId(event),
        alertRule: `erwatch ${event.family}`,
        severity: event.severity,
        signalType: SIGNAL_TYPE,
        monitorCondition: resolved ? "Resolved" : "Fired",
        monitoringService: MONITORING_SERVICE,
        // Azure lower-cases resource ids here; consumers compare them as strings.
        alertTargetIDs: targets.map((t) => t.id.toLowerCase()),
        configurationItems: targets.map((t) => t.name),
        originAlertId: event.episodeId,
        firedDateTime: event.firstSeen,
        ...(resolved ? { resolvedDateTime: event.occurredAt } : {}),
        // The title is alertContext.title; this says what changed, whose it is and what to do.
        description: description(event),
        essentialsVersion: "1.0",
        alertContextVersion: "1.0",
      },
      alertContext: {
        eventId: event.id,
        eventVersion: event.version,
        key: event.key,
        episodeId: event.episodeId,
        action: event.action,
        sequence: event.sequence,
        code: event.code,
        family: event.family,
        layer: event.layer,
        owner: event.owner,
        previousSeverity: event.previousSeverity,
        peakSeverity: event.peakSeverity,
        peering: event.peering,
        paths: event.paths,
        // A resolve's title is the one its receivers were last sent, its
        // evidence and ticket the last firing sweep's; how it reads now is added
        // beside them (null when a resolve from an older erwatch did not say).
        title: event.title,
        change: event.change,
        ...(resolved ? { resolution: resolvedNow(event) } : {}),
        // A blind notice: the last reading before erwatch lost sight (null when not known).
        ...(blind ? { blindSince: blind.since } : {}),
        // ... and the only paths it cannot see, when the rest still reads as the alert says.
        ...(blind?.paths ? { blindPaths: blind.paths } : {}),
        // ... and what it lost when the layers still read ("history": its flaps cannot be counted).
        ...(blind?.cause ? { blindCause: blind.cause } : {}),
        nextAction: event.nextAction,
        evidence: event.evidence,
        // As Teams and PagerDuty offer it: an event queued before fleet
        // outages of your own breaks lost their ticket still has one.
        ticket: carrierTicket(event),
        layerTable: event.layerTable,
        circuit: c,
        occurredAt: event.occurredAt,
      },
      customProperties: null,
    },
  };
}

/**
 * A fleet outage spans circuits of any subscriptions, and its event names none
 * that stays the same through the episode (its first member's at the open,
 * none at the resolve, which got an alertId of its own and so never closed
 * the ticket): its alert instance lives outside any subscription.
 */
function alertId(event: AlertEvent): string {
  const scope =
    alertSubject(event).kind === "site" ? "" : `/subscriptions/${event.circuit.subscriptionId}`;
  return `${scope}/providers/Microsoft.AlertsManagement/alerts/${event.episodeId}`;
}

/**
 * The Azure resources the alert is about, and their names (what a CMDB knows
 * them by): a fleet outage's circuits, not its place key, which is no
 * resource; a subscription by its id. A fleet outage whose evidence lost its
 * circuits still names its place, never nothing.
 */
function affected(event: AlertEvent): { id: string; name: string }[] {
  const subject = alertSubject(event);
  if (subject.kind === "site" && subject.members.length > 0) return subject.members;
  if (subject.kind === "subscription")
    return [{ id: event.circuit.id, name: subject.subscriptionId }];
  return [{ id: event.circuit.id, name: event.circuit.name }];
}

function description(event: AlertEvent): string {
  const now = resolvedNow(event);
  return [
    changeWithoutTitle(event.change, event.title),
    ...(now === null ? [] : [`Now: ${now}.`]),
    // The title is alertContext.title, not repeated here: said to be what it was.
    ...(event.action === "resolve"
      ? [`The title is what it was ${LAST_TOLD}, the evidence what it was ${LAST_FIRING}.`]
      : []),
    `Owner: ${OWNER_WORDS[event.owner] ?? event.owner}.`,
    `Next action: ${event.nextAction}`,
  ]
    .filter((part) => part !== "")
    .join(" ");
}

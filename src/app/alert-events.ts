// A lifecycle decision plus the circuit's verdict → the AlertEvent receivers
// get: everything needed to act without opening another tool.

import { ALERT_EVENT_VERSION, type AlertEvent } from "../core/alert-event.js";
import { eventId } from "../core/alert-identity.js";
import { boundEvent } from "../core/budget.js";
import type { AlertState, PendingEvent } from "../core/lifecycle.js";
import type { CircuitVerdict } from "../core/model.js";
import { diagnoseCommandFor, sameName } from "../core/names.js";
import { resolution, resolvedNextAction } from "../core/resolve-action.js";

/** The event receivers get: bounded to what one Service Bus message and one table entity hold. */
export function buildAlertEvent(
  state: AlertState,
  pending: PendingEvent,
  verdict: CircuitVerdict,
  now: Date,
): AlertEvent {
  const { condition } = pending;
  // The finding cannot know when its episode began; the alert does. Under
  // the ticket's first line, so no cut of its tail can take it.
  const ticket =
    condition.ticket === null ? null : withFirstSeen(condition.ticket, pending.firstSeen);
  return boundEvent({
    version: ALERT_EVENT_VERSION,
    id: eventId(state.key, pending.sequence),
    action: pending.action,
    key: state.key,
    sequence: pending.sequence,
    episodeId: eventId(state.key, pending.episode),
    family: state.family,
    code: condition.code,
    severity: pending.severity,
    previousSeverity: pending.previousSeverity,
    peakSeverity: pending.peakSeverity,
    layer: condition.layer,
    owner: condition.owner,
    title: condition.title,
    change: pending.change,
    ...(pending.blindSince ? { blindSince: pending.blindSince } : {}),
    ...(pending.blindPaths ? { blindPaths: pending.blindPaths } : {}),
    ...(pending.blindCause ? { blindCause: pending.blindCause } : {}),
    nextAction:
      pending.nextAction ??
      (pending.action === "resolve"
        ? resolvedNextAction(state.family, condition.owner)
        : // A fleet alert quotes one member's next action for all of them: it keeps the placeholder.
          state.family === "fleet"
          ? condition.nextAction
          : diagnoseCommandFor(condition.nextAction, verdict.name)),
    ...(pending.action === "resolve"
      ? {
          resolution:
            pending.resolution ??
            resolution(
              {
                family: state.family,
                layer: condition.layer,
                peering: state.peering,
                paths: condition.paths,
                evidence: condition.evidence,
              },
              verdict.peerings,
            ),
        }
      : {}),
    circuit: {
      id: verdict.id,
      name: verdict.name,
      subscriptionId: verdict.subscriptionId,
      resourceGroup: verdict.resourceGroup,
      tags: verdict.tags,
      serviceKey: verdict.serviceKey,
      serviceProviderName: verdict.serviceProviderName,
      peeringLocation: verdict.peeringLocation,
    },
    peering: state.peering,
    paths: condition.paths,
    evidence: condition.evidence,
    ticket,
    // The alert keeps the peering as first read; ARM may spell it in another case now.
    layerTable: verdict.peerings.find((p) => sameName(p.name, state.peering)) ?? null,
    firstSeen: pending.firstSeen,
    occurredAt: now.toISOString(),
  });
}

function withFirstSeen(ticket: string, firstSeen: string): string {
  const line = `First seen by erwatch: ${firstSeen}`;
  const end = ticket.indexOf("\n");
  return end === -1 ? `${ticket}\n${line}` : `${ticket.slice(0, end)}\n${line}${ticket.slice(end)}`;
}

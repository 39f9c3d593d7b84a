// What erwatch cannot see is an alert too. Two things decided here, pure:
//   - a subscription whose circuits cannot be listed: one `monitoring-blind`
//     alert whose subject ("circuit" in the alert key) is the subscription's
//     resource id, /subscriptions/<id>, so its identity is as stable as a
//     circuit's; its circuits, not listed, are not read, so their open alerts
//     are held as they were (the status page marks them stale);
//   - circuits that erwatch remembers but that a complete listing no longer
//     has (deleted, moved) or that are now tagged erwatch:ignore: their open
//     alerts resolve once, with the reason, and the circuit is forgotten so a
//     circuit that comes back starts clean.

import { alertKey } from "./alert-identity.js";
import { blindFindings } from "./blind.js";
import { storedInstant } from "./instant.js";
import { asLastTold } from "./last-told.js";
import type { AlertState, Decision, PendingEvent } from "./lifecycle.js";
import type { CircuitVerdict, ReadFailure, Severity } from "./model.js";
import type { Observation } from "./observe.js";
import { parseCircuitId } from "./resource-id.js";
import { retiredNextAction, retiredResolution } from "./resolve-action.js";

/** The subject of a subscription's alert: its resource id. */
export const subscriptionSubject = (subscriptionId: string): string =>
  `/subscriptions/${subscriptionId.toLowerCase()}`;

/** The subscription a subject names when it is one (not a circuit), else null. */
export function subscriptionOfSubject(subject: string): string | null {
  const match = /^\/subscriptions\/([^/]+)\/?$/i.exec(subject);
  return match ? (match[1] as string).toLowerCase() : null;
}

/** The subscription a circuit id lives in. */
export function subscriptionOfCircuit(circuitId: string): string | null {
  return parseCircuitId(circuitId)?.subscriptionId ?? null;
}

export interface ListingOutcome {
  subscriptionId: string;
  /** Null when the listing worked. */
  failure: ReadFailure | null;
}

/** This sweep's listing of one subscription, seen from its alert key. */
export function listingObservation(
  outcome: ListingOutcome,
  severity: Severity,
  previousReadAt: string | null,
  sweepAt: number,
): Observation {
  const subject = subscriptionSubject(outcome.subscriptionId);
  const key = alertKey(subject, null, "monitoring-blind");
  const base = { key, family: "monitoring-blind" as const, circuitId: subject, peering: null };
  if (!outcome.failure) return { ...base, state: "clean", finding: null, previousReadAt };
  const [finding] = blindFindings(
    [{ peering: null, path: null, failure: outcome.failure }],
    outcome.subscriptionId,
    severity,
    sweepAt,
  );
  return {
    ...base,
    state: "firing",
    previousReadAt,
    finding: {
      ...finding!,
      title: `${finding!.title}: the open alerts of its circuits are held and stale`,
      evidence: { ...finding!.evidence, subscriptionId: outcome.subscriptionId },
      nextAction: `${finding!.nextAction} Until the circuits can be listed, erwatch reads none of them: their open alerts neither resolve nor repeat.`,
    },
  };
}

/**
 * A state that starts the key's memory clean at `now`, so the first failure
 * after it is measured in time as well as in sweeps (hysteresis counts time
 * from the last clean observation).
 */
export function cleanStart(observation: Observation, name: string, now: Date): AlertState {
  const at = now.toISOString();
  return {
    key: observation.key,
    family: observation.family,
    circuitId: observation.circuitId,
    circuitName: name,
    peering: observation.peering,
    phase: "clear",
    consecutiveFiring: 0,
    consecutiveClean: 1,
    firstSeen: null,
    condition: null,
    notified: null,
    sequence: 0,
    lastEvaluatedAt: at,
    lastFiringAt: null,
    lastCleanAt: at,
  };
}

/** What the events of an alert about something other than a read circuit say about it. */
export function subjectVerdict(
  subject: { id: string; name: string; subscriptionId: string; resourceGroup: string },
  now: Date,
): CircuitVerdict {
  return {
    ...subject,
    tags: {},
    settings: {
      connectivityModel: "own-edge",
      criticality: "normal",
      expectedPeerings: [],
      expectGateway: false,
    },
    serviceKey: null,
    serviceProviderName: null,
    peeringLocation: null,
    readAt: now.toISOString(),
    circuitRead: false,
    providerState: null,
    peerings: [],
    findings: [],
    failedReads: [],
  };
}

export type RetireReason = "gone" | "ignored";

export const RETIRE_WORDS: Record<RetireReason, string> = {
  gone: "circuit no longer exists",
  ignored: "circuit is ignored now",
};

export interface Retirement {
  circuitId: string;
  reason: RetireReason;
}

/**
 * Circuits to retire after a sweep: those tagged erwatch:ignore now, and those
 * erwatch remembers in a subscription whose listing worked this sweep but that
 * the listing no longer has. Only a sweep of the whole scope can tell: a
 * single-circuit sweep or a failed listing proves nothing about the others.
 */
export function retirements(input: {
  /** Circuits with a snapshot. */
  known: string[];
  /** Null when the sweep did not list its scope (on-demand sweep of named circuits). */
  listed: { subscriptions: string[]; circuitIds: string[] } | null;
  ignored: string[];
}): Retirement[] {
  const lower = (s: string) => s.toLowerCase();
  const known = new Map(input.known.map((id) => [lower(id), id]));
  const out: Retirement[] = [];
  const ignored = new Set(input.ignored.map(lower));
  for (const [id, original] of known)
    if (ignored.has(id)) out.push({ circuitId: original, reason: "ignored" });
  if (!input.listed) return out;
  const subscriptions = new Set(input.listed.subscriptions.map(lower));
  const present = new Set(input.listed.circuitIds.map(lower));
  for (const [id, original] of known) {
    if (ignored.has(id) || present.has(id)) continue;
    const subscription = subscriptionOfCircuit(original);
    if (subscription && subscriptions.has(subscription))
      out.push({ circuitId: original, reason: "gone" });
  }
  return out;
}

/**
 * The one decision for an alert of a retired circuit: a resolve with the
 * reason when receivers hold it open, else a silent clear; either way the
 * next state is clear (its sequence kept, so event ids are never reused).
 */
export function retire(state: AlertState, reason: RetireReason, now: Date): Decision {
  const at = now.toISOString();
  const next: AlertState = {
    ...state,
    phase: "clear",
    consecutiveFiring: 0,
    consecutiveClean: 0,
    firstSeen: null,
    notified: null,
    lastEvaluatedAt: at,
    lastCleanAt: at,
  };
  const notified = state.notified;
  if (!notified || !state.condition)
    return {
      action: "none",
      reason: "unchanged",
      detail: `${RETIRE_WORDS[reason]}: nothing was open at the receivers`,
      next,
    };
  const sequence = state.sequence + 1;
  const event: PendingEvent = {
    action: "resolve",
    sequence,
    episode: notified.episode,
    severity: notified.severity,
    previousSeverity: notified.severity,
    peakSeverity: notified.peakSeverity,
    change: `Resolved: ${RETIRE_WORDS[reason]}. ${notified.title} is no longer watched.`,
    nextAction: retiredNextAction(RETIRE_WORDS[reason]),
    resolution: retiredResolution(RETIRE_WORDS[reason]),
    condition: asLastTold(state.condition, notified),
    firstSeen: state.firstSeen ?? at,
  };
  return { action: "resolve", event, next: { ...next, sequence } };
}

/** Alerts of a retired circuit worth a decision: open at the receivers, or not yet clear. */
export const isOpen = (state: AlertState): boolean =>
  state.notified !== null || state.phase !== "clear";

/**
 * Circuits whose state is stale: their subscription's latest listing failed
 * (its blind key is firing or pending) and they were not read since. Their
 * open alerts are held, and the status page says so instead of "firing".
 * Not read since is all that can be said when either time is not an instant
 * (core/instant.ts: a hand edit, a cut-off write): an unknown age is not
 * fresh. Date.parse read "yesterday" as NaN and "42" as 2042, and such a
 * circuit's held alerts showed as current while its subscription was blind.
 */
export function staleCircuitIds(
  alerts: AlertState[],
  snapshots: { circuitId: string; takenAt: string }[],
): Set<string> {
  const failingSince = new Map<string, string>();
  for (const a of alerts) {
    const subscription = subscriptionOfSubject(a.circuitId);
    if (subscription && a.family === "monitoring-blind" && a.consecutiveFiring > 0)
      failingSince.set(subscription, a.lastEvaluatedAt);
  }
  const stale = new Set<string>();
  for (const s of snapshots) {
    const subscription = subscriptionOfCircuit(s.circuitId);
    const since = subscription ? failingSince.get(subscription) : undefined;
    if (since === undefined) continue;
    const read = storedInstant(s.takenAt);
    const failing = storedInstant(since);
    if (read === null || failing === null || read < failing) stale.add(s.circuitId.toLowerCase());
  }
  return stale;
}

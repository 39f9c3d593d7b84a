// What erwatch writes has hard limits: a Table Storage property holds 64 KiB
// (32 K UTF-16 characters), an entity 1 MiB, a Service Bus message 256 KB on
// Standard. Azure data is not bounded the same way (a tag, a detail, an ARP
// table of thousands of rows), so everything written is cut to a budget here,
// with a visible "truncated" marker, instead of failing a write and with it a
// circuit's state or the whole outbox.

import type { AlertEvent } from "./alert-event.js";
import { safeCut, truncate } from "./text.js";

/** Any single string erwatch stores or sends, but the carrier ticket. */
export const MAX_STRING = 4_000;
/**
 * The carrier ticket: a fleet outage's lists a line per circuit (about 110
 * characters) before any circuit's own details, and cut at MAX_STRING it named
 * only the first 35 of the service keys the carrier needs. Table Storage splits
 * long JSON over properties (json-columns.ts); Teams shortens it in the card.
 */
export const MAX_TICKET = 16_000;
/**
 * Circuits a fleet outage keeps naming (each entry's strings cut to 300). The
 * stored alert holds each twice (the condition's entry, up to about 800
 * characters with a long resource id and title; the id again among those the
 * receivers were told of): 300 of them fit one table entity (json-columns.ts)
 * with room for the ticket. An alert that does not fit is not stored at all,
 * and every member pages alone.
 */
export const MAX_FLEET_MEMBERS = 300;
/** What the alert adds to its finding's ticket (when it was first seen): kept free when the finding's is cut. */
export const TICKET_HEADROOM = 200;
/** Where a reader finds what a marker says was left out. */
const WHOLE_READING = "`erwatch diagnose <circuit>` prints a circuit's whole reading";
/** A published alert event, in UTF-8 bytes: room under 256 KB for headers and properties. */
export const MAX_EVENT_BYTES = 192_000;

/**
 * A dead letter's reason and error description, cut to what Service Bus takes
 * (4,096 characters each; MAX_STRING is under it). A longer one gets the
 * dead-letter call refused, so the poison message would come back instead of
 * being parked. Both dispatch paths (the Functions host's parking queue and the SDK
 * consumer of `erwatch dispatch`) cut through here, so they park the same text.
 */
export function deadLetterText(
  reason: string,
  description: string,
): { reason: string; description: string } {
  return { reason: truncate(reason, MAX_STRING), description: truncate(description, MAX_STRING) };
}

export function truncatedMarker(hidden: number): string {
  return `… (truncated: ${hidden} more characters)`;
}

/** `value` cut to `max` characters with a marker saying how much was left out. */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value;
  // Room for the longest marker this cut can need: counting what was left
  // out from what was kept, the count can gain a digit (15,999 → 16,001 characters).
  const marker = truncatedMarker(value.length);
  const keep = safeCut(value, Math.max(0, max - marker.length));
  return `${value.slice(0, keep)}${truncatedMarker(value.length - keep)}`;
}

/**
 * A copy of `value` (plain JSON data) with every string cut to `max`
 * characters, arrays to `maxItems` entries (plus a marker entry) and nesting
 * to `maxDepth`. Keys are cut too: some are Azure's (peering names).
 */
export interface Bounds {
  max: number;
  maxItems: number;
  maxDepth: number;
}
export const DEFAULT_BOUNDS: Bounds = { max: MAX_STRING, maxItems: 200, maxDepth: 12 };

export function boundJson(value: unknown, limits: Bounds = DEFAULT_BOUNDS, depth = 0): unknown {
  if (typeof value === "string") return cutText(value, limits.max);
  if (value === null || typeof value !== "object") return value;
  if (depth >= limits.maxDepth) return "(truncated: nested too deep)";
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.maxItems).map((v) => boundJson(v, limits, depth + 1));
    if (value.length > limits.maxItems)
      kept.push(`(truncated: ${value.length - limits.maxItems} more entries)`);
    return kept;
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      cutText(k, limits.max),
      boundJson(v, limits, depth + 1),
    ]),
  );
}

const encoder = new TextEncoder();
const bytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/**
 * The event as receivers get it, within MAX_EVENT_BYTES: every string and
 * list bounded (the ticket to MAX_TICKET); if still too large, the circuit's
 * tags (which no card shows), then evidence, then the layer table, then the
 * ticket give way, in that order (what to do and whose problem it is always
 * survive).
 */
export function boundEvent(event: AlertEvent, maxBytes = MAX_EVENT_BYTES): AlertEvent {
  let bounded: AlertEvent = {
    ...(boundJson({ ...event, ticket: null }) as AlertEvent),
    ticket: event.ticket === null ? null : cutText(event.ticket, MAX_TICKET),
  };
  if (bytes(bounded) <= maxBytes) return bounded;
  bounded = { ...bounded, circuit: { ...bounded.circuit, tags: {} } };
  if (bytes(bounded) <= maxBytes) return bounded;
  const note = `(truncated: too large to send; ${WHOLE_READING})`;
  bounded = { ...bounded, evidence: { truncated: note } };
  if (bytes(bounded) <= maxBytes) return bounded;
  bounded = { ...bounded, layerTable: null };
  if (bytes(bounded) <= maxBytes) return bounded;
  bounded = { ...bounded, ticket: bounded.ticket === null ? null : cutText(bounded.ticket, 2_000) };
  if (bytes(bounded) <= maxBytes) return bounded;
  // Only absurd identity fields are left (names, tags): cut them hard.
  return boundJson(bounded, { max: 256, maxItems: 20, maxDepth: 6 }) as AlertEvent;
}

/**
 * The least an event can say and still page the right people: who, what,
 * how bad, what to do. Sent in place of an event the broker refuses as too
 * large, so one event never blocks the outbox.
 */
export function minimalEvent(event: AlertEvent): AlertEvent {
  const c = event.circuit;
  const cut = (v: string | null, max: number) => (v === null ? null : cutText(v, max));
  return {
    ...event,
    title: cutText(event.title, 500),
    change: cutText(event.change, 500),
    nextAction: cutText(event.nextAction, 1_000),
    ...(event.resolution === undefined ? {} : { resolution: cutText(event.resolution, 500) }),
    circuit: {
      id: cutText(c.id, 500),
      name: cutText(c.name, 200),
      subscriptionId: cutText(c.subscriptionId, 100),
      resourceGroup: cutText(c.resourceGroup, 200),
      tags: {},
      serviceKey: cut(c.serviceKey, 100),
      serviceProviderName: cut(c.serviceProviderName, 200),
      peeringLocation: cut(c.peeringLocation, 200),
    },
    peering: cut(event.peering, 200),
    evidence: { truncated: `(too large to send; ${WHOLE_READING})` },
    ticket: null,
    layerTable: null,
  };
}

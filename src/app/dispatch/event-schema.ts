// A message body is only an alert event if it says so: validated here so a
// poison message is dead-lettered with the reason instead of crashing anything.

import { z } from "zod";
import { ALERT_EVENT_VERSION, type AlertEvent } from "../../core/alert-event.js";
import { storedInstant } from "../../core/instant.js";
import {
  ALERT_ACTIONS,
  ALERT_FAMILIES,
  BLIND_CAUSES,
  FINDING_CODES,
  LAYERS,
  OWNERS,
  PATHS,
  SEVERITIES,
} from "../../core/model.js";

const severity = z.enum(SEVERITIES);

/**
 * A circuit fact the receivers print (provider, location, service key): text,
 * or null when it is not something a person can read. Never a rejection: the
 * page matters more than one odd fact.
 */
const circuitFact = z
  .unknown()
  .transform((v) =>
    typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null,
  );

const eventSchema = z
  .object({
    version: z.literal(ALERT_EVENT_VERSION),
    id: z.string().min(1),
    action: z.enum(ALERT_ACTIONS),
    key: z.string().min(1).max(255),
    sequence: z.number().int().min(1),
    // Added without a version bump: an event an older erwatch published (still
    // queued through an upgrade) has none. Such events belong to the key's
    // first episode (episodeStart), so its resolve still reaches whoever
    // heard the open instead of failing the dispatch.
    episodeId: z.string().min(1).optional(),
    // Routing matches on these: an unknown value must not route by accident.
    family: z.enum(ALERT_FAMILIES),
    code: z.enum(FINDING_CODES),
    severity,
    previousSeverity: severity.nullable(),
    peakSeverity: severity,
    layer: z.enum(LAYERS),
    owner: z.enum(OWNERS),
    title: z.string(),
    change: z.string(),
    nextAction: z.string(),
    // Added without a version bump (a resolve's reading now): absent from older events; an odd value is dropped, not the page.
    resolution: z.string().optional().catch(undefined),
    // Likewise a blind notice's lost paths: an odd value says "cannot see the circuit", as before it was added.
    blindPaths: z.array(z.enum(PATHS)).min(1).optional().catch(undefined),
    // ... and its cause: an odd value says "cannot see the circuit", as before it was added.
    blindCause: z.enum(BLIND_CAUSES).optional().catch(undefined),
    // ... and since when: only an instant (core/instant.ts; Date.parse reads
    // "Retry 3" as 2001), anything else as a since not known, not the page.
    blindSince: z
      .string()
      .refine((at) => storedInstant(at) !== null)
      .optional()
      .catch(undefined),
    circuit: z
      .object({
        id: z.string(),
        name: z.string(),
        subscriptionId: z.string(),
        resourceGroup: z.string(),
        // Carried as text whatever ARM sent: one odd tag must not dead-letter every alert of a circuit.
        tags: z.record(
          z.string(),
          z
            .union([z.string(), z.number(), z.boolean(), z.null()])
            .transform((v) => (v === null ? "" : String(v))),
        ),
        serviceKey: circuitFact,
        serviceProviderName: circuitFact,
        peeringLocation: circuitFact,
      })
      .passthrough(),
    peering: z.string().nullable(),
    paths: z.array(z.enum(PATHS)),
    evidence: z.record(z.string(), z.unknown()),
    ticket: z.string().nullable(),
    layerTable: z.unknown(),
    firstSeen: z.string(),
    occurredAt: z.string(),
  })
  .passthrough()
  .transform((e) => ({ ...e, episodeId: e.episodeId ?? `${e.key}-1` }));

export type ParsedEvent =
  { ok: true; event: AlertEvent } | { ok: false; reason: string; description: string };

export function parseEvent(body: unknown): ParsedEvent {
  let value = body;
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      return { ok: false, reason: "InvalidJson", description: "the message body is not JSON" };
    }
  }
  if (typeof value !== "object" || value === null) {
    return {
      ok: false,
      reason: "NotAnAlertEvent",
      description: `the message body is a ${value === null ? "null" : typeof value}, not an erwatch alert event`,
    };
  }
  const version = (value as { version?: unknown }).version;
  if (version !== ALERT_EVENT_VERSION) {
    return {
      ok: false,
      reason: "UnknownVersion",
      description: `alert event version ${JSON.stringify(version)} is not one this dispatcher reads (${ALERT_EVENT_VERSION})`,
    };
  }
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    return {
      ok: false,
      reason: "InvalidEvent",
      description: `not a valid alert event: ${issues.join("; ")}`,
    };
  }
  return { ok: true, event: parsed.data as unknown as AlertEvent };
}

// What a stored row must hold, as far as the code that reads it reaches in
// without looking. A snapshot with a null peering, a history line without its
// `before`, an outbox event without its circuit, a silence whose peering is
// null, an alert whose condition lost its paths passed the old checks of a
// few top-level fields, then threw inside a loop over every row: one
// hand-edited row took down the status page and `erwatch alerts`, the plan's
// memory of every circuit, a pair's partner, or every page. Checked
// here, such a row is unreadable and costs only itself (rows.ts).
//
// Loose objects: fields added by a later erwatch pass through, and fields an
// earlier one never wrote are optional where the readers allow for them (a
// snapshot from before a layer was kept has no cell for it).

import { z } from "zod";
import type { Phase } from "../../core/lifecycle.js";
import { PATHS, SEVERITIES } from "../../core/model.js";

const text = z.string();
const count = z.number().nullable();

const cell = z.looseObject({ status: text, detail: text, since: text });
/** A layer's cell per layer name; a layer an earlier erwatch did not keep is absent. */
const pathCells = z.record(text, cell);
const perPath = <T extends z.ZodType>(value: T) =>
  z.looseObject({ primary: value, secondary: value });

const snapshotPeering = z.looseObject({
  paths: perPath(pathCells),
  prefixes: z.looseObject({ primary: count.optional(), secondary: count.optional() }),
});

export const snapshotSchema = z.looseObject({
  circuitId: text,
  circuitName: text,
  takenAt: text,
  providerState: text.nullable(),
  peerings: z.record(text, snapshotPeering),
  pair: text.nullable().optional(),
});

const path = z.enum(PATHS);
const severity = z.enum(SEVERITIES);
const historyBase = { at: text, circuitId: text };

export const historySchema = z.discriminatedUnion("kind", [
  z.looseObject({
    kind: z.literal("transition"),
    ...historyBase,
    peering: text,
    path,
    layer: text,
    before: text,
    after: text,
    beforeDetail: text,
    afterDetail: text,
  }),
  z.looseObject({
    kind: z.literal("prefixes"),
    ...historyBase,
    peering: text,
    path,
    before: count,
    after: z.number(),
    limit: count,
  }),
  z.looseObject({
    kind: z.literal("reset"),
    ...historyBase,
    peering: text,
    path,
    upDown: text,
    uptimeSeconds: z.number(),
    previousReadAt: text,
    sincePreviousReadSeconds: z.number(),
  }),
  z.looseObject({
    kind: z.literal("alert"),
    ...historyBase,
    key: text,
    family: text,
    peering: text.nullable(),
    outcome: text,
    severity: text,
    sequence: z.number().nullable(),
    title: text,
  }),
]);

/**
 * An outbox row's event, as far as the drain and the publisher read it (the
 * message's id and properties); the dispatcher checks the rest of it.
 */
export const outboxSchema = z.looseObject({
  circuitId: text,
  createdAt: text,
  decidedAt: text.optional(),
  event: z.looseObject({
    version: z.number(),
    id: text,
    key: text,
    sequence: z.number(),
    action: text,
    severity: text,
    family: text,
    code: text,
    layer: text,
    owner: text,
    peering: text.nullable(),
    occurredAt: text,
    circuit: z.looseObject({ id: text, name: text }),
  }),
});

const window = z.discriminatedUnion("kind", [
  z.looseObject({ kind: z.literal("once"), start: text, end: text, timezone: text.optional() }),
  z.looseObject({
    kind: z.literal("recurring"),
    cron: text,
    durationMinutes: z.number(),
    timezone: text,
  }),
]);

export const silenceSchema = z.looseObject({
  id: text,
  circuit: text,
  createdAt: text,
  peering: text.optional(),
  path: path.optional(),
  window,
  expiredAt: text.nullable().optional(),
});

/**
 * An alert row, as far as the lifecycle, the status page and `erwatch alerts`
 * read it: they count, sort and rank by its severity and phase, join its
 * paths, compare its times as text and add to its counts. Severity and phase
 * are closed lists: one erwatch does not know would rank or branch as no
 * alert ever does. Fields an earlier erwatch did not write are optional: an
 * episode (its first sequence then stands in), the members a fleet alert
 * named, the last firing, clean and masked observations.
 */
export const alertSchema = z.looseObject({
  key: text,
  family: text,
  circuitId: text,
  circuitName: text,
  peering: text.nullable(),
  phase: z.enum(["clear", "pending", "firing", "resolving"] as const satisfies readonly Phase[]),
  consecutiveFiring: z.number(),
  consecutiveClean: z.number(),
  firstSeen: text.nullable(),
  condition: z
    .looseObject({
      code: text,
      severity,
      layer: text,
      owner: text,
      paths: z.array(path),
      title: text,
      nextAction: text,
      evidence: z.record(text, z.unknown()),
      ticket: text.nullable(),
    })
    .nullable(),
  notified: z
    .looseObject({
      episode: z.number().optional(),
      severity,
      peakSeverity: severity,
      paths: z.array(path),
      title: text,
      at: text,
      sequence: z.number(),
      members: z.array(text).optional(),
      blindSince: text.optional(),
      tickDue: text.nullable().optional(),
    })
    .nullable(),
  sequence: z.number(),
  lastEvaluatedAt: text,
  lastFiringAt: text.nullable().optional(),
  lastCleanAt: text.nullable().optional(),
  lastMaskedAt: text.nullable().optional(),
  blindSweeps: z.number().int().nonnegative().optional(),
  blindTicks: z.number().int().nonnegative().optional(),
  ticks: z.number().int().nonnegative().optional(),
  ticksAt: text.optional(),
  tickAt: text.optional(),
});

/** The last completed sweep: the status page adds, compares and prints its counts. */
export const sweepRecordSchema = z.looseObject({
  sweepId: text,
  startedAt: text,
  finishedAt: text,
  circuits: z.number(),
  ignored: z.number(),
  partlyBlind: z.number(),
  errors: z.number(),
  notRecorded: z.array(z.looseObject({ id: text, name: text, why: text })).optional(),
  fannedOut: z.looseObject({ deep: z.number(), deadline: text }).optional(),
  settingsLeftOut: z.array(text).optional(),
  // Any text: a value a later erwatch writes here must not make the whole record unreadable (read as the function app's).
  sweptBy: text.optional(),
  settingsLeftOutAt: text.optional(),
});

export const sweepRunSchema = z.looseObject({
  sweepId: text,
  status: z.enum(["running", "done", "failed"]),
  startedAt: text,
  finishedAt: text.nullable(),
  touchedAt: text,
  error: text.nullable(),
  answer: z.record(z.string(), z.unknown()).nullable(),
  answerOmitted: text.optional(),
  fannedOut: z
    .looseObject({ deep: z.number(), deadline: text, circuitIds: z.array(text).nullable() })
    .optional(),
});

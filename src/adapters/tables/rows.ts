// A stored row is about one circuit, one alert, one event or one silence. One
// that cannot be read (JSON cut off, a part missing, an older schema, a hand
// edit) must cost only that: a listing leaves it out and names it, so every
// other circuit is still planned and judged, every other event still
// published, every other silence still honoured. A row read on its own (one
// circuit's snapshot) fails with what and where it is, and only that circuit
// fails with it.

import type { AlertState } from "../../core/lifecycle.js";
import type { HistoryEntry } from "../../core/history.js";
import type { Snapshot } from "../../core/snapshot.js";
import type {
  OutboxRow,
  SharedSweepRun,
  SweepRecord,
  UnreadableRow,
} from "../../app/state-store.js";
import type { StoredSilence } from "../../app/silences.js";
import type { Logger } from "../../logging.js";
import type { z } from "zod";
import { unpackJson } from "./json-columns.js";
import {
  alertSchema,
  historySchema,
  outboxSchema,
  silenceSchema,
  snapshotSchema,
  sweepRecordSchema,
  sweepRunSchema,
} from "./row-schemas.js";

export type Row = Record<string, unknown> & {
  partitionKey?: string;
  rowKey?: string;
  etag?: string;
};

/** The name is the contract with src/app (isUnreadableRow). */
export class UnreadableRowError extends Error {
  override readonly name = "UnreadableRowError";
  constructor(
    message: string,
    readonly row: UnreadableRow,
  ) {
    super(message);
  }
}

/** What a row must hold for the code that lists rows to use it (it keys, filters and sorts by these). */
export interface RowShape<T> {
  what: string;
  fits(value: unknown): value is T;
}

/** A shape checked by a schema of row-schemas.ts; the value is used as stored. */
const shapeOf = <T>(what: string, schema: z.ZodType): RowShape<T> => ({
  what,
  fits: (v): v is T => schema.safeParse(v).success,
});

export const SNAPSHOT_SHAPE = shapeOf<Snapshot>("snapshot", snapshotSchema);

export const ALERT_SHAPE = shapeOf<AlertState>("alert", alertSchema);

export const OUTBOX_SHAPE = shapeOf<OutboxRow>("outbox event", outboxSchema);

export const HISTORY_SHAPE = shapeOf<HistoryEntry>("history entry", historySchema);

export const SWEEP_RECORD_SHAPE = shapeOf<SweepRecord>("sweep record", sweepRecordSchema);

export const SWEEP_RUN_SHAPE = shapeOf<SharedSweepRun>("sweep run", sweepRunSchema);

export const SILENCE_SHAPE = shapeOf<StoredSilence>("silence", silenceSchema);

const where = (table: string, row: Row) =>
  `${table} row ${String(row.partitionKey)} / ${String(row.rowKey)}`;

function problemOf<T>(row: Row, shape: RowShape<T>): { value: T } | { reason: string } {
  let value: unknown;
  try {
    value = unpackJson<unknown>(row, shape.what);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  return shape.fits(value)
    ? { value }
    : { reason: `not a ${shape.what} erwatch writes (an older schema, or edited by hand)` };
}

/** One row on its own: its value, or an error naming the row (its circuit fails, nothing else). */
export function readRow<T>(row: Row, shape: RowShape<T>, table: string): T {
  const read = problemOf(row, shape);
  if ("value" in read) return read.value;
  throw new UnreadableRowError(
    `the ${shape.what} in ${where(table, row)} cannot be read: ${read.reason}`,
    {
      table,
      partitionKey: String(row.partitionKey),
      rowKey: String(row.rowKey),
      etag: String(row.etag),
    },
  );
}

/** The rows that cannot be read, each with why (what a listing leaves out). */
export function unreadableRows<T>(
  rows: Row[],
  shape: RowShape<T>,
  table: string,
): (UnreadableRow & { reason: string; row: Row })[] {
  return rows.flatMap((row) => {
    const read = problemOf(row, shape);
    return "value" in read
      ? []
      : [
          {
            table,
            partitionKey: String(row.partitionKey),
            rowKey: String(row.rowKey),
            etag: String(row.etag),
            reason: read.reason,
            row,
          },
        ];
  });
}

/** Every row that can be read; each one that cannot is named in the log and left out. */
export function readRows<T, R>(
  rows: Row[],
  shape: RowShape<T>,
  table: string,
  log: Logger,
  build: (value: T, row: Row) => R,
): R[] {
  const out: R[] = [];
  for (const row of rows) {
    const read = problemOf(row, shape);
    if ("value" in read) {
      out.push(build(read.value, row));
      continue;
    }
    log.error(
      {
        table,
        partitionKey: row.partitionKey,
        rowKey: row.rowKey,
        what: shape.what,
        reason: read.reason,
      },
      "a stored row cannot be read; it is left out and the other rows are used (fix or delete it)",
    );
  }
  return out;
}

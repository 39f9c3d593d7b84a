// Table keys may not contain / \ # ? or control characters, and circuit ids are
// full of slashes: a circuit's partition is its name plus a hash of its id.

import { createHash } from "node:crypto";

export function circuitPartition(circuitId: string): string {
  const name = circuitId.split("/").pop() ?? "circuit";
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 60);
  const hash = createHash("sha256").update(circuitId.toLowerCase()).digest("hex").slice(0, 16);
  return `${safeName}-${hash}`;
}

export const SNAPSHOT_ROW = "snapshot";
/** A path's kept route table, next to the circuit's snapshot. */
export const ROUTE_TABLE_PREFIX = "routes|";
export const routeTableRow = (peering: string, path: string) =>
  `${ROUTE_TABLE_PREFIX}${peering.replace(/[^A-Za-z0-9._-]/g, "_")}|${path}`;
/** When the sweep last read the circuit's route tables. */
export const ROUTE_TABLE_MARK_ROW = `${ROUTE_TABLE_PREFIX}*`;
/** The last completed sweep lives in the snapshots table under its own partition. */
export const SWEEP_PARTITION = "erwatch-sweeps";
export const SWEEP_ROW = "last-completed";
/** A sweep answered 202, shared by every instance, next to the last completed one. */
export const SWEEP_RUN_PREFIX = "run|";
export const sweepRunRow = (sweepId: string) => `${SWEEP_RUN_PREFIX}${sweepId}`;
export const alertRow = (key: string) => `alert|${key}`;
export const outboxRow = (createdAt: string, eventId: string) => `outbox|${createdAt}|${eventId}`;
/**
 * Time first (history is read by time range), then the writer and the entry's
 * place in its append, then a hash of the entry: two appends for one circuit
 * at one instant by one sweep (a fleet alert that runs of the sweep join)
 * are different rows, and the same entry written again is the same row.
 */
export const historyRow = (at: string, writer: string, index: number, entry: string) =>
  `${at}|${writer.replace(/[^A-Za-z0-9-]/g, "")}|${String(index).padStart(4, "0")}|${createHash("sha256").update(entry).digest("hex").slice(0, 12)}`;

/** The smallest string greater than every string starting with `prefix`. */
export const prefixEnd = (prefix: string) =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

// What the stateful sweep needs from storage, and what it publishes to. The
// Table Storage adapter implements StateStore; Service Bus implements EventSink.

import type { AlertEvent } from "../core/alert-event.js";
import type { HistoryEntry } from "../core/history.js";
import type { AlertState } from "../core/lifecycle.js";
import type { KeptRouteTable, KeptTableMark } from "../core/route-tables.js";
import type { Snapshot } from "../core/snapshot.js";
import type { Logger } from "../logging.js";
import type { HandedOut } from "./work-progress.js";

export interface Stored<T> {
  value: T;
  etag: string;
}

/**
 * Another writer changed the row since it was read: re-read and decide again.
 * Stores signal it with an error named "ConflictError" (errors are recognised
 * by name, so adapters need not import this module).
 */
export function isConflict(error: unknown): boolean {
  return error instanceof Error && error.name === "ConflictError";
}

/** Table Storage failed (not a lost race): adapters/tables/errors.ts StateStoreError, by name. */
/** The order events leave the outbox in: as they happened, and a key's in sequence. */
export const outboxOrder = (a: Stored<OutboxRow>, b: Stored<OutboxRow>): number =>
  a.value.createdAt.localeCompare(b.value.createdAt) ||
  a.value.event.sequence - b.value.event.sequence;

export function isStorageFailure(error: unknown): error is Error {
  return error instanceof Error && error.name === "StateStoreError";
}

/** Where a stored row lives, and the ETag it had when it was found unreadable. */
export interface UnreadableRow {
  table: string;
  partitionKey: string;
  rowKey: string;
  etag: string;
}

/**
 * A circuit's own row that cannot be read (cut-off JSON, an older schema, a
 * hand edit): stores throw an error named "UnreadableRowError" carrying the
 * row, recognised by name like ConflictError.
 */
export function isUnreadableRow(error: unknown): error is Error & { row: UnreadableRow } {
  return error instanceof Error && error.name === "UnreadableRowError" && "row" in error;
}

/** An alert row that cannot be read: an incident erwatch can no longer resolve. */
export interface UnreadableAlert extends UnreadableRow {
  /** The alert's key (the PagerDuty dedup_key), from the row's key. */
  key: string;
  reason: string;
}

export interface OutboxRow {
  circuitId: string;
  event: AlertEvent;
  createdAt: string;
  /**
   * When the sweep that decided it began (its clock), where that is not the
   * event's own time: a fleet alert the fan-out timer judges as of its
   * workers' earlier readings is dated then, and that sweep may publish it
   * until its own hard stop (status.ts unsentOf). Absent: `createdAt`.
   */
  decidedAt?: string;
  /** A drain in progress holds the row until this time, so two drains do not publish it twice. */
  claimedBy: string | null;
  claimedUntil: string | null;
}

/** A sweep of the whole scope that ran to its end: the status page's "last completed sweep". */
export interface SweepRecord {
  sweepId: string;
  startedAt: string;
  finishedAt: string;
  circuits: number;
  ignored: number;
  /** Circuits with at least one failed read, and circuits erwatch failed on. */
  partlyBlind: number;
  errors: number;
  /**
   * The circuits erwatch failed on (the first NOT_RECORDED_SHOWN), with why:
   * their alerts were not decided this sweep. Absent in records of earlier versions.
   */
  notRecorded?: { id: string; name: string; why: string }[];
  /**
   * A fanned-out sweep: the deep reads handed to the workers and their
   * deadline. How far the workers got is in their claims (work-progress.ts).
   */
  fannedOut?: { deep: number; deadline: string };
  /**
   * Settings entries the function app's sweeps run without (the first
   * SETTINGS_LEFT_OUT_SHOWN, then how many more), each naming where and why,
   * never a secret: the status page shows them while they last. Absent when
   * there were none.
   */
  settingsLeftOut?: string[];
  /**
   * `erwatch sweep --state` ran it (SweepDeps.ranBy): its own settings are an
   * operator's machine's, so `settingsLeftOut` is the function app's, carried
   * from the record before. Absent: the function app ran it.
   */
  sweptBy?: "cli";
  /** With `sweptBy`: when the function app's sweep that listed `settingsLeftOut` finished. */
  settingsLeftOutAt?: string;
}

/**
 * A sweep answered 202, as every instance answers `GET /api/sweep/{id}` for
 * it: the HTTP functions scale out, and the poll may reach another instance
 * than the one running the sweep.
 */
export interface SharedSweepRun {
  sweepId: string;
  status: "running" | "done" | "failed";
  startedAt: string;
  finishedAt: string | null;
  /** When it was last written: a running sweep's record is written every heartbeat. */
  touchedAt: string;
  error: string | null;
  /** Done: the answer's body past the summary fields; null when it could not be kept (answerOmitted says why). */
  answer: Record<string, unknown> | null;
  answerOmitted?: string;
  /**
   * Fanned out over SWEEP_WORK_QUEUE: what was handed to the workers. While
   * "running" its progress is read from their claims (work-progress.ts); no
   * instance runs it, so it is not written again until it is done.
   */
  fannedOut?: HandedOut;
}

/** How many of a sweep's circuits it failed on its record names. */
export const NOT_RECORDED_SHOWN = 20;

/** Settings entries a sweep record keeps (each cut at 500 characters): within a table property. */
export const SETTINGS_LEFT_OUT_SHOWN = 20;

export interface StateStore {
  /**
   * The same store, with the sweep's abort signal on every call (each call
   * also has its own deadline) and, when given, the sweep's logger: a row that
   * cannot be read is left out of a listing and named there.
   */
  withSignal(signal: AbortSignal, log?: Logger): StateStore;
  ensureTables(): Promise<void>;
  getSnapshot(circuitId: string): Promise<Stored<Snapshot> | null>;
  /** Conditional on `etag` (null: must not exist yet). Throws ConflictError. */
  putSnapshot(snapshot: Snapshot, etag: string | null): Promise<void>;
  listSnapshots(): Promise<Snapshot[]>;
  /**
   * `unreadable`, when given, receives the rows left out because they cannot
   * be read (status page, `erwatch alerts`): from the same listing, not a second.
   */
  listAlerts(circuitId?: string, unreadable?: UnreadableAlert[]): Promise<Stored<AlertState>[]>;
  getAlert(circuitId: string, key: string): Promise<Stored<AlertState> | null>;
  /**
   * Moves a circuit's unreadable snapshot or alert row aside (kept, under a
   * row key of its own, for someone to look at), so the circuit is judged
   * afresh instead of failing every sweep. Conditional on the row's ETag
   * (ConflictError when another writer replaced it meanwhile). Returns the
   * row key it was kept under.
   */
  setAside(row: UnreadableRow, reason: string, at: Date): Promise<string>;
  /**
   * Writes the alert state and its events' outbox rows in one transaction,
   * conditional on `etag` (null: must not exist yet). Throws ConflictError.
   */
  /** `decidedAt`: when the sweep deciding `events` began, if not when they occurred (OutboxRow.decidedAt). */
  commitAlert(
    state: AlertState,
    etag: string | null,
    events: AlertEvent[],
    decidedAt?: Date,
  ): Promise<void>;
  appendHistory(circuitId: string, entries: HistoryEntry[], writer: string): Promise<void>;
  listHistory(circuitId: string, since: Date): Promise<HistoryEntry[]>;
  /** Recent history across all circuits, newest first (status page). */
  listRecentHistory(since: Date, limit: number): Promise<HistoryEntry[]>;
  pruneHistory(before: Date): Promise<number>;
  /**
   * Events waiting to be published, oldest first: across every circuit (a scan
   * of the Alerts table), or only one circuit's when `circuitId` is given.
   */
  listOutbox(circuitId?: string): Promise<Stored<OutboxRow>[]>;
  /**
   * Null when another drain claimed or removed the row first. `claimant` names
   * one drain, no other: a claim written whose answer was lost is known as
   * this drain's by it.
   */
  claimOutbox(
    row: Stored<OutboxRow>,
    claimant: string,
    until: Date,
  ): Promise<Stored<OutboxRow> | null>;
  releaseOutbox(row: Stored<OutboxRow>): Promise<void>;
  deleteOutbox(row: Stored<OutboxRow>): Promise<void>;
  /** The route table kept for each path of a circuit (those a table was kept for). */
  getRouteTables(circuitId: string): Promise<KeptRouteTable[]>;
  /** Keeps a path's route table, replacing the one kept before. */
  putRouteTable(table: KeptRouteTable): Promise<void>;
  /** Records that the circuit's route tables were read now, whatever was kept. */
  markRouteTableAttempt(mark: KeptTableMark): Promise<void>;
  /** Every circuit's last attempt: one small query per sweep. */
  listRouteTableMarks(): Promise<KeptTableMark[]>;
  /** Overwrites the record of the last completed sweep. */
  recordSweep(record: SweepRecord): Promise<void>;
  lastSweep(): Promise<SweepRecord | null>;
  /** Replaces the sweep's shared record (running, then done or failed). */
  putSweepRun(run: SharedSweepRun): Promise<void>;
  getSweepRun(sweepId: string): Promise<SharedSweepRun | null>;
  /** Drops shared records of sweeps started before `before`; how many. */
  pruneSweepRuns(before: Date): Promise<number>;
  /** Shared records of fanned-out sweeps whose workers' deadline is `deadlineFrom` or later. */
  listFannedOutRuns(deadlineFrom: Date): Promise<SharedSweepRun[]>;
  /** The ids of every circuit with a snapshot: one small query (ids only). */
  listCircuitIds(): Promise<string[]>;
  /** Drops a circuit's snapshot and kept route tables, so a circuit that comes back starts clean. */
  forgetCircuit(circuitId: string): Promise<void>;
}

export interface PublishResult {
  /** Events too large for a message, sent without their evidence (the page still goes out). */
  shrunk: string[];
  /** Events that could not be made a message at all: not sent, the others were. */
  refused?: { id: string; reason: string }[];
}

export interface EventSink {
  /**
   * Resolves only when the broker accepted every event but those it names
   * `refused` (they could not be made a message: not sent); rejects otherwise
   * (nothing partial is assumed), also at its own deadline or once
   * `abortSignal` (the sweep stopped) fires.
   */
  publish(
    events: AlertEvent[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<PublishResult | void>;
  close?(): Promise<void>;
}

/**
 * The store, its snapshots listed at most once: a run's readers of other
 * circuits (pair partners, Global Reach peers, circuits sharing a Connection
 * Monitor) each scanned the whole table, several times a run and in every
 * fan-out batch. A listing as of the run's first ask is enough for them:
 * what they take from it is bounded by its age. The snapshots the run itself
 * wrote are in it as written, though: the fleet step asks after the reads
 * whether each circuit of a fleet alert was read whole this sweep, and with a
 * pair in the run the listing predated every reading, so a recovering site
 * the rotation read one circuit a sweep never resolved.
 */
export function listingSnapshotsOnce(store: StateStore): StateStore {
  let listed: Promise<Snapshot[]> | null = null;
  // Lower-case id: a circuit's id is case-insensitive, as its readers key it.
  const written = new Map<string, Snapshot>();
  const withWritten = (snapshots: Snapshot[]) =>
    written.size === 0
      ? snapshots
      : [
          ...snapshots.filter((s) => !written.has(String(s.circuitId).toLowerCase())),
          ...written.values(),
        ];
  return new Proxy(store, {
    get(target, name) {
      if (name === "listSnapshots")
        return () => (listed ??= target.listSnapshots()).then(withWritten);
      if (name === "putSnapshot")
        return async (snapshot: Snapshot, etag: string | null) => {
          await target.putSnapshot(snapshot, etag);
          written.set(snapshot.circuitId.toLowerCase(), snapshot);
        };
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

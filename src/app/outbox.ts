// Publishes what the sweep recorded. A row leaves the outbox only after the
// broker accepted it; a broker that is down leaves everything for the next
// sweep. Claims keep two overlapping drains from publishing one event twice.

import { randomUUID } from "node:crypto";
import type { AlertEvent } from "../core/alert-event.js";
import { healthLine, type Logger } from "../logging.js";
import {
  isStorageFailure,
  outboxOrder,
  type EventSink,
  type OutboxRow,
  type StateStore,
  type Stored,
} from "./state-store.js";
import { storedInstant } from "../core/instant.js";
import { counted } from "../core/text.js";

export interface DrainResult {
  published: AlertEvent[];
  pending: number;
  brokerError: string | null;
}

const LEASE_MS = 2 * 60_000;

export interface DrainOptions {
  claimant: string;
  now: Date;
  logger: Logger;
  /**
   * Circuits (and fleet pseudo-circuits) whose outbox rows are read one
   * partition at a time when the outbox cannot be listed across the table:
   * those with events decided since the drain before, and at the end of a run
   * every circuit it evented or read.
   */
  partitions?: () => Iterable<string>;
  /**
   * Shared by one run's drains (see `firstTimeOnly`): the first that cannot
   * list the outbox says so as an error, the rest at debug. A large outage
   * drains after every commit, and an error line per drain would bury the
   * lines that matter. Absent, each drain says it.
   */
  firstTime?: (what: string) => boolean;
  /** The run's own stop (its hard deadline, SIGTERM): a publish in flight gives up with it. */
  abortSignal?: AbortSignal;
}

/** True the first time each thing is asked of it, false after. */
export function firstTimeOnly(): (what: string) => boolean {
  const asked = new Set<string>();
  return (what) => {
    if (asked.has(what)) return false;
    asked.add(what);
    return true;
  };
}

/**
 * What a growing list gained since the last call. An eager drain that cannot
 * list the outbox reads the partitions of the events decided since the drain
 * before, not every partition the run touched again: a large outage drains
 * after every commit, and the sweep's last drain reads them all anyway.
 */
export function sinceLastCall<T>(all: () => readonly T[]): () => T[] {
  let seen = 0;
  return () => {
    const now = all();
    const fresh = now.slice(seen);
    seen = now.length;
    return fresh;
  };
}

/**
 * The events waiting, from one listing of the outbox. When that listing fails
 * in storage (a scan of the Alerts table, the call to time out first on a large
 * estate), each given circuit's rows are read from its own partition, so what
 * this run decided still pages; the rest wait for a listing that works.
 */
async function waiting(store: StateStore, options: DrainOptions): Promise<Stored<OutboxRow>[]> {
  try {
    return await store.listOutbox();
  } catch (error) {
    if (!options.partitions || !isStorageFailure(error)) throw error;
    // As stored: a partition key keeps the case of the circuit's name.
    const circuits = new Set(options.partitions());
    const first = options.firstTime?.("outbox unlisted") ?? true;
    options.logger[first ? "error" : "debug"](
      { err: error, circuits: circuits.size },
      first
        ? "the outbox could not be listed; the events of the circuits this run touched are read circuit by circuit"
        : "the outbox could not be listed again in this run; read circuit by circuit",
    );
    const rows: Stored<OutboxRow>[] = [];
    for (const circuitId of circuits) {
      try {
        rows.push(...(await store.listOutbox(circuitId)));
      } catch (partitionError) {
        options.logger.warn(
          { err: partitionError, circuitId },
          "a circuit's outbox could not be read; its events wait for the next drain",
        );
      }
    }
    return rows.sort(outboxOrder);
  }
}

/**
 * Whether another drain holds a row now: its lease is an instant after now,
 * and no further ahead than a lease is taken for. A lease kept as text that
 * is not an instant, or dated further ahead (a hand edit, a clock that ran
 * ahead), holds nothing: read with Date.parse, "2042…" or "42" held the row,
 * and every later event of its alert behind it, for years.
 */
export function leasedUntil(claimedUntil: string | null, now: Date): boolean {
  const until = storedInstant(claimedUntil);
  return until !== null && until > now.getTime() && until - now.getTime() <= LEASE_MS;
}

export async function drainOutbox(
  store: StateStore,
  sink: EventSink,
  options: DrainOptions,
): Promise<DrainResult> {
  const rows = await waiting(store, options);
  // One name per drain: a claim whose answer was lost is recognised as this drain's,
  // never as another drain's of the same run (the run drains after each commit).
  const claimant = `${options.claimant}/${randomUUID()}`;
  const heldElsewhere = new Set<string>();
  const claimed: Stored<OutboxRow>[] = [];
  for (const row of rows) {
    const key = row.value.event.key;
    const leased = leasedUntil(row.value.claimedUntil, options.now);
    // Keep each key's events in order: never jump ahead of one another drain holds.
    if (leased || heldElsewhere.has(key)) {
      heldElsewhere.add(key);
      continue;
    }
    // A row whose claim fails (its partition failing) waits for the next drain, with the
    // rest of its key: it must not hold back every other circuit's events.
    const mine = await store
      .claimOutbox(row, claimant, new Date(options.now.getTime() + LEASE_MS))
      .catch((error: unknown) => {
        options.logger.warn(
          { err: error, eventId: row.value.event.id },
          "could not claim an outbox event; it waits for the next drain, the others go out",
        );
        return null;
      });
    if (mine) claimed.push(mine);
    else heldElsewhere.add(key);
  }
  if (claimed.length === 0) return { published: [], pending: rows.length, brokerError: null };
  const events = claimed.map((r) => r.value.event);
  let refused: ReadonlySet<string> = new Set();
  try {
    const result = await sink.publish(
      events,
      options.abortSignal ? { abortSignal: options.abortSignal } : {},
    );
    // Named by circuit too: an event id (erw-<hash>-<n>) says nothing to
    // whoever must find the row, which is kept in its circuit's partition.
    const circuitOf = (id: string) => {
      const event = events.find((e) => e.id === id);
      return event ? { circuitId: event.circuit.id, circuit: event.circuit.name } : {};
    };
    for (const id of result?.shrunk ?? [])
      options.logger.error(
        { eventId: id, ...circuitOf(id) },
        "alert event too large for Service Bus: sent without its evidence, ticket and layer table",
      );
    for (const { id, reason } of result?.refused ?? [])
      options.logger.error(
        { eventId: id, reason, ...circuitOf(id) },
        "an alert event in the outbox cannot be sent; it stays there, and every other event went out (fix or delete its row)",
      );
    refused = new Set((result?.refused ?? []).map((r) => r.id));
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // One line for the whole batch: the broker being down is one fact.
    healthLine(options.logger).warn(
      { err: error, events: events.length },
      `could not publish ${counted(events.length, "alert event")}; they stay in the outbox for the next sweep`,
    );
    // A claim that cannot be released runs out by itself.
    await settleEach(
      claimed,
      (r) => store.releaseOutbox(r),
      options.logger,
      "could not release the claim on an outbox event; it runs out by itself",
    );
    return { published: [], pending: rows.length, brokerError: message };
  }
  const sent = claimed.filter((r) => !refused.has(r.value.event.id));
  const left = claimed.filter((r) => refused.has(r.value.event.id));
  await settleEach(
    left,
    (r) => store.releaseOutbox(r),
    options.logger,
    "could not release the claim on an outbox event; it runs out by itself",
  );
  // Published whatever happens next: a row that cannot be removed now is sent again once its
  // claim runs out, with the same messageId, and the broker's duplicate detection drops it.
  const kept = await settleEach(
    sent,
    (r) => store.deleteOutbox(r),
    options.logger,
    "a published event could not be removed from the outbox; it is sent again once its claim runs out, and the broker drops the duplicate",
  );
  return {
    published: sent.map((r) => r.value.event),
    pending: rows.length - sent.length + kept,
    brokerError: null,
  };
}

/** Each row's storage call on its own: one failing (its partition) does not undo the others. Returns how many failed. */
async function settleEach(
  rows: Stored<OutboxRow>[],
  call: (row: Stored<OutboxRow>) => Promise<void>,
  logger: Logger,
  message: string,
): Promise<number> {
  const results = await Promise.allSettled(rows.map(call));
  let failed = 0;
  results.forEach((r, i) => {
    if (r.status === "fulfilled") return;
    failed += 1;
    logger.warn({ err: r.reason, eventId: rows[i]!.value.event.id }, message);
  });
  return failed;
}

// Who has which alert event, one partition per alert key:
//   RK "event|<event id>|<receiver>"    claimed (by a delivery, until a time) or delivered
//   RK "event|<key>_posting|<receiver>" the alert's posting lease for the receiver
//                                       (claimed or released), and `attempted`: the
//                                       highest sequence whose post to it was started
//                                       and `pausedUntil`: the pause the receiver last
//                                       asked for when it refused a post of the alert
//   RK "seq|<receiver>"                 the highest sequence of the alert the receiver heard
// A delivery claims its (event, receiver) row with an ETag before posting, so
// two concurrent deliveries of one message post once; "delivered" and the
// sequence are written in one transaction. The attempted sequence rides on the
// lease's own conditional write, so recording it costs no extra round-trip; a
// released lease keeps its row (state "released") so the sequence outlives it.
// A lease row an older erwatch wrote has no `attempted` (read as 0), and an
// older erwatch drops the field when it takes or releases the lease, so during
// a rollout the window can stay open as before; never worse. The same holds
// for `pausedUntil`: kept on the lease row because every delivery of the
// alert to the receiver reads that row anyway, while the pause the refused
// post was given lives only in its own rescheduled copy.

import { storedInstant } from "../../core/instant.js";
import { type TableClient, type TransactionAction } from "@azure/data-tables";
import type {
  ClaimResult,
  DeliveryDetail,
  DeliveryLog,
  LeaseResult,
} from "../../app/dispatch/ports.js";
import { receiverRecordName } from "../../core/routing.js";
import { ensureTable } from "./create-table.js";
import { isNotFound, rethrowStorage } from "./errors.js";

// Receivers under the name the routing validation keeps unique (core/routing.ts).
const safeKey = receiverRecordName;
const eventRow = (eventId: string, receiver: string) =>
  `event|${safeKey(eventId)}|${receiverRecordName(receiver)}`;
const sequenceRow = (receiver: string) => `seq|${receiverRecordName(receiver)}`;
// The lease is a claim on a row no event has, as older erwatch wrote it: both
// versions exclude each other while a rollout runs both.
const leaseName = (key: string) => `${key}~posting`;

interface Row {
  etag: string;
  state?: string;
  claimant?: string;
  until?: string;
  sequence?: number;
  attempted?: number;
  pausedUntil?: string;
}

/** An older erwatch's lease row has no `attempted`. */
const attemptedOf = (row: Row | null) =>
  typeof row?.attempted === "number" && Number.isFinite(row.attempted) ? row.attempted : 0;

/** The pause the row keeps, or null: one whose time is not an instant keeps none. */
const pausedUntilOf = (row: Row | null): number | null => storedInstant(row?.pausedUntil);

/** The row's pause, carried over to its next write (a lease or its release), or raised to `at`. */
function pauseField(row: Row | null, at?: Date): { pausedUntil?: string } {
  const kept = pausedUntilOf(row);
  const latest = Math.max(kept ?? -Infinity, at?.getTime() ?? -Infinity);
  return Number.isFinite(latest) ? { pausedUntil: new Date(latest).toISOString() } : {};
}

const MAX_RACES = 5;
const status = (error: unknown) => (error as { statusCode?: number }).statusCode;
const lostRace = (error: unknown) => status(error) === 409 || status(error) === 412;

export class TableDeliveryLog implements DeliveryLog {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
    /** Deadline for one call, retries included: storage that never answers must not hold a delivery. */
    private readonly timeoutMs = 10_000,
  ) {}

  private call(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }

  private fail(error: unknown, doing: string): never {
    return rethrowStorage(error, doing, { timeoutMs: this.timeoutMs });
  }

  async ensureTable(): Promise<void> {
    await ensureTable(this.table, () => this.call(), { timeoutMs: this.timeoutMs });
  }

  private async row(pk: string, rk: string, doing: string): Promise<Row | null> {
    try {
      return (await this.table.getEntity<Omit<Row, "etag">>(pk, rk, this.call())) as Row;
    } catch (error) {
      if (isNotFound(error)) return null;
      return this.fail(error, doing);
    }
  }

  /**
   * Whether a live claim of another delivery holds the row, and until when. A
   * claim whose time is not an instant (core/instant.ts: a hand edit, "42"
   * read as the year 2042) holds nothing: it kept that receiver from hearing
   * the event for years.
   */
  private heldBy(current: Row | null, claimant: string): Date | null {
    if (current?.state !== "claimed" || current.claimant === claimant) return null;
    const until = storedInstant(current.until);
    return until !== null && until > this.now().getTime() ? new Date(until) : null;
  }

  /** Writes `entity` over `current` (by its ETag) or as a new row; false when a race was lost. */
  private async take(
    current: Row | null,
    entity: { partitionKey: string; rowKey: string } & Record<string, unknown>,
    doing: string,
  ): Promise<boolean> {
    try {
      if (current)
        await this.table.updateEntity(entity, "Replace", { ...this.call(), etag: current.etag });
      else await this.table.createEntity(entity, this.call());
      return true;
    } catch (error) {
      if (!lostRace(error)) this.fail(error, doing);
      return false;
    }
  }

  async claim(
    key: string,
    eventId: string,
    receiver: string,
    claimant: string,
    until: Date,
  ): Promise<ClaimResult> {
    const pk = safeKey(key);
    const rk = eventRow(eventId, receiver);
    const doing = `claiming ${eventId} for ${receiver}`;
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.row(pk, rk, doing);
      if (current?.state === "delivered") return { kind: "delivered" };
      const held = this.heldBy(current, claimant);
      if (held) return { kind: "busy", until: held };
      const entity = {
        partitionKey: pk,
        rowKey: rk,
        eventId,
        receiver,
        state: "claimed",
        claimant,
        until: until.toISOString(),
      };
      if (await this.take(current, entity, doing)) return { kind: "claimed" };
    }
    // Every race lost: someone else is working on it right now.
    return { kind: "busy", until };
  }

  async lease(
    key: string,
    receiver: string,
    claimant: string,
    until: Date,
    sequence: number,
  ): Promise<LeaseResult> {
    const pk = safeKey(key);
    const name = leaseName(key);
    const rk = eventRow(name, receiver);
    const doing = `taking the posting lease of ${key} for ${receiver} (event ${sequence})`;
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.row(pk, rk, doing);
      const held = this.heldBy(current, claimant);
      if (held) return { kind: "busy", until: held };
      const attempted = attemptedOf(current);
      // Conditional on the row read: the highest attempted sequence is never
      // lowered by a lease taken at the same time.
      const entity = {
        partitionKey: pk,
        rowKey: rk,
        eventId: name,
        receiver,
        state: "claimed",
        claimant,
        until: until.toISOString(),
        attempted: Math.max(attempted, sequence),
        ...pauseField(current),
      };
      const paused = pausedUntilOf(current);
      if (await this.take(current, entity, doing))
        return paused === null
          ? { kind: "claimed", attempted }
          : { kind: "claimed", attempted, pausedUntil: new Date(paused) };
    }
    return { kind: "busy", until };
  }

  async delivered(
    key: string,
    eventId: string,
    receiver: string,
    sequence: number,
    detail: DeliveryDetail,
  ): Promise<void> {
    const pk = safeKey(key);
    const doing = `recording delivery of ${eventId} to ${receiver}`;
    const record: TransactionAction = [
      "upsert",
      {
        partitionKey: pk,
        rowKey: eventRow(eventId, receiver),
        eventId,
        receiver,
        state: "delivered",
        ...detail,
      },
      "Replace",
    ];
    for (let race = 0; race < MAX_RACES; race += 1) {
      const seq = await this.row(pk, sequenceRow(receiver), doing);
      const actions: TransactionAction[] = [record];
      const raised = { partitionKey: pk, rowKey: sequenceRow(receiver), receiver, sequence };
      if (!seq) actions.push(["create", raised]);
      else if ((seq.sequence ?? 0) < sequence)
        actions.push(["update", raised, "Replace", { etag: seq.etag }]);
      try {
        await this.table.submitTransaction(actions, this.call());
        return;
      } catch (error) {
        if (!lostRace(error)) this.fail(error, doing);
      }
    }
    throw new Error(`${doing}: lost ${MAX_RACES} races for the sequence row`);
  }

  async release(key: string, eventId: string, receiver: string, claimant: string): Promise<void> {
    const pk = safeKey(key);
    const rk = eventRow(eventId, receiver);
    const current = await this.row(pk, rk, `releasing ${eventId} for ${receiver}`);
    if (current?.state !== "claimed" || current.claimant !== claimant) return;
    try {
      await this.table.deleteEntity(pk, rk, { ...this.call(), etag: current.etag });
    } catch (error) {
      // Someone else took or finished it meanwhile: theirs now.
      if (!lostRace(error) && !isNotFound(error))
        this.fail(error, `releasing ${eventId} for ${receiver}`);
    }
  }

  async lastSequence(key: string, receiver: string): Promise<number> {
    const seq = await this.row(
      safeKey(key),
      sequenceRow(receiver),
      `reading ${receiver}'s sequence of ${key}`,
    );
    return seq?.sequence ?? 0;
  }

  async unlease(
    key: string,
    receiver: string,
    claimant: string,
    pausedUntil?: Date,
  ): Promise<void> {
    const pk = safeKey(key);
    const name = leaseName(key);
    const rk = eventRow(name, receiver);
    const doing = `releasing the posting lease of ${key} for ${receiver}`;
    const current = await this.row(pk, rk, doing);
    if (current?.state !== "claimed" || current.claimant !== claimant) return;
    // Kept, not deleted (as a claim is): the attempted sequence must outlive the lease.
    const released = {
      partitionKey: pk,
      rowKey: rk,
      eventId: name,
      receiver,
      state: "released",
      attempted: attemptedOf(current),
      ...pauseField(current, pausedUntil),
    };
    try {
      await this.table.updateEntity(released, "Replace", { ...this.call(), etag: current.etag });
    } catch (error) {
      // Someone else took it meanwhile (this lease had run out): theirs now.
      if (!lostRace(error) && !isNotFound(error)) this.fail(error, doing);
    }
  }

  async attempted(key: string, receiver: string): Promise<number> {
    const lease = await this.row(
      safeKey(key),
      eventRow(leaseName(key), receiver),
      `reading which event of ${key} was last posted to ${receiver}`,
    );
    return attemptedOf(lease);
  }
}

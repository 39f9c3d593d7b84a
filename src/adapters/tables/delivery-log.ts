// Who has which alert event, one partition per alert key:
//   RK "event|<event id>|<receiver>"  claimed (by a delivery, until a time) or delivered
//   RK "seq|<receiver>"               the highest sequence of the alert the receiver heard
// A delivery claims its (event, receiver) row with an ETag before posting, so
// two concurrent deliveries of one message post once; "delivered" and the
// sequence are written in one transaction.

import { type TableClient, type TransactionAction } from "@azure/data-tables";
import type { ClaimResult, DeliveryDetail, DeliveryLog } from "../../app/dispatch/ports.js";
import { receiverRecordName } from "../../core/routing.js";
import { isNotFound, rethrowStorage } from "./errors.js";

// Receivers under the name the routing validation keeps unique (core/routing.ts).
const safeKey = receiverRecordName;
const eventRow = (eventId: string, receiver: string) =>
  `event|${safeKey(eventId)}|${receiverRecordName(receiver)}`;
const sequenceRow = (receiver: string) => `seq|${receiverRecordName(receiver)}`;

interface Row {
  etag: string;
  state?: string;
  claimant?: string;
  until?: string;
  sequence?: number;
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

  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable(this.call());
    } catch (error) {
      rethrowStorage(error, `creating table ${this.table.tableName}`);
    }
  }

  private async row(pk: string, rk: string, doing: string): Promise<Row | null> {
    try {
      return (await this.table.getEntity<Omit<Row, "etag">>(pk, rk, this.call())) as Row;
    } catch (error) {
      if (isNotFound(error)) return null;
      return rethrowStorage(error, doing);
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
      const held =
        current?.state === "claimed" &&
        current.claimant !== claimant &&
        Date.parse(current.until ?? "") > this.now().getTime();
      if (held) return { kind: "busy", until: new Date(current.until ?? 0) };
      const entity = {
        partitionKey: pk,
        rowKey: rk,
        eventId,
        receiver,
        state: "claimed",
        claimant,
        until: until.toISOString(),
      };
      try {
        if (current)
          await this.table.updateEntity(entity, "Replace", { ...this.call(), etag: current.etag });
        else await this.table.createEntity(entity, this.call());
        return { kind: "claimed" };
      } catch (error) {
        if (!lostRace(error)) rethrowStorage(error, doing);
      }
    }
    // Every race lost: someone else is working on it right now.
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
        if (!lostRace(error)) rethrowStorage(error, doing);
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
        rethrowStorage(error, `releasing ${eventId} for ${receiver}`);
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
}

// erwatch's memory in Azure Table Storage. Four tables:
//   <prefix>Snapshots  PK circuit, RK "snapshot"            last known layer table
//                      PK circuit, RK "routes|<peering>|<path>"  last kept route table
//   <prefix>Alerts     PK circuit, RK "alert|<key>"          alert state
//                      PK circuit, RK "outbox|<time>|<id>"   events not yet published
//   <prefix>History    PK circuit, RK "<time>|<writer>|<n>"  append-only transitions
// Alert state and its outbox rows share a partition so one transaction writes
// both: an event is recorded exactly when the decision that made it is.

import { odata, TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import type {
  OutboxRow,
  SharedSweepRun,
  StateStore,
  Stored,
  SweepRecord,
  UnreadableAlert,
  UnreadableRow,
} from "../../app/state-store.js";
import type { StorageConfig } from "../../config/state.js";
import type { AlertEvent } from "../../core/alert-event.js";
import type { HistoryEntry } from "../../core/history.js";
import type { AlertState } from "../../core/lifecycle.js";
import type { PathName } from "../../core/model.js";
import type { KeptRouteTable, KeptTableMark } from "../../core/route-tables.js";
import type { Snapshot } from "../../core/snapshot.js";
import type { Logger } from "../../logging.js";
import { ensureTable } from "./create-table.js";
import {
  ConflictError,
  isNotFound,
  rethrowStorage,
  StateStoreError,
  type StorageWait,
} from "./errors.js";
import { EntityTooLargeError, packJson, unpackJson } from "./json-columns.js";
import {
  alertRow,
  circuitPartition,
  historyRow,
  outboxRow,
  prefixEnd,
  ROUTE_TABLE_MARK_ROW,
  ROUTE_TABLE_PREFIX,
  routeTableRow,
  SNAPSHOT_ROW,
  SWEEP_PARTITION,
  SWEEP_ROW,
  SWEEP_RUN_PREFIX,
  sweepRunRow,
} from "./keys.js";
import {
  ALERT_SHAPE,
  HISTORY_SHAPE,
  OUTBOX_SHAPE,
  readRow,
  readRows,
  SNAPSHOT_SHAPE,
  SWEEP_RECORD_SHAPE,
  SWEEP_RUN_SHAPE,
  unreadableRows,
  type Row,
  type RowShape,
} from "./rows.js";

export interface TableNames {
  snapshots: string;
  alerts: string;
  history: string;
  deliveries: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    snapshots: `${prefix}Snapshots`,
    alerts: `${prefix}Alerts`,
    history: `${prefix}History`,
    deliveries: `${prefix}Deliveries`,
  };
}

/** One TableClient per table per process. */
export function createTableClient(
  config: StorageConfig,
  table: string,
  credential: (clientId?: string) => TokenCredential,
): TableClient {
  const c = config.connection;
  if (c.kind === "connection-string") {
    // Azurite and the storage emulator speak plain http on loopback.
    const insecure = /UseDevelopmentStorage=true|=http:\/\//i.test(c.value);
    return TableClient.fromConnectionString(c.value, table, { allowInsecureConnection: insecure });
  }
  return new TableClient(c.tableServiceUri, table, credential(c.clientId));
}

const BATCH = 100;

export interface StoreOptions {
  /** Deadline for one call, retries included: storage that accepts and never answers must not hold a sweep. */
  timeoutMs: number;
  /** The sweep's own signal, when this store is scoped to one. */
  signal?: AbortSignal;
  /** Where a row that cannot be read is named (the sweep's logger, when scoped to one). */
  log: Logger;
  /**
   * Scoped to a sweep: each table whose listing across partitions failed in it
   * (what failed, and why). Such a table is not listed again by this store.
   */
  failedScans?: Map<string, string>;
}

export class TableStateStore implements StateStore {
  constructor(
    private readonly tables: { snapshots: TableClient; alerts: TableClient; history: TableClient },
    private readonly options: StoreOptions,
  ) {}

  withSignal(signal: AbortSignal, log?: Logger): TableStateStore {
    return new TableStateStore(this.tables, {
      ...this.options,
      signal,
      ...(log ? { log } : {}),
      failedScans: new Map(),
    });
  }

  /** The rows that can be read; each one that cannot is named and left out. */
  private readAll<T, R>(
    rows: Row[],
    shape: RowShape<T>,
    client: TableClient,
    build: (value: T, row: Row) => R,
  ): R[] {
    return readRows(rows, shape, client.tableName, this.options.log, build);
  }

  /** Every call: its deadline, and the sweep's signal. */
  private call(): { abortSignal: AbortSignal } {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    return {
      abortSignal: this.options.signal
        ? AbortSignal.any([deadline, this.options.signal])
        : deadline,
    };
  }

  /** What ends a call: its deadline, and the sweep's signal when scoped to one. */
  private wait(): StorageWait {
    return { timeoutMs: this.options.timeoutMs, stops: [this.options.signal] };
  }

  private fail(error: unknown, doing: string): never {
    return rethrowStorage(error, doing, this.wait());
  }

  async ensureTables(): Promise<void> {
    for (const client of Object.values(this.tables))
      await ensureTable(client, () => this.call(), this.wait());
  }

  private async getRow(
    client: TableClient,
    pk: string,
    rk: string,
    doing: string,
  ): Promise<Row | null> {
    try {
      return (await client.getEntity<Record<string, unknown>>(pk, rk, this.call())) as Row;
    } catch (error) {
      if (isNotFound(error)) return null;
      return this.fail(error, doing);
    }
  }

  private async query(client: TableClient, filter: string, doing: string): Promise<Row[]> {
    // A listing across partitions (a scan) that failed once in a sweep fails the
    // same way again: storage that hangs on scans would cost every later drain
    // and fleet listing of the sweep its whole deadline, while the callers read
    // partition by partition instead anyway.
    const scan = !filter.startsWith("PartitionKey eq ");
    const failed = scan ? this.options.failedScans?.get(client.tableName) : undefined;
    if (failed !== undefined)
      throw new StateStoreError(`${doing} failed: not tried again in this sweep (${failed})`);
    const rows: Row[] = [];
    try {
      for await (const row of client.listEntities<Record<string, unknown>>({
        ...this.call(),
        queryOptions: { filter },
      }))
        rows.push(row as Row);
    } catch (error) {
      // The sweep being stopped says nothing about the table.
      if (scan && !this.options.signal?.aborted)
        this.options.failedScans?.set(client.tableName, `${doing} failed earlier`);
      this.fail(error, doing);
    }
    return rows;
  }

  async getSnapshot(circuitId: string): Promise<Stored<Snapshot> | null> {
    const row = await this.getRow(
      this.tables.snapshots,
      circuitPartition(circuitId),
      SNAPSHOT_ROW,
      `reading the snapshot of ${circuitId}`,
    );
    return row
      ? {
          value: readRow(row, SNAPSHOT_SHAPE, this.tables.snapshots.tableName),
          etag: String(row.etag),
        }
      : null;
  }

  async setAside(row: UnreadableRow, reason: string, at: Date): Promise<string> {
    const client = [this.tables.snapshots, this.tables.alerts].find(
      (c) => c.tableName === row.table,
    );
    const doing = `setting aside ${row.table} row ${row.partitionKey} / ${row.rowKey}`;
    if (!client) throw new Error(`${doing}: not a table of circuits' own rows`);
    const found = await this.getRow(client, row.partitionKey, row.rowKey, doing);
    // Gone or rewritten since it was found unreadable: whoever did that decides, the caller re-reads.
    if (!found || String(found.etag) !== row.etag)
      throw new ConflictError(`${doing}: another writer got there first`);
    const keptAs = `unreadable|${row.rowKey}|${at.toISOString()}`;
    const fields = Object.fromEntries(
      Object.entries(found).filter(
        ([name]) => !["partitionKey", "rowKey", "etag", "timestamp"].includes(name),
      ),
    );
    try {
      // Kept first, then removed only as it was found: nothing is lost, and a writer that won is kept.
      await client.upsertEntity(
        {
          ...fields,
          partitionKey: row.partitionKey,
          rowKey: keptAs,
          setAsideFrom: row.rowKey,
          setAsideBecause: reason.slice(0, 2_000),
        },
        "Replace",
        this.call(),
      );
      await client.deleteEntity(row.partitionKey, row.rowKey, { ...this.call(), etag: row.etag });
    } catch (error) {
      this.fail(error, doing);
    }
    return keptAs;
  }

  async putSnapshot(snapshot: Snapshot, etag: string | null): Promise<void> {
    const entity: TableEntity = {
      partitionKey: circuitPartition(snapshot.circuitId),
      rowKey: SNAPSHOT_ROW,
      circuitId: snapshot.circuitId,
      ...packJson(snapshot, `snapshot of ${snapshot.circuitId}`),
    };
    try {
      if (etag === null) await this.tables.snapshots.createEntity(entity, this.call());
      else await this.tables.snapshots.updateEntity(entity, "Replace", { ...this.call(), etag });
    } catch (error) {
      this.fail(error, `writing the snapshot of ${snapshot.circuitId}`);
    }
  }

  async listSnapshots(): Promise<Snapshot[]> {
    const rows = await this.query(
      this.tables.snapshots,
      odata`RowKey eq ${SNAPSHOT_ROW}`,
      "listing snapshots",
    );
    return this.readAll(rows, SNAPSHOT_SHAPE, this.tables.snapshots, (snapshot) => snapshot);
  }

  async listAlerts(
    circuitId?: string,
    unreadable?: UnreadableAlert[],
  ): Promise<Stored<AlertState>[]> {
    const filter = circuitId
      ? odata`PartitionKey eq ${circuitPartition(circuitId)} and RowKey ge ${"alert|"} and RowKey lt ${prefixEnd("alert|")}`
      : odata`RowKey ge ${"alert|"} and RowKey lt ${prefixEnd("alert|")}`;
    const rows = await this.query(this.tables.alerts, filter, "listing alerts");
    if (unreadable)
      for (const { row, ...where } of unreadableRows(
        rows,
        ALERT_SHAPE,
        this.tables.alerts.tableName,
      ))
        unreadable.push({
          ...where,
          key: typeof row.key === "string" ? row.key : where.rowKey.slice("alert|".length),
        });
    return this.readAll(rows, ALERT_SHAPE, this.tables.alerts, (value, row) => ({
      value,
      etag: String(row.etag),
    }));
  }

  async getAlert(circuitId: string, key: string): Promise<Stored<AlertState> | null> {
    const row = await this.getRow(
      this.tables.alerts,
      circuitPartition(circuitId),
      alertRow(key),
      `reading alert ${key}`,
    );
    return row
      ? { value: readRow(row, ALERT_SHAPE, this.tables.alerts.tableName), etag: String(row.etag) }
      : null;
  }

  async commitAlert(
    state: AlertState,
    etag: string | null,
    events: AlertEvent[],
    decidedAt?: Date,
  ): Promise<void> {
    const partitionKey = circuitPartition(state.circuitId);
    const alert: TableEntity = {
      partitionKey,
      rowKey: alertRow(state.key),
      key: state.key,
      ...packJson(state, `alert ${state.key}`),
    };
    const actions: TransactionAction[] = [
      etag === null ? ["create", alert] : ["update", alert, "Replace", { etag }],
    ];
    for (const event of events) {
      const row: OutboxRow = {
        circuitId: state.circuitId,
        event,
        createdAt: event.occurredAt,
        ...(decidedAt && decidedAt.toISOString() !== event.occurredAt
          ? { decidedAt: decidedAt.toISOString() }
          : {}),
        claimedBy: null,
        claimedUntil: null,
      };
      actions.push([
        "create",
        {
          partitionKey,
          rowKey: outboxRow(event.occurredAt, event.id),
          ...packJson(row, `outbox event ${event.id}`),
        },
      ]);
    }
    try {
      await this.tables.alerts.submitTransaction(actions, this.call());
    } catch (error) {
      this.fail(error, `committing alert ${state.key}`);
    }
  }

  async appendHistory(circuitId: string, entries: HistoryEntry[], writer: string): Promise<void> {
    const partitionKey = circuitPartition(circuitId);
    const actions: TransactionAction[] = entries.map((entry, i) => [
      "create",
      {
        partitionKey,
        rowKey: historyRow(entry.at, writer, i, JSON.stringify(entry)),
        kind: entry.kind,
        ...packJson(entry, "history entry"),
      },
    ]);
    for (let i = 0; i < actions.length; i += BATCH) {
      try {
        await this.tables.history.submitTransaction(actions.slice(i, i + BATCH), this.call());
      } catch (error) {
        // Its rows are keyed by writer and content: one already there is this batch,
        // written by a try whose answer was lost.
        if ((error as { statusCode?: number }).statusCode === 409) continue;
        this.fail(error, `appending history for ${circuitId}`);
      }
    }
  }

  async listHistory(circuitId: string, since: Date): Promise<HistoryEntry[]> {
    const filter = odata`PartitionKey eq ${circuitPartition(circuitId)} and RowKey ge ${since.toISOString()}`;
    const rows = await this.query(this.tables.history, filter, `reading history of ${circuitId}`);
    return this.readAll(rows, HISTORY_SHAPE, this.tables.history, (entry) => entry);
  }

  async listRecentHistory(since: Date, limit: number): Promise<HistoryEntry[]> {
    const rows = await this.query(
      this.tables.history,
      odata`RowKey ge ${since.toISOString()}`,
      "reading recent history",
    );
    return this.readAll(rows, HISTORY_SHAPE, this.tables.history, (entry) => entry)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit);
  }

  async pruneHistory(before: Date): Promise<number> {
    const rows = await this.query(
      this.tables.history,
      odata`RowKey lt ${before.toISOString()}`,
      "finding old history",
    );
    const byPartition = new Map<string, Row[]>();
    for (const row of rows)
      byPartition.set(String(row.partitionKey), [
        ...(byPartition.get(String(row.partitionKey)) ?? []),
        row,
      ]);
    for (const [partitionKey, list] of byPartition) {
      for (let i = 0; i < list.length; i += BATCH) {
        const actions: TransactionAction[] = list
          .slice(i, i + BATCH)
          .map((r) => ["delete", { partitionKey, rowKey: String(r.rowKey) }]);
        try {
          await this.tables.history.submitTransaction(actions, this.call());
        } catch (error) {
          this.fail(error, `pruning history of partition ${partitionKey}`);
        }
      }
    }
    return rows.length;
  }

  async listOutbox(circuitId?: string): Promise<Stored<OutboxRow>[]> {
    const filter = circuitId
      ? odata`PartitionKey eq ${circuitPartition(circuitId)} and RowKey ge ${"outbox|"} and RowKey lt ${prefixEnd("outbox|")}`
      : odata`RowKey ge ${"outbox|"} and RowKey lt ${prefixEnd("outbox|")}`;
    const rows = await this.query(
      this.tables.alerts,
      filter,
      circuitId ? `listing the outbox of ${circuitId}` : "listing the outbox",
    );
    return this.readAll(rows, OUTBOX_SHAPE, this.tables.alerts, (value, row) => ({
      value,
      etag: String(row.etag),
    })).sort(
      (a, b) =>
        a.value.createdAt.localeCompare(b.value.createdAt) ||
        a.value.event.sequence - b.value.event.sequence,
    );
  }

  private outboxEntity(row: OutboxRow): TableEntity {
    return {
      partitionKey: circuitPartition(row.circuitId),
      rowKey: outboxRow(row.createdAt, row.event.id),
      ...packJson(row, `outbox event ${row.event.id}`),
    };
  }

  async claimOutbox(
    row: Stored<OutboxRow>,
    claimant: string,
    until: Date,
  ): Promise<Stored<OutboxRow> | null> {
    const claimed: OutboxRow = {
      ...row.value,
      claimedBy: claimant,
      claimedUntil: until.toISOString(),
    };
    const entity = this.outboxEntity(claimed);
    try {
      const result = await this.tables.alerts.updateEntity(entity, "Replace", {
        ...this.call(),
        etag: row.etag,
      });
      return { value: claimed, etag: String(result.etag) };
    } catch (error) {
      // A claim written whose answer was lost fails (or its retry meets the row's
      // new ETag): read as another drain's, it held the event until its own lease
      // ran out, a page a sweep late with nothing to say why.
      // A read-back that fails says nothing of who holds the row: its error is said
      // (the drain logs it), not taken for another drain's claim.
      const landed = await this.ownClaim(entity, claimed);
      if (landed) return landed;
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 412 || status === 404) return null;
      return this.fail(error, `claiming outbox event ${row.value.event.id}`);
    }
  }

  /** The outbox row as this very claim left it, or null when it does not carry it. */
  private async ownClaim(
    entity: TableEntity,
    claimed: OutboxRow,
  ): Promise<Stored<OutboxRow> | null> {
    const row = await this.getRow(
      this.tables.alerts,
      entity.partitionKey,
      entity.rowKey,
      `reading back the claim on outbox event ${claimed.event.id}`,
    );
    if (!row) return null;
    const value = readRow(row, OUTBOX_SHAPE, this.tables.alerts.tableName);
    return value.claimedBy === claimed.claimedBy && value.claimedUntil === claimed.claimedUntil
      ? { value, etag: String(row.etag) }
      : null;
  }

  async releaseOutbox(row: Stored<OutboxRow>): Promise<void> {
    try {
      await this.tables.alerts.updateEntity(
        this.outboxEntity({ ...row.value, claimedBy: null, claimedUntil: null }),
        "Replace",
        { ...this.call(), etag: row.etag },
      );
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 412 || status === 404) return;
      this.fail(error, `releasing outbox event ${row.value.event.id}`);
    }
  }

  async deleteOutbox(row: Stored<OutboxRow>): Promise<void> {
    try {
      await this.tables.alerts.deleteEntity(
        circuitPartition(row.value.circuitId),
        outboxRow(row.value.createdAt, row.value.event.id),
        { ...this.call(), etag: row.etag },
      );
    } catch (error) {
      if (isNotFound(error)) return;
      this.fail(error, `removing published outbox event ${row.value.event.id}`);
    }
  }

  async getRouteTables(circuitId: string): Promise<KeptRouteTable[]> {
    const rows = await this.query(
      this.tables.snapshots,
      odata`PartitionKey eq ${circuitPartition(circuitId)} and RowKey ge ${ROUTE_TABLE_PREFIX} and RowKey lt ${prefixEnd(ROUTE_TABLE_PREFIX)}`,
      `reading the route tables kept for ${circuitId}`,
    );
    return rows
      .filter((row) => typeof row.json === "string")
      .map((row) => ({
        circuitId: String(row.circuitId),
        peering: String(row.peering),
        path: String(row.path) as PathName,
        readAt: String(row.readAt),
        networks: unpackJson<string[]>(row, "route table"),
      }));
  }

  async putRouteTable(table: KeptRouteTable): Promise<void> {
    const entity: TableEntity = {
      partitionKey: circuitPartition(table.circuitId),
      rowKey: routeTableRow(table.peering, table.path),
      circuitId: table.circuitId,
      peering: table.peering,
      path: table.path,
      readAt: table.readAt,
      count: table.networks.length,
      ...packJson(
        table.networks,
        `route table ${table.peering}/${table.path} of ${table.circuitId}`,
      ),
    };
    try {
      await this.tables.snapshots.upsertEntity(entity, "Replace", this.call());
    } catch (error) {
      this.fail(error, `keeping the route table of ${table.circuitId}`);
    }
  }

  async markRouteTableAttempt(mark: KeptTableMark): Promise<void> {
    try {
      await this.tables.snapshots.upsertEntity(
        {
          partitionKey: circuitPartition(mark.circuitId),
          rowKey: ROUTE_TABLE_MARK_ROW,
          circuitId: mark.circuitId,
          attemptedAt: mark.attemptedAt,
        },
        "Replace",
        this.call(),
      );
    } catch (error) {
      this.fail(error, `recording the route table read of ${mark.circuitId}`);
    }
  }

  async listRouteTableMarks(): Promise<KeptTableMark[]> {
    const rows: Row[] = [];
    try {
      for await (const row of this.tables.snapshots.listEntities<Record<string, unknown>>({
        ...this.call(),
        queryOptions: {
          filter: odata`RowKey eq ${ROUTE_TABLE_MARK_ROW}`,
          select: ["circuitId", "attemptedAt"],
        },
      }))
        rows.push(row as Row);
    } catch (error) {
      this.fail(error, "listing route table reads");
    }
    return rows.map((row) => ({
      circuitId: String(row.circuitId),
      attemptedAt: String(row.attemptedAt),
    }));
  }

  async recordSweep(record: SweepRecord): Promise<void> {
    const entity = {
      partitionKey: SWEEP_PARTITION,
      rowKey: SWEEP_ROW,
      ...packJson(record, "sweep record"),
    };
    try {
      await this.tables.snapshots.upsertEntity(entity, "Replace", this.call());
    } catch (error) {
      this.fail(error, "recording the completed sweep");
    }
  }

  async lastSweep(): Promise<SweepRecord | null> {
    const row = await this.getRow(
      this.tables.snapshots,
      SWEEP_PARTITION,
      SWEEP_ROW,
      "reading the last sweep",
    );
    if (!row) return null;
    // The status page reads it with everything else: a row that cannot be read
    // must not take the page down with it (the next completed sweep rewrites it).
    const [record] = this.readAll(
      [row],
      SWEEP_RECORD_SHAPE,
      this.tables.snapshots,
      (value: SweepRecord) => value,
    );
    return record ?? null;
  }

  async putSweepRun(run: SharedSweepRun): Promise<void> {
    let packed;
    try {
      packed = packJson(run, `the answer of sweep ${run.sweepId}`, { gzip: true });
    } catch (error) {
      if (!(error instanceof EntityTooLargeError)) throw error;
      // Its outcome is still shared; the circuits' state is on the status page.
      packed = packJson({ ...run, answer: null, answerOmitted: error.message }, "sweep run");
    }
    const entity = {
      partitionKey: SWEEP_PARTITION,
      rowKey: sweepRunRow(run.sweepId),
      // A column of its own: pruning selects it, not the answer.
      startedAt: run.startedAt,
      // So is a fanned-out sweep's deadline: the sweeps still in flight are found by it.
      ...(run.fannedOut ? { fannedOutDeadline: run.fannedOut.deadline } : {}),
      ...packed,
    };
    try {
      await this.tables.snapshots.upsertEntity(entity, "Replace", this.call());
    } catch (error) {
      this.fail(error, `recording sweep ${run.sweepId}`);
    }
  }

  async getSweepRun(sweepId: string): Promise<SharedSweepRun | null> {
    const row = await this.getRow(
      this.tables.snapshots,
      SWEEP_PARTITION,
      sweepRunRow(sweepId),
      `reading sweep ${sweepId}`,
    );
    return row ? readRow(row, SWEEP_RUN_SHAPE, this.tables.snapshots.tableName) : null;
  }

  async listFannedOutRuns(deadlineFrom: Date): Promise<SharedSweepRun[]> {
    const rows: Row[] = [];
    try {
      for await (const row of this.tables.snapshots.listEntities<Record<string, unknown>>({
        ...this.call(),
        queryOptions: {
          // ISO 8601 in UTC, as erwatch writes it, orders as text.
          filter: odata`PartitionKey eq ${SWEEP_PARTITION} and RowKey ge ${SWEEP_RUN_PREFIX} and RowKey lt ${prefixEnd(SWEEP_RUN_PREFIX)} and fannedOutDeadline ge ${deadlineFrom.toISOString()}`,
        },
      }))
        rows.push(row as Row);
    } catch (error) {
      this.fail(error, "listing the fanned-out sweeps in flight");
    }
    // One that cannot be read joins nothing: a sweep is sent instead.
    return this.readAll(rows, SWEEP_RUN_SHAPE, this.tables.snapshots, (run: SharedSweepRun) => run);
  }

  async pruneSweepRuns(before: Date): Promise<number> {
    const old: string[] = [];
    try {
      for await (const row of this.tables.snapshots.listEntities<Record<string, unknown>>({
        ...this.call(),
        queryOptions: {
          filter: odata`PartitionKey eq ${SWEEP_PARTITION} and RowKey ge ${SWEEP_RUN_PREFIX} and RowKey lt ${prefixEnd(SWEEP_RUN_PREFIX)}`,
          select: ["RowKey", "startedAt"],
        },
      }))
        // A row without a readable start is old by definition: nothing else would remove it.
        if (!(typeof row.startedAt === "string" && new Date(row.startedAt) >= before))
          old.push(String(row.rowKey));
      // One by one: another instance pruning at the same time deletes some
      // first, and a batch holding one of them would fail whole.
      for (const rowKey of old) {
        try {
          await this.tables.snapshots.deleteEntity(SWEEP_PARTITION, rowKey, this.call());
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
    } catch (error) {
      this.fail(error, "pruning old sweep records");
    }
    return old.length;
  }

  async listCircuitIds(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const row of this.tables.snapshots.listEntities<Record<string, unknown>>({
        ...this.call(),
        queryOptions: { filter: odata`RowKey eq ${SNAPSHOT_ROW}`, select: ["circuitId"] },
      }))
        if (typeof row.circuitId === "string") ids.push(row.circuitId);
    } catch (error) {
      this.fail(error, "listing the circuits with a snapshot");
    }
    return ids;
  }

  async forgetCircuit(circuitId: string): Promise<void> {
    const partitionKey = circuitPartition(circuitId);
    const rows: Row[] = [];
    try {
      for await (const row of this.tables.snapshots.listEntities<Record<string, unknown>>({
        ...this.call(),
        queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["RowKey"] },
      }))
        rows.push(row as Row);
      for (const row of rows) {
        try {
          await this.tables.snapshots.deleteEntity(partitionKey, String(row.rowKey), this.call());
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
    } catch (error) {
      this.fail(error, `forgetting the snapshot of ${circuitId}`);
    }
  }
}

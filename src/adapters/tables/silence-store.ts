// Run-time silences in Table Storage: <prefix>Silences, one row per silence
// (PK "silence", RK its id). Added with create (an id is never reused),
// expired with an ETag-conditional replace.

import { odata, type TableClient } from "@azure/data-tables";
import type { SilenceStore, StoredSilence } from "../../app/silences.js";
import type { Stored } from "../../app/state-store.js";
import type { Logger } from "../../logging.js";
import { ensureTable } from "./create-table.js";
import { isNotFound, rethrowStorage, type StorageWait } from "./errors.js";
import { packJson } from "./json-columns.js";
import { readRows, SILENCE_SHAPE, type Row } from "./rows.js";

const PARTITION = "silence";

export const silenceTableName = (prefix: string) => `${prefix}Silences`;

const rowKey = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, "_");

export class TableSilenceStore implements SilenceStore {
  constructor(
    private readonly table: TableClient,
    /** Where a silence that cannot be read is named, unless a caller gives its own. */
    private readonly log: Logger,
    /** Deadline for one call, retries included (STORAGE_TIMEOUT_MS), as for the state tables. */
    private readonly timeoutMs?: number,
    /** Ends every call at once (the CLI's Ctrl-C). */
    private readonly signal?: AbortSignal,
  ) {}

  /** The same store, every call also ended by `signal`. */
  withSignal(signal: AbortSignal): TableSilenceStore {
    return new TableSilenceStore(this.table, this.log, this.timeoutMs, signal);
  }

  /** Every call: its deadline, the store's signal and the caller's. */
  private call(signal?: AbortSignal): { abortSignal?: AbortSignal } {
    const deadline = this.timeoutMs ? AbortSignal.timeout(this.timeoutMs) : undefined;
    const signals = [deadline, this.signal, signal].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    return signals.length > 0 ? { abortSignal: AbortSignal.any(signals) } : {};
  }

  /** What ends a call: its deadline, the store's signal and the caller's. */
  private wait(signal?: AbortSignal): StorageWait {
    return {
      ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}),
      stops: [this.signal, signal],
    };
  }

  private fail(error: unknown, doing: string, signal?: AbortSignal): never {
    return rethrowStorage(error, doing, this.wait(signal));
  }

  async ensureTable(): Promise<void> {
    await ensureTable(this.table, () => this.call(), this.wait());
  }

  async list(
    options: { abortSignal?: AbortSignal; log?: Logger } = {},
  ): Promise<Stored<StoredSilence>[]> {
    const rows: Row[] = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
        ...this.call(options.abortSignal),
      }))
        rows.push(row as Row);
    } catch (error) {
      // No table yet: nobody has added a silence.
      if (isNotFound(error)) return [];
      this.fail(error, "listing silences", options.abortSignal);
    }
    // One silence that cannot be read must not drop the others (every maintenance window would page).
    return readRows(
      rows,
      SILENCE_SHAPE,
      this.table.tableName,
      options.log ?? this.log,
      (value, row) => ({
        value,
        etag: String(row.etag),
      }),
    ).sort((a, b) => a.value.createdAt.localeCompare(b.value.createdAt));
  }

  private entity(silence: StoredSilence) {
    return {
      partitionKey: PARTITION,
      rowKey: rowKey(silence.id),
      circuit: silence.circuit,
      ...packJson(silence, `silence ${silence.id}`),
    };
  }

  async add(silence: StoredSilence): Promise<void> {
    try {
      await this.table.createEntity(this.entity(silence), this.call());
    } catch (error) {
      this.fail(error, `adding silence ${silence.id}`);
    }
  }

  async update(silence: Stored<StoredSilence>): Promise<void> {
    try {
      await this.table.updateEntity(this.entity(silence.value), "Replace", {
        ...this.call(),
        etag: silence.etag,
      });
    } catch (error) {
      this.fail(error, `updating silence ${silence.value.id}`);
    }
  }
}

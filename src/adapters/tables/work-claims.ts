// Who reads which circuit of a fanned-out sweep: one row per (sweep, circuit)
// in <prefix>Work, written with ETags. A worker inserts the row to claim the
// circuit; a row another worker holds with a live lease is theirs; a row
// whose lease ran out (the worker died) is taken over with a conditional
// update; a finished row is never read again. Partition = sweep, so a whole
// sweep's claims are pruned together.

import { odata, type TableClient } from "@azure/data-tables";
import type { ClaimOutcome, WorkClaims } from "../../app/work.js";
import { rethrowStorage } from "./errors.js";
import { circuitPartition } from "./keys.js";

interface ClaimRow {
  partitionKey: string;
  rowKey: string;
  circuitId: string;
  worker: string;
  until: string;
  state: "reading" | "done";
  etag?: string;
}

const status = (error: unknown) => (error as { statusCode?: number }).statusCode;

export class TableWorkClaims implements WorkClaims {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable();
    } catch (error) {
      rethrowStorage(error, `creating table ${this.table.tableName}`);
    }
  }

  async claim(
    sweepId: string,
    circuitId: string,
    worker: string,
    until: Date,
  ): Promise<ClaimOutcome> {
    const row: ClaimRow = {
      partitionKey: sweepId,
      rowKey: circuitPartition(circuitId),
      circuitId,
      worker,
      until: until.toISOString(),
      state: "reading",
    };
    try {
      await this.table.createEntity(row);
      return "mine";
    } catch (error) {
      if (status(error) !== 409) rethrowStorage(error, `claiming ${circuitId}`);
    }
    let held: ClaimRow;
    try {
      held = (await this.table.getEntity<ClaimRow>(row.partitionKey, row.rowKey)) as ClaimRow;
    } catch (error) {
      return rethrowStorage(error, `reading the claim on ${circuitId}`);
    }
    if (held.state === "done") return "done";
    if (held.worker !== worker && Date.parse(held.until) > this.now().getTime()) return "taken";
    try {
      // Its worker is gone (or it is this worker's own, delivered again): take it over, if nobody else did first.
      await this.table.updateEntity(row, "Replace", { etag: held.etag! });
      return "mine";
    } catch (error) {
      if (status(error) === 412) return "taken";
      return rethrowStorage(error, `taking over the claim on ${circuitId}`);
    }
  }

  async finish(sweepId: string, circuitId: string, worker: string): Promise<void> {
    try {
      await this.table.updateEntity(
        { partitionKey: sweepId, rowKey: circuitPartition(circuitId), worker, state: "done" },
        "Merge",
      );
    } catch (error) {
      rethrowStorage(error, `finishing the claim on ${circuitId}`);
    }
  }

  /** Every claim of a sweep: its progress, circuit by circuit. */
  async progress(
    sweepId: string,
  ): Promise<{ circuitId: string; worker: string; state: "reading" | "done" }[]> {
    const out: { circuitId: string; worker: string; state: "reading" | "done" }[] = [];
    try {
      for await (const row of this.table.listEntities<ClaimRow>({
        queryOptions: { filter: odata`PartitionKey eq ${sweepId}` },
      }))
        out.push({ circuitId: row.circuitId, worker: row.worker, state: row.state });
    } catch (error) {
      rethrowStorage(error, `listing the claims of sweep ${sweepId}`);
    }
    return out;
  }

  async prune(before: Date): Promise<number> {
    let removed = 0;
    try {
      for await (const row of this.table.listEntities<ClaimRow>({
        queryOptions: {
          filter: `Timestamp lt datetime'${before.toISOString()}'`,
          select: ["PartitionKey", "RowKey"],
        },
      })) {
        await this.table.deleteEntity(row.partitionKey!, row.rowKey!);
        removed += 1;
      }
    } catch (error) {
      rethrowStorage(error, "pruning old work claims");
    }
    return removed;
  }
}

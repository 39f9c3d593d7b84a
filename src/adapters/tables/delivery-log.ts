// Which receivers already have which message: one row per (message, receiver),
// so a redelivered message skips everyone who was reached the first time.

import { odata, type TableClient } from "@azure/data-tables";
import type { DeliveryLog } from "../../app/dispatch/ports.js";
import { rethrowStorage } from "./errors.js";

const safeKey = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_");

export class TableDeliveryLog implements DeliveryLog {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable();
    } catch (error) {
      rethrowStorage(error, `creating table ${this.table.tableName}`);
    }
  }

  async delivered(messageId: string): Promise<Set<string>> {
    const names = new Set<string>();
    try {
      const rows = this.table.listEntities<{ receiver?: string }>({
        queryOptions: { filter: odata`PartitionKey eq ${safeKey(messageId)}` },
      });
      for await (const row of rows) if (row.receiver) names.add(row.receiver);
    } catch (error) {
      rethrowStorage(error, `reading deliveries of ${messageId}`);
    }
    return names;
  }

  async record(
    messageId: string,
    receiver: string,
    detail: { status: number; at: string; attempts: number },
  ): Promise<void> {
    try {
      await this.table.upsertEntity(
        {
          partitionKey: safeKey(messageId),
          rowKey: safeKey(receiver),
          receiver,
          messageId,
          ...detail,
        },
        "Replace",
      );
    } catch (error) {
      rethrowStorage(error, `recording delivery of ${messageId} to ${receiver}`);
    }
  }
}

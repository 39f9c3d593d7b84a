// Each store makes its tables before its first write (a Function App's first
// start, a CLI run against a new prefix): one way, so a failure there reads
// the same whichever store met it.

import type { TableClient } from "@azure/data-tables";
import { rethrowStorage, type StorageWait } from "./errors.js";

/** Creates the table, leaving one that exists as it is; a failure names the table and the deadline. */
export async function ensureTable(
  client: TableClient,
  /** Each call's options (its deadline, the caller's signal), made within the try like any call's. */
  call: () => { abortSignal?: AbortSignal },
  wait: StorageWait = {},
): Promise<void> {
  try {
    await client.createTable(call());
  } catch (error) {
    rethrowStorage(error, `creating table ${client.tableName}`, wait);
  }
}

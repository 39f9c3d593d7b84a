// Forgetting the workers' old claims. Timestamp is no key, so finding them
// scans the whole table, and a day of a large estate's sweeps makes a scan
// longer than one call's deadline: listed whole first under one deadline, the
// prune failed with nothing deleted, every tick, and the table grew for good.
// So page by page, each call with its own deadline and each page's rows
// deleted before the next is asked for; no page starts once the tick's budget
// is spent, nothing runs a call's deadline past it, and the next prune goes
// on from where this one stopped.

import type { TableClient } from "@azure/data-tables";
import pLimit from "p-limit";
import type { Timers } from "../../time.js";

/** Rows a page of the prune lists: the most Table Storage answers at once. */
export const PRUNE_PAGE = 1_000;

/** Delete transactions (or single deletes) a prune has in flight at once. */
export const PRUNE_CONCURRENCY = 8;

/** Rows a Table Storage transaction takes, all of one partition (one sweep). */
const TRANSACTION_ROWS = 100;

/**
 * Where the last prune stopped (a continuation token; none once it reached the
 * end of the table): a table too large for one tick is pruned across ticks,
 * not only its first pages again and again.
 */
export interface PruneCursor {
  from?: string;
}

type Call = () => { abortSignal: AbortSignal };

const status = (error: unknown) => (error as { statusCode?: number }).statusCode;

/**
 * Deletes claims written before `before`, from `cursor` on, starting no page
 * after `budgetMs` on `time` (the clock its caller counted the budget on);
 * `cutOff` ends the page in hand too (what it deleted stays
 * deleted, and the page is listed again next time). How many it deleted, and
 * the failure that stopped it, if one did before anything was deleted or
 * before the cut-off.
 */
export async function pruneClaims(
  table: TableClient,
  before: Date,
  budgetMs: number,
  cursor: PruneCursor,
  call: Call,
  cutOff: AbortSignal,
  time: Pick<Timers, "now">,
): Promise<{ deleted: number } | { deleted: number; failed: unknown }> {
  const startBy = time.now() + budgetMs;
  let deleted = 0;
  try {
    do {
      const next = await table
        .listEntities({
          ...call(),
          queryOptions: {
            filter: `Timestamp lt datetime'${before.toISOString()}'`,
            select: ["PartitionKey", "RowKey"],
          },
        })
        .byPage({
          maxPageSize: PRUNE_PAGE,
          ...(cursor.from ? { continuationToken: cursor.from } : {}),
        })
        .next();
      if (next.done) break;
      deleted += await deleteRows(table, next.value, call);
      cursor.from = next.value.continuationToken;
    } while (cursor.from !== undefined && time.now() < startBy && !cutOff.aborted);
  } catch (error) {
    // Cut off with some deleted: the rest next time. With none, it says why.
    if (!cutOff.aborted || deleted === 0) return { deleted, failed: error };
  }
  return { deleted };
}

/** Deletes `rows`, by transactions of one sweep's rows, a few at once; how many. */
async function deleteRows(
  table: TableClient,
  rows: readonly { partitionKey?: string; rowKey?: string }[],
  call: Call,
): Promise<number> {
  const bySweep = new Map<string, string[]>();
  for (const { partitionKey, rowKey } of rows)
    if (partitionKey !== undefined && rowKey !== undefined)
      (bySweep.get(partitionKey) ?? bySweep.set(partitionKey, []).get(partitionKey)!).push(rowKey);
  const transactions = [...bySweep].flatMap(([partitionKey, keys]) =>
    Array.from({ length: Math.ceil(keys.length / TRANSACTION_ROWS) }, (_, i) => ({
      partitionKey,
      rowKeys: keys.slice(i * TRANSACTION_ROWS, (i + 1) * TRANSACTION_ROWS),
    })),
  );
  const limit = pLimit(PRUNE_CONCURRENCY);
  const counts = await Promise.all(
    transactions.map(({ partitionKey, rowKeys }) =>
      limit(async () => {
        try {
          await table.submitTransaction(
            rowKeys.map((rowKey) => ["delete", { partitionKey, rowKey }]),
            call(),
          );
          return rowKeys.length;
        } catch (error) {
          // One row gone meanwhile (another prune) fails its whole transaction.
          if (status(error) !== 404) throw error;
        }
        return deleteEach(table, partitionKey, rowKeys, call);
      }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function deleteEach(
  table: TableClient,
  partitionKey: string,
  rowKeys: readonly string[],
  call: Call,
): Promise<number> {
  const limit = pLimit(PRUNE_CONCURRENCY);
  const gone = await Promise.all(
    rowKeys.map((rowKey) =>
      limit(async () => {
        try {
          await table.deleteEntity(partitionKey, rowKey, call());
          return true;
        } catch (error) {
          if (status(error) !== 404) throw error;
          return false;
        }
      }),
    ),
  );
  return gone.filter(Boolean).length;
}

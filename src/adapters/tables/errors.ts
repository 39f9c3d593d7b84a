// Storage failures classified once: a lost ETag race is a ConflictError the
// sweep handles by re-reading; everything else is wrapped with what was being
// done.

import { isAbort } from "../aborted.js";

interface StorageErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { odataError?: { code?: string } };
}

/** An ETag race lost: the name is the contract with src/app (isConflict). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

export class StateStoreError extends Error {
  override readonly name = "StateStoreError";
}

export function storageCode(error: unknown): string | undefined {
  const e = error as StorageErrorLike;
  return e.details?.odataError?.code ?? e.code;
}

export function isNotFound(error: unknown): boolean {
  return (error as StorageErrorLike).statusCode === 404;
}

/** What may end a call unanswered: an abort is told by the ends the call had. */
export interface StorageWait {
  /** Its deadline (STORAGE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The stop signals it ran under too (the sweep's, a worker's, Ctrl-C on the CLI). */
  stops?: readonly (AbortSignal | undefined)[];
}

/** Rethrows as ConflictError or StateStoreError; never returns. */
export function rethrowStorage(error: unknown, doing: string, wait: StorageWait = {}): never {
  const e = error as StorageErrorLike;
  if (isAbort(error)) {
    // A stop that has fired ended the call, and says nothing of storage; one
    // that fired just after the deadline, before the failure got here, is told
    // as the stop too: the call's own deadline signal is gone by now. Only
    // with no stop fired is it the deadline, said without a hedge.
    if (wait.stops?.some((stop) => stop?.aborted))
      throw new StateStoreError(`${doing} failed: stopped before storage answered`, {
        cause: error,
      });
    const within = wait.timeoutMs ? ` within ${wait.timeoutMs} ms` : "";
    throw new StateStoreError(`${doing} failed: no answer${within}`, { cause: error });
  }
  if (e.statusCode === 412 || e.statusCode === 409) {
    throw new ConflictError(
      `${doing}: another writer got there first (${storageCode(error) ?? e.statusCode})`,
    );
  }
  // Before the first sweep, or with a prefix or account other than the Function App's:
  // Azure's answer is a page of JSON that says neither.
  if (storageCode(error) === "TableNotFound")
    throw new StateStoreError(
      `${doing} failed: the table does not exist; no sweep has written state there yet (the first creates it), or ERWATCH_STORAGE / ERWATCH_TABLE_PREFIX name other tables than the Function App's`,
      { cause: error },
    );
  // Whatever it was, the sweep decides this circuit again next time: no retry rule is needed here.
  throw new StateStoreError(
    `${doing} failed: ${e.statusCode ?? "no response"} ${storageCode(error) ?? ""} ${(e.message ?? "").split("\n")[0]}`.trim(),
    { cause: error },
  );
}

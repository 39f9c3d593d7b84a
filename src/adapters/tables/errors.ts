// Storage failures classified once: a lost ETag race is a ConflictError the
// sweep handles by re-reading; everything else is wrapped with what was being
// done, and says whether retrying later can help.

import { ConflictError } from "../../app/state-store.js";

interface StorageErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { odataError?: { code?: string } };
}

export class StateStoreError extends Error {
  override readonly name = "StateStoreError";
  constructor(
    message: string,
    readonly retryable: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

export function storageCode(error: unknown): string | undefined {
  const e = error as StorageErrorLike;
  return e.details?.odataError?.code ?? e.code;
}

export function isNotFound(error: unknown): boolean {
  return (error as StorageErrorLike).statusCode === 404;
}

/** Rethrows as ConflictError or StateStoreError; never returns. */
export function rethrowStorage(error: unknown, doing: string): never {
  const e = error as StorageErrorLike;
  if (e.statusCode === 412 || e.statusCode === 409) {
    throw new ConflictError(
      `${doing}: another writer got there first (${storageCode(error) ?? e.statusCode})`,
    );
  }
  const status = e.statusCode;
  const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
  throw new StateStoreError(
    `${doing} failed: ${status ?? "no response"} ${storageCode(error) ?? ""} ${(e.message ?? "").split("\n")[0]}`.trim(),
    retryable,
    { cause: error },
  );
}

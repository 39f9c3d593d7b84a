// A call a signal stopped, told from what it threw. The Azure SDKs throw an
// AbortError when a signal stops a request on the wire; whatever rethrows the
// signal's own reason (a read's wait for its turn in the pacer, fetch) throws
// AbortSignal.timeout's, a TimeoutError, which the SDKs may wrap as the cause
// (a RestError REQUEST_SEND_ERROR). Taken for a network fault, the sweep's
// deadline sent the on-call looking for an outage that was not there.

const STOPPED = new Set(["AbortError", "TimeoutError"]);

/** A cause chain longer than this is not followed further (nor a cycle). */
const MAX_CAUSES = 8;

export function isAbort(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error; seen.size < MAX_CAUSES && typeof e === "object" && e !== null;) {
    if (seen.has(e)) return false;
    seen.add(e);
    const { name, cause } = e as { name?: unknown; cause?: unknown };
    if (typeof name === "string" && STOPPED.has(name)) return true;
    e = cause;
  }
  return false;
}

/**
 * The sweep's signal ended by its deadline (AbortSignal.timeout's reason), not
 * stopped otherwise (Ctrl-C, a worker let go): a read it stopped failed
 * with the SDK's "The operation was aborted due to timeout", which named no
 * deadline, nor which one.
 */
export function endedByDeadline(signal: AbortSignal): boolean {
  const reason = signal.reason as { name?: unknown } | undefined;
  return signal.aborted && typeof reason === "object" && reason?.name === "TimeoutError";
}

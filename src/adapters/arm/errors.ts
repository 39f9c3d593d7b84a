// Every way an ARM read can fail, classified once into a ReadFailure: the
// words of `monitoring-blind` come from this. Retrying within a read is the
// SDK pipeline's job; across reads, the next sweep's.

import type { ReadErrorKind, ReadFailure } from "../../core/model.js";
import { isRecord } from "../../core/record.js";
import { isAbort } from "../aborted.js";

interface ErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
  /** RestError: the response that failed, when there was one. */
  response?: { headers?: { get?(name: string): string | undefined } };
}

function kindOf(error: ErrorLike, timedOut: boolean): ReadErrorKind {
  // Stopped by the sweep's deadline too: a timeout, never the network.
  if (timedOut || isAbort(error)) return "timeout";
  if (
    error.name === "CredentialUnavailableError" ||
    error.name === "AuthenticationRequiredError" ||
    error.name === "AuthenticationError"
  ) {
    return "unauthenticated";
  }
  // Not sent: its subscription's pause, a 429's Retry-After, outlasts the read.
  if (error.name === "SubscriptionPausedError") return "throttled";
  const status = error.statusCode;
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 408) return "timeout";
  if (status === 429) return "throttled";
  // A 503 with a Retry-After too: Azure unavailable ("come back later"), not
  // erwatch past its budget. Told as throttled, the on-call was sent to lower
  // ARM_CONCURRENCY for Azure's outage; its blind opens on the same count.
  if (status !== undefined && status >= 500) return "server-error";
  if (status !== undefined && status >= 400) return "malformed";
  // core-lro's words when the status document says Failed: Azure answered, and failed the read.
  if (/^The long-running operation has failed/.test(error.message ?? "")) return "server-error";
  if (
    error.code === "REQUEST_SEND_ERROR" ||
    /\b(?:ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT)\b|socket hang up/.test(error.message ?? "")
  ) {
    return "network";
  }
  // Deserialisation of an unexpected body (invalid JSON, no `value` array).
  if (
    error.name === "MalformedResponseError" ||
    error.name === "SyntaxError" ||
    error.name === "TypeError" ||
    error.code === "PARSE_ERROR"
  ) {
    return "malformed";
  }
  return status === undefined ? "network" : "server-error";
}

/** ARM's 403 message names the action the identity lacks; surface it. */
function missingPermission(message: string | undefined): string | undefined {
  return /perform action '([^']+)'/i.exec(message ?? "")?.[1];
}

/**
 * A read the sweep's deadline stopped, not its own ARM_TIMEOUT_MS. No setting
 * named: the window is SWEEP_SCHEDULE's interval for a timer sweep, the HTTP
 * answer's for POST /api/sweep, the command's for the CLI.
 */
const SWEEP_DEADLINE_WORDS = "stopped at the sweep's deadline";

/** "120 s": what a Retry-After asked, in the words of a failure. */
function waitWords(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

/**
 * `askedMs`: what a 429's or 503's Retry-After asked that the read did not
 * wait, as it would have ended past the read's deadline: named, the on-call
 * sees why a throttled read failed at once. `notWaited`: why it was not,
 * when not for the deadline (a Monitor call's retries spent). `sweepDeadline`:
 * the sweep's own deadline stopped the read (aborted.ts endedByDeadline).
 */
export function toReadFailure(
  error: unknown,
  context: {
    call: string;
    target: string;
    timedOut: boolean;
    askedMs?: number | null;
    notWaited?: string;
    sweepDeadline?: boolean;
  },
): ReadFailure {
  const e = (isRecord(error) ? error : { message: String(error) }) as ErrorLike;
  const kind = kindOf(e, context.timedOut);
  const failure: ReadFailure = {
    kind,
    call: context.call,
    target: context.target,
    message: context.timedOut
      ? `no answer within the deadline`
      : context.sweepDeadline && isAbort(error)
        ? SWEEP_DEADLINE_WORDS
        : (e.message ?? String(error)).split("\n")[0]!.slice(0, 500),
  };
  // The schema names the field, a parser or the SDK only what it tripped on
  // ("Cannot read properties of undefined"): the target says which read it was
  // in, and the monitoring-blind title is built from this message.
  if (kind === "malformed" && !context.timedOut && !failure.message.startsWith(context.target))
    failure.message = `${context.target}: ${failure.message}`;
  if (context.askedMs != null && !context.timedOut)
    failure.message = `${failure.message} (asked to wait ${waitWords(context.askedMs)}, ${context.notWaited ?? "past the read's deadline"}: not waited)`;
  if (e.statusCode !== undefined) failure.statusCode = e.statusCode;
  const requestId = e.response?.headers?.get?.("x-ms-request-id");
  if (requestId) failure.requestId = requestId;
  if (kind === "forbidden")
    failure.missingPermission = missingPermission(e.message) ?? context.call;
  return failure;
}

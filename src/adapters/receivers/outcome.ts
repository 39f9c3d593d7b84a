// The one rule that turns what happened to an HTTP post into a SendOutcome.
// Every receiver goes through it so "retryable" means the same thing for
// PagerDuty, Teams and a customer's webhook, and so the dispatcher — which
// owns retry, backoff and dead-lettering — never has to know who it talked to.
//
// Reasons end up in logs and dead-letter descriptions: they are built only
// from things we control (the target's label, the status code, the standard
// reason phrase, an error code) plus a detail the caller has already
// sanitised. Never the URL, the routing key or response headers.

import { STATUS_CODES } from "node:http";
import type { SendOutcome } from "../../app/dispatch/receiver.js";

export type StatusClass = "ok" | "retryable" | "permanent";

/** What came back from one post, reduced to facts that are safe to keep. */
export type HttpResult =
  | {
      kind: "response";
      status: number;
      /** The raw Retry-After header value, when there was one. */
      retryAfter: string | null;
      /** A short, already sanitised excerpt of the response body. */
      detail?: string;
    }
  | { kind: "timeout"; timeoutMs: number }
  /** `code` is a Node/undici error code (ECONNREFUSED, UND_ERR_SOCKET, …) or null. */
  | { kind: "network"; code: string | null }
  /** The caller's signal fired (shutdown, lock lost): nothing is known to have arrived. */
  | { kind: "aborted" }
  /** Refused before sending (unusable URL or header): sending again cannot help. */
  | { kind: "invalid-request"; problem: string };

/** 2xx ok; 408, 429 and 5xx retryable; every other status (3xx, 4xx, 1xx) permanent. */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return "ok";
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) return "retryable";
  return "permanent";
}

/**
 * The three forms of an HTTP-date (RFC 9110 §5.6.7), all in GMT: IMF-fixdate,
 * RFC 850, asctime. Only these go to Date.parse, which reads far more ("Retry
 * 3" as March 2001: a throttled receiver's 429 taken as "now").
 */
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const TIME = "\\d{2}:\\d{2}:\\d{2}";
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{1,2} [a-z]{3} \\d{4} ${TIME} GMT$`, "i");
const RFC_850 = new RegExp(`^${DAY}[a-z]{0,6}, \\d{2}-[a-z]{3}-\\d{2} ${TIME} GMT$`, "i");
const ASCTIME = new RegExp(`^${DAY} [a-z]{3} [ \\d]?\\d ${TIME} \\d{4}$`, "i");

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * A date in the past means "now" (0); anything unreadable is ignored (null).
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === "") return null;
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : null;
  }
  let date: string;
  if (IMF_FIXDATE.test(trimmed) || RFC_850.test(trimmed)) date = trimmed;
  // asctime names no zone, and Date.parse would read it in the host's.
  else if (ASCTIME.test(trimmed)) date = `${trimmed} GMT`;
  else return null;
  const at = Date.parse(date);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

function statusText(status: number): string {
  // The standard phrase, not the server's: a reason phrase is attacker-controlled text.
  const phrase = STATUS_CODES[status];
  return phrase ? `${status} ${phrase}` : String(status);
}

/**
 * @param target How a person names the other side in a sentence: "PagerDuty", "Teams webhook", "webhook".
 */
export function toSendOutcome(target: string, result: HttpResult, now: Date): SendOutcome {
  switch (result.kind) {
    case "response": {
      const cls = classifyStatus(result.status);
      if (cls === "ok") return { ok: true, status: result.status };
      const detail = result.detail ? `: ${result.detail}` : "";
      return {
        ok: false,
        retryable: cls === "retryable",
        status: result.status,
        retryAfterMs: parseRetryAfter(result.retryAfter, now),
        reason: `${target} answered ${statusText(result.status)}${detail}`,
      };
    }
    case "timeout":
      return failure(true, `${target} timed out after ${result.timeoutMs} ms`);
    case "network":
      return failure(true, `network error ${result.code ?? "(no code)"} reaching ${target}`);
    case "aborted":
      return failure(true, `post to ${target} was cancelled before an answer arrived`);
    case "invalid-request":
      return failure(false, `${target} request not sent: ${result.problem}`);
  }
}

function failure(retryable: boolean, reason: string): SendOutcome {
  return { ok: false, retryable, status: null, retryAfterMs: null, reason };
}

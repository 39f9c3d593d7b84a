// A 429's or 503's Retry-After, as the Azure clients meet it. Left to the
// SDK's retry, any Retry-After is slept inside the call, uncapped, a date
// counted from the wall clock: one asking two minutes held the call to its
// deadline and was told as "Azure did not answer in time".
//
// Azure Monitor and Log Analytics: the SDK never sees a Retry-After. The call
// fails, carrying what was asked (ASKED_HEADER; a 503 on the error itself,
// thrown before the SDK's backoff can retry it), and the Monitor call
// (monitor/call.ts) waits it out with its slot given back when it fits the
// call's deadline, and else fails the call at once, throttled or unavailable,
// telling its caller the wait (a Log Analytics workspace's is kept past the
// sweep, workspace-throttle.ts; the next sweep asks again otherwise). Held in
// the SDK, even a 5 s ask kept every other circuit's Monitor call behind it.
//
// ARM: one read is many requests (pages, polls), so the wait stays in the
// retry, outside the pacer's slots, when it ends within the read's deadline:
// waited on the read's clock, and the SDK asks again at once; one that would
// end past it fails the read at once, as for Monitor.

import {
  RestError,
  type PipelineRequest,
  type PipelinePolicy,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";

/** Where a Retry-After is kept, in ms, once the call fails on it: a header the SDK does not read. */
export const ASKED_HEADER = "x-erwatch-retry-after-ms";

/**
 * The longest wait a Monitor 429 or 503 is taken to ask for. The call waits
 * only what fits its deadline; a Log Analytics workspace's 429 or 503 is kept past
 * the sweep (monitor/workspace-throttle.ts), and cut to ARM's five minutes a
 * 12-minute ask was asked again by the next sweep, throttled again. An hour
 * at most: a Retry-After of hours (a proxy's fault, a date mistyped) obeyed
 * would leave end to end UNKNOWN on every circuit writing there for as long.
 */
export const MAX_ASKED_MS = 60 * 60_000;

/** Retry-After in ms (at most `max`), from seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number, max: number): number | null {
  if (value === undefined || value.trim() === "") return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? null : Math.min(max, Math.max(0, ms));
}

/** The headers the SDK's throttling retry reads, in the order it reads them. */
const HEADERS = ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"] as const;

function askedMs(get: (name: string) => string | undefined, now: number): number | null {
  for (const header of HEADERS) {
    const value = get(header);
    if (value === undefined || value.trim() === "") continue;
    if (header !== "retry-after") {
      const ms = Number(value);
      return Number.isFinite(ms) ? Math.min(MAX_ASKED_MS, Math.max(0, ms)) : null;
    }
    return retryAfterMs(value, now, MAX_ASKED_MS);
  }
  return null;
}

/** What a 503 thrown without its response asked to wait (ms): askedWaitOf reads it. */
const ASKED = Symbol("erwatch.askedMs");

/**
 * The service's own words for the 503 when its body gives them. Not the wait:
 * the caller that does not wait it names it (an ARM read's or a Monitor
 * call's failure, a Log Analytics workspace's "not asked again before");
 * named here too, an ARM read whose 503 came from a gateway's HTML page said
 * it twice.
 */
function unavailableMessage(response: PipelineResponse): string {
  try {
    const body = JSON.parse(response.bodyAsText ?? "") as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string" && body.error.message.trim() !== "")
      return body.error.message;
  } catch {
    // Not JSON: the status says it.
  }
  return "Service Unavailable (503)";
}

/**
 * A 503 that asked to wait, thrown with no response: the SDK's retry strategies
 * act on a response's status, and with none they throw it as it is.
 */
function unavailable(request: PipelineRequest, response: PipelineResponse, ms: number): RestError {
  const error = new RestError(unavailableMessage(response), { statusCode: 503, request });
  return Object.assign(error, { [ASKED]: ms });
}

/**
 * Inside the retry loop: a 429 or 503 loses its Retry-After, so the SDK does
 * not wait it out in the call's slot, and keeps it in ASKED_HEADER. A 429
 * then fails as it is; a 503 is thrown without its response: left to the
 * SDK, its own backoff retried it inside the slot, seconds apart whatever
 * was asked, and the Monitor call's retries on top asked (retries + 1)² times.
 * `now`: the sweep's clock, which a Retry-After given as a date is counted
 * from (a workspace's keep adds the wait to it): on the wall clock, a sweep on
 * an injected clock was told a date's wait as the wall clock's distance to it.
 * `waitable`: a wait it says yes to is left to the SDK's retry instead, told
 * in milliseconds from `now` (the SDK counts a date from the wall clock).
 * `outwait`: waits it out here instead, on the read's own clock, when a retry
 * is left (`attempt`: 1 for the first request), and the SDK asks again at
 * once; left to the SDK, the wait ran on its real timer whatever clock the
 * read's deadline ran on.
 */
export function boundedRetryAfterPolicy(
  now: () => number,
  waitable: (ms: number) => boolean = () => false,
  outwait?: (ms: number, attempt: number, signal: AbortSignal | undefined) => Promise<boolean>,
): PipelinePolicy {
  const attempts = new WeakMap<PipelineRequest, number>();
  return {
    name: "erwatchBoundedRetryAfter",
    async sendRequest(request, next) {
      const attempt = (attempts.get(request) ?? 0) + 1;
      attempts.set(request, attempt);
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const asked = askedMs((name) => response.headers.get(name), now());
      if (asked === null) return response;
      for (const header of HEADERS) response.headers.delete(header);
      const ms = Math.ceil(asked);
      if (waitable(ms)) {
        const signal = request.abortSignal as AbortSignal | undefined;
        const waited = (await outwait?.(ms, attempt, signal)) ?? false;
        response.headers.set("retry-after-ms", String(waited ? 0 : ms));
        return response;
      }
      response.headers.set(ASKED_HEADER, String(ms));
      if (response.status === 503) throw unavailable(request, response, ms);
      return response;
    },
  };
}

/** The wait (ms) a failed call's 429 or 503 asked for and was not waited; null when none. */
export function askedWaitOf(error: unknown): number | null {
  const e = error as {
    statusCode?: unknown;
    response?: { headers?: { get?: (name: string) => string | undefined } };
    [ASKED]?: unknown;
  } | null;
  if (typeof e !== "object" || e === null) return null;
  if (e.statusCode !== 429 && e.statusCode !== 503) return null;
  const value = e[ASKED] ?? e.response?.headers?.get?.(ASKED_HEADER);
  const ms = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

// Azure Monitor's and Log Analytics' throttling, as the Monitor clients meet
// it. The SDK's retry waits out any Retry-After on a 429 or 503 inside the
// call, holding one of the four Monitor slots the metrics batches and the
// Connection Monitor queries share: one asking for two minutes held it to the
// call's deadline and was told as "Azure did not answer in time", and even a
// 5 s ask kept every other circuit's Monitor call behind it. The SDK never
// sees a Retry-After: the call fails, carrying what was asked (ASKED_HEADER),
// and the Monitor call (call.ts) waits it out with its slot given back when
// it fits the call's deadline, and else fails the call at once as throttled
// (the next sweep asks again).

import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { retryAfterMs } from "../arm/pacer.js";

/** Where a Retry-After is kept, in ms, for the Monitor call: a header the SDK does not read. */
export const ASKED_HEADER = "x-erwatch-retry-after-ms";

/** The headers the SDK's throttling retry reads, in the order it reads them. */
const HEADERS = ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"] as const;

function askedMs(get: (name: string) => string | undefined, now: number): number | null {
  for (const header of HEADERS) {
    const value = get(header);
    if (value === undefined || value.trim() === "") continue;
    if (header !== "retry-after") {
      const ms = Number(value);
      return Number.isFinite(ms) ? Math.max(0, ms) : null;
    }
    return retryAfterMs(value, now);
  }
  return null;
}

/**
 * Inside the retry loop: a 429 or 503 loses its Retry-After, so the SDK does
 * not wait it out in the call's slot (a 429 then fails as it is; a 503 is
 * retried on the SDK's own backoff), and keeps it in ASKED_HEADER.
 */
export function boundedRetryAfterPolicy(now: () => number = Date.now): PipelinePolicy {
  return {
    name: "erwatchBoundedRetryAfter",
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const asked = askedMs((name) => response.headers.get(name), now());
      if (asked !== null) {
        for (const header of HEADERS) response.headers.delete(header);
        response.headers.set(ASKED_HEADER, String(Math.ceil(asked)));
      }
      return response;
    },
  };
}

/** The wait (ms) a failed Monitor call's 429 or 503 asked for; null when none. */
export function askedWaitOf(error: unknown): number | null {
  const e = error as {
    statusCode?: unknown;
    response?: { headers?: { get?: (name: string) => string | undefined } };
  } | null;
  if (typeof e !== "object" || e === null) return null;
  if (e.statusCode !== 429 && e.statusCode !== 503) return null;
  const value = e.response?.headers?.get?.(ASKED_HEADER);
  const ms = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

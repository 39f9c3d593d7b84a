// Azure Monitor's and Log Analytics' throttling, as the Monitor clients meet
// it. The SDK's retry waits out any Retry-After on a 429 or 503, however long:
// one asking for two minutes held the call to its deadline, one of the four
// Monitor slots the Connection Monitor queries share with it, and was then
// told as "Azure did not answer in time", and a deep read asked again and
// waited as long. Longer than erwatch would wait, it is not waited for: the
// call fails at once as throttled, and the next sweep asks again.

import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { retryAfterMs } from "../arm/pacer.js";

/** The longest Retry-After a Monitor call waits out (the SDK's own longest backoff). */
export const MAX_WAITED_RETRY_AFTER_MS = 10_000;

/** The headers the SDK's throttling retry reads, in the order it reads them. */
const HEADERS = ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"] as const;

function askedMs(get: (name: string) => string | undefined, now: number): number | null {
  for (const header of HEADERS) {
    const value = get(header);
    if (value === undefined || value.trim() === "") continue;
    if (header !== "retry-after") {
      const ms = Number(value);
      return Number.isFinite(ms) ? ms : null;
    }
    return retryAfterMs(value, now);
  }
  return null;
}

/**
 * Inside the retry loop: a 429 or 503 asking for longer than
 * MAX_WAITED_RETRY_AFTER_MS loses its Retry-After, so the SDK does not wait
 * it out (a 429 then fails as it is; a 503 is retried on the SDK's own backoff).
 */
export function boundedRetryAfterPolicy(now: () => number = Date.now): PipelinePolicy {
  return {
    name: "erwatchBoundedRetryAfter",
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const asked = askedMs((name) => response.headers.get(name), now());
      if (asked !== null && asked > MAX_WAITED_RETRY_AFTER_MS)
        for (const header of HEADERS) response.headers.delete(header);
      return response;
    },
  };
}

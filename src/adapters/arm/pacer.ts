// How erwatch spends ARM's budget. Every HTTP request the SDK sends passes
// through one pipeline policy that:
//   - takes a token from its subscription's bucket (reads for GET, writes for
//     POST actions), mirroring ARM's own buckets and fed by ARM's
//     x-ms-ratelimit-remaining-subscription-* headers;
//   - holds an in-flight slot only while the request is on the wire, so the
//     seconds a long-running read spends between polls hold nothing;
//   - on a 429, pauses the subscription's bucket for the Retry-After, so
//     every request to that subscription waits its turn instead of the
//     throttled ones retrying in step (the SDK's retry policy re-sends it,
//     through this policy again; the wait itself is on the read's clock,
//     holding no slot, when it ends within its deadline, ../retry-after.ts); a
//     read whose deadline the pause would outlast fails at once (paused.ts).
// A read's own context (which read, its deadline clock, the Retry-After of
// its last answer) travels with it in AsyncLocalStorage.

import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { AsyncLocalStorage } from "node:async_hooks";
import pLimit, { type LimitFunction } from "p-limit";
import { retryAfterMs } from "../retry-after.js";
import { outlastPause, takeUnlessPaused } from "./paused.js";
import { realTime, TokenBucket, type BucketSpec, type Timekeeper } from "./token-bucket.js";

export interface PacingConfig {
  reads: BucketSpec;
  writes: BucketSpec;
  /** HTTP requests to ARM on the wire at once, across all subscriptions. */
  inFlight: number;
}

export interface PacingStats {
  requests: number;
  reads: number;
  writes: number;
  throttled: number;
}

/** What one read carries through the pipeline. */
export interface ReadContext {
  /** Called before and after each wait for a token: the read's deadline does not run while it queues. */
  queueing(waiting: boolean): void;
  /** The Retry-After (ms) of the latest answer that carried one, or null. */
  retryAfterMs: number | null;
  /** What is left of the read's deadline (ms), as its clock runs now. */
  leftMs(): number;
}

const contexts = new AsyncLocalStorage<ReadContext>();

/** Runs `fn` (and every request it sends) as part of `context`. */
export function withReadContext<T>(context: ReadContext, fn: () => T): T {
  return contexts.run(context, fn);
}

/**
 * Whether a wait of `ms` ends within the deadline of the read sending the
 * request; `outside`: the longest a request sent outside any read waits.
 */
export function endsWithinRead(ms: number, outside: number): boolean {
  const read = contexts.getStore();
  return ms < (read ? read.leftMs() : outside);
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The longest Retry-After obeyed: one sweep interval. ARM's buckets refill
 * every second and it asks for seconds; a pause of years (a proxy's fault, a
 * date in 9999) obeyed would hold every read of the subscription in a warm
 * process until it restarts, every circuit blind. Cut to this, the worst is
 * one more 429 five minutes on.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

export class SubscriptionBudget {
  readonly reads: TokenBucket;
  readonly writes: TokenBucket;

  constructor(config: PacingConfig, time: Timekeeper) {
    // A token or two held back (never the whole bucket): see BucketSpec.reserve.
    const reserve = (b: BucketSpec) => ({
      ...b,
      reserve: Math.max(0, Math.min(b.capacity - 1, b.capacity > 100 ? 2 : 1)),
    });
    this.reads = new TokenBucket(reserve(config.reads), time);
    this.writes = new TokenBucket(reserve(config.writes), time);
  }
}

export class Pacer {
  private readonly budgets = new Map<string, SubscriptionBudget>();
  private readonly slots: LimitFunction;
  readonly stats: PacingStats = { requests: 0, reads: 0, writes: 0, throttled: 0 };

  /**
   * `now`: the sweep's clock, which a Retry-After given as a date is counted
   * from; `time`: the budget's, which the wait then runs on. On the budget's
   * clock, a sweep on an injected clock (the demo's simulated time) was told a
   * date's wait as that clock's distance to it: none for a date behind it,
   * the 5-minute cap for one ahead.
   */
  constructor(
    private readonly config: PacingConfig,
    private readonly now: () => number,
    private readonly time: Timekeeper = realTime,
  ) {
    this.slots = pLimit(config.inFlight);
  }

  budget(subscriptionId: string): SubscriptionBudget {
    const key = subscriptionId.toLowerCase();
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = new SubscriptionBudget(this.config, this.time);
      this.budgets.set(key, budget);
    }
    return budget;
  }

  private observe(
    response: PipelineResponse,
    write: boolean,
    bucket: TokenBucket,
    read: ReadContext | undefined,
  ): void {
    this.stats.requests += 1;
    if (write) this.stats.writes += 1;
    else this.stats.reads += 1;
    const remaining = response.headers.get(
      write
        ? "x-ms-ratelimit-remaining-subscription-writes"
        : "x-ms-ratelimit-remaining-subscription-reads",
    );
    if (remaining !== undefined) bucket.observeRemaining(Number(remaining));
    const after = retryAfterMs(response.headers.get("retry-after"), this.now(), MAX_RETRY_AFTER_MS);
    if (response.status === 429) {
      this.stats.throttled += 1;
      // ARM always says when; without it, a second is what it usually asks.
      bucket.pauseFor(after ?? 1_000);
    } else if (read) {
      read.retryAfterMs = after;
    }
  }

  /** The pipeline policy for one subscription's client. */
  policy(subscriptionId: string): PipelinePolicy {
    const budget = this.budget(subscriptionId);
    return {
      name: "erwatchPacing",
      sendRequest: async (request: PipelineRequest, next) => {
        const write = WRITE_METHODS.has(request.method.toUpperCase());
        const bucket = write ? budget.writes : budget.reads;
        const read = contexts.getStore();
        const signal = request.abortSignal as AbortSignal | undefined;
        // Waiting for a token or a slot is erwatch's own queue, not ARM's time;
        // a pause is ARM's answer (paused.ts), and the deadline runs through it.
        let queued = false;
        const queueing = (waiting: boolean) => {
          if (queued !== waiting) read?.queueing(waiting);
          queued = waiting;
        };
        let response: PipelineResponse | null = null;
        try {
          while (!response) {
            queueing(false);
            await outlastPause(bucket, read, signal, { now: this.now, time: this.time });
            queueing(true);
            if (!(await takeUnlessPaused(bucket, signal))) continue;
            // A 429 may have paused the bucket while this request waited for a slot: wait again.
            response = await this.slots(async () => {
              if (bucket.paused) return null;
              queueing(false);
              const answered = await next(request);
              // Before the slot is free: the next request must already see a pause this answer asks for.
              this.observe(answered, write, bucket, read);
              return answered;
            });
          }
        } finally {
          queueing(false);
        }
        return response;
      },
    };
  }
}

// What ARM costs, for the scale tests and `npm run bench`: per-subscription
// token buckets (reads 250 refilling 25/s, writes and POST actions 200
// refilling 10/s), a 429 with Retry-After beyond them, the
// x-ms-ratelimit-remaining-subscription-* headers on every answer, and
// long-running reads that take seconds with a spread. Off unless an estate is
// started with `costModel`, so every other test stays instant.

export interface BucketSpec {
  capacity: number;
  perSecond: number;
}

export interface CostModelOptions {
  /** GETs (reads, polls, listings): default 250 refilling 25/s, as ARM documents. */
  reads?: BucketSpec;
  /** POST actions (the ARP and route reads) and writes: default 200 refilling 10/s. */
  writes?: BucketSpec;
  /** How long a long-running read takes to finish on the Microsoft routers (default 5000). */
  lroLatencyMs?: number;
  /** Each read takes lroLatencyMs ± up to this much, uniformly (default 2000). */
  lroSpreadMs?: number;
  /**
   * How far Azure Monitor metrics lag the routers (default 0). Kept here for
   * the metrics endpoints, which answer with data this old.
   */
  metricDelayMs?: number;
  /** The clock the buckets refill and reads finish by (the bench compresses idle time). */
  clock?: () => number;
  /** Seed of the latency spread, so a bench run can be repeated. */
  seed?: number;
}

export interface SubscriptionCost {
  reads: number;
  writes: number;
  throttled: number;
}

export interface CostModel {
  readonly options: Required<Omit<CostModelOptions, "clock" | "seed">>;
  now(): number;
  /**
   * Charges one request to its subscription's bucket: the headers to send,
   * or the 429 to answer instead.
   */
  admit(
    subscriptionId: string,
    method: string,
  ):
    | { ok: true; headers: Record<string, string> }
    | { ok: false; retryAfterSeconds: number; headers: Record<string, string> };
  /** When a long-running read POSTed now finishes. */
  lroReadyAt(): number;
  /** Requests and 429s per subscription (lower case). */
  stats(): Record<string, SubscriptionCost>;
  totals(): SubscriptionCost;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

interface Bucket {
  level: number;
  at: number;
}

/** mulberry32: small, seeded, good enough to spread latencies. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createCostModel(input: CostModelOptions = {}): CostModel {
  const options = {
    reads: input.reads ?? { capacity: 250, perSecond: 25 },
    writes: input.writes ?? { capacity: 200, perSecond: 10 },
    lroLatencyMs: input.lroLatencyMs ?? 5_000,
    lroSpreadMs: input.lroSpreadMs ?? 2_000,
    metricDelayMs: input.metricDelayMs ?? 0,
  };
  const clock = input.clock ?? Date.now;
  const next = random(input.seed ?? 13);
  const buckets = new Map<string, { reads: Bucket; writes: Bucket }>();
  const counts = new Map<string, SubscriptionCost>();

  const take = (bucket: Bucket, spec: BucketSpec, now: number): number | null => {
    bucket.level = Math.min(
      spec.capacity,
      bucket.level + ((now - bucket.at) / 1000) * spec.perSecond,
    );
    bucket.at = now;
    if (bucket.level >= 1) {
      bucket.level -= 1;
      return null;
    }
    // Seconds until a whole token is back, as ARM rounds it: at least one.
    return Math.max(1, Math.ceil((1 - bucket.level) / spec.perSecond));
  };

  return {
    options,
    now: clock,
    admit(subscriptionId, method) {
      const key = subscriptionId.toLowerCase();
      const now = clock();
      let pair = buckets.get(key);
      if (!pair) {
        pair = {
          reads: { level: options.reads.capacity, at: now },
          writes: { level: options.writes.capacity, at: now },
        };
        buckets.set(key, pair);
      }
      let count = counts.get(key);
      if (!count) {
        count = { reads: 0, writes: 0, throttled: 0 };
        counts.set(key, count);
      }
      const write = WRITE_METHODS.has(method.toUpperCase());
      const bucket = write ? pair.writes : pair.reads;
      const spec = write ? options.writes : options.reads;
      const retryAfter = take(bucket, spec, now);
      if (write) count.writes += 1;
      else count.reads += 1;
      const headers = {
        [write
          ? "x-ms-ratelimit-remaining-subscription-writes"
          : "x-ms-ratelimit-remaining-subscription-reads"]: String(Math.floor(bucket.level)),
      };
      if (retryAfter === null) return { ok: true, headers };
      count.throttled += 1;
      return { ok: false, retryAfterSeconds: retryAfter, headers };
    },
    lroReadyAt() {
      const spread = (next() * 2 - 1) * options.lroSpreadMs;
      return clock() + Math.max(0, options.lroLatencyMs + spread);
    },
    stats: () => Object.fromEntries([...counts].map(([k, v]) => [k, { ...v }])),
    totals() {
      const sum = { reads: 0, writes: 0, throttled: 0 };
      for (const c of counts.values()) {
        sum.reads += c.reads;
        sum.writes += c.writes;
        sum.throttled += c.throttled;
      }
      return sum;
    },
  };
}

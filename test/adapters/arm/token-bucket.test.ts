// The client-side mirror of ARM's per-subscription buckets, on a hand-driven
// clock: it spends the burst, then one token per refill interval, first come
// first served; ARM's own count lowers it; a 429 pauses it for Retry-After;
// an abort leaves the queue at once.

import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../src/adapters/arm/token-bucket.js";
import { LroTiming } from "../../../src/adapters/arm/lro-timing.js";
import { MAX_RETRY_AFTER_MS } from "../../../src/adapters/arm/pacer.js";
import { retryAfterMs } from "../../../src/adapters/retry-after.js";
import { manualTime } from "../../support/manual-time.js";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function takers(bucket: TokenBucket, n: number, signal?: AbortSignal) {
  const done: number[] = [];
  const failed: number[] = [];
  for (let i = 0; i < n; i += 1)
    bucket.take(signal).then(
      () => done.push(i),
      () => failed.push(i),
    );
  return { done, failed };
}

describe("TokenBucket", () => {
  it("spends the burst at once, then one token per 1/rate, in arrival order", async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ capacity: 3, perSecond: 10 }, time);
    const { done } = takers(bucket, 6);
    await flush();
    expect(done).toEqual([0, 1, 2]);
    time.advance(99);
    await flush();
    expect(done).toEqual([0, 1, 2]);
    time.advance(1);
    await flush();
    expect(done).toEqual([0, 1, 2, 3]);
    time.advance(200);
    await flush();
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
    expect(time.pending()).toBe(0);
  });

  it("holds its reserve back, so requests that reach ARM late or bunched still find a token", async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ capacity: 4, perSecond: 10, reserve: 1 }, time);
    const { done } = takers(bucket, 5);
    await flush();
    expect(done).toEqual([0, 1, 2]);
    time.advance(100);
    await flush();
    expect(done).toEqual([0, 1, 2, 3]);
  });

  it("refills to its capacity and no further", async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ capacity: 2, perSecond: 10 }, time);
    takers(bucket, 2);
    time.advance(10_000);
    expect(bucket.available).toBe(2);
  });

  it("believes ARM when ARM says fewer are left (another process spends the same budget)", async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ capacity: 250, perSecond: 25 }, time);
    bucket.observeRemaining(1);
    const { done } = takers(bucket, 3);
    await flush();
    expect(done).toEqual([0]);
    time.advance(40);
    await flush();
    expect(done).toEqual([0, 1]);
    // A higher count than it holds changes nothing: the client's own spending is in flight.
    bucket.observeRemaining(200);
    expect(bucket.available).toBeLessThan(1);
  });

  it("after a 429 serves nobody until Retry-After has passed, then resumes at the refill rate", async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ capacity: 100, perSecond: 10 }, time);
    bucket.pauseFor(1_000);
    const { done } = takers(bucket, 3);
    time.advance(999);
    await flush();
    expect(done).toEqual([]);
    // Then it starts empty: the first token is back 1/rate after the pause.
    time.advance(101);
    await flush();
    expect(done).toEqual([0]);
    time.advance(200);
    await flush();
    expect(done).toEqual([0, 1, 2]);
  });

  it("lets an aborted waiter go at once and keeps serving the others in order", async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ capacity: 1, perSecond: 1 }, time);
    const controller = new AbortController();
    const first = takers(bucket, 1);
    const aborted = takers(bucket, 1, controller.signal);
    const after = takers(bucket, 1);
    controller.abort();
    await flush();
    expect(first.done).toEqual([0]);
    expect(aborted.failed).toEqual([0]);
    time.advance(1_000);
    await flush();
    expect(after.done).toEqual([0]);
    await expect(bucket.take(AbortSignal.abort())).rejects.toBeTruthy();
  });
});

describe("LroTiming", () => {
  it("waits the configured guess before the first poll, a quarter of it after, never less than Retry-After", () => {
    const timing = new LroTiming(4_000);
    expect(timing.wait("arpTable", 0, null)).toBe(4_000);
    expect(timing.wait("arpTable", 1, null)).toBe(1_000);
    expect(timing.wait("arpTable", 1, 3_000)).toBe(3_000);
  });

  it("learns per kind, a window at a time: hundreds of reads started together cannot compound a guess", () => {
    const timing = new LroTiming(1_000);
    // 300 reads still running at their first poll, all at once: at most 25 % per 20 reads.
    for (let i = 0; i < 300; i += 1) timing.learn("arpTable", false);
    expect(timing.wait("arpTable", 0, null)).toBeLessThan(1_000 * 1.25 ** 15 + 1);
    expect(timing.wait("routeTablesSummary", 0, null)).toBe(1_000);
    // …and never past what the slowest recent read took, plus 10 %.
    for (let i = 0; i < 20; i += 1) timing.learn("arpTable", false, 2_000);
    expect(timing.wait("arpTable", 0, null)).toBeLessThanOrEqual(2_200);
  });

  it("climbs a quarter per window while most reads outlast the guess, a tenth when most do not", () => {
    const timing = new LroTiming(1_000);
    for (let i = 0; i < 20; i += 1) timing.learn("arpTable", false, 9_000);
    expect(timing.wait("arpTable", 0, null)).toBe(1_250);
    for (let i = 0; i < 20; i += 1) timing.learn("arpTable", i < 14, 9_000);
    expect(timing.wait("arpTable", 0, null)).toBe(1_375);
  });

  it("settles where most reads of 3 to 7 s are done at the first poll", () => {
    const latencies = Array.from({ length: 4_000 }, (_, i) => 3_000 + ((i * 0.618034) % 1) * 4_000);
    const timing = new LroTiming(1_000);
    let secondPolls = 0;
    latencies.forEach((latency, i) => {
      const first = timing.wait("x", 0, null);
      const done = latency <= first;
      const took = done
        ? first
        : first +
          Math.ceil((latency - first) / timing.wait("x", 1, null)) * timing.wait("x", 1, null);
      if (i >= 2_000 && !done) secondPolls += 1;
      timing.learn("x", done, took);
    });
    expect(timing.wait("x", 0, null)).toBeGreaterThan(5_500);
    expect(timing.wait("x", 0, null)).toBeLessThan(7_800);
    expect(secondPolls / 2_000).toBeLessThan(0.1);
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("2", 0, MAX_RETRY_AFTER_MS)).toBe(2_000);
    expect(retryAfterMs(new Date(5_000).toUTCString(), 1_000, MAX_RETRY_AFTER_MS)).toBe(4_000);
    expect(retryAfterMs(undefined, 0, MAX_RETRY_AFTER_MS)).toBeNull();
    expect(retryAfterMs("soon", 0, MAX_RETRY_AFTER_MS)).toBeNull();
    // Absurd answers are cut to one sweep interval, never obeyed for years.
    expect(retryAfterMs("99999999", 0, MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs("Fri, 31 Dec 9999 23:59:59 GMT", 0, MAX_RETRY_AFTER_MS)).toBe(
      MAX_RETRY_AFTER_MS,
    );
    expect(MAX_RETRY_AFTER_MS).toBe(5 * 60_000);
  });
});

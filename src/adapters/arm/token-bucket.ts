// A token bucket that mirrors one of ARM's per-subscription buckets on the
// client side, so erwatch spends its budget at the rate ARM refills it instead
// of finding the edge with 429s. Waiters are served first come, first served;
// ARM's own count (x-ms-ratelimit-remaining-subscription-*) lowers the level
// when it knows better (another process, another tool on the same identity),
// and a 429 pauses the bucket for its Retry-After.

import { realTimers, type Timers } from "../../time.js";

export interface BucketSpec {
  capacity: number;
  perSecond: number;
  /**
   * Tokens held back: requests reach ARM a little later and in a slightly
   * different rhythm than they leave, so a client that spends exactly ARM's
   * budget is answered 429 at the edge. A couple of tokens absorb that.
   */
  reserve?: number;
}

/** Time, injectable: tests drive it by hand. The adapters' name for Timers. */
export type Timekeeper = Timers;
/** Real time, the adapters' name for realTimers (the same object). */
export const realTime: Timekeeper = realTimers;

/** Resolves after `ms` on `time`; rejects with the reason when `signal` aborts first. */
export function sleepOn(time: Timekeeper, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as unknown);
    const onAbort = () => {
      cancel();
      reject(signal!.reason as unknown);
    };
    const cancel = time.after(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

function abortError(signal: AbortSignal): unknown {
  return (
    signal.reason ?? Object.assign(new Error("The operation was aborted."), { name: "AbortError" })
  );
}

export class TokenBucket {
  private level: number;
  private at: number;
  private pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  private cancelWake: (() => void) | null = null;
  private readonly pauseListeners = new Set<() => void>();

  constructor(
    private readonly spec: BucketSpec,
    private readonly time: Timekeeper = realTime,
  ) {
    this.level = spec.capacity;
    this.at = time.now();
  }

  /** Tokens available now (for tests and the bench). */
  get available(): number {
    this.refill();
    return this.level;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when a token is taken for the caller; rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.queue.length === 0 && this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(abortError(signal!));
          this.schedule();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /** Paused by a 429 whose Retry-After has not passed yet. */
  get paused(): boolean {
    return this.time.now() < this.pausedUntil;
  }

  /** What is left of the pause (ms); 0 when not paused. */
  get pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.time.now());
  }

  /** Calls `fn` at every 429's pause, after the bucket is paused; returns an unsubscribe. */
  onPause(fn: () => void): () => void {
    this.pauseListeners.add(fn);
    return () => this.pauseListeners.delete(fn);
  }

  /** ARM's own count of what is left: never more than this. */
  observeRemaining(remaining: number): void {
    if (!Number.isFinite(remaining) || remaining < 0) return;
    this.refill();
    this.level = Math.min(this.level, remaining);
  }

  /** A 429: nothing more until Retry-After has passed, and the bucket starts empty again. */
  pauseFor(ms: number): void {
    this.refill();
    this.level = Math.min(this.level, 0);
    this.pausedUntil = Math.max(this.pausedUntil, this.time.now() + Math.max(0, ms));
    this.schedule();
    for (const fn of [...this.pauseListeners]) fn();
  }

  private refill(): void {
    const now = this.time.now();
    const from = Math.max(this.at, this.pausedUntil);
    if (now > from)
      this.level = Math.min(
        this.spec.capacity,
        this.level + ((now - from) / 1000) * this.spec.perSecond,
      );
    this.at = Math.max(this.at, now);
  }

  private tryTake(): boolean {
    if (this.time.now() < this.pausedUntil) return false;
    this.refill();
    if (this.level < 1 + (this.spec.reserve ?? 0)) return false;
    this.level -= 1;
    return true;
  }

  private serve(): void {
    while (this.queue.length > 0 && this.tryTake()) {
      const waiter = this.queue.shift()!;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve();
    }
  }

  /** Wakes when the next waiter can be served. */
  private schedule(): void {
    this.cancelWake?.();
    this.cancelWake = null;
    this.serve();
    if (this.queue.length === 0) return;
    const now = this.time.now();
    const paused = Math.max(0, this.pausedUntil - now);
    const short = Math.max(0, 1 + (this.spec.reserve ?? 0) - this.level);
    const ms = Math.max(1, paused + Math.ceil((short / this.spec.perSecond) * 1000));
    this.cancelWake = this.time.after(ms, () => {
      this.cancelWake = null;
      this.schedule();
    });
  }
}

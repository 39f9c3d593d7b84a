// When to poll a long-running read. The ARP and route reads take seconds on
// the Microsoft routers; polling early costs a read from the subscription's
// budget and learns nothing. So the first poll waits for the time such reads
// have been taking (learned per kind, starting from ARM_LRO_POLL_INTERVAL_MS),
// later polls follow at a fraction of it, and a Retry-After from ARM is a
// floor on every wait. The estimate settles near the 88th percentile of what
// the reads take: a read found done at the first poll nudges it down, one
// still running pushes it up more.

const SHRINK = 0.99;
const GROW = 1.08;
const MIN_MS = 20;
const MAX_MS = 60_000;

export class LroTiming {
  private readonly estimates = new Map<string, number>();

  constructor(private readonly initialMs: number) {}

  private estimate(kind: string): number {
    return this.estimates.get(kind) ?? this.initialMs;
  }

  /** How long to wait before poll number `attempt` (0 = the first), given ARM's Retry-After. */
  wait(kind: string, attempt: number, retryAfterMs: number | null): number {
    const estimate = this.estimate(kind);
    const planned = attempt === 0 ? estimate : Math.max(MIN_MS, estimate * 0.2);
    return Math.max(planned, retryAfterMs ?? 0);
  }

  /** What the first poll found. */
  learn(kind: string, doneAtFirstPoll: boolean): void {
    const next = this.estimate(kind) * (doneAtFirstPoll ? SHRINK : GROW);
    this.estimates.set(kind, Math.min(MAX_MS, Math.max(MIN_MS, next)));
  }
}

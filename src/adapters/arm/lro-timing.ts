// When to poll a long-running read. The ARP and route reads take seconds on
// the Microsoft routers; polling early costs a read from the subscription's
// budget and learns nothing. So the first poll waits for the time such reads
// have been taking (learned per kind, starting from ARM_LRO_POLL_INTERVAL_MS),
// later polls follow at a fraction of it, and a Retry-After from ARM is a
// floor on every wait.
//
// Learning: the share of reads found done at their first poll, over the last
// WINDOW reads, is kept between 90 and 98 %: every second poll is a read from
// the subscription's budget, while waiting a little longer costs none. Each
// full window moves the estimate by at most 25 % (while most reads outlast it:
// a cold instance's first sweep would otherwise spend it polling early), 10 %
// near the band, and it never exceeds what the slowest recent read took by
// more than 10 %, so hundreds of reads started together cannot compound one
// early guess.

const WINDOW = 20;
const MIN_MS = 20;
const MAX_MS = 60_000;

interface Kind {
  estimate: number;
  outcomes: boolean[];
  /** How long recent reads took, at most (the poll that found them done). */
  recentMax: number[];
}

export class LroTiming {
  private readonly kinds = new Map<string, Kind>();

  constructor(private readonly initialMs: number) {}

  private kind(name: string): Kind {
    let k = this.kinds.get(name);
    if (!k) {
      k = { estimate: this.initialMs, outcomes: [], recentMax: [] };
      this.kinds.set(name, k);
    }
    return k;
  }

  /** How long to wait before poll number `attempt` (0 = the first), given ARM's Retry-After. */
  wait(kind: string, attempt: number, retryAfterMs: number | null): number {
    const estimate = this.kind(kind).estimate;
    const planned = attempt === 0 ? estimate : Math.max(MIN_MS, estimate * 0.25);
    return Math.max(planned, retryAfterMs ?? 0);
  }

  /**
   * What a read found: done at its first poll or not, and how long it took
   * (ms from the POST to the poll that found it done).
   */
  learn(kind: string, doneAtFirstPoll: boolean, tookMs?: number): void {
    const k = this.kind(kind);
    k.outcomes.push(doneAtFirstPoll);
    if (tookMs !== undefined) {
      k.recentMax.push(tookMs);
      if (k.recentMax.length > WINDOW * 2) k.recentMax.shift();
    }
    if (k.outcomes.length < WINDOW) return;
    const share = k.outcomes.filter(Boolean).length / k.outcomes.length;
    k.outcomes = [];
    let next = k.estimate;
    if (share < 0.5) next *= 1.25;
    else if (share < 0.9) next *= 1.1;
    else if (share > 0.98) next *= 0.95;
    if (k.recentMax.length > 0) next = Math.min(next, Math.max(...k.recentMax) * 1.1);
    k.estimate = Math.min(MAX_MS, Math.max(MIN_MS, next));
  }
}

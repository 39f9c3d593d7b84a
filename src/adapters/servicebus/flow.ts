// What `erwatch dispatch` holds of the alerts entity: messages taken and not
// yet settled, at most `max` at once. Each one held keeps its lock (the SDK
// renews it until it is settled, for a bounded time), so the bound is on what
// is taken, not only on what runs: p-limit would bound the dispatches and let
// a queue of locked messages grow behind them. With no more held than may run,
// a message runs as soon as it is taken: one alert's events keep their order
// at each receiver in the dispatcher, in the order the messages were taken
// (receiver-turns.ts).

/** Resolves when `signal` aborts; `off` lets the listener go. */
function abortOf(signal: AbortSignal): { aborted: Promise<void>; off: () => void } {
  let done = () => undefined as void;
  const aborted = new Promise<void>((resolve) => (done = resolve));
  if (signal.aborted) done();
  else signal.addEventListener("abort", done, { once: true });
  return { aborted, off: () => signal.removeEventListener("abort", done) };
}

export class DispatchFlow {
  private readonly held = new Set<Promise<void>>();
  /** Messages settled since settled() last said. */
  private settledSince = 0;

  constructor(readonly max: number) {}

  /** Messages held now: being dispatched (some waiting at a receiver for an earlier event of their alert). */
  get size(): number {
    return this.held.size;
  }

  /** How many messages may be taken now, once one of those held is settled if none may; 0 when `signal` aborts first. */
  async room(signal: AbortSignal): Promise<number> {
    if (this.held.size >= this.max && !signal.aborted) {
      const { aborted, off } = abortOf(signal);
      try {
        while (this.held.size >= this.max && !signal.aborted)
          await Promise.race([...this.held, aborted]);
      } finally {
        off();
      }
    }
    return signal.aborted ? 0 : this.max - this.held.size;
  }

  /**
   * Holds one message and runs `run` now. `run` must not throw: it settles
   * its message whatever happens. Resolves when it is settled.
   */
  hold(run: () => Promise<void>): Promise<void> {
    const settled = run().catch(() => undefined);
    this.held.add(settled);
    void settled.then(() => {
      this.settledSince += 1;
      this.held.delete(settled);
    });
    return settled;
  }

  /**
   * Resolves once every message held now (and any taken meanwhile) is
   * settled: to how many were settled since it last resolved, those it waited
   * for and any before them.
   */
  async settled(): Promise<number> {
    while (this.held.size > 0) await Promise.all(this.held);
    const count = this.settledSince;
    this.settledSince = 0;
    return count;
  }
}

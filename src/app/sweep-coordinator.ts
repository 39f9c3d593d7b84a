// One sweep at a time per process. A request whose circuits the running sweep
// already covers joins it and gets its result; anything else waits its turn,
// so the timer and an on-demand sweep never read and write at the same time.

export interface SweepScope {
  /** null: everything erwatch watches. */
  circuitIds: string[] | null;
  /** A tiered sweep reads deep only what its plan says: it answers for the estate, not for a named circuit. */
  tiered?: boolean;
}

const covers = (running: SweepScope, wanted: SweepScope): boolean => {
  if (running.tiered && wanted.circuitIds !== null) return false;
  if (running.circuitIds === null) return true;
  if (wanted.circuitIds === null) return false;
  const have = new Set(running.circuitIds.map((id) => id.toLowerCase()));
  return wanted.circuitIds.every((id) => have.has(id.toLowerCase()));
};

export class SweepCoordinator<T> {
  private current: { scope: SweepScope; result: Promise<T>; id: string } | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  get running(): boolean {
    return this.current !== null;
  }

  /**
   * Runs `start` after whatever is running, unless the latest sweep (running
   * or queued) already covers this scope: then its result is shared.
   */
  run(
    scope: SweepScope,
    start: () => Promise<T>,
    id = "",
  ): { joined: boolean; result: Promise<T>; id: string } {
    if (this.current && covers(this.current.scope, scope))
      return { joined: true, result: this.current.result, id: this.current.id };
    const result = this.tail.then(start, start);
    const entry = { scope, result, id };
    this.current = entry;
    this.tail = result.catch(() => undefined);
    const clear = () => {
      if (this.current === entry) this.current = null;
    };
    result.then(clear, clear);
    return { joined: false, result, id };
  }
}

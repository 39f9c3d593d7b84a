// One sweep at a time per process. A request whose circuits a running or
// waiting sweep already covers joins it and gets its result; anything else
// waits its turn, so the timer and an on-demand sweep never read and write at
// the same time. The timer's sweep is the one that pages: it goes ahead of
// on-demand sweeps still waiting, and only a few of those may wait at all, so a
// burst of requests cannot push it out of its window or past the host's
// functionTimeout. It joins only the timer's own sweep: an on-demand one is no
// tick, and hysteresis counts ticks (core/lifecycle.ts), so joining it lost
// the tick and held a Sev0 to the next one.

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

/**
 * A timer's tick: when it was due, on the wall clock (its window is measured
 * from it), and on the sweep's clock (its `tickDue`: repeats keep its
 * cadence), null when the host's schedule status does not say.
 */
export interface TickTime {
  wallMs: number;
  dueMs: number | null;
}

/** On-demand sweeps that may wait behind the running one (the timer's never counts). */
export const MAX_WAITING_SWEEPS = 2;

export type Admission<T> =
  | { busy: false; joined: boolean; result: Promise<T>; id: string }
  /** Too many sweeps wait already: ask again later. */
  | { busy: true };

interface Entry<T> {
  scope: SweepScope;
  id: string;
  urgent: boolean;
  /** The timer's: the latest tick it answers for, as of its start. */
  tick: TickTime | undefined;
  start: (tick: TickTime | undefined) => Promise<T>;
  result: Promise<T>;
  settle: (started: Promise<T>) => void;
}

export class SweepCoordinator<T> {
  private active: Entry<T> | null = null;
  private readonly waiting: Entry<T>[] = [];

  constructor(private readonly maxWaiting = MAX_WAITING_SWEEPS) {}

  get running(): boolean {
    return this.active !== null || this.waiting.length > 0;
  }

  /**
   * Runs `start` once the sweeps before it are done, unless one running or
   * waiting already covers this scope: then its result is shared. `urgent`
   * (the timer) goes ahead of every waiting sweep that is not, and shares
   * only another urgent one's, running or waiting. `tick`: when the timer's
   * tick was due; a waiting sweep starts with the latest of those it answers for.
   */
  run(
    scope: SweepScope,
    start: (tick: TickTime | undefined) => Promise<T>,
    id = "",
    options: { urgent?: boolean; tick?: TickTime } = {},
  ): Admission<T> {
    const urgent = options.urgent === true;
    // The latest that covers it: a later one has read more recently. The
    // timer's joins only a timer's sweep: an on-demand one, running or
    // waiting, is no tick, so the timer's runs right after the running one. A
    // timer's still waiting starts after this tick fired and is one: queued
    // beside it, the estate was read twice back to back.
    const covering = [...this.waiting]
      .reverse()
      .concat(this.active ? [this.active] : [])
      .filter((e) => !urgent || e.urgent)
      .find((e) => covers(e.scope, scope));
    if (covering) {
      // One still waiting answers for this later tick: its window is measured
      // from this one (the first tick's may be over by the time it starts).
      if (
        covering !== this.active &&
        options.tick &&
        (!covering.tick || options.tick.wallMs > covering.tick.wallMs)
      )
        covering.tick = options.tick;
      return { busy: false, joined: true, result: covering.result, id: covering.id };
    }
    if (!urgent && this.waiting.filter((e) => !e.urgent).length >= this.maxWaiting)
      return { busy: true };
    let settle!: (started: Promise<T>) => void;
    const result = new Promise<T>((resolve, reject) => {
      settle = (started) => void started.then(resolve, reject);
    });
    const entry: Entry<T> = { scope, id, urgent, tick: options.tick, start, result, settle };
    if (urgent) {
      // Waiting on-demand sweeps it covers are answered by it instead (their
      // callers hold their result, not their place).
      for (const other of this.waiting.filter((e) => !e.urgent && covers(scope, e.scope))) {
        this.waiting.splice(this.waiting.indexOf(other), 1);
        other.settle(result);
      }
      const firstOnDemand = this.waiting.findIndex((e) => !e.urgent);
      this.waiting.splice(firstOnDemand === -1 ? this.waiting.length : firstOnDemand, 0, entry);
    } else this.waiting.push(entry);
    this.next();
    return { busy: false, joined: false, result, id };
  }

  private next(): void {
    if (this.active) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    this.active = entry;
    let started: Promise<T>;
    try {
      started = entry.start(entry.tick);
    } catch (error) {
      started = Promise.reject(error);
    }
    entry.settle(started);
    const done = () => {
      this.active = null;
      this.next();
    };
    started.then(done, done);
  }
}

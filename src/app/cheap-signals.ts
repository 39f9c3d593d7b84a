// The cheap tier's read of Azure Monitor, bounded by its part of the sweep's
// window. Each Monitor call has its own deadline, but calls wait their turn
// for a few slots: a Monitor that stops answering would hold the plan, and
// every ARM read behind it, for (calls / slots) × ARM_TIMEOUT_MS, past the
// window, and the whole estate would go unread. Given up, the plan goes by
// the listing and the readings' age, as it does without metrics.

import type { Logger } from "../logging.js";
import { deadlineOn } from "../time.js";
import { realTimers, type CircuitTarget, type Timers } from "./ports.js";
import type { CheapSignalReading, CheapSignals } from "./sweep-plan.js";

/** The cheap tier's share of the time left to the sweep's deadline. */
export const CHEAP_SIGNAL_SHARE = 0.25;
/** After its budget, how long a read has to hand back what it did get. */
const HAND_BACK_MS = 1_000;

const nothing = (): CheapSignalReading => ({ troubled: new Map<string, string>() });

export async function readCheapSignals(
  signals: CheapSignals,
  targets: CircuitTarget[],
  options: {
    abortSignal: AbortSignal;
    now: Date;
    budgetMs: number | null;
    /** What the budget and the hand-back are timed on (real time unless a test moves it). */
    time?: Timers;
  },
  log: Logger,
): Promise<CheapSignalReading> {
  const time = options.time ?? realTimers;
  const budget =
    options.budgetMs === null ? null : deadlineOn(time, Math.max(1, Math.ceil(options.budgetMs)));
  const abortSignal = budget
    ? AbortSignal.any([options.abortSignal, budget.signal])
    : options.abortSignal;
  let cancelLetGo = () => {};
  let later = () => {};
  // A reader that does not stop when told still does not hold the plan; the
  // sweep waits on this timer alone, so it keeps the process alive.
  const letGo = new Promise<null>((resolve) => {
    later = () =>
      (cancelLetGo = time.after(HAND_BACK_MS, () => resolve(null), { keepAlive: true }));
    if (abortSignal.aborted) later();
    else abortSignal.addEventListener("abort", later, { once: true });
  });
  try {
    const read = await Promise.race([
      signals.read(targets, { abortSignal, now: options.now }),
      letGo,
    ]);
    if (budget?.signal.aborted && !options.abortSignal.aborted)
      log.warn(
        { budgetMs: options.budgetMs, handedBack: read !== null },
        "Azure Monitor did not answer the cheap tier within its part of the window; what it did not read is planned by the listing and age",
      );
    return read ?? nothing();
  } catch (error) {
    log.warn({ err: error }, "cheap signals unavailable; the plan goes by the listing and age");
    return nothing();
  } finally {
    // Read and done: the budget running out later must not start a timer.
    abortSignal.removeEventListener("abort", later);
    budget?.cancel();
    cancelLetGo();
  }
}

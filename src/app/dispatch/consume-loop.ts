// The loop of `erwatch dispatch`: receive and dispatch until stopped. A
// receive that fails (the broker restarting, a dropped connection, a namespace
// that stops answering) is logged and tried again after a pause that doubles
// up to a ceiling: an outage of any length costs the consumer only the wait,
// and the events wait in Service Bus meanwhile. With --once the first failure
// ends the run instead, for the scheduler that started it to see.
// Receiving goes on while what was taken is dispatched (a receiver that hangs
// holds up no later page); a run ends only once everything it took is
// settled, so nothing is left to a lock running out.

import type { Logger } from "../../logging.js";

export interface EventSource {
  /** Receives once and starts dispatching what arrived; how many messages it took. */
  receive(signal: AbortSignal): Promise<number>;
  /** Resolves once every message taken is settled; how many were settled since it last resolved. */
  settled(): Promise<number>;
}

export interface ConsumeOptions {
  signal: AbortSignal;
  /** Stop when a receive comes back empty and nothing was settled since the last one did, and at the first failure. */
  once: boolean;
  logger: Logger;
  /** Resolves after `ms`, or at once when `signal` is aborted. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  firstRetryMs: number;
  maxRetryMs: number;
}

export interface ConsumeResult {
  handled: number;
  /** Why a --once run stopped early; null otherwise. */
  failure: unknown;
  /** Ended by the signal (Ctrl-C, SIGTERM), not by an empty queue or a failure: a --once run was cut short. */
  stopped: boolean;
}

/** The pause after the n-th failed receive in a row (n ≥ 1). */
export function retryDelayMs(failures: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(failures - 1, 30));
}

export async function consumeEvents(
  source: EventSource,
  options: ConsumeOptions,
): Promise<ConsumeResult> {
  try {
    return await consume(source, options);
  } finally {
    // Ctrl-C included: what is in flight sees the signal and winds down, and
    // what waited for its alert's turn is given back to Service Bus.
    await source.settled();
  }
}

async function consume(source: EventSource, options: ConsumeOptions): Promise<ConsumeResult> {
  const { signal, logger } = options;
  let handled = 0;
  let failures = 0;
  while (!signal.aborted) {
    let count: number;
    try {
      count = await source.receive(signal);
    } catch (error) {
      if (signal.aborted) break;
      if (options.once) return { handled, failure: error, stopped: false };
      failures += 1;
      const retryInMs = retryDelayMs(failures, options.firstRetryMs, options.maxRetryMs);
      logger.error(
        { err: error, failures, retryInMs },
        "could not receive alert events from Service Bus; connecting again after a pause",
      );
      await options.sleep(retryInMs, signal);
      continue;
    }
    if (failures > 0) {
      logger.warn({ failures }, "receiving alert events from Service Bus again");
      failures = 0;
    }
    handled += count;
    // A message settled meanwhile may have been given back, and comes round
    // again: the run ends on an empty receive with nothing settled since the
    // last one (an idle queue costs one receive, as before; a busy one, one more).
    if (options.once && count === 0 && (await source.settled()) === 0)
      return { handled, failure: null, stopped: false };
  }
  return { handled, failure: null, stopped: true };
}

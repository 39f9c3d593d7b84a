// Publishing as the sweep goes: a circuit whose alerts were committed has its
// events published at once, so a fault pages without waiting for the rest of
// the estate to be read. Drains are coalesced (one at a time, one more if
// anything was committed meanwhile) and go through the same claimed outbox as
// the end-of-sweep drain, so nothing is published twice.

import type { AlertEvent } from "../core/alert-event.js";
import type { DrainResult } from "./outbox.js";

export interface EagerPublisher {
  /** Something was committed: drain soon. */
  kick(): void;
  /** Waits for any drain in progress (and the one it owes); returns every drain's outcome so far. Once a drain fails, no more are tried. */
  settle(): Promise<{ published: AlertEvent[]; brokerError: string | null }>;
}

export function eagerPublisher(drain: () => Promise<DrainResult>): EagerPublisher {
  let running: Promise<void> | null = null;
  let again = false;
  const published: AlertEvent[] = [];
  let brokerError: string | null = null;

  const loop = async () => {
    do {
      again = false;
      try {
        const result = await drain();
        published.push(...result.published);
        brokerError = result.brokerError;
      } catch (error) {
        // Storage trouble: the rows stay in the outbox for the next sweep.
        brokerError = (error as Error).message ?? String(error);
      }
    } while (again && brokerError === null);
  };

  return {
    kick() {
      // The broker is down: said once; the outbox keeps the events for the next sweep.
      if (brokerError !== null) return;
      if (running) {
        again = true;
        return;
      }
      running = loop().finally(() => {
        running = null;
      });
    },
    async settle() {
      while (running) await running;
      return { published: [...published], brokerError };
    },
  };
}

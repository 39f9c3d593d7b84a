// What a world's sweeps published to the alerts queue, one word per event, so
// a test compares the whole sequence at a glance.

import { ALERTS_QUEUE, type World } from "./world.js";

/** Each event the broker accepted, in order, as "action:code:severity". */
export function sentEvents(w: World): string[] {
  return w.broker.accepted(ALERTS_QUEUE).map((m) => {
    const e = m.body as { action: string; code: string; severity: string };
    return `${e.action}:${e.code}:${e.severity}`;
  });
}

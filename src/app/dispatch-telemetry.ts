// The dispatcher's numbers, measured from outside it: delivery latency (from
// the decision that made the event to the last routed receiver having it) and
// dead letters by reason. The dispatcher itself stays as it is.

import type { Dispatcher } from "./dispatch/dispatcher.js";
import type { Telemetry } from "./telemetry.js";

function eventFacts(body: unknown): { occurredAt: number; action: string } | null {
  let value = body;
  if (typeof value === "string" || value instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof value === "string" ? value : Buffer.from(value).toString("utf8"));
    } catch {
      return null;
    }
  }
  const e = value as { occurredAt?: unknown; action?: unknown } | null;
  const at = typeof e?.occurredAt === "string" ? Date.parse(e.occurredAt) : Number.NaN;
  return Number.isNaN(at) ? null : { occurredAt: at, action: String(e?.action ?? "unknown") };
}

export function instrumentDispatcher(
  dispatcher: Dispatcher,
  telemetry: Telemetry,
  now: () => Date,
): Dispatcher {
  return {
    async dispatch(...args: Parameters<Dispatcher["dispatch"]>) {
      const outcome = await dispatcher.dispatch(...args);
      if (outcome.settled === "dead-letter") telemetry.deadLettered(outcome.reason);
      if (outcome.settled === "complete" && outcome.delivered.length > 0) {
        const facts = eventFacts(args[0].body);
        if (facts)
          telemetry.eventDelivered(Math.max(0, now().getTime() - facts.occurredAt), facts.action);
      }
      return outcome;
    },
  };
}

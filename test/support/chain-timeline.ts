// One circuit's readings through the pure alert chain at the sweeps' minutes
// after 02:00 UTC: what each sweep sent, as the lifecycle and route-limit
// timelines read it.

import type { AlertState } from "../../src/core/lifecycle.js";
import type { Silence } from "../../src/core/policy.js";
import { alertChain } from "./alert-chain.js";
import { circuitReading, type CircuitSpec } from "./readings.js";

export const TIMELINE_T0 = Date.parse("2026-11-22T02:00:00.000Z");

export interface TimelineSweep {
  minute: number;
  spec: CircuitSpec;
  silences?: Silence[];
}

/**
 * Each sweep's notifications as `family:action:severity`, sorted, or "-" when
 * nothing was sent; every event's `change` line; the blind notices' lost paths.
 */
export function chainTimeline(
  sweeps: TimelineSweep[],
  /** What storage holds before each sweep, as a test changes it (alert-chain.ts). */
  stored?: (states: Map<string, AlertState>, now: Date) => void,
): {
  sent: string[];
  changes: string[];
  blindPaths: unknown[];
} {
  const sweep = alertChain(undefined, stored);
  const sent: string[] = [];
  const changes: string[] = [];
  const blindPaths: unknown[] = [];
  for (const s of sweeps) {
    const now = new Date(TIMELINE_T0 + s.minute * 60_000);
    const heard = sweep(circuitReading({ ...s.spec, readAt: now.toISOString() }), now, s.silences);
    sent.push(
      heard.length > 0
        ? heard
            .map((h) => `${h.family}:${h.action}:${h.event.severity}`)
            .sort()
            .join(" ")
        : "-",
    );
    changes.push(...heard.map((h) => h.event.change));
    blindPaths.push(...heard.flatMap((h) => (h.event.blindPaths ? [h.event.blindPaths] : [])));
  }
  return { sent, changes, blindPaths };
}

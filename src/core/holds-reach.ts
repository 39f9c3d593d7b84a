// A circuit's broken lower layer holds the alerts of the layers above it (an
// inhibition: one fault, one page). The holder must page whoever the held
// alert would have: with routes by family, layer, owner or code
// (ERWATCH_ACTION_GROUPS), a circuit not enabled by the carrier (circuit-state,
// to the carrier desk) held the gateway team's "gateway not connected" from
// the gateway team, who heard nothing. A hold whose holder does not reach
// every receiver the held alert's open would is not kept: that alert pages
// on its own (two pages at worst, never none). Fleet alerts and shared
// Connection Monitors check the same thing their own way (routing.ts
// asMembers, shared-monitor.ts reachesAllOf).

import type { AlertEvent } from "./alert-event.js";
import type { AlertStep, Holds } from "./alert-step.js";
import type { AlertState } from "./lifecycle.js";
import { route, type Routing } from "./routing.js";
import { mostSevere } from "./severity.js";

/** The circuit the alerts are about, as routes match it. */
export interface HoldCircuit {
  id: string;
  name: string;
  tags: Record<string, string>;
}

/** An alert's open as routes see it: its circuit, family, code, grade, layer and owner. */
function openOf(state: AlertState, circuit: HoldCircuit): AlertEvent | null {
  const c = state.condition;
  if (!c) return null;
  const peak = state.notified
    ? (mostSevere([state.notified.peakSeverity, c.severity]) ?? c.severity)
    : c.severity;
  return {
    action: "open",
    family: state.family,
    code: c.code,
    severity: c.severity,
    peakSeverity: peak,
    layer: c.layer,
    owner: c.owner,
    change: "",
    evidence: {},
    circuit: { id: circuit.id, name: circuit.name, tags: circuit.tags },
  } as unknown as AlertEvent;
}

/**
 * The holds among one circuit's own alerts whose holder reaches every
 * receiver the held alert's open would; a resolve-only hold (a flap keeping
 * an outage open) keeps nothing from being heard, and stays.
 */
export function holdsThatReach(
  holds: Holds,
  steps: readonly AlertStep[],
  circuit: HoldCircuit,
  routing: Routing,
): Holds {
  const stateOf = (key: string) => {
    const step = steps.find((s) => s.observation.key === key);
    return step ? (step.advanced ?? step.previous) : null;
  };
  const kept: Holds = new Map();
  for (const [key, hold] of holds) {
    const held = stateOf(key);
    const holder = stateOf(hold.by);
    const heldOpen = held && openOf(held, circuit);
    const holderOpen = holder && openOf(holder, circuit);
    if (hold.only === "resolve" || !heldOpen || !holderOpen) {
      kept.set(key, hold);
      continue;
    }
    const theirs = new Set(route(routing, holderOpen).receivers);
    if (route(routing, heldOpen).receivers.every((r) => theirs.has(r))) kept.set(key, hold);
  }
  return kept;
}

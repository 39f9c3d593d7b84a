// One circuit's sweeps through the whole pure chain of src/app/record-circuit.ts
// (evaluate → advance → inhibition → decide), without storage: what each sweep
// sends. Shared by the lifecycle timelines and the traffic lifecycle property.

import {
  advanceStep,
  decideStep,
  holdsOf,
  type AlertContext,
  type AlertStep,
} from "../../src/core/alert-step.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../src/core/evaluate.js";
import type { HistoryEntry } from "../../src/core/history.js";
import type { AlertState, PendingEvent } from "../../src/core/lifecycle.js";
import type {
  AlertAction,
  AlertFamily,
  CircuitReading,
  CircuitVerdict,
} from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy, type Silence } from "../../src/core/policy.js";
import { applyCriticality } from "../../src/core/severity.js";
import type { Snapshot } from "../../src/core/snapshot.js";

export const CHAIN_POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

/** What the receivers hear of one alert at a sweep, with its family. */
export interface Sent {
  family: AlertFamily;
  action: AlertAction;
  event: PendingEvent;
  /** The alert as it stands after the event, and the verdict it was decided on (to build the AlertEvent from). */
  state: AlertState;
  verdict: CircuitVerdict;
}

/** What the chain keeps between sweeps: the snapshot, the history, each alert's state. */
export function alertChain(
  /** Each key's step as advanced, with the context it was advanced in (a test's look inside). */
  onStep?: (step: AlertStep, ctx: AlertContext) => void,
  /** What storage holds before each sweep, to change as a test needs (a row an older erwatch wrote). */
  stored?: (states: Map<string, AlertState>, now: Date) => void,
  /** The alert policy (ERWATCH_ALERT_POLICY) when not the default. */
  alerts: AlertPolicy = DEFAULT_ALERT_POLICY,
): (reading: CircuitReading, now: Date, silences?: Silence[]) => Sent[] {
  const policy: EvaluationPolicy = { ...CHAIN_POLICY, alerts };
  let snapshot: Snapshot | null = null;
  const history: HistoryEntry[] = [];
  const states = new Map<string, AlertState>();
  return (reading, now, silences = []) => {
    stored?.(states, now);
    const known = [...states.values()].map((a) => ({
      key: a.key,
      family: a.family,
      peering: a.peering,
    }));
    const evaluation = evaluateCircuit(reading, snapshot, history, known, policy, now);
    snapshot = evaluation.snapshot;
    history.push(...evaluation.changes);
    // As record-circuit.ts's alertContext builds it.
    const ctx: AlertContext = {
      policy: alerts,
      silences,
      circuit: { id: reading.ref.id, name: reading.ref.name },
      now,
      blindSeverity: applyCriticality(
        CHAIN_POLICY.classify.severity.blind,
        reading.settings.criticality,
      ),
    };
    const steps = evaluation.observations.map((o) =>
      advanceStep(o, states.get(o.key) ?? null, ctx),
    );
    for (const step of steps) onStep?.(step, ctx);
    const holds = holdsOf(steps, reading.ref.id);
    const sent: Sent[] = [];
    for (const step of steps) {
      const decision = decideStep(step, holds, ctx);
      if (!decision) continue;
      states.set(decision.next.key, decision.next);
      if (decision.action !== "none")
        sent.push({
          family: step.observation.family,
          action: decision.action,
          event: decision.event,
          state: decision.next,
          verdict: evaluation.verdict,
        });
    }
    return sent;
  };
}

// One circuit, one sweep, everything that decides: the verdict (classified,
// with flaps, the prefix trend and the circuit's criticality applied here and
// nowhere else), the next snapshot and its changes, and what each alert key
// observes. Pure: the previous snapshot, history, policy and clock come in.

import { classifyCircuit, type ClassifyOptions } from "./classify.js";
import { diffSnapshot } from "./diff.js";
import { flappingFindings } from "./flapping.js";
import type { HistoryEntry } from "./history.js";
import type { AlertFamily, CircuitReading, CircuitVerdict, PathName } from "./model.js";
import { observe, type Observation } from "./observe.js";
import type { AlertPolicy } from "./policy.js";
import { applyCriticality } from "./severity.js";
import { readPreviousFacts, type Snapshot } from "./snapshot.js";
import { withPrefixTrend } from "./trend.js";
import { applyDataPlane } from "./dataplane/apply.js";
import { DEFAULT_DATA_PLANE_POLICY } from "./dataplane/policy.js";

export interface EvaluationPolicy {
  classify: ClassifyOptions;
  alerts: Pick<AlertPolicy, "flap" | "trendWindowHours">;
}

/** An alert key stored for this circuit, so a condition that is gone is observed as clean. */
export interface KnownAlert {
  key: string;
  family: AlertFamily;
  peering: string | null;
}

export interface Evaluation {
  verdict: CircuitVerdict;
  snapshot: Snapshot;
  /** Layer transitions and prefix samples, for the append-only history. */
  changes: HistoryEntry[];
  observations: Observation[];
}

export function evaluateCircuit(
  reading: CircuitReading,
  previous: Snapshot | null,
  history: HistoryEntry[],
  known: KnownAlert[],
  policy: EvaluationPolicy,
  now: Date,
): Evaluation {
  const previousFacts = readPreviousFacts(previous);
  const dataPlane = applyDataPlane(
    classifyCircuit(reading, {
      ...policy.classify,
      ...(previousFacts ? { previous: previousFacts } : {}),
    }),
    reading,
    policy.classify.dataPlane ?? DEFAULT_DATA_PLANE_POLICY,
    previous?.lastCarriedAt ?? null,
    now,
  );
  const classified = dataPlane.verdict;
  const limits = (peering: string, path: PathName) =>
    classified.peerings.find((p) => p.name === peering)?.limits[path] ?? null;
  const diff = diffSnapshot(previous, classified, limits, now);
  const changes: HistoryEntry[] = [...diff.transitions, ...diff.prefixSamples];
  const recent = [...history, ...changes];
  const flaps = flappingFindings(
    classified,
    recent,
    policy.alerts.flap,
    policy.classify.routeLimits.warnPercent,
    now,
  );
  const findings = withPrefixTrend(
    [...classified.findings, ...flaps],
    classified,
    recent,
    policy.alerts.trendWindowHours,
    now,
  ).map((f) => ({ ...f, severity: applyCriticality(f.severity, reading.settings.criticality) }));
  const verdict: CircuitVerdict = { ...classified, findings };
  const observations = observe(verdict, known, previous?.takenAt ?? null);
  const snapshot =
    Object.keys(dataPlane.memory).length > 0
      ? { ...diff.next, lastCarriedAt: dataPlane.memory }
      : diff.next;
  return { verdict, snapshot, changes, observations };
}

// Injected faults: which requests they hit and how many times. A request can
// be both delayed (a `slow` fault) and answered badly (any other fault), so
// the two are planned separately; each consumes one of its `times`.

import { sameName } from "./ids.js";
import type { Fault, FaultBehaviour, LroOperationName, OperationName } from "./model.js";

/** A slow fault never holds a request longer than this, so a forgotten fault cannot hang a suite. */
export const MAX_DELAY_MS = 30_000;

export interface FaultTarget {
  operation: OperationName;
  circuit?: string;
  peering?: string;
  devicePath?: string;
  lroOperation?: LroOperationName;
  /** metricsBatch: the metric names asked for. */
  metrics?: readonly string[];
  /** The subscription the request's path is under. */
  subscription?: string;
  /** queryLogs: the workspace queried. */
  workspace?: string;
}

export type AnswerFault = Exclude<FaultBehaviour, { kind: "slow" }>;

export interface FaultPlan {
  delayMs: number;
  answer?: AnswerFault;
}

const LRO_READS: readonly OperationName[] = ["arpTable", "routeTablesSummary", "routeTables"];
const LRO_OPERATIONS: readonly OperationName[] = [
  ...LRO_READS,
  "pollOperation",
  "pollAsyncOperation",
];

interface Armed {
  fault: Fault;
  remaining: number;
}

function optionalMatch(wanted: string | undefined, actual: string | undefined): boolean {
  return wanted === undefined || (actual !== undefined && sameName(wanted, actual));
}

function matches(fault: Fault, target: FaultTarget): boolean {
  const m = fault.match;
  if (m.operation !== "*" && m.operation !== target.operation) return false;
  // "never-ending" only means something for a long-running read.
  if (fault.behaviour.kind === "never-ending" && !LRO_OPERATIONS.includes(target.operation))
    return false;
  if (fault.behaviour.kind === "operation-failed" && !LRO_READS.includes(target.operation))
    return false;
  return (
    optionalMatch(m.circuit, target.circuit) &&
    optionalMatch(m.peering, target.peering) &&
    optionalMatch(m.path, target.devicePath) &&
    optionalMatch(m.subscription, target.subscription) &&
    optionalMatch(m.workspace, target.workspace) &&
    (m.lroOperation === undefined || m.lroOperation === target.lroOperation) &&
    (m.metric === undefined || (target.metrics ?? []).some((n) => sameName(n, m.metric!)))
  );
}

export class FaultBook {
  private armed: Armed[] = [];

  add(fault: Fault): void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
      throw new Error(`fault.times must be a positive integer or undefined, got ${fault.times}`);
    }
    if (
      fault.behaviour.kind === "never-ending" &&
      !["*", ...LRO_OPERATIONS].includes(fault.match.operation)
    ) {
      throw new Error(
        `a never-ending fault needs a long-running read or a poll, not ${fault.match.operation}`,
      );
    }
    if (
      fault.behaviour.kind === "operation-failed" &&
      !["*", ...LRO_READS].includes(fault.match.operation)
    ) {
      throw new Error(
        `an operation-failed fault needs a long-running read, not ${fault.match.operation}`,
      );
    }
    this.armed.push({
      fault: structuredClone(fault),
      remaining: fault.times ?? Number.POSITIVE_INFINITY,
    });
  }

  clear(): void {
    this.armed = [];
  }

  /** Decides (and consumes) the faults for one request. */
  plan(target: FaultTarget): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    let delayed = false;
    for (const entry of this.armed) {
      if (entry.remaining <= 0 || !matches(entry.fault, target)) continue;
      const behaviour = entry.fault.behaviour;
      if (behaviour.kind === "slow") {
        if (delayed) continue;
        plan.delayMs = Math.max(0, Math.min(behaviour.delayMs, MAX_DELAY_MS));
        delayed = true;
      } else {
        if (plan.answer) continue;
        plan.answer = behaviour;
      }
      entry.remaining -= 1;
    }
    this.armed = this.armed.filter((e) => e.remaining > 0);
    return plan;
  }
}

// What POST /api/sweep answers for a sweep it waited for, and what
// GET /api/sweep/{id} answers once a sweep answered 202 is done: the report of
// the circuits asked for, plus the sweep's own outcome.

import { buildReport } from "./report.js";
import type { SweepResult } from "./sweep.js";

const lower = (id: string) => id.toLowerCase();

/** The report JSON plus the sweep's id, events, unreached circuits and outbox; `circuitIds` null: the estate. */
export function sweepAnswer(
  result: SweepResult,
  circuitIds: string[] | null,
  joined: boolean,
): Record<string, unknown> {
  const ids = circuitIds && new Set(circuitIds.map(lower));
  const wanted = (id: string) => ids === null || ids.has(lower(id));
  const report = buildReport({
    verdicts: result.verdicts.filter((v) => wanted(v.id)),
    readings: result.readings.filter((r) => wanted(r.ref.id)),
    ignored: result.ignored.filter((i) => wanted(i.id)),
    discoveryFailures: circuitIds === null ? result.discoveryFailures : [],
    errors: result.errors.filter((e) => wanted(e.id)),
    generatedAt: new Date(result.startedAt),
  });
  return {
    ...report,
    sweepId: result.sweepId,
    joined,
    events: result.events.filter((e) => wanted(e.circuit.id)),
    unreached: result.unreached.filter((u) => wanted(u.id)),
    pendingInOutbox: result.pendingInOutbox,
    brokerError: result.brokerError,
  };
}

/** A finished sweep as its status URL answers it: the answer above, its plan and the ARM requests it made. */
export function doneAnswer(
  result: SweepResult,
  circuitIds: string[] | null,
): Record<string, unknown> {
  return {
    ...sweepAnswer(result, circuitIds, false),
    plan: {
      deep: result.plan.deep.length,
      quiet: result.plan.quiet,
      rotationQuota: result.plan.rotationQuota,
    },
    arm: result.arm,
  };
}

// An open alert whose receivers were last told one reading while erwatch now
// reads another: what the lifecycle's decide() is handed in the tests of what
// it sends next (a resolve's title, an update for another owner).

import type { AlertCondition, AlertState, DecideContext } from "../../src/core/lifecycle.js";
import type { AlertFamily, Owner, Severity } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";

export const T0 = Date.parse("2026-11-22T02:00:00.000Z");
export const at = (minutes: number) => new Date(T0 + minutes * 60_000);

export type Reading = Omit<AlertCondition, "evidence" | "ticket">;
/** A condition as classify words it, with no evidence and no ticket. */
export const reading = (r: Reading): AlertCondition => ({ ...r, evidence: {}, ticket: null });

/** What the receivers were last told: `owner` only where the notice kept one. */
export interface Told extends Pick<AlertCondition, "severity" | "title" | "paths"> {
  owner?: Owner;
  peakSeverity: Severity;
  atMinute: number;
  sequence: number;
}

/** Open on circuit er1's private peering since minute 0, told `told`, its last reading `condition`, evaluated at `evaluatedAtMinute`. */
export function toldAlert(
  condition: AlertCondition,
  family: AlertFamily,
  told: Told,
  sweeps: Pick<AlertState, "phase" | "consecutiveFiring" | "consecutiveClean"> & {
    evaluatedAtMinute: number;
  },
): AlertState {
  return {
    key: "erw-k",
    family,
    circuitId: "c1",
    circuitName: "er1",
    peering: "AzurePrivatePeering",
    phase: sweeps.phase,
    consecutiveFiring: sweeps.consecutiveFiring,
    consecutiveClean: sweeps.consecutiveClean,
    firstSeen: at(0).toISOString(),
    condition,
    notified: {
      episode: 1,
      severity: told.severity,
      peakSeverity: told.peakSeverity,
      paths: told.paths,
      title: told.title,
      ...(told.owner !== undefined ? { owner: told.owner } : {}),
      at: at(told.atMinute).toISOString(),
      sequence: told.sequence,
      tickDue: null,
    },
    sequence: told.sequence,
    lastEvaluatedAt: at(sweeps.evaluatedAtMinute).toISOString(),
  };
}

/** A sweep at `now` with the default repeat, nothing silencing, inhibiting or blinding it. */
export const decideAt = (now: Date, extra: Partial<DecideContext> = {}): DecideContext => ({
  now,
  repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
  tickSlackMs: 0,
  silencedBy: null,
  inhibitedBy: null,
  blind: false,
  ...extra,
});

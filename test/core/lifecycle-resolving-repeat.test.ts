// A timed repeat fell due on the first sweep that read the condition clean,
// a sweep before hysteresis let it resolve: the receivers heard "Still
// firing after 50 min" from the sweep that had just read it clean, and its
// resolve five minutes later. A resolving alert is reminded of nothing; back
// the sweep after, the repeat it was owed goes out then, overdue, not lost.

import { describe, expect, it } from "vitest";
import { advanceStep, decideStep, holdsOf, type AlertContext } from "../../src/core/alert-step.js";
import { FAMILY_OF } from "../../src/core/alert-identity.js";
import { conditionOf, type AlertState } from "../../src/core/lifecycle.js";
import {
  FINDING_CODES,
  type Finding,
  type FindingCode,
  type Severity,
} from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);
const CIRCUIT = { id: "c1", name: "er1" };
/** Told at 10:00: the Sev2 repeat falls due at the 10:15 tick. */
const POLICY: AlertPolicy = {
  ...DEFAULT_ALERT_POLICY,
  repeatEveryMinutes: { ...DEFAULT_ALERT_POLICY.repeatEveryMinutes, Sev1: 15, Sev2: 15 },
};

/** One code of each family: the rule is the lifecycle's, not a family's. */
const CODES = [...new Map(FINDING_CODES.map((c) => [FAMILY_OF[c], c] as const)).values()];

function finding(code: FindingCode, severity: Severity): Finding {
  return {
    code,
    severity,
    layer: "provider",
    owner: "carrier",
    peering: "AzurePrivatePeering",
    paths: ["primary"],
    title: `${code} (${severity})`,
    nextAction: "ticket",
    evidence: {},
  };
}

/** Firing since 09:50, told by the 10:00 tick, read firing again at 10:05. */
function told(code: FindingCode): AlertState {
  return {
    key: `erw-${code}`,
    family: FAMILY_OF[code],
    circuitId: CIRCUIT.id,
    circuitName: CIRCUIT.name,
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 4,
    consecutiveClean: 0,
    firstSeen: at(-10).toISOString(),
    condition: conditionOf(finding(code, "Sev2")),
    notified: {
      episode: 1,
      severity: "Sev2",
      peakSeverity: "Sev2",
      paths: ["primary"],
      title: `${code} (Sev2)`,
      at: at(0).toISOString(),
      sequence: 1,
      tickDue: at(0).toISOString(),
    },
    sequence: 1,
    lastEvaluatedAt: at(5).toISOString(),
    lastFiringAt: at(5).toISOString(),
    lastCleanAt: at(-15).toISOString(),
    ticks: 4,
    ticksAt: at(5).toISOString(),
    tickAt: at(5).toISOString(),
  };
}

/** A reading at `minute` after 10:00; "od" marks an on-demand sweep. */
type Reading = [minute: number, seen: Severity | "clean", by?: "od"];

/** What each reading decided, through the core's steps as a sweep takes them: the action, or "-". */
function walk(code: FindingCode, readings: Reading[]): string[] {
  let state = told(code);
  return readings.map(([minute, seen, by]) => {
    const ctx: AlertContext = {
      policy: POLICY,
      silences: [],
      circuit: CIRCUIT,
      now: at(minute),
      ...(by === "od" ? {} : { tick: true, tickDue: at(minute) }),
    };
    const step = advanceStep(
      {
        key: state.key,
        family: state.family,
        circuitId: CIRCUIT.id,
        peering: "AzurePrivatePeering",
        state: seen === "clean" ? "clean" : "firing",
        finding: seen === "clean" ? null : finding(code, seen),
        previousReadAt: state.lastEvaluatedAt,
      },
      state,
      ctx,
    );
    const decision = decideStep(step, holdsOf([step], CIRCUIT.id), ctx);
    if (!decision) return "-";
    state = decision.next;
    return decision.action === "none" ? "-" : decision.action;
  });
}

describe.each(CODES.map((code) => ({ code, family: FAMILY_OF[code] })))(
  "a $family alert whose repeat falls due while it resolves",
  ({ code }) => {
    it.each<{ name: string; readings: Reading[]; sent: string[] }>([
      {
        name: "is not reminded on the clean sweep, and resolves the sweep after",
        readings: [
          [10, "Sev2"],
          [15, "clean"],
          [20, "clean"],
        ],
        sent: ["-", "-", "resolve"],
      },
      {
        name: "back the sweep after, is reminded then",
        readings: [
          [10, "Sev2"],
          [15, "clean"],
          [20, "Sev2"],
          [25, "Sev2"],
        ],
        sent: ["-", "-", "repeat", "-"],
      },
      {
        name: "back after an on-demand sweep read it clean too, is reminded at the next tick",
        readings: [
          [10, "Sev2"],
          [15, "clean"],
          [17, "clean", "od"],
          [20, "Sev2"],
        ],
        sent: ["-", "-", "-", "repeat"],
      },
      {
        name: "back worse, escalates as before (a change of grade is no repeat)",
        readings: [
          [10, "Sev2"],
          [15, "clean"],
          [20, "Sev1"],
        ],
        sent: ["-", "-", "escalate"],
      },
    ])("$name", ({ readings, sent }) => {
      expect(walk(code, readings)).toEqual(sent);
    });
  },
);

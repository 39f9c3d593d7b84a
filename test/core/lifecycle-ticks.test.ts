// Hysteresis at the product's cadence when the sweeps do not fall on the
// 5-minute grid: a past-due tick (after a restart, or behind a sweep that
// overran) and on-demand sweeps between the ticks. A count of sweeps is a
// count of the timer's ticks; an on-demand sweep never moves the lifecycle
// faster than the timer, and a reading off the grid never holds it a sweep.

import { describe, expect, it } from "vitest";
import { advanceStep, decideStep, holdsOf, type AlertContext } from "../../src/core/alert-step.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Finding, Severity } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const CIRCUIT = { id: "c1", name: "er1" };

function finding(severity: Severity): Finding {
  return {
    code: "arp-missing",
    layer: "provider",
    owner: "carrier",
    severity,
    peering: "AzurePrivatePeering",
    paths: severity === "Sev0" ? ["primary", "secondary"] : ["secondary"],
    title: `Layer 2 down (${severity})`,
    evidence: {},
    nextAction: "ticket",
  };
}

/**
 * A reading at `minute` after 10:00: firing at a severity, clean, or "blind"
 * (the layers behind the alert could not be read); "od" marks an on-demand sweep.
 */
type Reading = [
  minute: number,
  seen: Severity | "clean" | "blind",
  /** "undated": a tick whose occurrence is not known (no schedule status). */
  by?: "od" | "older" | "undated",
];

/**
 * What an erwatch from before ticks were counted writes (an older `erwatch
 * sweep` on an engineer's laptop, a worker not yet deployed): its own fields,
 * judged by time alone, and the ones it does not know kept as the row had
 * them (the row's schema passes them through).
 */
function olderWrote(next: AlertState, before: AlertState | null): AlertState {
  const own: Record<string, unknown> = { ...next };
  for (const field of ["ticks", "blindTicks", "ticksAt", "tickAt"]) {
    delete own[field];
    const kept = (before as Record<string, unknown> | null)?.[field];
    if (kept !== undefined) own[field] = kept;
  }
  if (next.notified) {
    const { tickDue: _, ...told } = next.notified;
    own.notified = told;
  }
  return own as unknown as AlertState;
}

/**
 * When a tick at `minute` was due, as the timer says (sweep-timer.ts
 * tickLateMs): the 5-minute occurrence it fired late for, or a moment
 * early, before its occurrence, when it fired (the host's schedule says the
 * one still ahead).
 */
function dueMinute(minute: number): number {
  const late = minute % 5;
  return late > 4.99 ? minute : minute - late;
}

/** What each reading decided, through the core's steps as a sweep takes them: the action, or "-". */
function walk(readings: Reading[], policy: AlertPolicy = DEFAULT_ALERT_POLICY): string[] {
  let state: AlertState | null = null;
  // Known, and clean at the tick before the first reading.
  let previousReadAt = new Date(T0 + (readings[0]![0] - 5) * 60_000).toISOString();
  return readings.map(([minute, seen, by]) => {
    const now = new Date(T0 + minute * 60_000);
    const ctx: AlertContext = {
      policy,
      silences: [],
      circuit: CIRCUIT,
      now,
      ...(by === undefined || by === "undated" ? { tick: true } : {}),
      ...(by === undefined ? { tickDue: new Date(T0 + dueMinute(minute) * 60_000) } : {}),
    };
    const step = advanceStep(
      {
        key: "erw-k",
        family: "path-down",
        circuitId: CIRCUIT.id,
        peering: "AzurePrivatePeering",
        state: seen === "clean" ? "clean" : seen === "blind" ? "unknown" : "firing",
        finding: seen === "clean" || seen === "blind" ? null : finding(seen),
        previousReadAt,
      },
      state,
      ctx,
    );
    previousReadAt = now.toISOString();
    const decision = decideStep(step, holdsOf([step], CIRCUIT.id), ctx);
    if (!decision) return "-";
    state = by === "older" ? olderWrote(decision.next, state) : decision.next;
    if (decision.action === "none") return "-";
    const blind = decision.event.change.startsWith("Blind:") ? " (blind)" : "";
    return `${decision.action}:${decision.event.severity}${blind}`;
  });
}

describe("a reading off the grid does not hold the next tick's open or resolve", () => {
  it.each<{ name: string; readings: Reading[]; sent: string[] }>([
    {
      // The 10:05 tick ran at 10:06:30 behind a sweep that overran (isPastDue).
      name: "a Sev0 at the 10:10 tick after the past-due 10:05 tick read it clean",
      readings: [
        [0, "clean"],
        [6.5, "clean"],
        [10, "Sev0"],
      ],
      sent: ["-", "-", "open:Sev0"],
    },
    {
      // Someone ran `erwatch sweep` at 10:08 and it read healthy; it broke at 10:09.
      name: "a Sev0 at the 10:10 tick after an on-demand sweep read it clean at 10:08",
      readings: [
        [5, "clean"],
        [8, "clean", "od"],
        [10, "Sev0"],
      ],
      sent: ["-", "-", "open:Sev0"],
    },
    {
      name: "a Sev2 opens at its second tick after a past-due tick read it clean",
      readings: [
        [0, "clean"],
        [6.5, "clean"],
        [10, "Sev2"],
        [15, "Sev2"],
      ],
      sent: ["-", "-", "-", "open:Sev2"],
    },
    {
      name: "a Sev0 resolves at its second clean tick after a past-due tick read it firing",
      readings: [
        [0, "Sev0"],
        [6.5, "Sev0"],
        [10, "clean"],
        [15, "clean"],
      ],
      sent: ["open:Sev0", "-", "-", "resolve:Sev0"],
    },
    {
      name: "a Sev2 resolves at its second clean tick after an on-demand sweep read it firing",
      readings: [
        [0, "Sev2"],
        [5, "Sev2"],
        [8, "Sev2", "od"],
        [10, "clean"],
        [15, "clean"],
      ],
      sent: ["-", "open:Sev2", "-", "-", "resolve:Sev2"],
    },
    {
      // A cold start 40 s late, then the next tick on time.
      name: "a Sev2 opens at its second tick after a cold-start tick 40 s late read it clean",
      readings: [
        [0.67, "clean"],
        [5, "Sev2"],
        [10, "Sev2"],
      ],
      sent: ["-", "-", "open:Sev2"],
    },
  ])("$name", ({ readings, sent }) => {
    expect(walk(readings)).toEqual(sent);
  });
});

describe("an on-demand sweep still never moves the lifecycle faster than the timer", () => {
  it.each<{ name: string; readings: Reading[]; sent: string[] }>([
    {
      name: "a Sev0 first seen on demand 3.5 min after a clean tick pages at the next tick",
      readings: [
        [5, "clean"],
        [8.5, "Sev0", "od"],
        [10, "Sev0"],
      ],
      sent: ["-", "-", "open:Sev0"],
    },
    {
      // Two firing readings, one of them on demand: one tick, not two.
      name: "a Sev2 seen on demand and then at one tick waits for its second tick",
      readings: [
        [5, "clean"],
        [8, "Sev2", "od"],
        [10, "Sev2"],
        [15, "Sev2"],
      ],
      sent: ["-", "-", "-", "open:Sev2"],
    },
    {
      name: "two clean readings, one on demand, do not resolve a Sev0 at the first clean tick",
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [7, "clean", "od"],
        [10, "clean"],
        [15, "clean"],
      ],
      sent: ["open:Sev0", "-", "-", "-", "resolve:Sev0"],
    },
  ])("$name", ({ readings, sent }) => {
    expect(walk(readings)).toEqual(sent);
  });
});

describe("minutes given are minutes, whatever the ticks", () => {
  it("openAfterMinutes 10 with one sweep: a clean reading at 10:06:30 holds it until 10:20", () => {
    const policy: AlertPolicy = {
      ...DEFAULT_ALERT_POLICY,
      openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev2: 1 },
      openAfterMinutes: { Sev2: 10 },
    };
    expect(
      walk(
        [
          [6.5, "clean"],
          [10, "Sev2"],
          [15, "Sev2"],
          [20, "Sev2"],
        ],
        policy,
      ),
    ).toEqual(["-", "-", "-", "open:Sev2"]);
  });
});

describe("a repeat is the timer's: an on-demand sweep neither doubles nor takes it", () => {
  const repeating = (minutes: number): AlertPolicy => ({
    ...DEFAULT_ALERT_POLICY,
    repeatEveryMinutes: { ...DEFAULT_ALERT_POLICY.repeatEveryMinutes, Sev0: minutes },
  });
  it.each<{ name: string; every: number; readings: Reading[]; sent: string[] }>([
    {
      // "Every minute": each tick reminds, and a sweep someone ran 12 s after one does not again.
      name: "repeat every minute: an on-demand sweep 12 s after the tick's repeat sends none",
      every: 1,
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [5.2, "Sev0", "od"],
        [10, "Sev0"],
      ],
      sent: ["open:Sev0", "repeat:Sev0", "-", "repeat:Sev0"],
    },
    {
      // Sent at 10:09 on demand, the 10:10 tick found it 1 min old and skipped it.
      name: "repeat every 5 minutes: an on-demand sweep 4 min after the tick does not take the next tick's repeat",
      every: 5,
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [9, "Sev0", "od"],
        [10, "Sev0"],
      ],
      sent: ["open:Sev0", "repeat:Sev0", "-", "repeat:Sev0"],
    },
    {
      name: "repeat every 5 minutes: a tick 0.3 s early still reminds",
      every: 5,
      readings: [
        [0, "Sev0"],
        [4.995, "Sev0"],
        [10, "Sev0"],
      ],
      sent: ["open:Sev0", "repeat:Sev0", "repeat:Sev0"],
    },
    {
      // 7 minutes at a 5-minute cadence: the first tick at least 7 minutes on.
      name: "repeat every 7 minutes reminds every other tick",
      every: 7,
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [10, "Sev0"],
        [15, "Sev0"],
        [20, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "repeat:Sev0", "-", "repeat:Sev0"],
    },
  ])("$name", ({ every, readings, sent }) => {
    expect(walk(readings, repeating(every))).toEqual(sent);
  });
});

describe("a repeat keeps the timer's cadence when a tick fires late", () => {
  const repeating = (minutes: number): AlertPolicy => ({
    ...DEFAULT_ALERT_POLICY,
    repeatEveryMinutes: { ...DEFAULT_ALERT_POLICY.repeatEveryMinutes, Sev0: minutes },
  });
  it.each<{ name: string; every: number; readings: Reading[]; sent: string[] }>([
    {
      // Timed from 10:16:30 to the millisecond, the 10:30 tick found it 13.5
      // minutes old and every repeat after came at :35, :50, a tick late.
      name: "a repeat sent by a tick 90 s past due: the next is at 10:30, on the cadence",
      every: 15,
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [10, "Sev0"],
        [16.5, "Sev0"],
        [20, "Sev0"],
        [25, "Sev0"],
        [30, "Sev0"],
        [35, "Sev0"],
        [45, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "repeat:Sev0", "-", "-", "repeat:Sev0", "-", "repeat:Sev0"],
    },
    {
      // Opened by a tick 90 s past due: its first repeat is the 10:15 tick's, not 10:20's.
      name: "an open sent by a tick 90 s past due: the repeat is at 10:15",
      every: 15,
      readings: [
        [1.5, "Sev0"],
        [5, "Sev0"],
        [10, "Sev0"],
        [15, "Sev0"],
        [20, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "repeat:Sev0", "-"],
    },
    {
      // A tick 90 s late when the repeat falls due still sends it; the next is on the cadence.
      name: "a tick 90 s past due when the repeat falls due: it reminds, and the next is 15 minutes on the cadence",
      every: 15,
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [10, "Sev0"],
        [16.5, "Sev0"],
        [25, "Sev0"],
        [30, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "repeat:Sev0", "-", "repeat:Sev0"],
    },
    {
      // Opened on demand at 10:03: the 10:10 tick finds it 7 minutes old, past
      // the 6; rounded to one tick (5 min) it was held to 10:15, 12 minutes on.
      name: "an open sent on demand: the first tick past the interval reminds, though it rounds to fewer ticks",
      every: 6,
      readings: [
        [3, "Sev0", "od"],
        [5, "Sev0"],
        [10, "Sev0"],
        [15, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "repeat:Sev0", "-"],
    },
    {
      // Timed from 10:18, the 10:30 tick found it 12 minutes old, which
      // rounds to two ticks: every repeat after it came a tick late (:35, :50).
      name: "a repeat sent by a tick 3 min past due (more than half a tick): the next is at 10:30, on the cadence",
      every: 15,
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [10, "Sev0"],
        [18, "Sev0"],
        [20, "Sev0"],
        [25, "Sev0"],
        [30, "Sev0"],
        [35, "Sev0"],
        [45, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "repeat:Sev0", "-", "-", "repeat:Sev0", "-", "repeat:Sev0"],
    },
    {
      // Opened by the 10:00 tick fired at 10:04: 11 minutes old at 10:15, two ticks rounded.
      name: "an open sent by a tick 4 min past due: the repeat is at 10:15",
      every: 15,
      readings: [
        [4, "Sev0"],
        [5, "Sev0"],
        [10, "Sev0"],
        [15, "Sev0"],
        [20, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "repeat:Sev0", "-"],
    },
    {
      // Opened by POST /api/sweep at 10:07:30: the 10:20 tick found it 12.5
      // minutes old, rounded to three ticks, and reminded 2.5 minutes early.
      name: "an open sent on demand between ticks: the repeat waits the whole interval, to 10:25",
      every: 15,
      readings: [
        [7.5, "Sev0", "od"],
        [10, "Sev0"],
        [15, "Sev0"],
        [20, "Sev0"],
        [25, "Sev0"],
        [35, "Sev0"],
        [40, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "-", "repeat:Sev0", "-", "repeat:Sev0"],
    },
    {
      // A tick whose occurrence is not known (no schedule status), or an
      // erwatch from before it was kept: the time since, rounded to the nearest tick.
      name: "a repeat told at an occurrence not known: the time since rounded to ticks",
      every: 15,
      readings: [
        [0, "Sev0", "undated"],
        [5, "Sev0"],
        [10, "Sev0"],
        [16.5, "Sev0", "undated"],
        [25, "Sev0"],
        [30, "Sev0"],
      ],
      sent: ["open:Sev0", "-", "-", "repeat:Sev0", "-", "repeat:Sev0"],
    },
  ])("$name", ({ every, readings, sent }) => {
    expect(walk(readings, repeating(every))).toEqual(sent);
  });
});

describe("a Blind: notice waits as many of the timer's ticks as monitoring-blind", () => {
  it.each<{ name: string; readings: Reading[]; sent: string[] }>([
    {
      // Last read by the past-due 10:05 tick at 10:06:30: blind at the 10:10, 10:15 and 10:20 ticks.
      name: "last read by a past-due tick: told at the third tick that could not read it",
      readings: [
        [0, "Sev0"],
        [6.5, "Sev0"],
        [10, "blind"],
        [15, "blind"],
        [20, "blind"],
      ],
      sent: ["open:Sev0", "-", "-", "-", "repeat:Sev0 (blind)"],
    },
    {
      // Two failed on-demand sweeps are not two ticks: told at the 10:20 tick, as without them.
      name: "on-demand sweeps that could not read it do not bring the notice forward",
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [7, "blind", "od"],
        [8, "blind", "od"],
        [10, "blind"],
        [15, "blind"],
        [20, "blind"],
      ],
      sent: ["open:Sev0", "-", "-", "-", "-", "-", "repeat:Sev0 (blind)"],
    },
  ])("$name", ({ readings, sent }) => {
    expect(walk(readings)).toEqual(sent);
  });
});

describe("a reading by an erwatch that does not count ticks counts as on demand", () => {
  it.each<{ name: string; readings: Reading[]; sent: string[] }>([
    {
      // Its clean reading at 10:07 kept the firing row's two ticks as the clean row's.
      name: "a Sev0 an older `erwatch sweep` read clean at 10:07 resolves at the second clean tick",
      readings: [
        [0, "Sev0"],
        [5, "Sev0"],
        [7, "clean", "older"],
        [10, "clean"],
        [15, "clean"],
      ],
      sent: ["open:Sev0", "-", "-", "-", "resolve:Sev0"],
    },
    {
      // Its firing reading at 10:09 kept the clean row's tick as the firing row's.
      name: "a Sev2 an older `erwatch sweep` read firing at 10:09 opens at its second tick",
      readings: [
        [0, "Sev2"],
        [5, "clean"],
        [9, "Sev2", "older"],
        [10, "Sev2"],
        [15, "Sev2"],
      ],
      sent: ["-", "-", "-", "-", "open:Sev2"],
    },
  ])("$name", ({ readings, sent }) => {
    expect(walk(readings)).toEqual(sent);
  });
});

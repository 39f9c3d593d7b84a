// Time that does not behave: the host clock stepping back (an NTP correction,
// a host whose clock ran ahead), so a sweep's clock reads earlier than what
// storage holds; a gap in the sweeps (the function app stopped for days).
// One circuit through the whole pure chain, as on-call lives it.

import { describe, expect, it } from "vitest";
import {
  alreadyEvaluated,
  CONCURRENT_SWEEP_MS,
  type AlertState,
} from "../../src/core/lifecycle.js";
import type { PathName } from "../../src/core/model.js";
import { chainTimeline, TIMELINE_T0 } from "../support/chain-timeline.js";
import { alertChain } from "../support/alert-chain.js";
import { circuitReading, failed, type CircuitSpec, type PathSpec } from "../support/readings.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";

const down: PathSpec = { arp: "empty", bgp: "Idle" };
const paths = (p: Partial<Record<PathName, PathSpec>>): CircuitSpec => ({
  paths: { AzurePrivatePeering: p },
});
const healthy = paths({});
const primaryDown = paths({ primary: down });
const bothDown = paths({ primary: down, secondary: down });
const unread: PathSpec = {
  arp: failed({ kind: "server-error" }),
  bgp: failed({
    kind: "server-error",
    call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/action",
  }),
};
const blind = paths({ primary: unread, secondary: unread });
const at = (minute: number) => new Date(TIMELINE_T0 + minute * 60_000);
/** Sweeps for chainTimeline, each `[minute, circuit]`. */
const sweepsAt = (sweeps: [number, CircuitSpec][]) =>
  sweeps.map(([minute, spec]) => ({ minute, spec }));

describe("the clock steps back two hours between sweeps", () => {
  // Minutes 120 and 125 by a clock two hours fast; then it is corrected and
  // the sweeps come at 10, 15, 20 ... with everything stored dated 02:05 ahead.
  it.each<{ name: string; sweeps: [number, CircuitSpec][]; sent: string[] }>([
    {
      // Frozen as "judged by a concurrent sweep", the Sev0 waited two hours.
      name: "the other path goes down too: the escalation to Sev0 goes out at once",
      sweeps: [
        [120, primaryDown],
        [125, primaryDown],
        [10, bothDown],
        [15, bothDown],
      ],
      sent: ["-", "path-down:open:Sev2", "path-down:escalate:Sev0", "-"],
    },
    {
      // Its clean sweeps were counted from a time two hours ahead: no resolve
      // until the clock got there. Now the wait counts from the first sweep
      // after the step.
      name: "the path comes back: it resolves after its clean sweeps, not two hours later",
      sweeps: [
        [120, primaryDown],
        [125, primaryDown],
        [10, healthy],
        [15, healthy],
        [20, healthy],
        [25, healthy],
      ],
      sent: ["-", "path-down:open:Sev2", "-", "-", "path-down:resolve:Sev2", "-"],
    },
    {
      // A new alert waited its hysteresis from the last clean read, dated two hours ahead.
      name: "a healthy circuit loses both paths: the Sev0 opens within a sweep, not two hours later",
      sweeps: [
        [120, healthy],
        [125, healthy],
        [10, bothDown],
        [15, bothDown],
        [20, bothDown],
      ],
      sent: ["-", "-", "-", "path-down:open:Sev0", "-"],
    },
    {
      // No burst and no silence: the repeat interval counts from the step.
      name: "an open Sev0 keeps firing: no repeat at the step, one 4 h after it",
      sweeps: [
        [120, bothDown],
        [125, bothDown],
        [10, bothDown],
        [15, bothDown],
        [10 + 240, bothDown],
        [15 + 240, bothDown],
      ],
      sent: ["path-down:open:Sev0", "-", "-", "-", "path-down:repeat:Sev0", "-"],
    },
  ])("$name", ({ sweeps, sent }) => {
    const got = chainTimeline(sweepsAt(sweeps));
    expect(got.sent).toEqual(sent);
    // Never a time running backwards in the words.
    for (const change of got.changes) expect(change).not.toMatch(/(after|in|for) -\d|NaN/);
  });

  it("a small step back is still a concurrent sweep's instant: judged once", () => {
    const got = chainTimeline(
      sweepsAt([
        [120, primaryDown],
        [125, primaryDown],
        [124, bothDown],
        [129, bothDown],
      ]),
    );
    expect(got.sent).toEqual(["-", "path-down:open:Sev2", "-", "path-down:escalate:Sev0"]);
  });
});

describe("a circuit erwatch never read before", () => {
  // Never seen clean, its wait counted as forever: an on-demand sweep seconds
  // after the timer's first sighting opened a Sev2 at once.
  it.each<{ name: string; sweeps: [number, CircuitSpec][]; sent: string[] }>([
    {
      name: "an on-demand sweep 6 s after the timer's first sighting does not open it",
      sweeps: [
        [0, primaryDown],
        [0.1, primaryDown],
        [5, primaryDown],
      ],
      sent: ["-", "-", "path-down:open:Sev2"],
    },
    {
      name: "at the timer's cadence it opens as a known circuit's would",
      sweeps: [
        [0, primaryDown],
        [5, primaryDown],
      ],
      sent: ["-", "path-down:open:Sev2"],
    },
    {
      name: "a known circuit: the same",
      sweeps: [
        [-5, healthy],
        [0, primaryDown],
        [0.1, primaryDown],
        [5, primaryDown],
      ],
      sent: ["-", "-", "-", "path-down:open:Sev2"],
    },
  ])("$name", ({ sweeps, sent }) => {
    expect(chainTimeline(sweepsAt(sweeps)).sent).toEqual(sent);
  });
});

describe("alreadyEvaluated", () => {
  const judged = (iso: string) => ({ lastEvaluatedAt: iso }) as AlertState;
  it.each<{ name: string; stored: string; now: Date; concurrent: boolean }>([
    { name: "the same instant", stored: at(5).toISOString(), now: at(5), concurrent: true },
    { name: "a later sweep", stored: at(5).toISOString(), now: at(6), concurrent: false },
    {
      name: "a concurrent sweep that started earlier",
      stored: at(5).toISOString(),
      now: at(1),
      concurrent: true,
    },
    {
      name: "as far ahead as a sweep can run",
      stored: new Date(at(0).getTime() + CONCURRENT_SWEEP_MS).toISOString(),
      now: at(0),
      concurrent: true,
    },
    {
      name: "further ahead than any sweep runs: a clock that stepped back",
      stored: at(120).toISOString(),
      now: at(0),
      concurrent: false,
    },
    { name: "a time that is no date", stored: "zzz", now: at(0), concurrent: false },
  ])("$name", ({ stored, now, concurrent }) => {
    expect(alreadyEvaluated(judged(stored), now)).toBe(concurrent);
  });
});

describe("a gap in the sweeps: the function app stopped for three days", () => {
  const D = 3 * 24 * 60;
  const up = (upDown: string) => paths({ primary: { upDown } });
  const blip = paths({ primary: down });
  it.each<{ name: string; sweeps: [number, CircuitSpec][]; sent: string[] }>([
    {
      // The session reset a day before erwatch came back (uptime 1 day, the
      // last read 3 days ago): two changes a day old, not in the last hour.
      // Counted at the sweep that saw it, one blip after the restart made
      // "4 changes in 60 min (1 reset between reads)", a Sev2 flap alert
      // with a carrier ticket.
      name: "a reset during the gap and one blip after it: no flap alert",
      sweeps: [
        [0, up("2d00h")],
        [D, up("1d00h")],
        [D + 5, blip],
        [D + 10, up("00:03:00")],
        [D + 15, up("00:08:00")],
      ],
      sent: ["-", "-", "-", "-", "-"],
    },
    {
      // The same changes inside the hour are a flap, as before.
      name: "a reset between two sweeps 5 min apart and one blip: the flap alert opens",
      sweeps: [
        [0, up("2d00h")],
        [5, up("00:02:00")],
        [10, blip],
        [15, up("00:03:00")],
        [20, up("00:08:00")],
      ],
      sent: ["-", "-", "-", "session-flapping:open:Sev2", "-"],
    },
    {
      // One repeat for the gap, not one per interval it spanned.
      name: "an open Sev0 still down after the gap: one repeat, then quiet",
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [D, bothDown],
        [D + 5, bothDown],
        [D + 10, bothDown],
      ],
      sent: ["path-down:open:Sev0", "-", "path-down:repeat:Sev0", "-", "-"],
    },
    {
      // Blind since its last reading 3 h ago, but erwatch was not sweeping:
      // one read that failed is not 3 failed sweeps. The pager heard
      // "Blind: ... (see its monitoring-blind alert)" with no such alert open,
      // and the next sweep read the circuit again.
      name: "an open Sev0 whose first read after the gap fails once: no Blind notice",
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [180, blind],
        [185, bothDown],
      ],
      sent: ["path-down:open:Sev0", "-", "-", "-"],
    },
    {
      // Failing on, it is told with monitoring-blind, as without a gap.
      name: "an open Sev0 that cannot be read after the gap: Blind with monitoring-blind",
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [180, blind],
        [185, blind],
        [190, blind],
        [195, blind],
      ],
      sent: [
        "path-down:open:Sev0",
        "-",
        "-",
        "-",
        "monitoring-blind:open:Sev3 path-down:repeat:Sev0",
        "-",
      ],
    },
    {
      name: "without a gap: Blind with monitoring-blind, as before",
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [10, blind],
        [15, blind],
        [20, blind],
        [25, blind],
      ],
      sent: [
        "path-down:open:Sev0",
        "-",
        "-",
        "-",
        "monitoring-blind:open:Sev3 path-down:repeat:Sev0",
        "-",
      ],
    },
  ])("$name", ({ sweeps, sent }) => {
    const got = chainTimeline(sweepsAt(sweeps));
    expect(got.sent).toEqual(sent);
  });
});

describe("an open Sev0 already blind when erwatch is upgraded to count blind sweeps", () => {
  // The version before wrote no blindSweeps: its rows say only that the last
  // evaluation read nothing. Started afresh at the first sweep after the
  // deploy, the blind notice waited two more sweeps for a spell already two
  // sweeps old: monitoring-blind opened on time (Teams), and whoever holds the
  // Sev0 at PagerDuty heard "Blind:" ten minutes after it.
  const olderErwatch =
    (upTo: number) =>
    (states: Map<string, AlertState>, now: Date): void => {
      if (now.getTime() > at(upTo).getTime()) return;
      for (const [key, state] of states) {
        const { blindSweeps: _, ...written } = state;
        states.set(key, written);
      }
    };
  it.each<{ name: string; deployedAt: number }>([
    { name: "deployed before its third failed sweep", deployedAt: 20 },
    { name: "deployed before its second failed sweep", deployedAt: 15 },
    { name: "deployed long before (no row without blindSweeps)", deployedAt: 0 },
  ])("$name: Blind with monitoring-blind, as before", ({ deployedAt }) => {
    const got = chainTimeline(
      sweepsAt([
        [0, bothDown],
        [5, bothDown],
        [10, blind],
        [15, blind],
        [20, blind],
        [25, blind],
        [30, blind],
      ]),
      olderErwatch(deployedAt),
    );
    expect(got.sent).toEqual([
      "path-down:open:Sev0",
      "-",
      "-",
      "-",
      "monitoring-blind:open:Sev3 path-down:repeat:Sev0",
      "-",
      "-",
    ]);
  });
});

describe("a blind spell that began before a gap in the sweeps", () => {
  // Counted in time from its first failed sweep, a read that failed once just
  // before the function app was stopped for 3 h counted those 3 h: one more
  // failed read after the restart told the pager "Blind: ... (see its
  // monitoring-blind alert)" a sweep before monitoring-blind opened. Failed
  // sweeps are counted now, as monitoring-blind counts them.
  it("one failed read before the stop and two after: Blind with monitoring-blind, not before", () => {
    const got = chainTimeline(
      sweepsAt([
        [0, bothDown],
        [5, bothDown],
        [10, blind],
        [190, blind],
        [195, blind],
        [200, blind],
      ]),
    );
    expect(got.sent).toEqual([
      "path-down:open:Sev0",
      "-",
      "-",
      "-",
      "monitoring-blind:open:Sev3 path-down:repeat:Sev0",
      "-",
    ]);
  });
});

describe("a monitoring-blind that waits longer than its sweeps (openAfterMinutes)", () => {
  // The notice waited blindAfterSweeps intervals whatever monitoring-blind's
  // own wait: with 30 minutes set for Sev3, the pager heard "Blind: … (see its
  // monitoring-blind alert)" at 15 and the alert opened at 30.
  it.each<{ name: string; criticality: "normal" | "high" }>([
    { name: "a Sev3 monitoring-blind with 30 minutes set", criticality: "normal" },
    { name: "a Sev2 one (criticality high) keeps its own wait", criticality: "high" },
  ])("$name: Blind with it, not before", ({ criticality }) => {
    const alerts = { ...DEFAULT_ALERT_POLICY, openAfterMinutes: { Sev3: 30 } };
    const sweep = alertChain(undefined, undefined, alerts);
    const sent = [0, 5, 10, 15, 20, 25, 30, 35].map((minute) => {
      const spec = minute < 10 ? bothDown : blind;
      const now = at(minute);
      const heard = sweep(
        circuitReading({ ...spec, settings: { criticality }, readAt: now.toISOString() }),
        now,
      );
      return (
        heard
          .map((h) => `${h.family}:${h.action}`)
          .sort()
          .join(" ") || "-"
      );
    });
    const together = "monitoring-blind:open path-down:repeat";
    // 30 minutes after the last reading (at 5) for the Sev3; the Sev2 keeps three sweeps.
    expect(sent.indexOf(together)).toBe(criticality === "normal" ? 7 : 4);
    expect(sent.filter((s) => s.includes("repeat"))).toEqual([together]);
  });
});

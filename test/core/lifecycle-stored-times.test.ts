// An alert row's times are any text to its schema (a hand edit, a cut-off
// write, an older erwatch), and a snapshot's takenAt too. Date.parse read ""
// and "yesterday" as NaN (an age past no limit: a wait that never ends) and
// "42" as the year 2042 (a time after the clock). Whatever a stored time says,
// the circuit's alerts still open, repeat, go blind and resolve: an unreadable
// time is never "fresh", never "read after", and never an end to a wait.
// One circuit through the whole pure chain, with its stored alert edited once.

import { describe, expect, it } from "vitest";
import { blindNotice } from "../../src/core/blind-notice.js";
import { alreadyEvaluated, type AlertState } from "../../src/core/lifecycle.js";
import type { PathName } from "../../src/core/model.js";
import { chainTimeline, TIMELINE_T0 } from "../support/chain-timeline.js";
import { failed, type CircuitSpec, type PathSpec } from "../support/readings.js";

const down: PathSpec = { arp: "empty", bgp: "Idle" };
const unread: PathSpec = {
  arp: failed({ kind: "server-error" }),
  bgp: failed({
    kind: "server-error",
    call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/action",
  }),
};
const paths = (p: Partial<Record<PathName, PathSpec>>): CircuitSpec => ({
  paths: { AzurePrivatePeering: p },
});
const healthy = paths({});
const primaryDown = paths({ primary: down });
const bothDown = paths({ primary: down, secondary: down });
const blind = paths({ primary: unread, secondary: unread });
/** monitoring-blind opens, and the Sev0's holder hears Blind: (a repeat) in the same sweep. */
const BLIND = "monitoring-blind:open:Sev3 path-down:repeat:Sev0";
const at = (minute: number) => new Date(TIMELINE_T0 + minute * 60_000);

/** Text no erwatch writes, and an instant read in the host's zone by Date.parse. */
const ODD: [string, string][] = [
  ["a number as text", "42"],
  ["empty", ""],
  ["a word", "yesterday"],
  ["a time without its zone", "2026-11-22T02:00:00"],
];

type Field = "firstSeen" | "lastFiringAt" | "lastCleanAt" | "notified.at";

/** The sweeps at `[minute, circuit]`, the path-down alert's `field` set to `value` before the sweep at `editAt`. */
function heard(
  sweeps: [number, CircuitSpec][],
  edit?: { at: number; field: Field; value: string | null },
) {
  return chainTimeline(
    sweeps.map(([minute, spec]) => ({ minute, spec })),
    (states, now) => {
      if (!edit || now.getTime() !== at(edit.at).getTime()) return;
      for (const [key, s] of states) {
        if (s.family !== "path-down") continue;
        const next = structuredClone(s) as AlertState & Record<string, unknown>;
        if (edit.field === "notified.at") next.notified!.at = edit.value as string;
        else next[edit.field] = edit.value;
        states.set(key, next);
      }
    },
  );
}

describe("an alert whose stored time is not a time", () => {
  // Each timeline with the edit, against the same without it (the control).
  const rows: {
    what: string;
    field: Field;
    editAt: number;
    sweeps: [number, CircuitSpec][];
    control: string[];
    /** What it sends with the odd time: the control, or a bounded difference named here. */
    odd: string[];
  }[] = [
    {
      // Resolved at 15 (clean since); clean at 15, broken again at 20: opens at once.
      // "yesterday": lastCleanAt NaN, the open's wait never ended (pending for good).
      what: "breaks again after its last clean reading: it opens as it would",
      field: "lastCleanAt",
      editAt: 20,
      sweeps: [
        [0, primaryDown],
        [5, primaryDown],
        [10, healthy],
        [15, healthy],
        [20, bothDown],
        [25, bothDown],
        [30, bothDown],
      ],
      control: [
        "-",
        "path-down:open:Sev2",
        "-",
        "path-down:resolve:Sev2",
        "path-down:open:Sev0",
        "-",
        "-",
      ],
      odd: [
        "-",
        "path-down:open:Sev2",
        "-",
        "path-down:resolve:Sev2",
        "path-down:open:Sev0",
        "-",
        "-",
      ],
    },
    {
      // Never read clean (lastCleanAt null), pending from 0: its wait counts
      // from its first sighting. "yesterday": NaN, never opened.
      what: "pending, its first sighting not a time: it opens no later than it would",
      field: "firstSeen",
      editAt: 5,
      sweeps: [
        [0, primaryDown],
        [5, primaryDown],
        [10, primaryDown],
        [15, primaryDown],
      ],
      control: ["-", "path-down:open:Sev2", "-", "-"],
      odd: ["-", "path-down:open:Sev2", "-", "-"],
    },
    {
      // "yesterday": the repeat's interval never passed. Its last notification
      // at an unknown time: reminded at once, then every 4 h from that.
      what: "open and firing, its last notification not a time: reminded, never left unreminded",
      field: "notified.at",
      editAt: 5,
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [10, bothDown],
        [240, bothDown],
        [245, bothDown],
        [250, bothDown],
      ],
      control: ["path-down:open:Sev0", "-", "-", "path-down:repeat:Sev0", "-", "-"],
      odd: ["path-down:open:Sev0", "path-down:repeat:Sev0", "-", "-", "path-down:repeat:Sev0", "-"],
    },
    {
      // "yesterday": the clean time never counted (NaN), so it never resolved;
      // "" counted as never fired (resolved on the count alone). Its last
      // firing at an unknown time: the clean wait counts from the first clean
      // reading, a sweep later than the control at most.
      what: "recovers, its last firing not a time: it resolves, never earlier",
      field: "lastFiringAt",
      editAt: 10,
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [10, healthy],
        [15, healthy],
        [20, healthy],
        [25, healthy],
      ],
      control: ["path-down:open:Sev0", "-", "-", "path-down:resolve:Sev0", "-", "-"],
      odd: ["path-down:open:Sev0", "-", "-", "-", "path-down:resolve:Sev0", "-"],
    },
    {
      // Never read clean; its last firing not a time: no reading time known
      // at all. "yesterday": never a Blind: notice. Now it goes by the failed
      // sweeps counted, as monitoring-blind does.
      what: "blind, its last firing not a time: the pager hears Blind:",
      field: "lastFiringAt",
      editAt: 10,
      sweeps: [
        [0, bothDown],
        [5, bothDown],
        [10, blind],
        [15, blind],
        [20, blind],
        [25, blind],
        [30, blind],
      ],
      control: ["path-down:open:Sev0", "-", "-", "-", BLIND, "-", "-"],
      odd: ["path-down:open:Sev0", "-", "-", "-", BLIND, "-", "-"],
    },
    {
      // Read clean at -5, then firing: the blindness counts from the last
      // firing (5), whatever the clean time says. "42" was a time after the
      // clock, taken as now: the notice a sweep late.
      what: "blind, its last clean reading not a time: the pager hears Blind: on time",
      field: "lastCleanAt",
      editAt: 10,
      sweeps: [
        [-5, healthy],
        [0, bothDown],
        [5, bothDown],
        [10, blind],
        [15, blind],
        [20, blind],
        [25, blind],
        [30, blind],
      ],
      control: ["-", "path-down:open:Sev0", "-", "-", "-", BLIND, "-", "-"],
      odd: ["-", "path-down:open:Sev0", "-", "-", "-", BLIND, "-", "-"],
    },
  ];

  it.each(rows)("$what (the control)", ({ sweeps, control }) => {
    expect(heard(sweeps).sent).toEqual(control);
  });

  describe.each(rows)("$what", ({ sweeps, field, editAt, odd }) => {
    it.each(ODD)(`${field} %s (%j)`, (_, value) => {
      const got = heard(sweeps, { at: editAt, field, value });
      expect(got.sent).toEqual(odd);
      // Never a time that is not one in the words.
      for (const change of got.changes)
        expect(change).not.toMatch(/NaN|-\d+ min|since (42|yesterday)\b|since ;|since \(/);
    });
  });
});

describe("a blind notice with no reading time known", () => {
  const NOW = new Date("2026-11-22T02:15:00.000Z");
  const state = (over: Partial<AlertState>): AlertState => ({
    key: "k",
    family: "path-down",
    circuitId: "c",
    circuitName: "er-1",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 2,
    consecutiveClean: 0,
    firstSeen: "2026-11-22T02:00:00.000Z",
    condition: {
      code: "arp-missing",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: ["primary", "secondary"],
      title: "Both paths down",
      nextAction: "ticket",
      evidence: {},
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: ["primary", "secondary"],
      title: "Both paths down",
      at: "2026-11-22T02:00:00.000Z",
      sequence: 1,
    },
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T02:10:00.000Z",
    lastFiringAt: "yesterday",
    lastCleanAt: null,
    ...over,
  });
  const notice = (s: AlertState) =>
    blindNotice(s, { now: NOW, blindAfterMs: 15 * 60_000, blindAfterSweeps: 3, held: false });

  it.each([
    { case: "as many failed sweeps as monitoring-blind waits for", sweeps: 3, sent: true },
    { case: "fewer failed sweeps", sweeps: 2, sent: false },
  ])("$case: $sent", ({ sweeps, sent }) => {
    const d = notice(state({ blindSweeps: sweeps }));
    expect(d !== null).toBe(sent);
    if (!d || d.action === "none") return;
    expect(d.event.change).toMatch(/^Blind: .* since its last reading, at a time not known/);
    // The receivers read "since when" as not known; told once all the same.
    expect(d.event.blindSince).toBeUndefined();
    expect(d.next.notified?.blindSince).toEqual(expect.any(String));
    expect(notice(d.next)).toBeNull();
  });

  it("the latest reading is the latest instant, not the last text", () => {
    const d = notice(
      state({
        lastFiringAt: "2026-11-22T03:00:00+02:00",
        lastCleanAt: "2026-11-22T01:30:00.000Z",
        lastMaskedAt: "",
        blindSweeps: 3,
      }),
    );
    // 01:30Z, not 01:00Z: compared as text, "…T03:00:00+02:00" sorted after "…T01:30".
    expect(d && d.action !== "none" ? d.event.blindSince : null).toBe("2026-11-22T01:30:00.000Z");
  });
});

describe("alreadyEvaluated: a judgement at a time that is not one proves nothing", () => {
  it.each(ODD)("lastEvaluatedAt %s (%j): judged", (_, value) => {
    expect(alreadyEvaluated({ lastEvaluatedAt: value } as AlertState, at(0))).toBe(false);
  });
});

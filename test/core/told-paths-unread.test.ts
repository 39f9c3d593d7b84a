// Every notification that sets the paths an alert's receivers hold keeps a
// path they held that could not be read this sweep: it is not known to have
// recovered. Only the timed repeat of a layer outage did: an escalation (a
// primary paged down, unread in the sweep the secondary went down too) named
// the secondary alone, so the primary read down again was "Changed: now also
// the primary path", and read up, the de-escalation never said it recovered.
// A path read up is dropped (its going down again is news); one read down is
// held as the condition names it.

import { describe, expect, it } from "vitest";
import { decide, type AlertCondition, type AlertState } from "../../src/core/lifecycle.js";
import type { AlertAction, AlertFamily, Owner, PathName, Severity } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

const CODE: Partial<Record<AlertFamily, AlertCondition["code"]>> = {
  "path-down": "arp-missing",
  "route-limit": "prefix-limit-near",
  traffic: "traffic-stopped",
  "global-reach": "global-reach-down",
};

interface Side {
  severity: Severity;
  paths: PathName[];
  owner?: Owner;
}

/** Firing since 10:00, told `told` at 10:10 by its tick; read `now` at the 10:20 tick. */
function alert(family: AlertFamily, told: Side, now: Side): AlertState {
  return {
    key: `erw-${family}`,
    family,
    circuitId: "c1",
    circuitName: "er1",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 4,
    consecutiveClean: 0,
    firstSeen: at(0),
    condition: {
      code: CODE[family]!,
      severity: now.severity,
      layer: "provider",
      owner: now.owner ?? "carrier",
      paths: now.paths,
      title: `down on ${now.paths.join(" and ")}`,
      nextAction: "ticket",
      evidence: {},
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: told.severity,
      peakSeverity: told.severity,
      paths: told.paths,
      title: `down on ${told.paths.join(" and ")}`,
      owner: told.owner ?? "carrier",
      at: at(10),
      sequence: 1,
      tickDue: at(10),
    },
    sequence: 1,
    lastEvaluatedAt: at(15),
  };
}

/** What the receivers hear at the 10:20 tick, repeats due every `repeat` minutes: its action, how its change begins, and the paths they then hold. */
function told(state: AlertState, unread: PathName[], repeat = 60): string {
  const d = decide(state, {
    now: new Date(at(20)),
    before: state.condition,
    repeatEveryMinutes: { Sev0: repeat, Sev1: repeat, Sev2: repeat, Sev3: repeat, Sev4: repeat },
    tickSlackMs: 0,
    tickIntervalMs: DEFAULT_ALERT_POLICY.sweepIntervalMinutes * 60_000,
    tickDue: new Date(at(20)),
    silencedBy: null,
    inhibitedBy: null,
    blind: false,
    unreadPaths: unread,
  });
  if (d.action === "none") return `none:${d.reason}`;
  return `${d.action} "${d.event.change.split(" ").slice(0, 3).join(" ")}" ${d.next.notified!.paths.join("+")}`;
}

/** One kind of notification: the primary told and left out of what the condition names now (`beside`), or read down in it (`with`). */
interface Kind {
  name: string;
  family: AlertFamily;
  told: Side;
  beside: Side;
  with: Side;
  repeat?: number;
  action: AlertAction;
  /** How its change begins (its first three words). */
  says: string;
}

const KINDS: Kind[] = [
  {
    name: "an escalation",
    family: "path-down",
    told: { severity: "Sev2", paths: ["primary"] },
    beside: { severity: "Sev1", paths: ["secondary"] },
    with: { severity: "Sev0", paths: ["primary", "secondary"] },
    action: "escalate",
    says: "Worse: Sev2 →",
  },
  {
    name: "a de-escalation",
    family: "path-down",
    told: { severity: "Sev0", paths: ["primary", "secondary"] },
    beside: { severity: "Sev2", paths: ["secondary"] },
    with: { severity: "Sev1", paths: ["primary", "secondary"] },
    action: "deescalate",
    says: "Better: Sev0 →",
  },
  {
    name: "a timed repeat",
    family: "path-down",
    told: { severity: "Sev1", paths: ["primary", "secondary"] },
    beside: { severity: "Sev1", paths: ["secondary"] },
    with: { severity: "Sev1", paths: ["primary", "secondary"] },
    repeat: 10,
    action: "repeat",
    says: "Still firing after",
  },
  {
    name: "a repeat for a path newly down ('Changed:')",
    family: "path-down",
    told: { severity: "Sev2", paths: ["primary"] },
    beside: { severity: "Sev2", paths: ["secondary"] },
    with: { severity: "Sev2", paths: ["primary", "secondary"] },
    action: "repeat",
    says: "Changed: now also",
  },
  {
    name: "an owner update",
    family: "path-down",
    told: { severity: "Sev1", paths: ["primary", "secondary"], owner: "carrier" },
    beside: { severity: "Sev1", paths: ["secondary"], owner: "you" },
    with: { severity: "Sev1", paths: ["primary", "secondary"], owner: "you" },
    action: "repeat",
    says: "Changed: now yours,",
  },
  {
    name: "an escalation of a traffic stop",
    family: "traffic",
    told: { severity: "Sev2", paths: ["primary"] },
    beside: { severity: "Sev1", paths: ["secondary"] },
    with: { severity: "Sev0", paths: ["primary", "secondary"] },
    action: "escalate",
    says: "Worse: Sev2 →",
  },
  {
    name: "an escalation of prefixes near the limit",
    family: "route-limit",
    told: { severity: "Sev3", paths: ["primary", "secondary"] },
    beside: { severity: "Sev2", paths: ["secondary"] },
    with: { severity: "Sev2", paths: ["primary", "secondary"] },
    action: "escalate",
    says: "Worse: Sev3 →",
  },
  {
    name: "a timed repeat of a Global Reach connection down",
    family: "global-reach",
    told: { severity: "Sev3", paths: ["primary", "secondary"] },
    beside: { severity: "Sev3", paths: ["secondary"] },
    with: { severity: "Sev3", paths: ["primary", "secondary"] },
    repeat: 10,
    action: "repeat",
    says: "Still firing after",
  },
];

const rest = (paths: PathName[]) => paths.filter((p) => p !== "primary");

describe("the paths the receivers hold after a notification that leaves out a path they held", () => {
  it.each(
    KINDS.flatMap((k) => [
      {
        name: `${k.name}: the primary unread is kept`,
        state: alert(k.family, k.told, k.beside),
        unread: ["primary"] as PathName[],
        expected: `${k.action} "${k.says}" primary+${k.beside.paths.join("+")}`,
        k,
      },
      {
        name: `${k.name}: the primary read up is dropped`,
        state: alert(k.family, k.told, k.beside),
        unread: [] as PathName[],
        expected: `${k.action} "${k.says}" ${rest(k.beside.paths).join("+")}`,
        k,
      },
      {
        name: `${k.name}: the primary read down is kept`,
        state: alert(k.family, k.told, k.with),
        unread: [] as PathName[],
        expected: `${k.action} "${k.says}" primary+secondary`,
        k,
      },
    ]),
  )("$name", ({ state, unread, expected, k }) => {
    expect(told(state, unread, k.repeat)).toBe(expected);
  });
});

describe("what an escalation beside an unread path says then", () => {
  it("the primary read down again is 'Worse' with no 'now also the primary path'; read up, 'Better' says it recovered", () => {
    const escalated = decide(
      alert(
        "path-down",
        { severity: "Sev2", paths: ["primary"] },
        { severity: "Sev1", paths: ["secondary"] },
      ),
      {
        now: new Date(at(20)),
        repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
        tickSlackMs: 0,
        silencedBy: null,
        inhibitedBy: null,
        blind: false,
        unreadPaths: ["primary"],
      },
    );
    expect(escalated.action === "escalate" && escalated.event.change).toBe(
      "Worse: Sev2 → Sev1; now also the secondary path; the primary path could not be read. Now: down on secondary",
    );
    const next = (paths: PathName[], severity: Severity) => {
      const state = escalated.next;
      const d = decide(
        {
          ...state,
          condition: {
            ...state.condition!,
            severity,
            paths,
            title: `down on ${paths.join(" and ")}`,
          },
        },
        {
          now: new Date(at(25)),
          repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
          tickSlackMs: 0,
          silencedBy: null,
          inhibitedBy: null,
          blind: false,
          unreadPaths: [],
        },
      );
      return d.action === "none" ? `none:${d.reason}` : d.event.change;
    };
    expect(next(["primary", "secondary"], "Sev0")).toBe(
      "Worse: Sev1 → Sev0; Now: down on primary and secondary",
    );
    expect(next(["primary", "secondary"], "Sev1")).toBe("none:unchanged");
    expect(next(["secondary"], "Sev2")).toBe(
      "Better: Sev1 → Sev2; the primary path recovered. Still: down on secondary",
    );
  });
});

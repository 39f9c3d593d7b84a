// A traffic alert's timed repeat named only the paths its condition named
// then: a both-paths stop whose primary went down (its stop no longer judged)
// repeated as the secondary's alone, the receivers' paths became the
// secondary, and the sweep after, the secondary carrying again, resolved the
// stop while the primary's was not known over. A repeat says "Still firing",
// not which paths went: the receivers still hold every path they were told.

import { describe, expect, it } from "vitest";
import { advanceStep, decideStep, holdsOf, type AlertContext } from "../../src/core/alert-step.js";
import { decide, onlyBesideUnread, type AlertState } from "../../src/core/lifecycle.js";
import type { AlertFamily, Finding, PathName, Severity } from "../../src/core/model.js";
import type { Observation } from "../../src/core/observe.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);
const CIRCUIT = { id: "c1", name: "er1" };
const POLICY: AlertPolicy = {
  ...DEFAULT_ALERT_POLICY,
  repeatEveryMinutes: { ...DEFAULT_ALERT_POLICY.repeatEveryMinutes, Sev1: 10, Sev2: 10 },
};

function finding(family: AlertFamily, severity: Severity, paths: PathName[]): Finding {
  return family === "traffic"
    ? {
        code: "traffic-stopped",
        layer: "routes",
        owner: "you",
        severity,
        peering: "AzurePrivatePeering",
        paths,
        title: `Traffic stopped on ${paths.join(" and ")}`,
        evidence: {},
        nextAction: "look at your edge",
      }
    : {
        code: "arp-missing",
        layer: "provider",
        owner: "carrier",
        severity,
        peering: "AzurePrivatePeering",
        paths,
        title: `Layer 2 down on ${paths.join(" and ")}`,
        evidence: {},
        nextAction: "ticket",
      };
}

/** Open since 10:00 and told at `toldMinute` of `told`, firing now on `paths`. */
function open(
  family: AlertFamily,
  severity: Severity,
  paths: PathName[],
  told: { severity: Severity; paths: unknown; minute: number },
): AlertState {
  const f = finding(family, severity, paths);
  return {
    key: `erw-${family}`,
    family,
    circuitId: CIRCUIT.id,
    circuitName: CIRCUIT.name,
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 4,
    consecutiveClean: 0,
    firstSeen: at(0).toISOString(),
    condition: {
      code: f.code,
      severity,
      layer: f.layer,
      owner: f.owner,
      paths,
      title: f.title,
      nextAction: f.nextAction,
      evidence: {},
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: told.severity,
      peakSeverity: told.severity,
      paths: told.paths as PathName[],
      title: "as told",
      at: at(told.minute).toISOString(),
      sequence: 1,
      tickDue: at(told.minute).toISOString(),
    },
    sequence: 1,
    lastEvaluatedAt: at(15).toISOString(),
  };
}

const ctx = (minute: number): AlertContext => ({
  policy: POLICY,
  silences: [],
  circuit: CIRCUIT,
  now: at(minute),
  tick: true,
  tickDue: at(minute),
});

/** What `state` decides at the 10:20 tick, unheld and read: the action and the paths the receivers then hold. */
function told(state: AlertState): string {
  const d = decide(state, {
    now: at(20),
    repeatEveryMinutes: POLICY.repeatEveryMinutes,
    tickSlackMs: 0,
    tickIntervalMs: 5 * 60_000,
    tickDue: at(20),
    silencedBy: null,
    inhibitedBy: null,
    blind: false,
  });
  return `${d.action} ${d.next.notified?.paths.join("+")}`;
}

describe("the paths the receivers hold after a notification", () => {
  it.each<{ name: string; state: AlertState; expected: string }>([
    {
      name: "a traffic stop's timed repeat naming fewer paths than it was told keeps them all",
      state: open("traffic", "Sev1", ["secondary"], {
        severity: "Sev1",
        paths: ["primary", "secondary"],
        minute: 10,
      }),
      expected: "repeat primary+secondary",
    },
    {
      name: "... and one naming a path it was not told of adds it",
      state: open("traffic", "Sev1", ["primary"], {
        severity: "Sev1",
        paths: ["secondary"],
        minute: 10,
      }),
      expected: "repeat primary+secondary",
    },
    {
      name: "a traffic stop's repeat naming what it was told is told just that",
      state: open("traffic", "Sev1", ["secondary"], {
        severity: "Sev1",
        paths: ["secondary"],
        minute: 10,
      }),
      expected: "repeat secondary",
    },
    {
      name: "a traffic stop told its paths in an odd shape (a hand edit) is told its condition's",
      state: open("traffic", "Sev1", ["secondary"], {
        severity: "Sev1",
        paths: "primary",
        minute: 10,
      }),
      expected: "repeat secondary",
    },
    {
      name: "a de-escalation says which paths went ('Better: …'): told the condition's",
      state: open("traffic", "Sev2", ["primary"], {
        severity: "Sev1",
        paths: ["primary", "secondary"],
        minute: 10,
      }),
      expected: "deescalate primary",
    },
    {
      name: "a layer outage that moved paths says so ('Changed: …'): told the condition's",
      state: open("path-down", "Sev2", ["secondary"], {
        severity: "Sev2",
        paths: ["primary"],
        minute: 15,
      }),
      expected: "repeat secondary",
    },
  ])("$name", ({ state, expected }) => {
    expect(told(state)).toEqual(expected);
  });
});

describe("a both-paths stop repeated as the secondary's while the primary is down", () => {
  const pathDown = open("path-down", "Sev2", ["primary"], {
    severity: "Sev2",
    paths: ["primary"],
    minute: 0,
  });
  const observed = (state: AlertState, minute: number, firing: boolean): Observation => ({
    key: state.key,
    family: state.family,
    circuitId: CIRCUIT.id,
    peering: "AzurePrivatePeering",
    state: firing ? "firing" : "clean",
    finding: firing
      ? finding(state.family, state.condition!.severity, state.condition!.paths)
      : null,
    previousReadAt: at(minute - 5).toISOString(),
  });
  /** The circuit's two keys through one sweep: what the traffic key decided. */
  function sweep(traffic: AlertState, minute: number, trafficFiring: boolean) {
    const steps = [
      advanceStep(observed(traffic, minute, trafficFiring), traffic, ctx(minute)),
      advanceStep(observed(pathDown, minute, true), pathDown, ctx(minute)),
    ];
    return decideStep(steps[0]!, holdsOf(steps, CIRCUIT.id), ctx(minute))!;
  }

  it("the secondary carrying again the sweep after the repeat is no all-clear: the primary down holds its resolve", () => {
    const stop = open("traffic", "Sev1", ["secondary"], {
      severity: "Sev1",
      paths: ["primary", "secondary"],
      minute: 10,
    });
    const repeated = sweep(stop, 20, true);
    expect(repeated.action).toBe("repeat");
    let state = repeated.next;
    const after: string[] = [];
    for (const minute of [25, 30, 35]) {
      const d = sweep(state, minute, false);
      after.push(d.action === "none" ? `none:${d.reason}` : d.action);
      state = d.next;
    }
    expect(after).not.toContain("resolve");
    expect(after.at(-1)).toBe("none:inhibited");
  });

  it("the primary unread beside the secondary read is not judged over after the repeat", () => {
    const stop = open("traffic", "Sev1", ["secondary"], {
      severity: "Sev1",
      paths: ["primary", "secondary"],
      minute: 10,
    });
    const repeated = sweep(stop, 20, true).next;
    const unread: Observation = {
      ...observed(repeated, 25, false),
      state: "unknown",
      unreadPaths: ["primary"],
    };
    expect(onlyBesideUnread(repeated, unread)).toBe(false);
  });
});

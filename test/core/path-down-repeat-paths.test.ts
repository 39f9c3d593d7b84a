// A layer outage's timed repeat named only the paths its condition named
// then, read or not: a both-paths outage graded Sev1 by its pair, repeated as
// the secondary's alone while the primary could not be read, left the
// receivers holding the secondary alone. The primary read down again was then
// "now also the primary path" (it was paged for at the open), a milder
// reading beside the still-unread primary de-escalated it, and a silence on
// the secondary held the primary's news. A repeat takes back only a path it
// read: one read up is dropped, so its going down again is "Changed:".

import { describe, expect, it } from "vitest";
import { advanceStep, decideStep, holdsOf, type AlertContext } from "../../src/core/alert-step.js";
import { decide, type AlertState, type Decision } from "../../src/core/lifecycle.js";
import type { Finding, PathName, Severity } from "../../src/core/model.js";
import type { Observation } from "../../src/core/observe.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy, type Silence } from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);
const CIRCUIT = { id: "c1", name: "er1" };
const POLICY: AlertPolicy = {
  ...DEFAULT_ALERT_POLICY,
  repeatEveryMinutes: { ...DEFAULT_ALERT_POLICY.repeatEveryMinutes, Sev1: 10, Sev2: 10 },
};

function finding(severity: Severity, paths: PathName[], ipv6 = false): Finding {
  return {
    code: "arp-missing",
    layer: "provider",
    owner: "carrier",
    severity,
    peering: "AzurePrivatePeering",
    paths,
    title: `${ipv6 ? "IPv6 BGP Idle" : "Layer 2 down"} on ${paths.join(" and ")}`,
    evidence: ipv6 ? { family: "ipv6" } : {},
    nextAction: "ticket",
  };
}

/** Open since 10:00, told at 10:10 of `told` at Sev1, firing now on `paths`. */
function open(paths: PathName[], told: unknown, severity: Severity = "Sev1"): AlertState {
  const f = finding(severity, paths);
  return {
    key: "erw-path-down",
    family: "path-down",
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
      severity,
      peakSeverity: severity,
      paths: told as PathName[],
      title: "as told",
      at: at(10).toISOString(),
      sequence: 1,
      tickDue: at(10).toISOString(),
    },
    sequence: 1,
    lastEvaluatedAt: at(15).toISOString(),
  };
}

/** What `state` decides at the 10:20 tick, unheld, `unread` not read: the action and the paths the receivers then hold. */
function told(state: AlertState, unread: PathName[]): string {
  const d = decide(state, {
    now: at(20),
    repeatEveryMinutes: POLICY.repeatEveryMinutes,
    tickSlackMs: 0,
    tickIntervalMs: 5 * 60_000,
    tickDue: at(20),
    silencedBy: null,
    inhibitedBy: null,
    blind: false,
    unreadPaths: unread,
  });
  return `${d.action} ${d.next.notified?.paths.join("+")}`;
}

describe("the paths a layer outage's receivers hold after a repeat", () => {
  it.each<{ name: string; state: AlertState; unread: PathName[]; expected: string }>([
    {
      name: "a timed repeat naming the secondary alone, the primary unread, keeps the primary",
      state: open(["secondary"], ["primary", "secondary"]),
      unread: ["primary"],
      expected: "repeat primary+secondary",
    },
    {
      name: "a timed repeat naming the primary alone, the secondary read, takes the secondary back",
      state: open(["primary"], ["primary", "secondary"]),
      unread: [],
      expected: "repeat primary",
    },
    {
      name: "... and one whose unread path is not a path it names is no reason to keep it",
      state: open(["primary"], ["primary", "secondary"]),
      unread: ["primary"],
      expected: "repeat primary",
    },
    {
      name: "a repeat that moved ('Changed: … could not be read') keeps the path it left unread",
      state: open(["secondary"], ["primary"]),
      unread: ["primary"],
      expected: "repeat primary+secondary",
    },
    {
      name: "a repeat that moved from a path read up holds the new path alone",
      state: open(["secondary"], ["primary"]),
      unread: [],
      expected: "repeat secondary",
    },
    {
      name: "paths told in an odd shape (a hand edit) are told the condition's",
      state: open(["secondary"], "primary"),
      unread: ["primary"],
      expected: "repeat secondary",
    },
  ])("$name", ({ state, unread, expected }) => {
    expect(told(state, unread)).toEqual(expected);
  });
});

describe("a both-paths outage repeated as the secondary's while the primary cannot be read", () => {
  const ctx = (minute: number, silences: Silence[] = []): AlertContext => ({
    policy: POLICY,
    silences,
    circuit: CIRCUIT,
    now: at(minute),
    tick: true,
    tickDue: at(minute),
  });
  const observed = (minute: number, f: Finding, unread: PathName[]): Observation => ({
    key: "erw-path-down",
    family: "path-down",
    circuitId: CIRCUIT.id,
    peering: "AzurePrivatePeering",
    state: "firing",
    finding: f,
    previousReadAt: at(minute - 5).toISOString(),
    unreadPaths: unread,
  });
  function sweep(state: AlertState, minute: number, o: Observation, silences: Silence[] = []) {
    const step = advanceStep(o, state, ctx(minute, silences));
    return decideStep(step, holdsOf([step], CIRCUIT.id), ctx(minute, silences))!;
  }
  /** Paged Sev1 for both paths (its pair carrying), repeated at 10:20 as the secondary's, the primary unread. */
  function repeated(): AlertState {
    const d = sweep(
      open(["secondary"], ["primary", "secondary"]),
      20,
      observed(20, finding("Sev1", ["secondary"]), ["primary"]),
    );
    expect(d.action).toBe("repeat");
    return d.next;
  }
  const said = (d: Decision) =>
    d.action === "none" ? `none:${d.reason}` : `${d.action}: ${d.event.change}`;

  it("a milder reading beside the still-unread primary (IPv6 alone down on the secondary) is no de-escalation", () => {
    const d = sweep(
      repeated(),
      25,
      observed(25, finding("Sev3", ["secondary"], true), ["primary"]),
    );
    expect(said(d)).toBe("none:blind");
  });

  it("the primary read down again beside the secondary back: 'Better', the secondary recovered, not 'now also the primary'", () => {
    const d = sweep(repeated(), 25, observed(25, finding("Sev2", ["primary"]), []));
    expect(said(d)).toBe(
      "deescalate: Better: Sev1 → Sev2; the secondary path recovered. Still: Layer 2 down on primary",
    );
  });

  it("the primary read down again beside the secondary still down: no 'Changed: now also the primary path'", () => {
    const d = sweep(repeated(), 25, observed(25, finding("Sev1", ["primary", "secondary"]), []));
    expect(said(d)).toBe("none:unchanged");
  });

  it("a silence on the secondary alone does not hold the news that the primary is back", () => {
    const silence: Silence = {
      id: "carrier-secondary",
      circuit: CIRCUIT.name,
      path: "secondary",
      window: { kind: "once", start: at(21).toISOString(), end: at(120).toISOString() },
    };
    const d = sweep(repeated(), 25, observed(25, finding("Sev2", ["secondary"]), []), [silence]);
    expect(said(d)).toBe(
      "deescalate: Better: Sev1 → Sev2; the primary path recovered. Still: Layer 2 down on secondary",
    );
  });
});

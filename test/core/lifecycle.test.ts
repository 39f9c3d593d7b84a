import { describe, expect, it } from "vitest";
import { advanceStep } from "../../src/core/alert-step.js";
import { advance, alreadyEvaluated, decide, type AlertState } from "../../src/core/lifecycle.js";
import type { Finding, PathName, Severity } from "../../src/core/model.js";
import type { Observation } from "../../src/core/observe.js";
import {
  DEFAULT_ALERT_POLICY,
  hysteresisOf,
  tickSlackMs,
  type Silence,
} from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T02:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function finding(severity: Severity, paths: PathName[]): Finding {
  return {
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

type Step = {
  /** "masked": unknown because a broken layer below took the path over (the circuit was read). */
  obs: "fire" | "clean" | "unknown" | "masked";
  severity?: Severity;
  paths?: PathName[];
  minute: number;
  /** When the circuit was read before (default: the previous 5-minute tick). */
  previousMinute?: number;
  silenced?: boolean;
  /** Held by an inhibition; a severity: the holding alert's. */
  inhibited?: boolean | Severity;
};

function observation(step: Step): Observation {
  return {
    key: "erw-k",
    family: "path-down",
    circuitId: "c1",
    peering: "AzurePrivatePeering",
    state: step.obs === "fire" ? "firing" : step.obs === "clean" ? "clean" : "unknown",
    finding:
      step.obs === "fire" ? finding(step.severity ?? "Sev2", step.paths ?? ["secondary"]) : null,
    previousReadAt: at(step.previousMinute ?? step.minute - 5).toISOString(),
    ...(step.obs === "masked" ? { masked: true } : {}),
  };
}

const CIRCUIT = { id: "c1", name: "er1" };
const H = hysteresisOf(DEFAULT_ALERT_POLICY, CIRCUIT, "path-down");

const silence: Silence = {
  id: "maint-1",
  circuit: "c1",
  comment: "carrier maintenance",
  window: { kind: "once", start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z" },
};

/** Runs steps through advance + decide and returns what each sweep decided. */
function walk(
  steps: Step[],
  { hysteresis = H, ...options }: { blindAfterMs?: number; hysteresis?: typeof H } = {},
): string[] {
  let state: AlertState | null = null;
  const out: string[] = [];
  for (const step of steps) {
    const now = at(step.minute);
    const advanced = advance(state, observation(step), hysteresis, "er1", now);
    if (!advanced) {
      out.push("-");
      continue;
    }
    const decision = decide(advanced, {
      now,
      repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
      tickSlackMs: tickSlackMs(DEFAULT_ALERT_POLICY.sweepIntervalMinutes),
      silencedBy: step.silenced ? silence : null,
      inhibitedBy: step.inhibited
        ? {
            by: "erw-provider",
            rule: "provider down holds everything",
            ...(typeof step.inhibited === "string" ? { severity: step.inhibited } : {}),
          }
        : null,
      blind: step.obs === "unknown" || step.obs === "masked",
      masked: step.obs === "masked",
      ...options,
    });
    state = decision.next;
    out.push(
      decision.action === "none"
        ? `none:${decision.reason}`
        : `${decision.action}:${decision.event.severity}#${decision.event.sequence}`,
    );
  }
  return out;
}

describe("hold times given in minutes, at the product's cadence", () => {
  // A tick 0.3 s early measured 9.995 minutes of a 10-minute hold, and the
  // alert waited a whole interval more; held in sweeps, it did not.
  const sev2 = (minute: number): Step => ({
    obs: "fire",
    severity: "Sev2",
    paths: ["secondary"],
    minute,
  });
  it.each([
    {
      name: "openAfterMinutes 10 opens at the tick of minute 10, a moment early",
      policy: { openAfterMinutes: { Sev2: 10 } },
      steps: [{ obs: "clean", minute: 0 } as Step, sev2(5), sev2(9.995)],
      expected: ["-", "none:held-by-hysteresis", "open:Sev2#1"],
    },
    {
      name: "resolveAfterMinutes 10 resolves at the tick of minute 10 after the last firing read",
      policy: {
        resolveAfterMinutes: { Sev2: 10 },
        openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev2: 1 },
      },
      steps: [
        sev2(0),
        { obs: "clean", minute: 5 } as Step,
        { obs: "clean", minute: 9.995 } as Step,
      ],
      expected: ["open:Sev2#1", "none:held-by-hysteresis", "resolve:Sev2#2"],
    },
  ])("$name", ({ policy, steps, expected }) => {
    const hysteresis = hysteresisOf({ ...DEFAULT_ALERT_POLICY, ...policy }, CIRCUIT, "path-down");
    expect(walk(steps, { hysteresis })).toEqual(expected);
  });
});

describe("the blind notice at the product's cadence (5-minute sweeps, monitoring-blind after 3)", () => {
  const blindAfterMs = DEFAULT_ALERT_POLICY.blindAfterSweeps * 5 * 60_000 - tickSlackMs(5);
  const open = (minute: number): Step => ({
    obs: "fire",
    severity: "Sev0",
    paths: ["primary", "secondary"],
    minute,
  });
  const timelines: { name: string; steps: Step[]; expected: string[] }[] = [
    {
      name: "three sweeps that cannot read the paths: the holder hears it once",
      steps: [
        open(0),
        { obs: "unknown", minute: 5 },
        { obs: "unknown", minute: 10 },
        { obs: "unknown", minute: 15 },
        { obs: "unknown", minute: 20 },
      ],
      expected: ["open:Sev0#1", "none:blind", "none:blind", "repeat:Sev0#2", "none:blind"],
    },
    {
      // The provider de-provisioned the circuit (its alert holds this one), then a
      // path could not be read: erwatch saw the circuit carry nothing at 5 and 10,
      // so it has been blind since 10, not since 0.
      name: "sweeps masked by a broken layer below are readings, not blindness",
      steps: [
        open(0),
        { obs: "masked", minute: 5, inhibited: true },
        { obs: "masked", minute: 10, inhibited: true },
        { obs: "unknown", minute: 15 },
        { obs: "unknown", minute: 20 },
        { obs: "unknown", minute: 25 },
      ],
      expected: [
        "open:Sev0#1",
        "none:masked",
        "none:masked",
        "none:blind",
        "none:blind",
        "repeat:Sev0#2",
      ],
    },
    {
      // A Sev2 flap holds the path alert's churn; the pager holds the Sev0 it opened.
      // Blind, the pager hears it: the flap is no notice of its own (Sev2).
      name: "held by a milder alert: the Sev0 holder still hears the blindness",
      steps: [
        open(0),
        { obs: "fire", severity: "Sev2", paths: ["secondary"], minute: 5, inhibited: "Sev2" },
        { obs: "unknown", minute: 10, inhibited: "Sev2" },
        { obs: "unknown", minute: 15, inhibited: "Sev2" },
        { obs: "unknown", minute: 20, inhibited: "Sev2" },
      ],
      expected: ["open:Sev0#1", "none:inhibited", "none:blind", "none:blind", "repeat:Sev0#2"],
    },
    {
      // The provider's Sev0 speaks for the circuit (its own notice when it goes blind).
      name: "held by an alert as severe: no notice of its own",
      steps: [
        open(0),
        { obs: "unknown", minute: 5, inhibited: "Sev0" },
        { obs: "unknown", minute: 10, inhibited: "Sev0" },
        { obs: "unknown", minute: 15, inhibited: "Sev0" },
        { obs: "unknown", minute: 20, inhibited: "Sev0" },
      ],
      expected: ["open:Sev0#1", "none:blind", "none:blind", "none:blind", "none:blind"],
    },
  ];
  it.each(timelines)("$name", ({ steps, expected }) => {
    expect(walk(steps, { blindAfterMs })).toEqual(expected);
  });
});

describe("alert lifecycle", () => {
  const timelines: { name: string; steps: Step[]; expected: string[] }[] = [
    {
      // Single-path needs two sweeps (default), then stays quiet.
      name: "one path down opens Sev2 after two sweeps",
      steps: [
        { obs: "fire", minute: 0 },
        { obs: "fire", minute: 5 },
        { obs: "fire", minute: 10 },
      ],
      expected: ["none:held-by-hysteresis", "open:Sev2#1", "none:unchanged"],
    },
    {
      // A blip shorter than the hysteresis never reaches anyone.
      name: "a one-sweep blip never opens",
      steps: [
        { obs: "fire", minute: 0 },
        { obs: "clean", minute: 5 },
        { obs: "clean", minute: 10 },
      ],
      expected: ["none:held-by-hysteresis", "none:unchanged", "none:unchanged"],
    },
    {
      // Both paths down is an outage: opens on the first sweep.
      name: "Sev0 opens at once",
      steps: [{ obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 }],
      expected: ["open:Sev0#1"],
    },
    {
      // Same key: the second path upgrades the incident, recovery de-escalates, then resolves after two clean sweeps.
      name: "escalate, deescalate and resolve on one key",
      steps: [
        { obs: "fire", minute: 0 },
        { obs: "fire", minute: 5 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 10 },
        { obs: "fire", severity: "Sev2", paths: ["secondary"], minute: 15 },
        { obs: "clean", minute: 20 },
        { obs: "clean", minute: 25 },
        { obs: "clean", minute: 30 },
      ],
      expected: [
        "none:held-by-hysteresis",
        "open:Sev2#1",
        "escalate:Sev0#2",
        "deescalate:Sev2#3",
        "none:held-by-hysteresis",
        "resolve:Sev2#4",
        "none:unchanged",
      ],
    },
    {
      // 24 h repeat for Sev2; nothing in between (the tick before is 5 minutes short).
      name: "repeat only at the interval",
      steps: [
        { obs: "fire", minute: 0 },
        { obs: "fire", minute: 5 },
        { obs: "fire", minute: 5 + 1435 },
        { obs: "fire", minute: 5 + 1440 },
        { obs: "fire", minute: 5 + 1445 },
      ],
      expected: [
        "none:held-by-hysteresis",
        "open:Sev2#1",
        "none:unchanged",
        "repeat:Sev2#2",
        "none:unchanged",
      ],
    },
    {
      // 4 h repeat for Sev0.
      name: "Sev0 repeats every 4 hours",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 240 },
      ],
      expected: ["open:Sev0#1", "repeat:Sev0#2"],
    },
    {
      // The timer fired 0.4 s late when it paged and 0.1 s late four hours
      // on: 239 min 59.7 s is still the repeat's tick, not a reason to wait
      // for the next one five minutes later.
      name: "a tick a moment early still repeats",
      steps: [
        {
          obs: "fire",
          severity: "Sev0",
          paths: ["primary", "secondary"],
          minute: 0.4 / 60,
          previousMinute: -5,
        },
        {
          obs: "fire",
          severity: "Sev0",
          paths: ["primary", "secondary"],
          minute: 240 + 0.1 / 60,
          previousMinute: 235,
        },
      ],
      expected: ["open:Sev0#1", "repeat:Sev0#2"],
    },
    {
      // The slack is a minute at most: a tick a whole interval early is not the repeat's.
      name: "a tick one interval early does not repeat",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 235 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 238.9 },
      ],
      expected: ["open:Sev0#1", "none:unchanged", "none:unchanged"],
    },
    {
      // A flap alert held the change to one path; it calmed in the sweep both paths read up:
      // the holder is not told "now Sev2, the secondary still down", but resolved.
      name: "a milder grade held while firing is not sent once the condition is recovering",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "fire", severity: "Sev2", paths: ["secondary"], minute: 5, inhibited: true },
        { obs: "clean", minute: 10 },
        { obs: "clean", minute: 15 },
      ],
      expected: ["open:Sev0#1", "none:inhibited", "none:held-by-hysteresis", "resolve:Sev0#2"],
    },
    {
      // Clean once, then the provider de-provisions the circuit (the path masked): the
      // clean sweep before no longer counts, two fresh ones after it resolve.
      name: "a masked sweep ends the clean run",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "clean", minute: 5 },
        { obs: "masked", minute: 10, inhibited: "Sev0" },
        { obs: "clean", minute: 15 },
        { obs: "clean", minute: 20 },
      ],
      expected: [
        "open:Sev0#1",
        "none:held-by-hysteresis",
        "none:masked",
        "none:held-by-hysteresis",
        "resolve:Sev0#2",
      ],
    },
    {
      // UNKNOWN neither opens nor resolves, and does not break the clean count... it pauses it.
      name: "blind sweeps keep the open alert untouched",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "unknown", minute: 5 },
        { obs: "unknown", minute: 10 },
        { obs: "unknown", minute: 15 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 20 },
      ],
      expected: ["open:Sev0#1", "none:blind", "none:blind", "none:blind", "none:unchanged"],
    },
    {
      // Opened during a silence: recorded, not sent; sent when the window ends.
      name: "silence holds the open until the window ends",
      steps: [
        { obs: "fire", minute: 0, silenced: true },
        { obs: "fire", minute: 5, silenced: true },
        { obs: "fire", minute: 10, silenced: true },
        { obs: "fire", minute: 15 },
      ],
      expected: ["none:held-by-hysteresis", "none:silenced", "none:silenced", "open:Sev2#1"],
    },
    {
      // Broke and healed inside the window: nobody is woken, nothing to resolve.
      name: "a condition that comes and goes inside a silence produces nothing",
      steps: [
        { obs: "fire", minute: 0, silenced: true },
        { obs: "fire", minute: 5, silenced: true },
        { obs: "clean", minute: 10, silenced: true },
        { obs: "clean", minute: 15, silenced: true },
        { obs: "clean", minute: 20 },
      ],
      expected: [
        "none:held-by-hysteresis",
        "none:silenced",
        "none:held-by-hysteresis",
        "none:unchanged",
        "none:unchanged",
      ],
    },
    {
      // Inhibited while the lower layer explains it; notified once released.
      name: "inhibition holds, release notifies",
      steps: [
        { obs: "fire", minute: 0, inhibited: true },
        { obs: "fire", minute: 5, inhibited: true },
        { obs: "fire", minute: 10 },
      ],
      expected: ["none:held-by-hysteresis", "none:inhibited", "open:Sev2#1"],
    },
    {
      // A new episode after a resolve keeps counting the sequence: event ids never repeat.
      name: "sequence continues across episodes",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "clean", minute: 5 },
        { obs: "clean", minute: 10 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 15 },
      ],
      expected: ["open:Sev0#1", "none:held-by-hysteresis", "resolve:Sev0#2", "open:Sev0#3"],
    },
    {
      // Nothing observed, nothing kept.
      name: "clean with no history is nothing",
      steps: [{ obs: "clean", minute: 0 }],
      expected: ["-"],
    },
  ];

  // Hysteresis counts sweeps AND time: an on-demand sweep (POST /api/sweep) shows
  // the truth but never moves the lifecycle faster than the 5-minute timer.
  const onDemand: { name: string; steps: Step[]; expected: string[] }[] = [
    {
      name: "an on-demand sweep 20 s after the timer does not open a Sev2 early",
      steps: [
        { obs: "fire", minute: 0 },
        { obs: "fire", minute: 1 / 3, previousMinute: 0 },
        { obs: "fire", minute: 5, previousMinute: 1 / 3 },
      ],
      expected: ["none:held-by-hysteresis", "none:held-by-hysteresis", "open:Sev2#1"],
    },
    {
      name: "two clean sweeps 20 s apart do not resolve a Sev0",
      steps: [
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 0 },
        { obs: "clean", minute: 5 },
        { obs: "clean", minute: 5 + 1 / 3 },
        { obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 6 },
        { obs: "clean", minute: 10 },
        { obs: "clean", minute: 15 },
      ],
      // No resolve/trigger/resolve: the outage returning at 6 min is the same open incident.
      expected: [
        "open:Sev0#1",
        "none:held-by-hysteresis",
        "none:held-by-hysteresis",
        "none:unchanged",
        "none:held-by-hysteresis",
        "resolve:Sev0#2",
      ],
    },
    {
      name: "a Sev0 first seen by an on-demand sweep pages at the next timer tick",
      steps: [
        {
          obs: "fire",
          severity: "Sev0",
          paths: ["primary", "secondary"],
          minute: 1 / 3,
          previousMinute: 0,
        },
        {
          obs: "fire",
          severity: "Sev0",
          paths: ["primary", "secondary"],
          minute: 5,
          previousMinute: 1 / 3,
        },
      ],
      expected: ["none:held-by-hysteresis", "open:Sev0#1"],
    },
    {
      name: "the timer itself is never held back by a late tick",
      steps: [
        { obs: "fire", minute: 0.2, previousMinute: -4.9 },
        { obs: "fire", minute: 4.9, previousMinute: 0.2 },
      ],
      expected: ["none:held-by-hysteresis", "open:Sev2#1"],
    },
  ];

  it.each(onDemand)("$name", ({ steps, expected }) => {
    expect(walk(steps)).toEqual(expected);
  });

  it.each(timelines)("$name", ({ steps, expected }) => {
    expect(walk(steps)).toEqual(expected);
  });

  it("should say what changed in escalate and resolve events", () => {
    let state = advance(
      null,
      observation({ obs: "fire", severity: "Sev0", paths: ["secondary"], minute: 0 }),
      H,
      "er1",
      at(0),
    );
    const ctx = {
      repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
      tickSlackMs: tickSlackMs(DEFAULT_ALERT_POLICY.sweepIntervalMinutes),
      silencedBy: null,
      inhibitedBy: null,
      blind: false,
    };
    let d = decide(state!, { ...ctx, now: at(0) });
    state = d.next;
    state = advance(
      state,
      observation({ obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 5 }),
      H,
      "er1",
      at(5),
    );
    d = decide(state!, { ...ctx, now: at(5) });
    // Same severity with a path newly down is not an escalation, but it is
    // news: the receivers hold the secondary alone (README "A path newly down
    // is news at once").
    expect(d.action).toBe("repeat");
    if (d.action === "repeat")
      expect(d.event.change).toMatch(/^Changed: now also the primary path\. Now: /);
    const worse = advance(
      null,
      observation({ obs: "fire", severity: "Sev2", paths: ["secondary"], minute: 0 }),
      hysteresisOf(
        { ...DEFAULT_ALERT_POLICY, openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev2: 1 } },
        CIRCUIT,
        "path-down",
      ),
      "er1",
      at(0),
    );
    const opened = decide(worse!, { ...ctx, now: at(0) }).next;
    const both = advance(
      opened,
      observation({ obs: "fire", severity: "Sev0", paths: ["primary", "secondary"], minute: 5 }),
      H,
      "er1",
      at(5),
    );
    const escalated = decide(both!, { ...ctx, now: at(5) });
    expect(escalated.action).toBe("escalate");
    if (escalated.action === "escalate") {
      expect(escalated.event.change).toBe(
        "Worse: Sev2 → Sev0; now also the primary path. Now: Layer 2 down on primary and secondary",
      );
      expect(escalated.event.previousSeverity).toBe("Sev2");
    }
    const clean1 = advance(
      escalated.next,
      observation({ obs: "clean", minute: 10 }),
      H,
      "er1",
      at(10),
    );
    const clean2 = advance(
      decide(clean1!, { ...ctx, now: at(10) }).next,
      observation({ obs: "clean", minute: 95 }),
      H,
      "er1",
      at(95),
    );
    const resolved = decide(clean2!, { ...ctx, now: at(95) });
    expect(resolved.action).toBe("resolve");
    if (resolved.action === "resolve")
      expect(resolved.event.change).toBe(
        "Resolved after 1 h 35 min: Layer 2 down on primary and secondary has cleared.",
      );
  });

  it.each<{ case: string; family: AlertState["family"]; atOnce: boolean; sweeps: number }>([
    // A Sev1 outage, or a group of them, waits a sweep to confirm itself.
    { case: "a Sev1 outage", family: "path-down", atOnce: false, sweeps: 2 },
    { case: "a Sev1 fleet alert", family: "fleet", atOnce: false, sweeps: 2 },
    // Flapping is already judged over its window of history.
    { case: "a flap", family: "session-flapping", atOnce: false, sweeps: 1 },
    // One of its members would page alone now.
    { case: "a Sev1 fleet alert, proven", family: "fleet", atOnce: true, sweeps: 1 },
  ])("should open $case after $sweeps sweep(s)", ({ family, atOnce, sweeps }) => {
    const h = hysteresisOf(DEFAULT_ALERT_POLICY, CIRCUIT, family, atOnce);
    expect(h.openAfter.Sev1).toBe(sweeps);
    expect(h.openAfterMs.Sev1).toBe(sweeps === 1 ? 0 : 9 * 60_000);
    // Resolving keeps its hysteresis whatever opened it.
    expect(h.resolveAfter.Sev1).toBe(2);
  });

  it("should let blind alerts open after the configured number of blind sweeps and resolve as any alert does", () => {
    const h = hysteresisOf(DEFAULT_ALERT_POLICY, { id: "er1", name: "er1" }, "monitoring-blind");
    expect(h.openAfter.Sev3).toBe(3);
    expect(h.resolveAfter.Sev3).toBe(DEFAULT_ALERT_POLICY.resolveAfter.Sev3);
    expect(h.resolveAfter.Sev3).toBe(2);
  });

  it("keeps one blind alert open through a read that fails three sweeps in four, instead of opening and resolving it every 20 minutes", () => {
    const h = hysteresisOf(DEFAULT_ALERT_POLICY, CIRCUIT, "monitoring-blind");
    let state: AlertState | null = null;
    const actions: string[] = [];
    // Fail, fail, fail, read, and again: 5-minute sweeps for 40 minutes.
    for (let i = 0; i < 8; i += 1) {
      const failing = i % 4 !== 3;
      const o: Observation = {
        ...observation({ obs: failing ? "fire" : "clean", severity: "Sev3", minute: i * 5 }),
        key: "erw-blind",
        family: "monitoring-blind",
      };
      const advanced = advance(state, o, h, "er1", at(i * 5));
      if (!advanced) continue;
      const d = decide(advanced, {
        now: at(i * 5),
        repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
        tickSlackMs: tickSlackMs(DEFAULT_ALERT_POLICY.sweepIntervalMinutes),
        silencedBy: null,
        inhibitedBy: null,
        blind: false,
      });
      actions.push(d.action);
      state = d.next;
    }
    expect(actions).toEqual(["none", "none", "open", "none", "none", "none", "none", "none"]);
  });

  it("should recognise a key already judged by a concurrent sweep", () => {
    const state = { lastEvaluatedAt: at(5).toISOString() } as AlertState;
    expect(alreadyEvaluated(state, at(5))).toBe(true);
    expect(alreadyEvaluated(state, at(6))).toBe(false);
    expect(alreadyEvaluated(null, at(6))).toBe(false);
  });
});

describe("a fleet alert that grows", () => {
  const member = (id: string) => ({ id: `/subs/s/c/${id}`, name: `er-${id}` });
  const condition = (ids: string[]) => ({
    code: "fleet-outage" as const,
    severity: "Sev0" as const,
    layer: "provider" as const,
    owner: "carrier" as const,
    paths: [],
    title: `${ids.length} circuits through Equinix at Amsterdam broke at the same layer`,
    nextAction: "one ticket",
    evidence: { circuits: ids.map(member) },
    ticket: null,
  });
  const state = (
    told: string[] | undefined,
    now: string[],
    family: AlertState["family"] = "fleet",
  ): AlertState => ({
    key: "erw-fleet",
    family,
    circuitId: "/erwatch/fleet/equinix/amsterdam/provider-1",
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase: "firing",
    consecutiveFiring: 2,
    consecutiveClean: 0,
    firstSeen: at(0).toISOString(),
    condition: condition(now),
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: [],
      title: "",
      at: at(0).toISOString(),
      sequence: 1,
      ...(told ? { members: told.map((id) => member(id).id) } : {}),
    },
    sequence: 1,
    lastEvaluatedAt: at(5).toISOString(),
  });
  const ctx = {
    now: at(5),
    repeatEveryMinutes: DEFAULT_ALERT_POLICY.repeatEveryMinutes,
    tickSlackMs: tickSlackMs(DEFAULT_ALERT_POLICY.sweepIntervalMinutes),
    silencedBy: null,
    inhibitedBy: null,
    blind: false,
  };

  it.each<{ case: string; s: AlertState; want: string }>([
    { case: "a member joined", s: state(["a", "b"], ["a", "b", "c"]), want: "repeat" },
    { case: "one left, another joined", s: state(["a", "b"], ["b", "c"]), want: "repeat" },
    { case: "the same members", s: state(["a", "b"], ["b", "a"]), want: "none:unchanged" },
    { case: "a member recovered", s: state(["a", "b", "c"], ["a", "b"]), want: "none:unchanged" },
    {
      case: "ids in another case",
      s: state(
        ["a", "b"],
        ["a", "b"].map((x) => x.toUpperCase()),
      ),
      want: "none:unchanged",
    },
    {
      // Stored before members were recorded: announced again only on its repeat.
      case: "what was told is unknown",
      s: state(undefined, ["a", "b", "c"]),
      want: "none:unchanged",
    },
    {
      case: "not a fleet alert",
      s: state(["a"], ["a", "b"], "provider"),
      want: "none:unchanged",
    },
  ])("$case → $want", ({ s, want }) => {
    const d = decide(s, ctx);
    expect(d.action === "none" ? `none:${d.reason}` : d.action).toBe(want);
  });

  it.each<{
    case: string;
    s: AlertState;
    members: string[];
    firing?: boolean;
    /** This run's observation says one of its circuits would page alone now. */
    atOnce?: boolean;
    want: string[] | null;
    phase?: AlertState["phase"];
  }>([
    {
      case: "another run judged it firing; this run adds c",
      s: state(["a", "b"], ["a", "b"]),
      members: ["a", "b", "c"],
      want: ["a", "b", "c"],
    },
    {
      case: "this run's finding lacks a member stored meanwhile",
      s: state(["a", "b"], ["a", "b", "z"]),
      members: ["a", "b", "c"],
      want: null,
    },
    {
      case: "judged resolving",
      s: { ...state(["a"], ["a"]), phase: "resolving" },
      members: ["a", "b"],
      want: null,
    },
    {
      case: "not a fleet alert",
      s: state(["a"], ["a"], "provider"),
      members: ["a", "b"],
      want: null,
    },
    {
      case: "this run saw it clean",
      s: state(["a"], ["a"]),
      members: ["a"],
      firing: false,
      want: null,
    },
    {
      case: "another run judged it pending; this run adds c, who would wait as well",
      s: { ...state(undefined, ["a", "b"]), phase: "pending", notified: null },
      members: ["a", "b", "c"],
      want: ["a", "b", "c"],
      phase: "pending",
    },
    {
      // It holds c: waiting for its own hysteresis would page c late.
      case: "another run judged it pending; this run adds c, who would page alone now",
      s: { ...state(undefined, ["a", "b"]), phase: "pending", notified: null },
      members: ["a", "b", "c"],
      atOnce: true,
      want: ["a", "b", "c"],
      phase: "firing",
    },
  ])("judged at this instant already: $case", ({ s, members, firing, atOnce, want, phase }) => {
    const observation: Observation = {
      key: s.key,
      family: s.family,
      circuitId: s.circuitId,
      peering: null,
      state: firing === false ? "clean" : "firing",
      finding:
        firing === false ? null : { ...condition(members), peering: null, ticket: undefined },
      previousReadAt: null,
      ...(atOnce ? { opensAtOnce: true } : {}),
    };
    const judgedNow = { ...s, lastEvaluatedAt: at(5).toISOString() };
    const step = advanceStep(observation, judgedNow, {
      policy: DEFAULT_ALERT_POLICY,
      silences: [],
      circuit: { id: s.circuitId, name: s.circuitName },
      now: at(5),
    });
    const named = step.advanced
      ? (step.advanced.condition!.evidence["circuits"] as { id: string }[]).map((m) => m.id)
      : null;
    expect(named).toEqual(want?.map((x) => member(x).id) ?? null);
    // The instant is never counted twice.
    if (step.advanced) expect(step.advanced.consecutiveFiring).toBe(s.consecutiveFiring);
    if (phase) expect(step.advanced?.phase).toBe(phase);
  });

  it("names who joined and remembers them, so the next sweep is quiet", () => {
    const d = decide(state(["a", "b"], ["a", "b", "c", "d"]), ctx);
    expect(d.action).toBe("repeat");
    if (d.action !== "repeat") return;
    expect(d.event.change).toBe(
      "Wider: er-c, er-d broke the same way since the last notification; 4 circuits now. Now: 4 circuits through Equinix at Amsterdam broke at the same layer",
    );
    expect(d.event.episode).toBe(1);
    expect(d.next.notified?.members).toEqual(["a", "b", "c", "d"].map((x) => member(x).id));
    expect(decide(d.next, { ...ctx, now: at(10) }).action).toBe("none");
  });

  it("is no news on a sweep that read the fleet clean (resolving): announced if it fires again", () => {
    // A member whose silence ended the sweep the fleet read clean would be
    // told "broke the same way" a sweep before the resolve that covers it.
    const resolving = {
      ...state(["a"], ["a", "b"]),
      phase: "resolving" as const,
      consecutiveClean: 1,
    };
    expect(decide(resolving, ctx).action).toBe("none");
    const back = decide({ ...resolving, phase: "firing", consecutiveClean: 0 }, ctx);
    expect(back.action === "repeat" && back.event.change).toMatch(/^Wider: er-b broke/);
  });

  it("is held back by a silence like any other event", () => {
    const silenced = decide(state(["a"], ["a", "b"]), { ...ctx, silencedBy: silence });
    expect(silenced).toMatchObject({ action: "none", reason: "silenced", heldBack: "repeat" });
  });

  it("an open records its members; other alerts record none", () => {
    const opened = decide({ ...state(undefined, ["a", "b"]), notified: null }, ctx);
    expect(opened.action === "open" && opened.next.notified?.members).toEqual(
      ["a", "b"].map((x) => member(x).id),
    );
    const other = decide({ ...state(undefined, ["a"], "provider"), notified: null }, ctx);
    expect(other.action === "open" && "members" in other.next.notified!).toBe(false);
  });
});

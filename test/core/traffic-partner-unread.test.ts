// A one-path traffic stop whose partner path erwatch cannot read, through the
// whole pure chain at the 5-minute cadence: what on-call hears. The partner
// unread says nothing either way, so a Sev1 is not stepped down for it; but
// the partner Azure Monitor shows carrying is a reading (the failover
// happened), and the stopped path carrying again is over whatever the partner.

import { describe, expect, it } from "vitest";
import type { PathName } from "../../src/core/model.js";
import { advanceStep } from "../../src/core/alert-step.js";
import { alertChain } from "../support/alert-chain.js";
import {
  MINUTE,
  MINUTES,
  SWEEPS,
  T0,
  readingAt,
  type Control,
  type World,
} from "../fuzz/traffic-world.js";

interface Spec {
  control: Record<PathName, (sweep: number) => Control>;
  busy: Record<PathName, (minute: number) => boolean>;
  gap?: Partial<Record<PathName, (minute: number) => boolean>>;
}

function world(spec: Spec): World {
  const each = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  const minutes = (f: (m: number) => boolean) => each(MINUTES, (i) => f(i - 60));
  return {
    standby: null,
    control: {
      primary: each(SWEEPS, spec.control.primary),
      secondary: each(SWEEPS, spec.control.secondary),
    },
    busy: { primary: minutes(spec.busy.primary), secondary: minutes(spec.busy.secondary) },
    gap: {
      primary: minutes(spec.gap?.primary ?? (() => false)),
      secondary: minutes(spec.gap?.secondary ?? (() => false)),
    },
  };
}

/** What traffic-stopped sent, sweep by sweep: "s<sweep> action:severity". */
function heard(spec: Spec): string[] {
  const sweep = alertChain();
  const w = world(spec);
  const out: string[] = [];
  for (let s = 0; s < SWEEPS; s += 1)
    for (const h of sweep(readingAt(w, s), new Date(T0 + s * 5 * MINUTE)))
      if (h.family === "traffic")
        out.push(
          `s${s} ${h.action}:${h.event.severity}${h.event.change.startsWith("Blind:") ? " Blind" : ""}`,
        );
  return out;
}

/**
 * A step advanced again from the same stored state, as a write that lost its
 * race is (record-circuit.ts): from the sweep's own observation (`given`), or
 * from what advancing made of it. Either must come out as the step did.
 */
function retried(spec: Spec): { fromGiven: string[]; fromAdvanced: string[]; first: string[] } {
  const out = { fromGiven: [] as string[], fromAdvanced: [] as string[], first: [] as string[] };
  const sweep = alertChain((step, ctx) => {
    if (step.observation.family !== "traffic" || !step.previous?.notified) return;
    out.first.push(step.observation.state);
    out.fromGiven.push(advanceStep(step.given!, step.previous, ctx).observation.state);
    out.fromAdvanced.push(advanceStep(step.observation, step.previous, ctx).observation.state);
  });
  const w = world(spec);
  for (let s = 0; s < SWEEPS; s += 1) sweep(readingAt(w, s), new Date(T0 + s * 5 * MINUTE));
  return out;
}

/** The Blind: notices traffic-stopped sent, as their holder reads them. */
function blindWords(spec: Spec): string[] {
  const sweep = alertChain();
  const w = world(spec);
  const out: string[] = [];
  for (let s = 0; s < SWEEPS; s += 1)
    for (const h of sweep(readingAt(w, s), new Date(T0 + s * 5 * MINUTE)))
      if (h.family === "traffic" && h.event.change.startsWith("Blind:")) out.push(h.event.change);
  return out;
}

const up = () => "up" as Control;
const unreadFrom = (from: number) => (s: number) => (s >= from ? "unread" : "up") as Control;

describe("a one-path traffic stop beside a partner erwatch cannot read", () => {
  it("the partner's ARM reads failing for good while Azure Monitor shows it carrying (the failover happened): Sev1 steps down to Sev2", () => {
    expect(
      heard({
        control: { primary: up, secondary: unreadFrom(10) },
        busy: { primary: (m) => m < 0, secondary: (m) => m >= 45 },
      }),
    ).toEqual(["s5 open:Sev1", "s10 deescalate:Sev2"]);
  });

  // Meanwhile the Sev1 stands as paged (nothing tells whether the partner carries),
  // and its holder hears once that erwatch cannot see all of it (Blind:).
  it("the partner's ARM reads failing for good, the stopped path carrying again: resolved", () => {
    expect(
      heard({
        control: { primary: up, secondary: unreadFrom(10) },
        busy: { primary: (m) => m < 0 || m >= 100, secondary: () => false },
      }),
    ).toEqual(["s5 open:Sev1", "s12 repeat:Sev1 Blind", "s22 resolve:Sev1"]);
  });

  // The stopped path is read: the holder hears which path erwatch cannot
  // judge, not that no reading stands behind the alert.
  it("its Blind: notice names the partner it cannot judge and says the stop itself still reads", () => {
    expect(
      blindWords({
        control: { primary: up, secondary: unreadFrom(10) },
        busy: { primary: (m) => m < 0 || m >= 100, secondary: () => false },
      }),
    ).toEqual([
      expect.stringMatching(
        /^Blind: erwatch has not read every path this alert's severity rests on since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC; at this sweep erwatch could not tell whether the secondary path carries, and the primary path read as the alert says; it stands as last seen/,
      ),
    ]);
  });

  // A write that lost its race advanced what the first advance made of the
  // sweep (unknown: the partner unjudged) again: read as "only the path beside
  // unread", the held Sev1 counted a clean sweep towards its resolve.
  it("a retry after a lost race holds the Sev1 as the first advance did", () => {
    const { first, fromGiven, fromAdvanced } = retried({
      control: { primary: up, secondary: unreadFrom(10) },
      busy: { primary: (m) => m < 0, secondary: () => false },
    });
    expect(first).toContain("unknown");
    expect(fromGiven).toEqual(first);
    expect(fromAdvanced).toEqual(first);
  });

  it("the partner's throughput gone from Azure Monitor for good, the stopped path carrying again: resolved, never stepped down", () => {
    expect(
      heard({
        control: { primary: up, secondary: up },
        busy: { primary: (m) => m < 0 || m >= 100, secondary: () => false },
        gap: { secondary: (m) => m >= 40 },
      }),
    ).toEqual(["s5 open:Sev1", "s12 repeat:Sev1 Blind", "s22 resolve:Sev1"]);
  });
});

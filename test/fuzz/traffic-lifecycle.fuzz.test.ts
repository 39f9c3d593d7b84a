// Property-based: traffic-stopped as on-call hears it. The random worlds of
// traffic.fuzz.test.ts go through the whole pure chain of a sweep (evaluate →
// advance → inhibition → decide, as src/app/record-circuit.ts runs it without
// storage) at the 5-minute cadence, and what the receivers were sent is
// checked against what the world did, as Azure Monitor delivered it:
// - an alert resolves only when traffic came back: a path it named carried
//   (or, for the standby, the active path carried), or what it named cannot be
//   found stopped any more because the path went down and came back (the
//   outage is its own alert), never because a read failed or data went missing;
// - a Sev1 steps down to Sev2 only when something carries the peering again,
//   or the partner went down or could not be judged;
// - no alert opens twice in one stop: a reopen needs a resolve that the world
//   justified first (above).
// Bounded runs with a fixed seed (FUZZ_SEED, FUZZ_RUNS override).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PathName } from "../../src/core/model.js";
import { alertChain } from "../support/alert-chain.js";
import {
  LAG,
  MINUTE,
  PATHS,
  SWEEPS,
  T0,
  WINDOW,
  carried,
  ix,
  minutesOf,
  readingAt,
  worldArb,
  type World,
} from "./traffic-world.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

interface Sent {
  action: string;
  severity: string;
  /** The paths the event names. */
  paths: PathName[];
}

/** What traffic-stopped sent at each sweep (one circuit, one peering: one key). */
function live(w: World): Sent[][] {
  const sweep = alertChain();
  const out: Sent[][] = [];
  for (let s = 0; s < SWEEPS; s += 1) {
    const now = new Date(T0 + s * 5 * MINUTE);
    out.push(
      sweep(readingAt(w, s), now)
        .filter((h) => h.family === "traffic")
        .map((h) => ({
          action: h.action,
          severity: h.event.severity,
          paths: h.event.condition.paths,
        })),
    );
  }
  return out;
}

/** The path carried within minutes (from, to], as Azure Monitor delivered it. */
const carriedIn = (w: World, path: PathName, from: number, to: number) => {
  for (let m = from + 1; m <= to; m += 1)
    if (carried(w, path, m) && !w.gap[path][ix(m)]) return true;
  return false;
};

/** Since sweep `from`, the path was read down at a sweep up to `to`. */
const readDownIn = (w: World, path: PathName, from: number, to: number) =>
  w.control[path].slice(from, to + 1).includes("down");

const tally = { resolves: 0, deescalations: 0, opens: 0 };

function violations(w: World, sent: Sent[][]): string[] {
  const out: string[] = [];
  /** What the receivers hold, and since which sweep they have held it (its last open). */
  let held: { paths: PathName[]; severity: string; since: number } | null = null;
  for (let s = 0; s < SWEEPS; s += 1) {
    const end = s * 5 - LAG;
    for (const e of sent[s]!) {
      const say = `sweep ${s} (${s * 5} min): ${e.action} ${e.severity} ${e.paths.join("+")}`;
      if (e.action === "open") {
        tally.opens += 1;
        if (held) out.push(`${say}: opened while the receivers hold one`);
        held = { paths: e.paths, severity: e.severity, since: s };
        continue;
      }
      if (!held) {
        out.push(`${say}: nothing open`);
        continue;
      }
      // What was held and since when it could have recovered: a window back
      // from the sweep before the resolve's clean sweeps began.
      const from = Math.max(held.since * 5 - LAG, end - WINDOW - 15);
      const named = held.paths;
      const cameBack = named.some((p) => carriedIn(w, p, from, end));
      const wentDown = named.some((p) => readDownIn(w, p, held!.since, s));
      const activeCarried =
        w.standby !== null &&
        named.includes(w.standby) &&
        PATHS.filter((p) => p !== w.standby).some((p) => carriedIn(w, p, from, end));
      if (e.action === "resolve") {
        tally.resolves += 1;
        if (!cameBack && !wentDown && !activeCarried)
          out.push(
            `${say}: resolved, but nothing it named carried or went down since sweep ${held.since}`,
          );
        held = null;
        continue;
      }
      if (e.action === "deescalate" && held.severity === "Sev1") {
        tally.deescalations += 1;
        const partnerMoved = PATHS.some(
          (p) => carriedIn(w, p, from, end) || readDownIn(w, p, held!.since, s),
        );
        if (!partnerMoved)
          out.push(`${say}: stepped down from Sev1 while nothing carried or went down`);
      }
      held = { ...held, paths: e.paths, severity: e.severity };
    }
  }
  return out;
}

function describeWorld(w: World, sent: Sent[][]): string {
  const rows = [`standby: ${w.standby}`];
  for (let s = 0; s < SWEEPS; s += 1) {
    const mins = (p: PathName) => minutesOf(w, p, s);
    const f = sent[s]!.map((x) => `${x.action}:${x.severity}:${x.paths.join("+")}`).join(",");
    rows.push(
      `${String(s).padStart(2)} P ${w.control.primary[s]!.padEnd(6)} ${mins("primary")} S ${w.control.secondary[s]!.padEnd(6)} ${mins("secondary")} ${f}`,
    );
  }
  return rows.join("\n");
}

describe("traffic-stopped as on-call hears it, over random worlds at the 5-minute cadence (pure chain)", () => {
  it("resolves and steps down only when the world did", () => {
    let worlds = 0;
    fc.assert(
      fc.property(worldArb, (w) => {
        const sent = live(w);
        worlds += 1;
        const v = violations(w, sent);
        if (v.length > 0 && process.env.FUZZ_DEBUG) console.log(describeWorld(w, sent));
        expect(v).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    if (process.env.FUZZ_DEBUG) console.log(JSON.stringify(tally));
    expect(worlds).toBe(RUNS);
    expect(tally.opens).toBeGreaterThan(RUNS / 4);
    expect(tally.resolves).toBeGreaterThan(0);
    expect(tally.deescalations).toBeGreaterThan(0);
  });
});

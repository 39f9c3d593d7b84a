// Property-based: traffic-stopped judged sweep after sweep at the product's
// 5-minute cadence, the snapshot (traffic memory, runs) carried forward, over
// random worlds: each path up, down or unread in spells, carrying or quiet
// minute by minute (nothing while truly down), Azure Monitor's data missing in
// spells, a standby path tagged or not. The judgement is pure, so the worlds
// are many and long; what is checked is what the world truly did, not how
// erwatch decides it (as far as Azure Monitor delivered it: what a path
// carried in a gap is nobody's to know):
// - a stop names only paths up at the sweep that carried nothing for the
//   whole window, and Sev1 only when nothing carried the peering meanwhile;
// - a path back from an outage is not a stop within a window of its return,
//   unless it was already a stop when it went down;
// - the standby is never a stop while the other path carried within the
//   window, nor while nothing at all was seen of the other path;
// - both paths up, seen carrying, then quiet for long, with the metrics whole:
//   the Sev1 is found.
// Bounded runs with a fixed seed (FUZZ_SEED, FUZZ_RUNS override).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { Finding, PathName } from "../../src/core/model.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  LAG,
  LOOK_BACK,
  MINUTE,
  PATHS,
  POLICY,
  SWEEPS,
  T0,
  WINDOW,
  ix,
  minutesOf,
  newestSeen,
  quietOver,
  quietWindow,
  readingAt,
  returnedAt,
  worldArb,
  type World,
} from "./traffic-world.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

interface Judged {
  found: Finding[];
  /** Each path's capacity row: "unknown" when its traffic could not be judged. */
  capacity: Record<PathName, string>;
}

/** Every sweep's traffic-stopped findings and capacity rows, the snapshot carried forward. */
function judge(w: World): Judged[] {
  let previous: Snapshot | null = null;
  const out: Judged[] = [];
  for (let s = 0; s < SWEEPS; s += 1) {
    const now = new Date(T0 + s * 5 * MINUTE);
    const reading = readingAt(w, s);
    const judged = evaluateCircuit(reading, previous, [], [], POLICY, now);
    previous = judged.snapshot;
    const paths = judged.verdict.peerings[0]!.paths;
    out.push({
      found: judged.verdict.findings.filter((f) => f.code === "traffic-stopped"),
      capacity: {
        primary: paths.primary.capacity.status,
        secondary: paths.secondary.capacity.status,
      },
    });
  }
  return out;
}

/** How often the worlds gave each check something to judge (not vacuous). */
const tally = { plainStops: 0, returns: 0, standbyStops: 0 };

function violations(w: World, judged: Judged[]): string[] {
  const found = judged.map((j) => j.found);
  const out: string[] = [];
  for (let s = 0; s < SWEEPS; s += 1) {
    const end = s * 5 - LAG;
    for (const f of found[s]!) {
      const say = `sweep ${s} (${s * 5} min): ${f.severity} ${f.paths.join("+")}`;
      for (const path of f.paths as PathName[]) {
        if (w.control[path][s] !== "up")
          out.push(`${say}: names ${path}, read ${w.control[path][s]}`);
        if (!quietWindow(w, path, end)) out.push(`${say}: ${path} carried within the window`);
        const back = returnedAt(w, path, s);
        const stoppedBefore =
          back !== null &&
          (() => {
            // Its last judgement before the outage: a sweep whose traffic could not be judged
            // (a gap) holds the alert as paged, and so does the run.
            let last = back - 1;
            while (
              last >= 0 &&
              (w.control[path][last] !== "up" || judged[last]!.capacity[path] === "unknown")
            )
              last -= 1;
            return last >= 0 && found[last]!.some((g) => g.paths.includes(path));
          })();
        if (back !== null && (s - back) * 5 < WINDOW - 5) tally.returns += 1;
        if (back !== null && (s - back) * 5 < WINDOW - 5 && !stoppedBefore)
          out.push(`${say}: ${path} came back at sweep ${back}, less than a window ago`);
      }
      // The peering judged over the window of the stopped path's newest minute.
      const at = newestSeen(w, f.paths[0] as PathName, end);
      // (A path named is judged over its own window, above; one not named may be
      // judged over its own, its data fresher or staler than the stopped path's.)
      if (f.severity === "Sev1")
        for (const path of PATHS.filter((p) => !f.paths.includes(p)))
          if (!quietOver(w, path, at - WINDOW + 1, at) && !quietWindow(w, path, end))
            out.push(`${say}: Sev1 while ${path} carried within the window`);
      if (w.standby && f.paths.length === 1 && f.paths[0] === w.standby) {
        tally.standbyStops += 1;
        const other = PATHS.find((p) => p !== w.standby)!;
        if (!quietOver(w, other, at - WINDOW + 1, at))
          out.push(`${say}: the standby named while ${other} carried within the window`);
        // Nothing seen of the active path (ARM unread, Azure Monitor's newest minute
        // older than its 10 minutes of staleness): UNKNOWN, never a page.
        if (w.control[other][s] === "unread" && newestSeen(w, other, end) < end - 10)
          out.push(`${say}: the standby named while nothing was seen of ${other}`);
      }
    }
    // Liveness: both up for 30 min, the metrics whole for the look-back, both
    // seen carrying in it and quiet for the last 20 min: the Sev1 is found.
    const steady = [0, 1, 2, 3, 4, 5].every(
      (k) => s - k >= 0 && PATHS.every((p) => w.control[p][s - k] === "up"),
    );
    const whole = PATHS.every((p) => {
      for (let m = s * 5 - LOOK_BACK; m <= end; m += 1) if (w.gap[p][ix(m)]) return false;
      return true;
    });
    const seen = PATHS.every((p) => !quietOver(w, p, s * 5 - LOOK_BACK + LAG, end - 20));
    const quiet = PATHS.every((p) => quietOver(w, p, end - 20, end));
    if (steady && whole && seen && quiet) tally.plainStops += 1;
    if (steady && whole && seen && quiet && !found[s]!.some((f) => f.severity === "Sev1"))
      out.push(`sweep ${s} (${s * 5} min): both paths up and quiet 20 min after carrying, no Sev1`);
  }
  return out;
}

/** The world and what erwatch found, sweep by sweep, for a failure's reader. */
function describeWorld(w: World, judged: Judged[]): string {
  const rows = [`standby: ${w.standby}`];
  for (let s = 0; s < SWEEPS; s += 1) {
    const mins = (p: PathName) => minutesOf(w, p, s);
    const f = judged[s]!.found.map((x) => `${x.severity}:${x.paths.join("+")}`).join(",");
    rows.push(
      `${String(s).padStart(2)} P ${w.control.primary[s]!.padEnd(6)} ${mins("primary")} ${judged[s]!.capacity.primary.padEnd(7)} S ${w.control.secondary[s]!.padEnd(6)} ${mins("secondary")} ${judged[s]!.capacity.secondary.padEnd(7)} ${f}`,
    );
  }
  return rows.join("\n");
}

describe("traffic-stopped over random worlds at the 5-minute cadence (pure)", () => {
  it("names only what truly stopped, at the severity the peering truly had, and finds a plain stop", () => {
    let judged = 0;
    let stops = 0;
    fc.assert(
      fc.property(worldArb, (w) => {
        const sweeps = judge(w);
        judged += 1;
        stops += sweeps.filter((j) => j.found.length > 0).length;
        const v = violations(w, sweeps);
        if (v.length > 0 && process.env.FUZZ_DEBUG) console.log(describeWorld(w, sweeps));
        expect(v).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Not vacuous: the worlds stop traffic often enough to judge.
    expect(judged).toBe(RUNS);
    expect(stops).toBeGreaterThan(RUNS / 4);
    expect(tally.plainStops).toBeGreaterThan(0);
    expect(tally.returns).toBeGreaterThan(0);
    expect(tally.standbyStops).toBeGreaterThan(0);
  });
});

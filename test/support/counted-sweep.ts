// One timer sweep with what it cost: the circuits it read deep (name and
// reason) and the long-running POSTs (ARP tables, route summaries) it sent,
// so a timeline compares deep reads per sweep before and after a change.

import type { SweepResult } from "../../src/app/sweep.js";
import type { TimerWorld } from "./timer-world.js";

export interface CountedSweep {
  result: SweepResult;
  /** "name reason" of each circuit read deep, sorted. */
  deep: string[];
  posts: number;
  /** Why `name` was read deep this sweep, or "quiet". */
  reasonOf(name: string): string;
}

export async function countedSweep(t: TimerWorld, m: number): Promise<CountedSweep> {
  const before = t.w.estate.requests.length;
  const result = await t.sweep(m);
  const sent = t.w.estate.requests.slice(before);
  return {
    result,
    deep: result.plan.deep.map((d) => `${d.name} ${d.reason}`).sort(),
    posts: sent.filter(
      (r) =>
        r.method === "POST" && (r.operation === "arpTable" || r.operation === "routeTablesSummary"),
    ).length,
    reasonOf: (name) => result.plan.deep.find((d) => d.name === name)?.reason ?? "quiet",
  };
}

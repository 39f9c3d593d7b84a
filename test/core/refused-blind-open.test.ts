// When a monitoring-blind opens for a circuit read every one, two or three
// sweeps (its rotation's turn): on reads refused for good (a role without the
// route summary action) it opens on time, confirmed by a second read, since a
// pending blind on them is no trouble and the circuit is read in its turn;
// on a throttled read (read every sweep for it in the product: it is
// trouble) it keeps its count of failed reads in a row, whatever the cadence.

import { describe, expect, it } from "vitest";
import { blindFindings, type BlindRead } from "../../src/core/blind.js";
import { advance, decide, type AlertState } from "../../src/core/lifecycle.js";
import type { ReadErrorKind } from "../../src/core/model.js";
import type { Observation } from "../../src/core/observe.js";
import {
  DEFAULT_ALERT_POLICY,
  hysteresisOf,
  tickSlackMs,
  type AlertPolicy,
} from "../../src/core/policy.js";

const T0 = Date.parse("2026-11-22T02:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);
const CIRCUIT = { id: "/subscriptions/s/c/er1", name: "er1" };
const SUMMARY = "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read";

function failure(kind: ReadErrorKind, path: "primary" | "secondary"): BlindRead {
  return {
    peering: "AzurePrivatePeering",
    path,
    failure: {
      kind,
      call: SUMMARY,
      target: `route summary AzurePrivatePeering/${path}`,
      message: kind,
      ...(kind === "forbidden" ? { statusCode: 403, missingPermission: SUMMARY } : {}),
      ...(kind === "throttled" ? { statusCode: 429 } : {}),
    },
  };
}

function observation(kinds: readonly ReadErrorKind[] | null, previousReadAt: Date): Observation {
  const reads = (kinds ?? []).map((k, i) => failure(k, i % 2 === 0 ? "primary" : "secondary"));
  const finding = kinds ? blindFindings(reads, "s", "Sev3", previousReadAt.getTime())[0]! : null;
  return {
    key: "erw-blind",
    family: "monitoring-blind",
    circuitId: CIRCUIT.id,
    peering: "AzurePrivatePeering",
    state: finding ? "firing" : "clean",
    finding,
    previousReadAt: previousReadAt.toISOString(),
  };
}

/** What the reads of the circuit's nth failed reading (from 0) answered. */
type KindsAt = (n: number) => readonly ReadErrorKind[] | null;

/**
 * The minute the blind opens for a circuit read (on the timer's ticks) at
 * `minutes`, clean at the first and failing with `kinds` after (null: clean
 * again); null: never.
 */
function openedAt(
  minutes: readonly number[],
  kinds: readonly ReadErrorKind[] | KindsAt,
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): number | null {
  const h = hysteresisOf(policy, CIRCUIT, "monitoring-blind");
  const kindsAt: KindsAt = typeof kinds === "function" ? kinds : () => kinds;
  let state: AlertState | null = null;
  for (const [i, minute] of minutes.entries()) {
    const now = at(minute);
    const before = at(i === 0 ? minute - 5 : minutes[i - 1]!);
    const read = observation(i === 0 ? null : kindsAt(i - 1), before);
    const next = advance(state, read, h, "er1", now, true);
    if (!next) continue;
    const d = decide(next, {
      now,
      repeatEveryMinutes: policy.repeatEveryMinutes,
      tickSlackMs: tickSlackMs(policy.sweepIntervalMinutes),
      silencedBy: null,
      inhibitedBy: null,
      blind: false,
    });
    if (d.action === "open") return minute;
    state = d.next;
  }
  return null;
}

/** Read every `every` sweeps of 5 minutes: clean in the turn before minute 0, failing from 0 on. */
const turns = (every: number) => Array.from({ length: 8 }, (_, i) => (i - 1) * every * 5);

const REFUSED: ReadErrorKind[] = ["forbidden", "forbidden"];
const THROTTLED: ReadErrorKind[] = ["throttled", "throttled"];
const BOTH: ReadErrorKind[] = ["forbidden", "throttled"];

describe("when monitoring-blind opens, by how often the circuit is read and why its reads fail", () => {
  it.each([
    // Read every sweep, as today: the third failed read, 10 minutes after the first.
    { every: 1, kinds: REFUSED, opens: 10 },
    // Before: the third read at the rotation's cadence, 20 and 30 minutes after the first 403.
    { every: 2, kinds: REFUSED, opens: 10 },
    { every: 3, kinds: REFUSED, opens: 15 },
    // A read a later try may mend keeps its count of failed reads in a row.
    { every: 1, kinds: THROTTLED, opens: 10 },
    { every: 2, kinds: THROTTLED, opens: 20 },
    { every: 3, kinds: THROTTLED, opens: 30 },
    { every: 1, kinds: BOTH, opens: 10 },
    { every: 2, kinds: BOTH, opens: 20 },
    { every: 3, kinds: BOTH, opens: 30 },
  ])("read every $every sweep(s), $kinds: opens at minute $opens", ({ every, kinds, opens }) => {
    expect(openedAt(turns(every), kinds)).toBe(opens);
  });

  it("never opens on refused reads sooner than read every sweep would: a change read deep at once is no third sweep", () => {
    // Clean a turn back (minute -15), refused at 0, read again at 5 for a change, then in turn at 15.
    expect(openedAt([-15, 0, 5, 15, 30], REFUSED)).toBe(15);
    // Read at 0 and 5, then at 10: it has stood as long as three sweeps take.
    expect(openedAt([-15, 0, 5, 10], REFUSED)).toBe(10);
  });

  it("needs a second refused read however long the first stood, and follows blindAfterSweeps", () => {
    // One refused read, then none for an hour (the sweep failed, the circuit was not read): still pending.
    expect(openedAt([-15, 0], REFUSED)).toBeNull();
    expect(openedAt([-15, 0, 60], REFUSED)).toBe(60);
    // Five sweeps to wait: 20 minutes from the first 403, at the read that finds it then.
    const five = { ...DEFAULT_ALERT_POLICY, blindAfterSweeps: 5 };
    expect(openedAt(turns(1), REFUSED, five)).toBe(20);
    expect(openedAt(turns(3), REFUSED, five)).toBe(30);
    expect(openedAt(turns(3), THROTTLED, five)).toBe(60);
    // One sweep: the first failed read opens it, refused or not.
    const one = { ...DEFAULT_ALERT_POLICY, blindAfterSweeps: 1 };
    expect(openedAt(turns(3), REFUSED, one)).toBe(0);
    expect(openedAt(turns(3), THROTTLED, one)).toBe(0);
  });
});

/** Refused (R) or throttled (T) at each failed reading, as `pattern` spells it, repeating its last letter. */
const run =
  (pattern: string): KindsAt =>
  (n) =>
    pattern[Math.min(n, pattern.length - 1)] === "R" ? REFUSED : THROTTLED;
const alternating =
  (first: "R" | "T"): KindsAt =>
  (n) =>
    (n % 2 === 0) === (first === "R") ? REFUSED : THROTTLED;
const FIVE = { ...DEFAULT_ALERT_POLICY, blindAfterSweeps: 5 };

describe("when monitoring-blind opens on a run refused and throttled by turns", () => {
  // Counted as if read every sweep: a sweep the circuit was left to its turn
  // between two refused reads counts as failed, a throttled read as its own
  // sweep; refused again, the second refused read of the run at least, it
  // opens once the run has stood blindAfterSweeps sweeps' time. Before, the
  // reading's own kind chose the rule: throttled, the strict count of reads
  // (the refused ones read at the rotation's cadence counting one each);
  // refused, any second failed read and the time since the first failure.
  it.each([
    // Read every sweep: blindAfterSweeps failed reads, whatever they were.
    ...["R", "T", "RT", "RRT", "TR", "TTR"].map((p) => ({ every: 1, p, n: 3, opens: 10 })),
    { every: 1, p: "alternating R", n: 3, opens: 10 },
    { every: 1, p: "alternating T", n: 3, opens: 10 },
    ...["R", "T", "RT", "RRT", "TR", "TTR"].map((p) => ({ every: 1, p, n: 5, opens: 20 })),
    // Refused then throttled: the throttle is not the refusal's second read.
    { every: 2, p: "RT", n: 3, opens: 20 },
    { every: 3, p: "RT", n: 3, opens: 30 },
    { every: 2, p: "RRT", n: 3, opens: 10 },
    // Five sweeps: before, 40 and 60 (the third to fifth reads counted one each).
    { every: 2, p: "RRT", n: 5, opens: 30 },
    { every: 3, p: "RRT", n: 5, opens: 30 },
    { every: 2, p: "RT", n: 5, opens: 40 },
    // Throttled then refused: the refusal met once is not confirmed. Before,
    // 10 and 15 on one throttle and one refusal, and 20 and 30 on two.
    { every: 2, p: "TR", n: 3, opens: 20 },
    { every: 3, p: "TR", n: 3, opens: 30 },
    { every: 2, p: "TTR", n: 3, opens: 20 },
    { every: 2, p: "TR", n: 5, opens: 20 },
    { every: 2, p: "TTR", n: 5, opens: 30 },
    { every: 3, p: "TTR", n: 5, opens: 45 },
    // By turns. Before, TRTR opened at 10 and 15 on its one refusal.
    { every: 2, p: "alternating R", n: 3, opens: 20 },
    { every: 2, p: "alternating T", n: 3, opens: 20 },
    { every: 3, p: "alternating T", n: 3, opens: 30 },
    { every: 2, p: "alternating R", n: 5, opens: 20 },
    { every: 2, p: "alternating T", n: 5, opens: 30 },
  ])(
    "read every $every sweep(s), $p, blindAfterSweeps $n: opens at minute $opens",
    ({ every, p, n, opens }) => {
      const kinds = p.startsWith("alternating ") ? alternating(p.at(-1) as "R" | "T") : run(p);
      const policy = n === 5 ? FIVE : DEFAULT_ALERT_POLICY;
      expect(openedAt(turns(every), kinds, policy)).toBe(opens);
    },
  );

  it("opens at the product's cadence (a throttled read read again the next sweep, a refused one in its turn) no later than its count", () => {
    // Refused at 0 and 10, throttled at 20 and 25: five sweeps counted at 25. Before: 30.
    expect(openedAt([-10, 0, 10, 20, 25, 30], run("RRT"), FIVE)).toBe(25);
    expect(openedAt([-10, 0, 10, 15], run("RT"))).toBe(15);
    expect(openedAt([-10, 0, 5, 15], run("TR"))).toBe(15);
  });

  it("never opens on a throttle for one sweep unless the sweeps before it make the count", () => {
    const once = (pattern: string): KindsAt => {
      const kinds = run(pattern);
      return (n) => (n < pattern.length ? kinds(n) : null);
    };
    // One refusal, then a throttle in its turn, then clean.
    expect(openedAt([-10, 0, 10, 15, 20], once("RT"))).toBeNull();
    // A throttle, then one refusal a turn later. Before: opened at 10.
    expect(openedAt([-10, 0, 10, 20, 25], once("TR"))).toBeNull();
    // Refused at 0 and 10 (three sweeps), throttled at 20: four of five.
    expect(openedAt([-10, 0, 10, 20, 25], once("RRT"), FIVE)).toBeNull();
    // Refused four sweeps, then the throttle is the fifth, as read every sweep.
    expect(openedAt([-10, 0, 10, 15, 20, 25], once("RRRT"), FIVE)).toBe(20);
  });
});

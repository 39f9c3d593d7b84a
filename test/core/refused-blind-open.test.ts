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

/**
 * The minute the blind opens for a circuit read (on the timer's ticks) at
 * `minutes`, clean at the first and failing with `kinds` after; null: never.
 */
function openedAt(
  minutes: readonly number[],
  kinds: readonly ReadErrorKind[],
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): number | null {
  const h = hysteresisOf(policy, CIRCUIT, "monitoring-blind");
  let state: AlertState | null = null;
  for (const [i, minute] of minutes.entries()) {
    const now = at(minute);
    const before = at(i === 0 ? minute - 5 : minutes[i - 1]!);
    const next = advance(state, observation(i === 0 ? null : kinds, before), h, "er1", now, true);
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

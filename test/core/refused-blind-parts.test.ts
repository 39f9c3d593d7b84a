// The parts of the rule that opens a monitoring-blind on refused reads alone
// (refused-blind-open.ts): which conditions it applies to, how many reads it
// needs, and how long it has stood. Its timings: refused-blind-open.test.ts.

import { describe, expect, it } from "vitest";
import { blindFindings } from "../../src/core/blind.js";
import type { ReadErrorKind } from "../../src/core/model.js";
import {
  inTurnReadsNow,
  refusedBlindHeldMs,
  refusedReadsToOpen,
} from "../../src/core/refused-blind-open.js";
import { namesNoReadMends } from "../../src/core/refused-reads.js";

const at = (minute: number) => new Date(Date.parse("2026-11-22T02:00:00.000Z") + minute * 60_000);
const SUMMARY = "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read";
const BODY = "Microsoft.Network/expressRouteCircuits/read";

/** A monitoring-blind condition naming one failed route summary read per kind. */
const of = (kinds: ReadErrorKind[]) =>
  blindFindings(
    kinds.map((kind) => ({
      peering: "AzurePrivatePeering",
      path: "primary" as const,
      failure: { kind, call: SUMMARY, target: "route summary", message: kind },
    })),
    "s",
    "Sev3",
    at(0).getTime(),
  )[0]!;

describe("the parts of the rule", () => {
  it("tells a condition naming refused reads alone from one naming any other, or a row kept in an odd shape", () => {
    expect(namesNoReadMends(of(["forbidden", "not-found"]))).toBe(true);
    expect(namesNoReadMends(of(["forbidden", "throttled"]))).toBe(false);
    expect(namesNoReadMends(of(["malformed"]))).toBe(false);
    // A field of the circuit's body is read in turn too (refused-reads.ts).
    const field = (kind: ReadErrorKind, call: string) =>
      blindFindings(
        [
          {
            peering: "AzurePrivatePeering",
            path: "primary" as const,
            failure: { kind, call, target: "circuit", message: "peerASN is 0" },
          },
        ],
        "s",
        "Sev3",
        at(0).getTime(),
      )[0]!;
    expect(namesNoReadMends(field("malformed", BODY))).toBe(true);
    expect(namesNoReadMends(field("malformed", SUMMARY))).toBe(false);
    expect(namesNoReadMends(field("throttled", BODY))).toBe(false);
    expect(namesNoReadMends({ evidence: {} })).toBe(false);
    expect(namesNoReadMends({ evidence: { failedReads: [] } })).toBe(false);
    expect(namesNoReadMends({ evidence: { failedReads: ["forbidden"] } })).toBe(false);
    expect(namesNoReadMends(null)).toBe(false);
  });

  it("counts two reads at most, and time held from one interval before the first refused read", () => {
    expect([1, 2, 3, 5].map(refusedReadsToOpen)).toEqual([1, 2, 2, 2]);
    const five = 5 * 60_000;
    // Clean 30 minutes back, first refused 10 minutes back: it has stood 15.
    expect(refusedBlindHeldMs(30 * 60_000, at(0).toISOString(), at(10), five)).toBe(15 * 60_000);
    // Clean the sweep before the first refused read: as held.
    expect(refusedBlindHeldMs(15 * 60_000, at(0).toISOString(), at(10), five)).toBe(15 * 60_000);
    // A first sighting kept as no instant: as held.
    expect(refusedBlindHeldMs(30 * 60_000, "yesterday", at(10), five)).toBe(30 * 60_000);
  });
});

describe("the in-turn readings a run keeps", () => {
  const refused = of(["forbidden"]);
  const throttled = of(["throttled"]);
  const five = 5 * 60_000;
  const before = (condition: typeof refused, count = 2) => ({
    consecutiveFiring: count,
    condition,
    lastFiringAt: at(10).toISOString(),
    lastMaskedAt: null,
  });
  const kept = { reads: 2, skipped: 1, at: at(10).toISOString() };

  it("counts the sweeps between two refused readings, none beside a throttled one", () => {
    expect(inTurnReadsNow(before(refused), kept, true, "now", at(20), five)).toEqual({
      reads: 3,
      skipped: 2,
      at: "now",
    });
    expect(inTurnReadsNow(before(refused), kept, false, "now", at(20), five)).toEqual({
      reads: 2,
      skipped: 1,
      at: "now",
    });
    expect(inTurnReadsNow(before(throttled), kept, true, "now", at(20), five)).toEqual({
      reads: 3,
      skipped: 1,
      at: "now",
    });
    // An on-demand read between ticks: the ticks that fell between.
    expect(inTurnReadsNow(before(refused), kept, true, "now", at(17.5), five)?.skipped).toBe(2);
    expect(inTurnReadsNow(before(refused), kept, true, "now", at(12.5), five)?.skipped).toBe(1);
    expect(inTurnReadsNow(before(throttled, 0), kept, false, "now", at(20), five)).toBeNull();
  });

  it("counts none across a reading that saw the key masked", () => {
    const masked = { ...before(refused), lastMaskedAt: at(15).toISOString() };
    expect(inTurnReadsNow(masked, kept, true, "now", at(20), five)?.skipped).toBe(1);
  });

  it("takes the reading before alone when what was kept is another's, of another run, or in an odd shape", () => {
    // Kept by an erwatch that did not count them (another reading since), or none (stored before).
    for (const other of [{ ...kept, at: at(5).toISOString() }, undefined, "2", { reads: -1 }])
      expect(inTurnReadsNow(before(refused), other, true, "now", at(20), five)).toEqual({
        reads: 2,
        skipped: 1,
        at: "now",
      });
    expect(inTurnReadsNow(before(throttled), undefined, true, "now", at(20), five)).toEqual({
      reads: 1,
      skipped: 0,
      at: "now",
    });
    // A clean reading since: a new run.
    expect(inTurnReadsNow(before(refused, 0), kept, true, "now", at(20), five)).toEqual({
      reads: 1,
      skipped: 0,
      at: "now",
    });
  });
});

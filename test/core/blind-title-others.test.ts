// Users read a monitoring-blind title that ran the other failed reads' count
// on from the worst's words: "…: -5 (negative bits/s), 14 minutes since
// 01:45 UTC and 1 more read", the count read as part of the time, and "more
// read" not saying what the others were. Now the count stands apart and says
// what it counts: answers erwatch cannot understand, or reads that failed.

import { describe, expect, it } from "vitest";
import { blindFindings, type BlindRead } from "../../src/core/blind.js";
import type { ReadFailure } from "../../src/core/model.js";

const SWEEP_AT = Date.parse("2026-11-22T02:00:00.000Z");
const ARP = "Microsoft.Network/expressRouteCircuits/peerings/arpTables/action";

const read = (failure: Partial<ReadFailure> & Pick<ReadFailure, "kind" | "target">): BlindRead => ({
  peering: "AzurePrivatePeering",
  path: "primary",
  failure: { call: ARP, message: failure.target, ...failure },
});

const titleOf = (reads: BlindRead[]) =>
  blindFindings(reads, "sub-1", "Sev3", SWEEP_AT).map((f) => f.title);

describe("monitoring-blind's title counts the reads it does not name, apart and by what they are", () => {
  it("one read: no count", () => {
    expect(
      titleOf([read({ kind: "timeout", target: "ARP table AzurePrivatePeering/primary" })]),
    ).toEqual(["erwatch cannot read ARP table AzurePrivatePeering/primary: timeout"]);
  });

  it("reads that failed: counted after the worst's words, as reads that failed too", () => {
    expect(
      titleOf([
        read({ kind: "timeout", target: "ARP table AzurePrivatePeering/primary" }),
        read({
          kind: "forbidden",
          target: "route table AzurePrivatePeering/primary",
          missingPermission: "Microsoft.Network/expressRouteCircuits/peerings/routeTables/action",
        }),
        read({ kind: "malformed", target: "route table summary AzurePrivatePeering/primary" }),
      ]),
    ).toEqual([
      "erwatch cannot read route table AzurePrivatePeering/primary: forbidden (missing Microsoft.Network/expressRouteCircuits/peerings/routeTables/action); 2 more reads failed too",
    ]);
  });

  it("answers erwatch cannot understand: counted as such", () => {
    expect(
      titleOf([
        read({
          kind: "malformed",
          target: "t",
          message: "BitsInPerSecond of AzurePrivatePeering/primary: -5",
        }),
        read({
          kind: "malformed",
          target: "t",
          message: "BitsOutPerSecond of AzurePrivatePeering/primary: -5",
        }),
      ]),
    ).toEqual([
      "erwatch cannot understand what Azure answered for BitsInPerSecond of AzurePrivatePeering/primary: -5; 1 more answer it cannot understand",
    ]);
  });
});

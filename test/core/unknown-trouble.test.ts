// A row judged before and read UNKNOWN at the latest deep read: what can mend
// it, and whether that makes it trouble (read deep at the next sweep) or
// leaves it to the circuit's turn. One line per way each layer goes UNKNOWN.

import { describe, expect, it } from "vitest";
import { TABLE_LAYERS, type TableLayer } from "../../src/core/model.js";
import {
  judgedUnknownIsTrouble,
  LEFT_OUT_OF_BODY,
  menderOf,
  type UnknownMender,
} from "../../src/core/unknown-trouble.js";

const LATE =
  "Log Analytics has ingested nothing in workspace law-network since 01:45 UTC (15 min): 1 test not judged until it catches up";

interface Line {
  layer: TableLayer;
  why: string;
  detail: string;
  waitsOnLogAnalytics?: boolean;
  mender: UnknownMender;
}

const TABLE: Line[] = [
  // provider: the carrier's state (the body), and layer 2 (the ARP table).
  {
    layer: "provider",
    why: "the body left the carrier's state out",
    detail: LEFT_OUT_OF_BODY.provider,
    mender: "listing",
  },
  {
    layer: "provider",
    why: "an ARP table whose entries sit on neither side",
    detail:
      "an ARP entry erwatch cannot place on either side (interface Ethernet9, outside 192.168.10.16/30)",
    mender: "deep-read",
  },
  {
    layer: "provider",
    why: "the ARP read failed (reads.incomplete too)",
    detail: "ARP read failed: throttled",
    mender: "deep-read",
  },
  {
    layer: "provider",
    why: "the body left the peering's state out",
    detail: LEFT_OUT_OF_BODY.peering,
    mender: "listing",
  },
  // bgp: the route summary per path.
  {
    layer: "bgp",
    why: "a session state erwatch does not understand (an IPv6 row the wire keeps)",
    detail: 'unrecognised BGP state "NoNeg"',
    mender: "deep-read",
  },
  {
    layer: "bgp",
    why: "the route summary read failed (reads.incomplete too)",
    detail: "route summary read failed: timeout",
    mender: "deep-read",
  },
  {
    layer: "bgp",
    why: "the body left the peering's state out (its paths not read)",
    detail: LEFT_OUT_OF_BODY.peering,
    mender: "listing",
  },
  {
    layer: "bgp",
    why: "the body left the peering list out",
    detail: LEFT_OUT_OF_BODY.peerings,
    mender: "listing",
  },
  // peering: the body alone.
  {
    layer: "peering",
    why: "Microsoft peering validation left out",
    detail: "public prefix validation not reported",
    mender: "listing",
  },
  {
    layer: "peering",
    why: "the peering's state left out",
    detail: LEFT_OUT_OF_BODY.peering,
    mender: "listing",
  },
  // routes: the prefix counts, of the same route summary.
  {
    layer: "routes",
    why: "the session's state is not known",
    detail: "session state unknown",
    mender: "deep-read",
  },
  {
    layer: "routes",
    why: "the body left the peering's state out",
    detail: LEFT_OUT_OF_BODY.peering,
    mender: "listing",
  },
  // gateway: the wiring, read deep.
  {
    layer: "gateway",
    why: 'a connection reporting "Unknown" (a gateway being updated)',
    detail: "connection status not known (conn-prod: Unknown)",
    mender: "deep-read",
  },
  {
    layer: "gateway",
    why: "Resource Graph failed, a connection not in the list read per resource group",
    detail:
      "1 connected; conn-dr not in the list read per resource group (Resource Graph failed): not known",
    mender: "deep-read",
  },
  {
    layer: "gateway",
    why: "the connections read failed (reads.incomplete too)",
    detail: "connections read failed: server-error",
    mender: "deep-read",
  },
  {
    layer: "gateway",
    why: "the body left the peering list out",
    detail: LEFT_OUT_OF_BODY.peerings,
    mender: "listing",
  },
  // globalReach: the peering's connections, in the body.
  {
    layer: "globalReach",
    why: "a connection list that is not a list",
    detail: "Global Reach connections not readable",
    mender: "listing",
  },
  {
    layer: "globalReach",
    why: "a connection's status left out",
    detail: "status not reported for gr-to-dr",
    mender: "listing",
  },
  // endToEnd: the Connection Monitors (ARM), their results (Log Analytics).
  {
    layer: "endToEnd",
    why: "the Connection Monitors' ARM read failed",
    detail: "Connection Monitor read failed: throttled",
    mender: "deep-read",
  },
  {
    layer: "endToEnd",
    why: "an endpoint stopped reporting",
    detail: "Indeterminate: no results since 01:32 UTC (1 of 1 tests stopped reporting)",
    mender: "deep-read",
  },
  {
    layer: "endToEnd",
    why: "Log Analytics ingesting late or its query failing",
    detail: LATE,
    waitsOnLogAnalytics: true,
    mender: "log-analytics",
  },
  {
    layer: "endToEnd",
    why: "the same words without the evaluation's mark (a hand edit)",
    detail: LATE,
    mender: "deep-read",
  },
  {
    layer: "endToEnd",
    why: "the body left the peering list out",
    detail: LEFT_OUT_OF_BODY.peerings,
    mender: "listing",
  },
  // capacity: Azure Monitor's throughput alone.
  {
    layer: "capacity",
    why: "a throughput gap",
    detail: "no throughput data",
    mender: "azure-monitor",
  },
  {
    layer: "capacity",
    why: "the metrics read failed",
    detail: "metrics read failed: timeout",
    mender: "azure-monitor",
  },
];

describe("a judged row read UNKNOWN: what mends it, and whether it is trouble", () => {
  it("the table covers every layer", () => {
    expect(new Set(TABLE.map((l) => l.layer))).toEqual(new Set(TABLE_LAYERS));
  });

  it.each(TABLE)("$layer, $why: $mender", (line) => {
    const waits = line.waitsOnLogAnalytics ?? false;
    expect(menderOf(line.layer, line.detail, waits)).toBe(line.mender);
    const row = {
      layer: line.layer,
      detail: line.detail,
      endToEndWaitsOnLogAnalytics: waits,
    };
    // Read UNKNOWN first at the latest deep read: trouble iff a deep read can mend it.
    expect(judgedUnknownIsTrouble({ ...row, firstReadUnknownNow: true })).toBe(
      line.mender === "deep-read",
    );
    // A later deep read left it UNKNOWN too: settled until the circuit's turn.
    expect(judgedUnknownIsTrouble({ ...row, firstReadUnknownNow: false })).toBe(false);
  });
});

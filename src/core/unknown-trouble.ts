// Whether a row that was judged (up, n/a, …) and read UNKNOWN at the latest
// evaluation is worth a deep read before the circuit's turn. The snapshot
// keeps the judged status for the memories and the UNKNOWN beside it
// (snapshot.ts `shown`), so a planner reading the status alone took such a
// row as clear: a BGP session whose state came back as text erwatch does not
// understand waited up to SWEEP_MAX_READ_AGE_MINUTES for its turn. Read
// deep at every sweep instead, a row that stays UNKNOWN would spend the ARM
// budget the rotation needs on reads that tell nothing (as the capacity row
// did, d166182), so one more deep read settles it until its turn.

import type { TableLayer } from "./model.js";

/**
 * Words a row carries when the circuit's body (the listing, or its GET) left
 * out what decides it. The cheap tier reads that body every sweep, and one
 * that tells it again differs from the one judged: the circuit is read deep
 * then as "changed". A deep read of the same body leaves it as it was.
 */
export const LEFT_OUT_OF_BODY = {
  provider: "provider state not reported",
  peering: "peering state not reported",
  peerings: "peerings not reported",
  /** The list was sent, with a peering in it that could not be read: which peering is which is unknown. */
  peeringUnreadable: "a peering listed could not be read",
} as const;

const BODY_WORDS: ReadonlySet<string> = new Set(Object.values(LEFT_OUT_OF_BODY));

/** What can make a row UNKNOWN judged again. */
export type UnknownMender =
  /** The circuit's body, read by the cheap tier every sweep: a change reads it deep. */
  | "listing"
  /** Azure Monitor's metrics, judged by the cheap tier every sweep (sweep-plan.ts throughputBack). */
  | "azure-monitor"
  /** Log Analytics catching up or answering again (dataplane/log-analytics.ts). */
  | "log-analytics"
  /** A deep read: the route summaries, the ARP tables, the gateway wiring, the Connection Monitors. */
  | "deep-read";

/**
 * The peering row (its state, Microsoft peering validation) and the Global
 * Reach row (the peering's connections) are read from the body alone.
 */
const BODY_ONLY: ReadonlySet<TableLayer> = new Set(["peering", "globalReach"]);

export function menderOf(
  layer: TableLayer,
  detail: string,
  /** The evaluation left end to end UNKNOWN for Log Analytics alone (Snapshot.endToEndWaitsOn). */
  endToEndWaitsOnLogAnalytics: boolean,
): UnknownMender {
  if (BODY_ONLY.has(layer) || BODY_WORDS.has(detail)) return "listing";
  if (layer === "capacity") return "azure-monitor";
  if (layer === "endToEnd" && endToEndWaitsOnLogAnalytics) return "log-analytics";
  return "deep-read";
}

export interface JudgedUnknown {
  layer: TableLayer;
  /** What the latest reading showed (the `shown` detail). */
  detail: string;
  /**
   * The evaluation that wrote the snapshot is the one that first read it
   * UNKNOWN. False once a later deep read left it UNKNOWN too: that read
   * settles it until the circuit's turn, so a row no read mends is not read
   * deep every sweep.
   */
  firstReadUnknownNow: boolean;
  endToEndWaitsOnLogAnalytics: boolean;
}

/** A judged row read UNKNOWN is trouble iff a deep read may mend it and none has tried since. */
export function judgedUnknownIsTrouble(row: JudgedUnknown): boolean {
  return (
    row.firstReadUnknownNow &&
    menderOf(row.layer, row.detail, row.endToEndWaitsOnLogAnalytics) === "deep-read"
  );
}

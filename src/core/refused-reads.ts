// A read Azure refuses for good: the role lacks its action (forbidden), or the
// action is not there to call (not found). It fails the same way on every
// circuit at every try until someone changes the role, so it tells the
// planner nothing about the circuit: taken as trouble, a role without the
// route summary action had every circuit read deep every sweep, the tiered
// sweep a full one that no longer fit its timer, while the readings that
// worked went no fresher. monitoring-blind tells the operator what to grant;
// the circuit is read in its turn, where the refused read is tried again.
// Throttling, timeouts and server errors are not refused: the next try may
// work, so they stay trouble.

import type { AlertCondition, AlertState } from "./lifecycle.js";
import type { ReadErrorKind, TableLayer } from "./model.js";
import type { ReadAges, ReadFailedNote } from "./read-age.js";
import { isRecord } from "./record.js";

const REFUSED: ReadonlySet<string> = new Set<ReadErrorKind>(["forbidden", "not-found"]);

/** Whether a read that failed so fails at every try until the role or the resource changes. */
export function refusedForGood(kind: ReadErrorKind): boolean {
  return REFUSED.has(kind);
}

const refused = (note: ReadFailedNote | undefined): boolean =>
  note !== undefined && refusedForGood(note.kind);

/**
 * Whether a row read UNKNOWN is so because the read that feeds it was last
 * refused for good: BGP and routes by the route summary, the gateway wiring
 * by its connections' read, layer 2 by the ARP table where the summary was
 * refused too (read for want of their proof, on every circuit). A refused
 * ARP table under summaries that worked is the subscription's ARP witness
 * (one circuit a sweep): it stays trouble, so the witness stays on the
 * circuit whose monitoring-blind names it. Read in turn, the witness moved
 * to whichever circuit the sweep read first, and each opened and resolved
 * a monitoring-blind of its own.
 */
export function unknownByRefusal(
  reads: ReadAges | undefined,
  peering: string,
  path: string,
  layer: TableLayer,
): boolean {
  if (!reads) return false;
  if (layer === "gateway") return refused(reads.gatewayFailed);
  const times = Object.hasOwn(reads.paths, peering) ? reads.paths[peering] : undefined;
  const own = times && (path === "primary" || path === "secondary") ? times[path] : undefined;
  if (!own) return false;
  if (layer === "provider") return refused(own.arpFailed) && refused(own.summaryFailed);
  if (layer === "bgp" || layer === "routes") return refused(own.summaryFailed);
  return false;
}

/**
 * A field of the circuit's body (the listing, or its GET) erwatch could not
 * understand or ARM left out (a peering's state): the deep read judges the
 * body the cheap tier listed, so only a listing that tells it again mends it,
 * and that is a change the plan reads deep at once (the body's fingerprint
 * holds the words naming each such field: cheapFingerprint). A body that
 * could not be read at all is no field: that read failed, and is tried again
 * first.
 */
const BODY = /^Microsoft\.Network\/expressRouteCircuits\/read$/i;
export const bodyField = (kind: string, call: unknown): boolean =>
  kind === "malformed" && typeof call === "string" && BODY.test(call);

/**
 * A monitoring-blind, pending or open, whose latest condition names only
 * reads no deep read mends: refused for good (it says what to grant), or
 * fields of the circuit's body (it names the field). Read every sweep while
 * pending, each such circuit cost three deep reads where the rotation reads
 * it once or twice, for a 403 or a value Azure keeps sending that no read
 * sooner mends: the read that first met it is its one deep read, and it
 * opens on time, confirmed by a read in its turn (refused-blind-open.ts). Resolving
 * (a grant or a mended body is read at once) stays trouble, as does one
 * whose reads are not kept as erwatch writes them.
 */
export function blindNoDeepReadMends(
  alert: Pick<AlertState, "family" | "phase"> & { condition?: AlertCondition | null },
): boolean {
  if (alert.family !== "monitoring-blind") return false;
  if (alert.phase !== "firing" && alert.phase !== "pending") return false;
  return namesNoReadMends(alert.condition ?? null);
}

/**
 * Whether a monitoring-blind's condition names reads refused for good or
 * fields of the circuit's body, and nothing else: those read only in turn.
 */
export function namesNoReadMends(condition: Pick<AlertCondition, "evidence"> | null): boolean {
  // A stored row is any text to its schema: evidence may be missing.
  const evidence: unknown = condition?.evidence;
  const failed: unknown = isRecord(evidence) ? evidence.failedReads : undefined;
  return (
    Array.isArray(failed) &&
    failed.length > 0 &&
    failed.every(
      (f) =>
        isRecord(f) &&
        typeof f.kind === "string" &&
        (refusedForGood(f.kind as ReadErrorKind) || bodyField(f.kind, f.call)),
    )
  );
}

// When a monitoring-blind on reads Azure refused for good (403, 404), or on
// fields of the circuit's body Azure keeps sending erwatch cannot read, opens.
// Pending, it is no trouble to the planner (refused-reads.ts): the circuit is
// read in its turn, every two or three sweeps, not every sweep. Counted in
// failed reads in a row as other blinds are, a lost action opened it 20 to 30
// minutes after the first 403, where read every sweep it opened in 10. It
// opens on time instead, confirmed by a read: at the first read that finds it
// still refused (the field still unreadable) once it has stood as long as
// `blindAfterSweeps` sweeps take.
// A throttled, slow or failing read keeps its count: the next try may work,
// and it is read every sweep for it. A run that is both, one after the other,
// counts as if read every sweep: the sweeps it was left to its turn between
// two refused reads count as failed ones (both reads found it refused), so a
// run refused then throttled opens no later than its count promises; a sweep
// between a refused read and a throttled one counts for nothing, so a
// throttle for one sweep never opens it on a single refusal, nor does a
// refusal met once after a throttle.

import type { AlertCondition, AlertState } from "./lifecycle.js";
import { storedInstant } from "./instant.js";
import { isRecord } from "./record.js";
import { namesNoReadMends } from "./refused-reads.js";

/**
 * Refused reads in a row it needs: a second read confirms the first was no
 * passing refusal (a role assignment being replaced), however long it stood.
 */
export function refusedReadsToOpen(blindAfterSweeps: number): number {
  return Math.min(2, blindAfterSweeps);
}

/**
 * How long it has stood, for the time half of the open rule: since the last
 * clean reading, but no longer than since one interval before the first
 * refused read, as if the circuit had been read every sweep. Counted from a
 * clean reading a rotation's turn back, a change read deep at once opened it
 * 5 minutes after the first 403, earlier than a circuit read every sweep.
 */
export function refusedBlindHeldMs(
  heldMs: number,
  firstRefusedAt: string,
  now: Date,
  intervalMs: number,
): number {
  const first = storedInstant(firstRefusedAt);
  if (first === null) return heldMs;
  return Math.min(heldMs, Math.max(0, now.getTime() - first) + intervalMs);
}

/** Of a monitoring-blind's failed readings in a row, those read in the rotation's turn. */
export interface InTurnReads {
  /** Readings whose condition named only reads refused for good or body fields. */
  reads: number;
  /** The timer's sweeps between two such readings in a row, when it was not read. */
  skipped: number;
  /** The reading it was counted at (its lastFiringAt): kept by another, it is not known. */
  at: string;
}

const count = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/**
 * The in-turn readings of the run after this firing one (`at`). Kept in an
 * odd shape, or by an erwatch that did not count them: the reading before
 * alone, as its condition says. A reading between the last firing one and
 * this that saw the key masked breaks the sweeps skipped: it was read.
 */
export function inTurnReadsNow(
  before: Pick<AlertState, "consecutiveFiring" | "lastFiringAt" | "lastMaskedAt"> & {
    condition: Pick<AlertCondition, "evidence"> | null;
  },
  kept: unknown,
  inTurnNow: boolean,
  at: string,
  now: Date,
  intervalMs: number,
): InTurnReads | null {
  const going = before.consecutiveFiring > 0;
  const lastInTurn = going && namesNoReadMends(before.condition);
  const known =
    going &&
    isRecord(kept) &&
    kept.at === before.lastFiringAt &&
    count(kept.reads) &&
    count(kept.skipped);
  let reads = known ? (kept.reads as number) : lastInTurn ? 1 : 0;
  let skipped = known ? (kept.skipped as number) : 0;
  if (inTurnNow) {
    reads += 1;
    if (lastInTurn) skipped += sweepsBetween(before, now, intervalMs);
  }
  return reads > 0 ? { reads, skipped, at } : null;
}

/** The timer's sweeps between the last firing reading and now, none read; rounded, as on-demand reads fall between ticks. */
function sweepsBetween(
  before: Pick<AlertState, "lastFiringAt" | "lastMaskedAt">,
  now: Date,
  intervalMs: number,
): number {
  const last = storedInstant(before.lastFiringAt ?? null);
  if (last === null || intervalMs <= 0) return 0;
  const masked = storedInstant(before.lastMaskedAt ?? null);
  if (masked !== null && masked > last) return 0;
  return Math.max(0, Math.round((now.getTime() - last) / intervalMs) - 1);
}

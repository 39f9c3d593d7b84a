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
// and it is read every sweep for it.

import { storedInstant } from "./instant.js";

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

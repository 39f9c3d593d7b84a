// Which tick told the receivers, kept with what they were told: a repeat
// keeps the timer's cadence from that tick's occurrence, not from when it
// happened to run (core/lifecycle.ts repeatDue).

/**
 * AlertState notified.tickDue for a notification sent now: when the tick was
 * due; null on demand; left out on a tick whose occurrence is not known.
 */
export function toldBy(ctx: { tick?: boolean; tickDue?: Date }): { tickDue?: string | null } {
  if (!ctx.tick) return { tickDue: null };
  return ctx.tickDue ? { tickDue: ctx.tickDue.toISOString() } : {};
}

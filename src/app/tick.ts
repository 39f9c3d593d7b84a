// The timer's tick as a sweep's deps, runs and work messages carry it: that
// it is one (hysteresis counts ticks), and when it was due (a repeat keeps the
// timer's cadence from the tick that last told the receivers).

/** A request's tick, as its deps and runs carry it. */
export function tickOf(request: { tick?: boolean; tickDue?: Date }): {
  tick?: true;
  tickDue?: Date;
} {
  if (!request.tick) return {};
  return request.tickDue ? { tick: true, tickDue: request.tickDue } : { tick: true };
}

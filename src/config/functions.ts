import { CronExpressionParser } from "cron-parser";
import { DEFAULT_ALERTS_ENTITY } from "./publish.js";
import type { SettingsReader } from "./reader.js";
import type { Env } from "./settings.js";

export const DEFAULT_SWEEP_SCHEDULE = "0 */5 * * * *";

/**
 * SWEEP_SCHEDULE, checked with the other settings at start: the timer is
 * registered with it (timerSchedule), and a schedule the host cannot run
 * would leave erwatch without sweeps.
 */
export function readSweepSchedule(r: SettingsReader): string {
  const schedule = r.raw("SWEEP_SCHEDULE") ?? DEFAULT_SWEEP_SCHEDULE;
  const problem = sweepScheduleProblem(schedule);
  if (problem !== null) r.problem("SWEEP_SCHEDULE", problem);
  return schedule;
}

/** Why the host could not run this schedule, or null. */
function sweepScheduleProblem(schedule: string): string | null {
  const sixFields = /^(\S+\s+){5}\S+$/.test(schedule);
  const timeSpan = /^\d{1,2}:\d{2}:\d{2}$/.test(schedule);
  if (!sixFields && !timeSpan)
    return `"${schedule}" is not an NCRONTAB expression with six fields (second minute hour day month weekday), e.g. "${DEFAULT_SWEEP_SCHEDULE}"`;
  if (timeSpan) return null;
  // Six fields are not yet a schedule: "0 61 * * * *" is refused by the host
  // (the timer function is not indexed) and "0 0 0 30 2 *" never fires.
  // Either way no sweep would run, and nothing else would say so.
  try {
    CronExpressionParser.parse(schedule, {
      currentDate: new Date(Date.UTC(2026, 0, 5)),
      tz: "UTC",
    }).next();
    return null;
  } catch (error) {
    return `"${schedule}" cannot be scheduled: ${(error as Error).message}`;
  }
}

/**
 * The schedule the timer is registered with, read when the host loads the
 * entry, before any validation can run. A value, never "%SWEEP_SCHEDULE%":
 * the host does not resolve a setting that is unset (the function is not
 * indexed, and nothing sweeps), though the README gives it a default. One it
 * could not run registers the default instead, so the timer still fires and
 * every invocation reports the problem with the rest of the settings.
 */
export function timerSchedule(env: Env): string {
  const schedule = env.SWEEP_SCHEDULE?.trim();
  return schedule && sweepScheduleProblem(schedule) === null ? schedule : DEFAULT_SWEEP_SCHEDULE;
}

/**
 * Read when the dispatcher registers, before any validation can run: the
 * alerts entity, and whether it is a topic (with this subscription) or a queue.
 */
export function readTriggerSettings(env: Env): { entity: string; subscription: string | null } {
  // Values, not "%SERVICEBUS_ENTITY%": unset, the host would not resolve it
  // and the dispatcher would not run, while the sweep publishes to the default.
  const entity = env.SERVICEBUS_ENTITY?.trim();
  const subscription = env.SERVICEBUS_SUBSCRIPTION?.trim();
  return {
    entity: entity ? entity : DEFAULT_ALERTS_ENTITY,
    subscription: subscription ? subscription : null,
  };
}

/**
 * Minutes between two timer ticks: hysteresis turns its sweep counts into
 * times with it. The shortest gap of the next ticks, so the timer itself is
 * never held back; an unreadable schedule counts as the default (its problem
 * is reported by readSweepSchedule where the schedule matters).
 */
export function sweepIntervalMinutes(r: SettingsReader): number {
  const schedule = r.raw("SWEEP_SCHEDULE") ?? DEFAULT_SWEEP_SCHEDULE;
  const span = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(schedule);
  if (span) {
    const minutes = Number(span[1]) * 60 + Number(span[2]) + Number(span[3]) / 60;
    return minutes > 0 ? minutes : 5;
  }
  try {
    const ticks = CronExpressionParser.parse(schedule, {
      currentDate: new Date(Date.UTC(2026, 0, 5)),
      tz: "UTC",
    });
    let previous = ticks.next().getTime();
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 24; i += 1) {
      const next = ticks.next().getTime();
      shortest = Math.min(shortest, next - previous);
      previous = next;
    }
    return Number.isFinite(shortest) && shortest > 0 ? shortest / 60_000 : 5;
  } catch {
    return 5;
  }
}

/** Read when the worker registers: the fan-out queue, or null when the timer reads in process. */
export function readWorkQueueSetting(env: Env): string | null {
  const queue = env.SWEEP_WORK_QUEUE?.trim();
  return queue ? queue : null;
}

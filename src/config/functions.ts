import { CronExpressionParser } from "cron-parser";
import type { SettingsReader } from "./reader.js";
import type { Env } from "./settings.js";

export const DEFAULT_SWEEP_SCHEDULE = "0 */5 * * * *";

/** The host reads %SWEEP_SCHEDULE% itself; erwatch checks it too so a typo is reported with the rest. */
export function readSweepSchedule(r: SettingsReader): string {
  const schedule = r.raw("SWEEP_SCHEDULE") ?? DEFAULT_SWEEP_SCHEDULE;
  const sixFields = /^(\S+\s+){5}\S+$/.test(schedule);
  const timeSpan = /^\d{1,2}:\d{2}:\d{2}$/.test(schedule);
  if (!sixFields && !timeSpan) {
    r.problem(
      "SWEEP_SCHEDULE",
      `"${schedule}" is not an NCRONTAB expression with six fields (second minute hour day month weekday), e.g. "${DEFAULT_SWEEP_SCHEDULE}"`,
    );
  } else if (sixFields) {
    // Six fields are not yet a schedule: "0 61 * * * *" is refused by the host
    // (the timer function is not indexed) and "0 0 0 30 2 *" never fires.
    // Either way no sweep would run, and nothing else would say so.
    const why = scheduleProblem(schedule);
    if (why !== null) r.problem("SWEEP_SCHEDULE", `"${schedule}" cannot be scheduled: ${why}`);
  }
  return schedule;
}

/** Why a six-field expression never gives a tick, or null when it does. */
function scheduleProblem(schedule: string): string | null {
  try {
    const ticks = CronExpressionParser.parse(schedule, {
      currentDate: new Date(Date.UTC(2026, 0, 5)),
      tz: "UTC",
    });
    ticks.next();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Read when the dispatcher registers, before any validation can run: whether
 * SERVICEBUS_ENTITY is a topic (with this subscription) or a queue.
 */
export function readTriggerSettings(env: Env): { subscription: string | null } {
  const subscription = env.SERVICEBUS_SUBSCRIPTION?.trim();
  return { subscription: subscription ? subscription : null };
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

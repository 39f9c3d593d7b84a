import { CronExpressionParser } from "cron-parser";
import { DEFAULT_ALERTS_ENTITY } from "./publish.js";
import type { SettingsReader } from "./reader.js";
import type { Env } from "./settings.js";

export const DEFAULT_SWEEP_SCHEDULE = "0 */5 * * * *";

/** A delivery's share of a dispatch invocation: inside the host's five-minute message lock. */
export const FUNCTIONS_DELIVERY_BUDGET_MS = 4 * 60_000;

/**
 * The longest a sweep worker reads one work message: inside the same lock
 * (host.json maxAutoLockRenewalDuration), so no second worker is handed the
 * batch while the first still reads it (a circuit read twice pages twice).
 */
export const WORK_HARD_STOP_MS = 4 * 60_000;

/**
 * SWEEP_SCHEDULE, checked with the other settings at start. One the host
 * cannot run is left out and named: the timer is registered on the default
 * in its place (timerSchedule), and refused here it failed every tick of
 * that default, so the timer fired and nothing was swept.
 */
export function readSweepSchedule(r: SettingsReader): string {
  const schedule = r.raw("SWEEP_SCHEDULE") ?? DEFAULT_SWEEP_SCHEDULE;
  const problem = sweepScheduleProblem(schedule, r.raw("WEBSITE_SKU"));
  if (problem === null) return schedule;
  r.ignored.push(
    `SWEEP_SCHEDULE: ${problem} (left out: the timer runs on the default "${DEFAULT_SWEEP_SCHEDULE}")`,
  );
  return DEFAULT_SWEEP_SCHEDULE;
}

/**
 * A TimeSpan schedule (hh:mm:ss, App Service plan only): its interval in
 * seconds, why the host could not run it, or null when the text is not one.
 * The ranges are those of .NET's TimeSpan parsing, which the host reads it
 * with: "00:60:00" is no TimeSpan (the timer is not indexed), and "24:00:00"
 * is 24 days, not the day it looks like.
 */
function timeSpanOf(schedule: string): { seconds: number } | { problem: string } | null {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(schedule);
  if (!m) return null;
  const [hours, minutes, seconds] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (hours > 23 || minutes > 59 || seconds > 59)
    return {
      problem: `"${schedule}" is not a TimeSpan interval the host reads as hh:mm:ss: hours 0-23, minutes and seconds 0-59 (it reads "24:00:00" as 24 days)`,
    };
  const total = hours * 3600 + minutes * 60 + seconds;
  return total > 0 ? { seconds: total } : { problem: `"${schedule}" is an interval of zero` };
}

/**
 * WEBSITE_SKU, which Azure sets on every Functions app, on the plans that
 * scale to zero: Consumption ("Dynamic") and Flex Consumption, the one infra/
 * deploys. A TimeSpan runs on an App Service plan only: the host on Windows
 * Consumption refuses one (the timer is not indexed), and elsewhere nothing
 * wakes a scaled-in app for it, so the sweeps stop once the app scales in,
 * with nothing said. Compared in any case, as the host compares it.
 */
const SCALE_TO_ZERO_SKUS = ["dynamic", "flexconsumption"];

/** Why the host could not run this schedule on this plan (WEBSITE_SKU; unset: a local run), or null. */
function sweepScheduleProblem(schedule: string, sku: string | undefined): string | null {
  const span = timeSpanOf(schedule);
  if (span && "problem" in span) return span.problem;
  if (span && sku !== undefined && SCALE_TO_ZERO_SKUS.includes(sku.toLowerCase()))
    return `"${schedule}" is a TimeSpan interval, which runs on an App Service plan only; this app runs on the ${sku} plan (WEBSITE_SKU), where nothing wakes it for one: give an NCRONTAB expression, e.g. "${DEFAULT_SWEEP_SCHEDULE}"`;
  if (span) return null;
  if (!/^(\S+\s+){5}\S+$/.test(schedule))
    return `"${schedule}" is not an NCRONTAB expression with six fields (second minute hour day month weekday), e.g. "${DEFAULT_SWEEP_SCHEDULE}", nor a TimeSpan hh:mm:ss (App Service plan only)`;
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
  return registeredSchedule(env.SWEEP_SCHEDULE?.trim(), env.WEBSITE_SKU?.trim() || undefined);
}

/** What the timer runs on for this SWEEP_SCHEDULE text on this plan: the text itself, or the default. */
function registeredSchedule(text: string | undefined, sku: string | undefined): string {
  return text && sweepScheduleProblem(text, sku) === null ? text : DEFAULT_SWEEP_SCHEDULE;
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
 * times with it, and the status page its stale warnings. The shortest gap of
 * the next ticks, so the timer itself is never held back. Measured on the
 * schedule the timer is registered with (timerSchedule): one the host could
 * not run ticks on the default, whatever cron-parser makes of it. Five fields
 * meaning every 10 minutes are minute 0 of every tenth hour to cron-parser: a
 * 240-minute interval, and a status page that called the failing sweeps stale
 * only after 12 hours. The problem is reported by readSweepSchedule.
 */
export function sweepIntervalMinutes(r: SettingsReader): number {
  const schedule = registeredSchedule(r.raw("SWEEP_SCHEDULE"), r.raw("WEBSITE_SKU"));
  const span = timeSpanOf(schedule);
  if (span) return "seconds" in span ? span.seconds / 60 : 5;
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

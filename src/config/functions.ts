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
  }
  return schedule;
}

/**
 * Read when the dispatcher registers, before any validation can run: whether
 * SERVICEBUS_ENTITY is a topic (with this subscription) or a queue.
 */
export function readTriggerSettings(env: Env): { subscription: string | null } {
  const subscription = env.SERVICEBUS_SUBSCRIPTION?.trim();
  return { subscription: subscription ? subscription : null };
}

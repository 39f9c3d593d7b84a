// Silences: announced carrier maintenance and other planned work. A silenced
// decision is recorded but not notified; whatever is still firing when the
// window ends is notified then.

import { CronExpressionParser } from "cron-parser";
import type { PathName } from "./model.js";
import type { Silence, SilenceWindow } from "./policy.js";

/**
 * A decision judges silence windows this much after its clock: a timer tick
 * that fires a moment early (02:29:59.7 for 02:30) is the tick of the window's
 * edge, so a Sev0 is not held a whole interval past the end of a maintenance
 * window, nor paged the moment before one starts. Seconds, not the minute of
 * slack hysteresis takes, so no window is cut short by more than that.
 */
export const SILENCE_EDGE_MS = 5_000;

export interface SilenceTarget {
  circuitId: string;
  circuitName: string;
  peering: string | null;
  paths: PathName[];
}

export function windowActive(window: SilenceWindow, now: Date): boolean {
  const t = now.getTime();
  if (window.kind === "once") return Date.parse(window.start) <= t && t < Date.parse(window.end);
  // Ask for the latest start at or before now (cron is minute-grained; the
  // extra second makes a start exactly at `now` count).
  const starts = CronExpressionParser.parse(window.cron, {
    currentDate: new Date(t + 1000),
    tz: window.timezone,
  });
  const start = starts.prev().toDate().getTime();
  return start <= t && t < start + window.durationMinutes * 60_000;
}

/** Throws with a readable message when a cron expression or time zone is invalid. */
export function validateWindow(window: SilenceWindow): void {
  if (window.kind === "once") {
    if (Number.isNaN(Date.parse(window.start)) || Number.isNaN(Date.parse(window.end)))
      throw new Error("start and end must be ISO 8601 times");
    if (Date.parse(window.end) <= Date.parse(window.start))
      throw new Error("end must be after start");
    return;
  }
  // cron-parser accepts any time zone name at parse time and throws on first use.
  try {
    new Intl.DateTimeFormat("en", { timeZone: window.timezone });
  } catch {
    throw new Error(
      `timezone "${window.timezone}" is not an IANA time zone (e.g. Europe/Amsterdam)`,
    );
  }
  if (!/^\S+(\s+\S+){4,5}$/.test(window.cron.trim()))
    throw new Error(`cron "${window.cron}" needs five fields (minute hour day month weekday)`);
  CronExpressionParser.parse(window.cron, { tz: window.timezone });
  windowActive(window, new Date(0));
}

function matches(silence: Silence, target: SilenceTarget): boolean {
  const c = silence.circuit.toLowerCase();
  if (c !== target.circuitId.toLowerCase() && c !== target.circuitName.toLowerCase()) return false;
  if (silence.peering !== undefined) {
    if (target.peering === null || silence.peering.toLowerCase() !== target.peering.toLowerCase())
      return false;
  }
  // A path-scoped silence (maintenance on one link) covers only alerts about that link.
  if (silence.path !== undefined) {
    if (target.paths.length === 0 || target.paths.some((p) => p !== silence.path)) return false;
  }
  return true;
}

/**
 * The silence covering this target now, if any. A silence whose window cannot
 * be evaluated fails open: it silences nothing, and `onBroken` hears why, so
 * the alert goes out with a warning rather than never.
 */
export function activeSilence(
  silences: Silence[],
  target: SilenceTarget,
  now: Date,
  onBroken: (silence: Silence, error: Error) => void = () => undefined,
): Silence | null {
  return (
    silences.find((s) => {
      if (!matches(s, target)) return false;
      try {
        return windowActive(s.window, now);
      } catch (error) {
        onBroken(s, error instanceof Error ? error : new Error(String(error)));
        return false;
      }
    }) ?? null
  );
}

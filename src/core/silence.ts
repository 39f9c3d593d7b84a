// Silences: announced carrier maintenance and other planned work. A silenced
// decision is recorded but not notified; whatever is still firing when the
// window ends is notified then.

import { CronExpressionParser } from "cron-parser";
import { PEERING_SHORT_NAMES, PEERING_TYPES, type PathName } from "./model.js";
import type { Silence, SilenceWindow } from "./policy.js";
import { parseCircuitId } from "./resource-id.js";

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

/**
 * A recurring window is kept on the local wall clock, as a maintenance notice
 * gives it ("Sunday 01:00–05:00 Amsterdam"): it is open from the moment the
 * local clock first shows its start until the moment it first shows start +
 * duration. So across a daylight-saving change it neither moves nor stretches
 * by an hour locally (01:00–05:00 is 3 real hours on spring-forward day, 5 on
 * fall-back day); a start the clock skips (02:30 on spring-forward day) opens
 * when the clock jumps past it, not never; and a time the clock shows twice
 * (the repeated hour) counts once, at its first showing, so a window neither
 * opens twice nor reopens after it ended.
 */
export function windowActive(window: SilenceWindow, now: Date): boolean {
  const t = now.getTime();
  if (window.kind === "once") {
    const span = onceSpan(window);
    return span !== null && span.start <= t && t < span.end;
  }
  // "The clock has shown W by now" is "the latest local time shown so far is
  // at or past W": judge the cron, in UTC, against that wall-clock reading.
  const wall = latestWallClock(window.timezone, t);
  // Cron is minute-grained; the extra second makes a start exactly at `wall` count.
  const starts = CronExpressionParser.parse(window.cron, {
    currentDate: new Date(wall + 1000),
    tz: "UTC",
  });
  let start = starts.prev().toDate().getTime();
  // Within the repeated hour `wall` is not minute-aligned (02:59:59.999).
  if (start > wall) start = starts.prev().toDate().getTime();
  const length = window.durationMinutes * 60_000;
  if (start <= wall && wall < start + length) return true;
  return skippedWindowOpen(window.timezone, start, length, t);
}

/**
 * A window the clock skips whole (Sunday 02:00 for 30 minutes on
 * spring-forward night in Europe/Amsterdam: 01:59:59 is followed by 03:00) is
 * open for its length from the jump: by the rule above it would never open,
 * and the maintenance it announces happens all the same, at the jump.
 */
function skippedWindowOpen(timezone: string, start: number, length: number, t: number): boolean {
  const offset = (u: number) => wallClockAt(timezone, u) - u;
  // The old clock would have shown `start` at `before`; a jump is at most a shift earlier.
  const before = start - offset(t - LONGEST_SHIFT_MS);
  if (t < before - LONGEST_SHIFT_MS || t >= before + length) return false;
  let low = before - LONGEST_SHIFT_MS;
  // No clock change near it: nothing was skipped (the usual case, said cheaply).
  if (offset(low) === offset(before + LONGEST_SHIFT_MS)) return false;
  let high = t;
  if (wallClockAt(timezone, low) >= start) return false;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (wallClockAt(timezone, mid) >= start) high = mid;
    else low = mid;
  }
  // `high` is the first moment the clock showed `start` or later.
  const skipped =
    wallClockAt(timezone, low) < start && wallClockAt(timezone, high) >= start + length;
  return skipped && t < high + length;
}

/**
 * ISO 8601 / RFC 3339 as people write it: a date, then `T` or a space, hours
 * and minutes, optional seconds and fraction (or the date alone, midnight),
 * optional `Z` or offset (`+01:00`, `+0100`, `+01`). Nothing else
 * (03/30/2025 is read differently in different places).
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?)?$/i;

/**
 * The instant `text` names: itself when it carries `Z` or an offset; without
 * one, the moment the clock in `timezone` shows it (its first showing in a
 * repeated hour; the jump, for a time the clock skips). Null when it is no
 * such time. Never the host's own time zone, which differs between a
 * laptop and the Functions host.
 */
export function instantOf(text: string, timezone = "UTC"): number | null {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(wall);
  // Date.UTC rolls 2025-02-30 over to March: such a date is not one.
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return null;
  const ms = Math.round(Number(m[7] ?? 0) * 1000);
  if (m[8] !== undefined) {
    if (m[8].toUpperCase() === "Z") return wall + ms;
    const [hours, minutes] = [Number(m[10]), Number(m[11] ?? 0)];
    if (hours > 23 || minutes > 59) return null;
    return wall + ms - (m[9] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  const offset = (u: number) => wallClockAt(timezone, u) - u;
  // Each offset the zone has near that reading gives a candidate; the first showing wins.
  const shown = [offset(wall - 86_400_000), offset(wall), offset(wall + 86_400_000)]
    .map((o) => wall - o)
    .filter((u) => wallClockAt(timezone, u) === wall)
    .sort((a, b) => a - b);
  if (shown.length > 0) return shown[0]! + ms;
  // Skipped: the first moment the clock reads later than it.
  let low = wall - offset(wall - 86_400_000) - LONGEST_SHIFT_MS;
  let high = wall - offset(wall + 86_400_000) + LONGEST_SHIFT_MS;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (wallClockAt(timezone, mid) >= wall) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * A one-off window's instants, or null when they cannot be read. A window an
 * earlier erwatch stored in a form instantOf does not take (its CLI kept
 * `--start` as typed, in any form Date.parse read) is read as it read it:
 * refused now, it would silence nothing and never show as expired.
 */
export function onceSpan(
  window: Extract<SilenceWindow, { kind: "once" }>,
): { start: number; end: number } | null {
  const read = (text: string) => {
    const at = instantOf(text, window.timezone);
    if (at !== null) return at;
    const legacy = Date.parse(text);
    return Number.isNaN(legacy) ? null : legacy;
  };
  const start = read(window.start);
  const end = read(window.end);
  return start === null || end === null ? null : { start, end };
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** The local clock's reading at `t`, as milliseconds of a UTC date that reads the same. */
function wallClockAt(timezone: string, t: number): number {
  let format = wallClocks.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    wallClocks.set(timezone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(t))) part[p.type] = Number(p.value);
  const at = Date.UTC(part.year!, part.month! - 1, part.day, part.hour, part.minute, part.second);
  return at + (((t % 1000) + 1000) % 1000);
}

/** Longer than any clock change (Antarctica/Troll moves two hours). */
const LONGEST_SHIFT_MS = 3 * 3_600_000;

/**
 * The latest reading the local clock has shown up to `t`: its reading at `t`,
 * except in the hour after the clock is put back, when it is the reading just
 * before it went back (02:59:59.999 while 02:xx is shown again).
 */
function latestWallClock(timezone: string, t: number): number {
  const offset = (u: number) => wallClockAt(timezone, u) - u;
  const now = wallClockAt(timezone, t);
  let before = t - LONGEST_SHIFT_MS;
  const earlier = offset(before);
  if (earlier <= now - t) return now;
  // Put back within the span: find the last millisecond before it.
  let after = t;
  while (after - before > 1) {
    const mid = Math.floor((before + after) / 2);
    if (offset(mid) === earlier) before = mid;
    else after = mid;
  }
  return Math.max(now, before + earlier);
}

const MINUTE_MS = 60_000;
/** Longer than any clock change: how far from cron's own idea of a start the real edge may lie. */
const EDGE_SEARCH_MS = 3 * 3_600_000;

type RecurringWindow = Extract<SilenceWindow, { kind: "recurring" }>;
type Region = readonly [from: number, to: number];

/** How far `silence list` looks for an opening's start and end: a year, either way. */
const SEARCH_MS = 400 * 86_400_000;
/** Starts beyond this in the search (a window every few minutes): walk minute by minute instead. */
const MAX_STARTS = 2_000;

const ceilMinute = (t: number) => Math.ceil(t / MINUTE_MS) * MINUTE_MS;
const floorMinute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;

/**
 * Where in [from, to] a recurring window can open or close: within
 * EDGE_SEARCH_MS of each start cron gives on the wall clock, and of each
 * start plus its length; between them it stays as it is. Walking only these
 * (a few hours around each start, not every minute of a month-long window)
 * is what keeps `silence list` quick. Null when cron gives too many starts
 * for that to help (a window every few minutes).
 */
function edgeRegions(window: RecurringWindow, from: number, to: number): Region[] | null {
  const length = window.durationMinutes * MINUTE_MS;
  const offset = (u: number) => wallClockAt(window.timezone, u) - u;
  const first = from - length - 2 * EDGE_SEARCH_MS;
  const starts = CronExpressionParser.parse(window.cron, {
    currentDate: new Date(first + offset(first)),
    tz: "UTC",
  });
  const regions: [number, number][] = [];
  for (let n = 0; n < MAX_STARTS; n += 1) {
    const wall = starts.next().toDate().getTime();
    // The offset a day or a season away is off by a clock change at most: inside the margin.
    const start = wall - offset(wall);
    if (start - EDGE_SEARCH_MS > to) {
      regions.sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const [a, b] of regions) {
        const last = merged.at(-1);
        if (last && a <= last[1]) last[1] = Math.max(last[1], b);
        else merged.push([a, b]);
      }
      return merged;
    }
    regions.push([start - EDGE_SEARCH_MS, start + EDGE_SEARCH_MS]);
    regions.push([start + length - EDGE_SEARCH_MS, start + length + EDGE_SEARCH_MS]);
  }
  return null;
}

/** The first minute in [from, to) at which the window is (`open`) or is not open, or null. */
function firstMinute(
  window: SilenceWindow,
  from: number,
  to: number,
  open: boolean,
  regions: readonly Region[] | null = null,
): number | null {
  const begin = ceilMinute(from);
  if (regions === null) {
    for (let t = begin; t < to; t += MINUTE_MS)
      if (windowActive(window, new Date(t)) === open) return t;
    return null;
  }
  // Between the regions the window stays as it is at `begin`.
  if (begin < to && windowActive(window, new Date(begin)) === open) return begin;
  for (const [a, b] of regions) {
    if (b < begin) continue;
    for (let t = Math.max(begin, ceilMinute(a)); t <= b && t < to; t += MINUTE_MS)
      if (windowActive(window, new Date(t)) === open) return t;
  }
  return null;
}

/** The minute the opening around `t` began: the latest at or before `t` whose minute before was shut. */
function openedAt(window: SilenceWindow, t: number, floor: number, regions: readonly Region[]) {
  const shutBefore = (m: number) => !windowActive(window, new Date(m - MINUTE_MS));
  const now = floorMinute(t);
  // Between the regions nothing opens or closes: only they are walked, latest first.
  for (const [a, b] of [...regions].reverse()) {
    if (a > now) continue;
    for (let m = Math.min(now, floorMinute(b)); m >= Math.max(ceilMinute(a), floor); m -= MINUTE_MS)
      if (shutBefore(m)) return m;
  }
  return ceilMinute(floor);
}

/**
 * When a window is open next, for people reading `silence list`: the span it
 * is open now, or the next one. Found with windowActive itself, around each
 * start cron gives and each end, so it agrees with what the sweeps do across
 * daylight-saving changes; windows that follow one another without a gap are
 * one span. Null when none is ahead (a window that ended).
 */
export function nextOpening(
  window: SilenceWindow,
  now: Date,
): { opensAt: string; closesAt: string } | null {
  const t = now.getTime();
  if (window.kind === "once") {
    const span = onceSpan(window);
    return span !== null && span.end > t
      ? { opensAt: new Date(span.start).toISOString(), closesAt: new Date(span.end).toISOString() }
      : null;
  }
  // One stored before windows were bounded would be searched for ever.
  if (window.durationMinutes > MAX_WINDOW_MINUTES) return null;
  const regions = edgeRegions(window, t - SEARCH_MS, t + SEARCH_MS);
  if (regions === null) return nearNextOpening(window, t, now);
  const iso = (ms: number) => new Date(ms).toISOString();
  const closing = (opened: number) =>
    firstMinute(window, opened + 1, opened + SEARCH_MS, false, regions);
  if (windowActive(window, now)) {
    const opened = openedAt(window, t, t - SEARCH_MS, regions);
    const closes = closing(t);
    return closes === null ? null : { opensAt: iso(opened), closesAt: iso(closes) };
  }
  const opens = firstMinute(window, t + 1, t + SEARCH_MS, true, regions);
  if (opens === null) return null;
  const closes = closing(opens);
  return closes === null ? null : { opensAt: iso(opens), closesAt: iso(closes) };
}

/**
 * nextOpening for a window cron starts every few minutes: minute by minute,
 * near its next few starts (the openings and their ends are close by).
 */
function nearNextOpening(
  window: RecurringWindow,
  t: number,
  now: Date,
): { opensAt: string; closesAt: string } | null {
  const span = window.durationMinutes * MINUTE_MS + 2 * EDGE_SEARCH_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  const closing = (opened: number) => firstMinute(window, opened + 1, opened + span, false);
  if (windowActive(window, now)) {
    // Back to the minute it opened (not an earlier opening of a window that recurs often).
    let opened = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    while (opened - MINUTE_MS > t - span && windowActive(window, new Date(opened - MINUTE_MS)))
      opened -= MINUTE_MS;
    const closes = closing(t);
    return closes === null ? null : { opensAt: iso(opened), closesAt: iso(closes) };
  }
  // Starts on the wall clock, as windowActive judges them: cron in the zone
  // itself leaves out a start the clock skips, and such a window opens at the jump.
  const starts = CronExpressionParser.parse(window.cron, {
    currentDate: new Date(latestWallClock(window.timezone, t)),
    tz: "UTC",
  });
  const offset = wallClockAt(window.timezone, t) - t;
  for (let i = 0; i < 3; i += 1) {
    const start = starts.next().toDate().getTime() - offset;
    const opens = firstMinute(
      window,
      Math.max(t + 1, start - EDGE_SEARCH_MS),
      start + EDGE_SEARCH_MS,
      true,
    );
    const closes = opens === null ? null : closing(opens);
    if (opens !== null && closes !== null) return { opensAt: iso(opens), closesAt: iso(closes) };
  }
  return null;
}

/** Whether `zone` names an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A recurring window's longest opening: a month (ERWATCH_SILENCES and `silence add` alike). */
export const MAX_WINDOW_MINUTES = 60 * 24 * 30;
/** A one-off window's longest span: a year (a circuit left alone longer is one to stop watching). */
export const MAX_ONCE_DAYS = 366;

/**
 * ARM's name of the peering a person means, in any case and as the tables
 * show it ("Private", "Microsoft"), or null. A silence whose peering was
 * written "Private" matched no alert (they carry ARM's names): the page its
 * author thought held went out.
 */
export function peeringNamed(text: string): string | null {
  const t = text.trim().toLowerCase();
  return (
    PEERING_TYPES.find(
      (p) => p.toLowerCase() === t || PEERING_SHORT_NAMES[p].toLowerCase() === t,
    ) ?? null
  );
}

/**
 * A silence's circuit as it is matched: a resource id written as ARM writes
 * it (a trailing "/" or padding matched nothing), or a name. Null when it
 * starts like an id and is none.
 */
export function silenceCircuit(text: string): string | null {
  const t = text.trim().replace(/\/+$/, "");
  if (!t.startsWith("/")) return t;
  return parseCircuitId(t)?.id ?? null;
}

/** Throws with a readable message when a cron expression or time zone is invalid. */
export function validateWindow(window: SilenceWindow): void {
  // cron-parser accepts any time zone name at parse time and throws on first use.
  if (window.timezone !== undefined && !isTimeZone(window.timezone))
    throw new Error(
      `timezone "${window.timezone}" is not an IANA time zone (e.g. Europe/Amsterdam)`,
    );
  if (window.kind === "once") {
    // Strict, unlike onceSpan: a form only an earlier erwatch stored is not taken anew.
    const start = instantOf(window.start, window.timezone);
    const end = instantOf(window.end, window.timezone);
    if (start === null || end === null)
      throw new Error(
        "start and end must be ISO 8601 times such as 2026-03-29T01:00Z or 2026-03-29T01:00+01:00 (without an offset, a reading of the clock in timezone, UTC when none is given)",
      );
    if (end <= start) throw new Error("end must be after start");
    if (end - start > MAX_ONCE_DAYS * 86_400_000)
      throw new Error(`a one-off window lasts at most ${MAX_ONCE_DAYS} days`);
    return;
  }
  // A longer one made `silence list` walk it minute by minute for a minute of CPU.
  if (
    !Number.isInteger(window.durationMinutes) ||
    window.durationMinutes < 1 ||
    window.durationMinutes > MAX_WINDOW_MINUTES
  )
    throw new Error(
      `a recurring window lasts from 1 minute to 30 days (${MAX_WINDOW_MINUTES} minutes), not ${window.durationMinutes}`,
    );
  const fields = window.cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6)
    throw new Error(
      `cron "${window.cron}" needs five fields (minute hour day month weekday), or six with seconds first`,
    );
  // cron-parser's H picks a random value each time it is read: the window would flicker.
  if (fields.some((f) => /(?<![A-Z])H(?![A-Z])/i.test(f)))
    throw new Error(
      `cron "${window.cron}": H (a random minute or hour) is not supported; give the time`,
    );
  try {
    CronExpressionParser.parse(window.cron, { tz: window.timezone });
  } catch (error) {
    // cron-parser's own words ("Constraint error, got value 61") do not say which setting.
    throw new Error(`cron "${window.cron}": ${(error as Error).message}`, { cause: error });
  }
  windowActive(window, new Date(0));
  if (openEveryMoment(window))
    throw new Error(
      `cron "${window.cron}" starts a window at least every ${window.durationMinutes} minutes, so it is open at every moment and silences for good; shorten the window or space the starts (to stop watching a circuit, tag it erwatch:ignore)`,
    );
}

/** How many starts the check below walks before it stops saying anything (a cron every few minutes). */
const MAX_GAP_STEPS = 20_000;
const YEAR_MS = 366 * 86_400_000;

/**
 * A recurring window whose next start always comes before it closes (a daily
 * cron held 1,440 minutes, a weekly one 30 days, an hourly one 60 minutes) is
 * open at every moment: a circuit muted for good, taken without a word.
 * Proven over a year of starts on the wall clock; a cron too frequent to walk
 * a year of (every few minutes) says nothing, and is taken.
 */
function openEveryMoment(window: RecurringWindow): boolean {
  const length = window.durationMinutes * MINUTE_MS;
  const starts = CronExpressionParser.parse(window.cron, {
    currentDate: new Date(Date.UTC(2026, 0, 1)),
    tz: "UTC",
  });
  let start = starts.next().toDate().getTime();
  const until = start + YEAR_MS;
  for (let n = 0; n < MAX_GAP_STEPS; n += 1) {
    if (start >= until) return true;
    const next = starts.next().toDate().getTime();
    // One starting as this one closes abuts it: still no moment closed.
    if (next - start > length) return false;
    start = next;
  }
  return false;
}

function matches(silence: Silence, target: SilenceTarget): boolean {
  // Normalised here too, not only when written: a silence an earlier erwatch
  // stored as "Private" or with an id ending in "/" showed active and held nothing.
  const c = (silenceCircuit(silence.circuit) ?? silence.circuit).toLowerCase();
  if (c !== target.circuitId.toLowerCase() && c !== target.circuitName.toLowerCase()) return false;
  if (silence.peering !== undefined) {
    const peering = (peeringNamed(silence.peering) ?? silence.peering).toLowerCase();
    if (target.peering === null || peering !== target.peering.toLowerCase()) return false;
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
      // Matching inside too: a stored silence edited by hand (a null peering)
      // threw here, for every alert of its circuit and the whole status page.
      try {
        return matches(s, target) && windowActive(s.window, now);
      } catch (error) {
        onBroken(s, error instanceof Error ? error : new Error(String(error)));
        return false;
      }
    }) ?? null
  );
}

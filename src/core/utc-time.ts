// A time in an alert's words, in UTC. "at 23:50 UTC" in a line sent at 00:10
// read as tonight's 23:50, a day off, for an outage across midnight: a time
// not on the UTC day of the sweep that judged the alert carries its date.

import { hhmm } from "./dataplane/series.js";

/** The furthest instant a Date holds (ECMAScript's ±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

const isInstant = (ms: number): boolean => Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;

const day = (epoch: number): string => new Date(epoch).toISOString().slice(0, 10);

/**
 * "02:15 UTC" on the sweep's UTC day; "2026-12-05 23:50 UTC" on any other;
 * "an unknown time" for one that is none (a Date of it throws, and the line
 * it goes in is one of an alert's).
 */
export function utcTime(epoch: number, sweepAt: number): string {
  if (!isInstant(epoch)) return "an unknown time";
  const when = isInstant(sweepAt) && day(epoch) === day(sweepAt) ? "" : `${day(epoch)} `;
  return `${when}${hhmm(epoch)} UTC`;
}

/**
 * "2026-11-22 02:07 UTC": a stored instant as an alert's words say it, its
 * date always (a first-seen time is any day). A raw ISO string
 * ("2026-11-22T02:07:00.000Z") read as a machine's on a phone's lock screen;
 * a value that is no instant is said as it is stored.
 */
export function utcMinute(iso: string): string {
  const ms = Date.parse(iso);
  if (!isInstant(ms)) return iso;
  return `${day(ms)} ${hhmm(ms)} UTC`;
}

// A time in an alert's words, in UTC. "at 23:50 UTC" in a line sent at 00:10
// read as tonight's 23:50, a day off, for an outage across midnight: a time
// not on the UTC day of the sweep that judged the alert carries its date.

import { hhmm } from "./dataplane/series.js";

const day = (epoch: number): string => new Date(epoch).toISOString().slice(0, 10);

/** "02:15 UTC" on the sweep's UTC day; "2026-12-05 23:50 UTC" on any other. */
export function utcTime(epoch: number, sweepAt: number): string {
  const when = Number.isFinite(sweepAt) && day(epoch) === day(sweepAt) ? "" : `${day(epoch)} `;
  return `${when}${hhmm(epoch)} UTC`;
}

// A session can go down and come back between two sweeps: both reads see it
// Established, and only its uptime (the route summary's `upDown`) tells. When
// the uptime at this read is shorter than the time since the previous read
// that saw it Established, the session reset in between. Pure: the reads carry
// their own times, and the previous read's mark comes from the snapshot.

import { parseStatePfxRcd, parseUptime } from "./bgp-state.js";
import type { SessionReset } from "./history.js";
import type { CircuitReading, PathName } from "./model.js";
import { PATHS } from "./model.js";
import type { SessionMark, Snapshot } from "./snapshot.js";

/**
 * Read times are stamped when each read completes, so two reads of the same
 * router can disagree by the read's own duration. A reset is only claimed when
 * the uptime falls short of the gap by more than this.
 */
export const RESET_SLACK_SECONDS = 30;

export interface SessionResults {
  /** peering → path → the mark the next sweep compares with. */
  marks: Record<string, Record<PathName, SessionMark | null>>;
  resets: SessionReset[];
}

/** The mark for one route summary read, or null when a neighbor is not Established. */
function markOf(
  rows: { upDown: string; statePfxRcd: string }[],
  readAt: string,
): { mark: SessionMark; upperSeconds: number | null; seconds: number | null } | null {
  if (rows.length === 0) return null;
  if (rows.some((r) => parseStatePfxRcd(r.statePfxRcd).kind !== "established")) return null;
  let shortest: { raw: string; seconds: number; upper: number } | null = null;
  for (const row of rows) {
    const uptime = parseUptime(row.upDown);
    if (uptime.kind !== "uptime") continue;
    const upper = uptime.seconds + uptime.resolutionSeconds;
    if (!shortest || upper < shortest.upper)
      shortest = { raw: row.upDown.trim(), seconds: uptime.seconds, upper };
  }
  return {
    mark: { readAt, upDown: shortest?.raw ?? "" },
    upperSeconds: shortest?.upper ?? null,
    seconds: shortest?.seconds ?? null,
  };
}

export function sessionResets(
  reading: CircuitReading,
  previous: Snapshot | null,
  now: Date,
): SessionResults {
  const marks: SessionResults["marks"] = {};
  const resets: SessionReset[] = [];
  // A circuit that could not be read tells nothing: keep every mark as it was.
  if (!reading.circuit.ok) {
    for (const [name, p] of Object.entries(previous?.peerings ?? {}))
      if (p.sessions) marks[name] = p.sessions;
    return { marks, resets };
  }
  for (const [peering, byPath] of Object.entries(reading.paths)) {
    const before = previous?.peerings[peering]?.sessions;
    const out = {} as Record<PathName, SessionMark | null>;
    for (const path of PATHS) {
      const summary = byPath[path].summary;
      const last = before?.[path] ?? null;
      // UNKNOWN never changes anything: the next good read compares with the last one.
      if (!summary.ok || Number.isNaN(Date.parse(summary.readAt))) {
        out[path] = last;
        continue;
      }
      const seen = markOf(summary.value, summary.readAt);
      out[path] = seen?.mark ?? null;
      if (!seen || !last || seen.upperSeconds === null || seen.seconds === null) continue;
      const gapSeconds = (Date.parse(summary.readAt) - Date.parse(last.readAt)) / 1000;
      if (!(gapSeconds > 0)) continue;
      if (seen.upperSeconds + RESET_SLACK_SECONDS < gapSeconds) {
        resets.push({
          kind: "reset",
          at: now.toISOString(),
          circuitId: reading.ref.id,
          peering,
          path,
          upDown: seen.mark.upDown,
          uptimeSeconds: seen.seconds,
          previousReadAt: last.readAt,
          sincePreviousReadSeconds: Math.round(gapSeconds),
        });
      }
    }
    marks[peering] = out;
  }
  return { marks, resets };
}

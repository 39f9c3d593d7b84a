// A session can go down and come back between two sweeps: both reads see it
// Established, and only its uptime (the route summary's `upDown`) tells. When
// the uptime at this read is shorter than the time since the previous read
// that saw it Established, the session reset in between. Pure: the reads carry
// their own times, and the previous read's mark comes from the snapshot.
//
// IPv4 and IPv6 sessions are marked apart: an IPv6 session shut at its own
// limit (Idle) does not lose IPv4's mark, and an IPv6 reset is recorded as
// IPv6's (`family: "ipv6"`), so flap detection counts it for IPv6 only.

import { parseStatePfxRcd, parseUptime } from "./bgp-state.js";
import type { SessionReset } from "./history.js";
import type { BgpNeighborRow, CircuitReading, PathName } from "./model.js";
import { PATHS } from "./model.js";
import { familyOf } from "./path-analysis.js";
import type { AddressFamily } from "./route-limits.js";
import type { SessionMark, Snapshot } from "./snapshot.js";
import { byName } from "./names.js";

/**
 * Read times are stamped when each read completes, so two reads of the same
 * router can disagree by the read's own duration. A reset is only claimed when
 * the uptime falls short of the gap by more than this.
 */
export const RESET_SLACK_SECONDS = 30;

export interface SessionResults {
  /** peering → path → the IPv4 sessions' mark the next sweep compares with. */
  marks: Record<string, Record<PathName, SessionMark | null>>;
  /** The same for the IPv6 sessions. */
  ipv6Marks: Record<string, Record<PathName, SessionMark | null>>;
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
  const ipv6Marks: SessionResults["ipv6Marks"] = {};
  const resets: SessionReset[] = [];
  // A circuit that could not be read tells nothing: keep every mark as it was.
  if (!reading.circuit.ok) {
    for (const [name, p] of Object.entries(previous?.peerings ?? {})) {
      if (p.sessions) marks[name] = p.sessions;
      if (p.ipv6Sessions) ipv6Marks[name] = p.ipv6Sessions;
    }
    return { marks, ipv6Marks, resets };
  }
  for (const [peering, byPath] of Object.entries(reading.paths)) {
    const stored = byName(previous?.peerings, peering);
    for (const family of ["ipv4", "ipv6"] as const) {
      // A snapshot from before the families were marked apart holds one mark for
      // every neighbor of the path: the last read that saw them all Established,
      // which holds for IPv6 as well.
      const before =
        family === "ipv4" ? stored?.sessions : (stored?.ipv6Sessions ?? stored?.sessions);
      const out = {} as Record<PathName, SessionMark | null>;
      for (const path of PATHS) {
        const summary = byPath[path].summary;
        const last = before?.[path] ?? null;
        // UNKNOWN never changes anything: the next good read compares with the last one.
        if (!summary.ok || Number.isNaN(Date.parse(summary.readAt))) {
          out[path] = last;
          continue;
        }
        const seen = markOf(ofFamily(summary.value, family), summary.readAt);
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
            ...(family === "ipv6" ? { family } : {}),
            upDown: seen.mark.upDown,
            uptimeSeconds: seen.seconds,
            previousReadAt: last.readAt,
            sincePreviousReadSeconds: Math.round(gapSeconds),
          });
        }
      }
      if (family === "ipv4") marks[peering] = out;
      else ipv6Marks[peering] = out;
    }
  }
  return { marks, ipv6Marks, resets };
}

const ofFamily = (rows: BgpNeighborRow[], family: AddressFamily) =>
  rows.filter((r) => familyOf(r) === family);

// Whether a Global Reach connection reading Connecting is being set up or
// re-establishing, from what earlier sweeps saw of it (kept in the snapshot).
// Connecting is Azure's word for both. One erwatch has seen only Connecting
// since it appeared is being set up: nothing to page while that takes its
// usual few minutes, and "stuck Connecting since 01:50 UTC" past
// CONNECTING_WAIT_MS. One erwatch saw Connected (or down) before has dropped
// and is coming back: site-to-site traffic is cut now, so it pages as any
// drop does, on the hysteresis every Sev3 waits out (two sweeps), which
// already lets a re-establishment of a minute or two pass unpaged.

import { CLOCK_SKEW_MS, storedInstant } from "./instant.js";
import type { GlobalReachConnection, PeeringFacts } from "./model.js";
import { byName } from "./names.js";
import type { Snapshot } from "./snapshot.js";
import { utcTime } from "./utc-time.js";

/** How long a connection seen only Connecting since it appeared is held as being set up. */
export const CONNECTING_WAIT_MS = 30 * 60_000;

/** One family of one Global Reach connection, as earlier sweeps saw it. */
export interface ReachSighting {
  /** reachKey: direction, name, peer peering and family. */
  key: string;
  /**
   * Seen Connecting at every reading since it appeared, from this instant.
   * Absent: seen in another state (Connected, Disconnected) at some sweep.
   */
  connectingSince?: string;
}

/** What a connection reading Connecting (and nothing worse) is. */
export type Connecting =
  /** Being set up, within CONNECTING_WAIT_MS: held, not paged. */
  | { kind: "settling"; since: string }
  /** Being set up for longer than that. */
  | { kind: "stuck"; since: string }
  /** Seen Connected or down before: a drop, re-establishing. */
  | { kind: "dropped" };

type Family = "ipv4" | "ipv6";

const key = (g: GlobalReachConnection, family: Family): string =>
  [g.direction, g.name, g.peerCircuitPeeringId.replace(/\/+$/, ""), family].join("|").toLowerCase();

function families(g: GlobalReachConnection): { family: Family; status: string | null }[] {
  return [
    { family: "ipv4", status: g.status },
    ...(g.ipv6 ? [{ family: "ipv6" as const, status: g.ipv6.status }] : []),
  ];
}

/**
 * When a sighting was first seen Connecting, in ms, judged at `at`; null when
 * its kept start cannot be read: not an instant, or after `at` by more than
 * two clocks differ (a start in 2099 held the connection as being set up,
 * unpaged, until then).
 */
function startOf(s: ReachSighting | undefined, at: number): number | null {
  const since = storedInstant(s?.connectingSince);
  return since !== null && since - at <= CLOCK_SKEW_MS ? since : null;
}

/**
 * A connection every family of which that is not Connected reads Connecting:
 * what that is, by `seen` (null: a snapshot kept before sightings were, whose
 * row showed the connections: each was seen before), judged at `at`: the
 * sweep's instant, which the plan compares the hold's end with (sweep-plan.ts;
 * judged at the listing's, a moment later, a hold ending in between was
 * stuck to the evaluation and held to the plan, and read a sweep late). Null
 * for any other.
 */
export function connectingOf(
  g: GlobalReachConnection,
  seen: readonly ReachSighting[] | null,
  at: string,
): Connecting | null {
  const off = families(g).filter((f) => f.status !== null && f.status !== "Connected");
  if (off.length === 0 || off.some((f) => f.status !== "Connecting")) return null;
  const now = Date.parse(at);
  const starts: number[] = [];
  for (const { family } of off) {
    const sighting = seen === null ? null : seen.find((s) => s.key === key(g, family));
    if (seen === null || (sighting && sighting.connectingSince === undefined))
      return { kind: "dropped" };
    // New, or its start unreadable in a snapshot whose own instant is too (rememberedReach): from now, as nextSightings keeps it.
    starts.push(startOf(sighting ?? undefined, now) ?? now);
  }
  const since = Math.min(...starts);
  return now - since < CONNECTING_WAIT_MS
    ? { kind: "settling", since: new Date(since).toISOString() }
    : { kind: "stuck", since: new Date(since).toISOString() };
}

/**
 * "still connecting since 01:50 UTC" and the like, after the connection's
 * status in titles and rows; dated when not on the UTC day of `readAt`, the
 * sweep's reading.
 */
export function connectingWords(c: Connecting, readAt: string): string {
  if (c.kind === "dropped") return "dropped, re-establishing";
  const at = utcTime(Date.parse(c.since), Date.parse(readAt));
  return c.kind === "settling" ? `still connecting since ${at}` : `stuck since ${at}`;
}

/**
 * Only an entry that is one: a stored row is not checked with the snapshot.
 * A start kept as something other than text (null, a number) is a start
 * that cannot be read, not one never had: absent alone says the connection
 * was seen in another state.
 */
function sightingsOf(kept: unknown): ReachSighting[] {
  if (!Array.isArray(kept)) return [];
  return kept.flatMap((s: unknown) => {
    if (typeof s !== "object" || s === null) return [];
    const { key: k, connectingSince } = s as Record<string, unknown>;
    if (typeof k !== "string") return [];
    if (connectingSince === undefined) return [{ key: k }];
    return [
      { key: k, connectingSince: typeof connectingSince === "string" ? connectingSince : "" },
    ];
  });
}

/**
 * A snapshot's sightings, a start that cannot be read (startOf) taken as the
 * snapshot's instant: erwatch saw the connection Connecting then, when it
 * last read it, and knows no earlier time. Read from the instant of each
 * read instead, it was never stuck (held, and its row warning, for good),
 * and the plan, finding no hold's end, read the circuit deep every sweep
 * for the warning. Counted from then, the plan's hold and the evaluation's
 * end together, as for a start that was kept. Left as kept when the
 * snapshot's instant cannot be read either (connectingOf counts from now).
 */
function withStarts(snapshot: Snapshot, kept: unknown): ReachSighting[] {
  const takenAt = storedInstant(snapshot.takenAt);
  return sightingsOf(kept).map((s) =>
    s.connectingSince !== undefined && takenAt !== null && startOf(s, takenAt) === null
      ? { key: s.key, connectingSince: new Date(takenAt).toISOString() }
      : s,
  );
}

/**
 * When the first connection a snapshot held as being set up stops being held
 * (its CONNECTING_WAIT_MS is up), in ms; null when it held none (of
 * `peering`, when named). Its row warns meanwhile, which no deep read changes
 * (the body says Connecting, and the cheap tier reads the body every sweep):
 * read deep at every sweep for it, the circuit spent the ARM budget the
 * rotation needs. It waits for its turn, and is read deep once the hold is
 * up, so a stuck connection pages then rather than a turn later.
 */
export function settlingEndsAt(snapshot: Snapshot, peering?: string): number | null {
  const takenAt = storedInstant(snapshot.takenAt);
  if (takenAt === null) return null;
  // A stored row is any text to its schema: a peering may be anything.
  const peerings = (snapshot.peerings ?? {}) as Record<string, { reach?: unknown } | null>;
  let first: number | null = null;
  for (const [name, p] of Object.entries(peerings)) {
    if (peering !== undefined && name.toLowerCase() !== peering.toLowerCase()) continue;
    for (const s of withStarts(snapshot, p?.reach)) {
      const since = startOf(s, takenAt);
      if (since === null) continue;
      const end = since + CONNECTING_WAIT_MS;
      // Up already when the snapshot was taken: judged stuck there, not held.
      if (end > takenAt && (first === null || end < first)) first = end;
    }
  }
  return first;
}

/**
 * What a stored peering saw of its connections; null for a snapshot kept
 * before sightings were whose Global Reach row was read up or down: its
 * connections were there then, so none of them is new.
 */
export function rememberedReach(
  previous: Snapshot | null,
  peering: string,
): ReachSighting[] | null {
  const p = byName(previous?.peerings, peering);
  if (!p || !previous) return [];
  if (p.reach !== undefined) return withStarts(previous, p.reach);
  const row: unknown = p.paths?.primary?.globalReach;
  const status = (row as { status?: unknown } | undefined)?.status;
  return status === "up" || status === "down" ? null : [];
}

/**
 * The sightings to keep with the next snapshot: each family with a status
 * read, a Connecting one keeping when it started (`at`, the sweep's instant,
 * for one new, or whose start cannot be read still); one whose status was
 * left out, and every one while the list is read in part, kept as it was; a
 * connection gone from a list read whole, forgotten.
 */
export function nextSightings(
  before: readonly ReachSighting[] | null,
  peering: PeeringFacts,
  at: string,
): ReachSighting[] {
  const out = new Map<string, ReachSighting>();
  if (peering.globalReachUnread) for (const s of before ?? []) out.set(s.key, s);
  for (const g of peering.globalReach)
    for (const { family, status } of families(g)) {
      const k = key(g, family);
      const was = before?.find((s) => s.key === k);
      if (status === null) {
        if (was) out.set(k, was);
      } else if (status !== "Connecting" || before === null) out.set(k, { key: k });
      else
        out.set(
          k,
          was && startOf(was, Date.parse(at)) !== null ? was : { key: k, connectingSince: at },
        );
    }
  return [...out.values()];
}

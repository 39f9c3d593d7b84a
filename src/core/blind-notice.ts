// An incident someone was woken for must not go stale without their knowing.
// While erwatch cannot read the layers behind an open alert, the alert is held
// as last seen (neither resolved nor changed), and `monitoring-blind` says so
// at Sev3, which by default reaches Teams only: whoever holds the Sev0 or Sev1
// at PagerDuty would not hear that its source went blind. So once the alert
// has been blind as long as monitoring-blind waits to open, its own receivers
// hear it once, as a repeat of what they hold (the same incident), and again
// only after erwatch has seen it and lost it anew. A fleet alert is blind the
// same way: none of its circuits read still has the outage, or has it only
// less for a path that could not be read, and not all could be read (its
// members' own alerts are held by it, so they tell no one). A flap alert whose
// history cannot be read is blind the same way, though its circuit reads: its
// flaps cannot be counted, so it can neither resolve nor change, and the notice
// says that (no monitoring-blind opens for storage), not that erwatch cannot
// see the circuit.

import type { AlertState, Decision } from "./lifecycle.js";
import { isDataPlaneFamily } from "./dataplane/known.js";
import type { BlindCause, PathName } from "./model.js";
import { fleetMembersOf } from "./fleet-members.js";
import { storedInstant } from "./instant.js";
import { severityRank } from "./severity.js";
import { toldBy } from "./told-by.js";
import { utcMinute } from "./utc-time.js";

/** The most severe that are woken for by default: the notice goes to them. */
const NOTICE_AT_OR_ABOVE = "Sev1";

export const BLIND_NOTICE = "Blind:";

/**
 * "since" what: the last reading's time ("2026-11-22 01:30 UTC", as "New
 * since" says it; the stored ISO string read as a machine's), or that it is
 * not known.
 */
const sinceWords = (since: string | null): string =>
  since === null ? "its last reading, at a time not known" : utcMinute(since);

/**
 * Why a data-plane alert (traffic, capacity, end to end, drift) has no
 * reading: a gap in Azure Monitor's data opens no monitoring-blind alert,
 * only a read that failed, or values that cannot be, does.
 */
const NO_DATA_PLANE_READING =
  "Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed, which its monitoring-blind alert names (a Log Analytics query's: erwatch's health alert for its workspace)";

/** What erwatch has not been able to see since when, in the words the alert's holder needs. */
function unseen(family: AlertState["family"], at: string | null, cause: BlindCause | null): string {
  const since = sinceWords(at);
  // Storage opens no monitoring-blind alert: the log is where it is said.
  if (cause === "history")
    return `erwatch has not been able to read this circuit's history (Table Storage), which its flaps are counted from, since ${since}: the circuit itself still reads, but whether it still flaps cannot be told (erwatch's log says "history could not be read"; no monitoring-blind alert opens for storage)`;
  if (family === "fleet")
    return `erwatch has not been able to read enough of the circuits this alert names to tell whether the outage goes on since ${since} (see their monitoring-blind alert)`;
  if (isDataPlaneFamily(family))
    return `erwatch has had no reading behind this alert since ${since} (${NO_DATA_PLANE_READING})`;
  return `erwatch has not been able to read the layers behind this alert since ${since} (see its monitoring-blind alert)`;
}

/**
 * Blind for want of one path beside paths still read as the alert says (a
 * Sev1 "both paths down" whose secondary cannot be read while the primary
 * still reads down; a one-path stop whose partner neither ARM nor Azure
 * Monitor can judge): "no reading behind this alert" would overstate it.
 * `since` is the last sweep that read all of it (paths may have failed in
 * turn since), so which path was lost and what still reads is said of this
 * sweep, the one the notice is sent on, not of the whole spell.
 */
function partlyUnseen(
  family: AlertState["family"],
  at: string | null,
  partly: { unread: PathName[]; paths: PathName[] },
): string {
  const since = sinceWords(at);
  // A capacity alert's path whose throughput has no series opens no
  // monitoring-blind alert: "see its monitoring-blind alert" sent the holder
  // to one that never opens. A traffic stop's says nothing of why.
  const why =
    family === "traffic"
      ? ""
      : isDataPlaneFamily(family)
        ? ` (${NO_DATA_PLANE_READING})`
        : " (see its monitoring-blind alert)";
  const now = `${unreadAtNotice(family, partly.unread)}${why}`;
  return `erwatch has not read every path this alert's severity rests on since ${since}; at this sweep ${now}, and the ${partly.paths.join(" and ")} path read as the alert says`;
}

/**
 * What a partly blind notice says of the paths lost at its sweep, the
 * receivers too: a traffic alert's path may read (ARM) with its throughput
 * unjudged, so that it "could not be read" is not what the sweep knows.
 */
export function unreadAtNotice(family: AlertState["family"], unread: readonly PathName[]): string {
  const paths = `the ${unread.join(" and ")} path`;
  return family === "traffic"
    ? `erwatch could not tell whether ${paths} carries`
    : `${paths} could not be read`;
}

export function blindNotice(
  state: AlertState,
  ctx: {
    now: Date;
    blindAfterMs?: number;
    /** How many sweeps must have failed to read it (`state.blindSweeps`). */
    blindAfterSweeps?: number;
    /** The timer's own sweep: ... then as many ticks, this much after the last reading (policy.ts openAfterTicksMs). */
    tick?: boolean;
    blindAfterTicksMs?: number | null;
    /** When the tick was due: the notice is a notification, its repeat counted from it (lifecycle.ts `toldBy`). */
    tickDue?: Date;
    held: boolean;
    partlyRead?: { unread: PathName[]; paths: PathName[] };
    /** Blind although its layers were read (observe.ts `blindCause`). */
    cause?: BlindCause;
    /** A fleet alert's sighting its row does not record (observe.ts `membersReadAt`): a reading too. */
    membersReadAt?: string;
  },
): Decision | null {
  const notified = state.notified;
  const condition = state.condition;
  if (!notified || !condition || notified.blindSince || ctx.blindAfterMs === undefined) return null;
  if (ctx.held || state.family === "monitoring-blind") return null;
  if (severityRank(notified.severity) > severityRank(NOTICE_AT_OR_ABOVE)) return null;
  // Masked (the provider de-provisioned the circuit) is a reading too: erwatch
  // saw the circuit carry nothing, worse than the alert says, not nothing at all.
  // Stored state may be old or odd: a time that is not an instant
  // (core/instant.ts) is no reading erwatch can date, never one after the
  // others. The latest is the latest instant: compared as text, an offset
  // or "42" sorted after the real one.
  const readings = [
    state.lastFiringAt,
    state.lastCleanAt,
    state.lastMaskedAt,
    ctx.membersReadAt,
  ].flatMap((t) => {
    const ms = storedInstant(t);
    return ms === null ? [] : [{ text: t as string, ms }];
  });
  const latest = readings.reduce<(typeof readings)[number] | null>(
    (a, b) => (a === null || b.ms > a.ms ? b : a),
    null,
  );
  // None dated: blind since a reading of unknown age, past any wait in time.
  // Left at that ("a time that cannot be read proves no blindness"), an open
  // Sev0 whose last firing was kept as "yesterday" was never told blind.
  // On a tick, as many ticks as monitoring-blind opens on: measured in time
  // alone, a last reading by a past-due tick (10:06:30) held the notice to
  // the fourth tick that could not read it, a sweep after monitoring-blind.
  const blindFor = latest === null ? Number.POSITIVE_INFINITY : ctx.now.getTime() - latest.ms;
  const byTicks =
    ctx.tick === true &&
    ctx.blindAfterTicksMs != null &&
    (state.blindTicks ?? 0) >= (ctx.blindAfterSweeps ?? 0) &&
    blindFor >= ctx.blindAfterTicksMs;
  if (blindFor < ctx.blindAfterMs && !byTicks) return null;
  const seen = latest?.text ?? null;
  // Blind since its last reading, but erwatch may not have been sweeping for
  // most of that (the function app stopped for hours, a deploy): as many
  // sweeps must have failed to read it as monitoring-blind waits for too.
  // Measured in time alone, the first sweep after a gap whose read failed
  // sent the pager "Blind:", pointing at a monitoring-blind alert that had
  // not opened. A row without a count (the version before) goes by time, and
  // so does a fleet alert: with fan-out no sweep judges it blind but the
  // timer's notice (which takes its members' counts, fleet.ts
  // `fleetBlindTicks`), so its count says only that a tick may tell it sooner
  // (a site last read by a past-due tick heard "Blind:" a sweep after its
  // circuits' monitoring-blind opened).
  if (
    state.family !== "fleet" &&
    state.blindSweeps !== undefined &&
    state.blindSweeps < (ctx.blindAfterSweeps ?? 0)
  )
    return null;
  const partly =
    ctx.partlyRead && ctx.partlyRead.unread.length > 0 && ctx.partlyRead.paths.length > 0
      ? ctx.partlyRead
      : null;
  const cause = ctx.cause ?? null;
  const sequence = state.sequence + 1;
  const at = ctx.now.toISOString();
  return {
    action: "repeat",
    event: {
      action: "repeat",
      sequence,
      episode: notified.episode,
      severity: notified.severity,
      previousSeverity: notified.severity,
      peakSeverity: notified.peakSeverity,
      // Not known: absent, as receivers read a notice without it (since null).
      ...(seen !== null ? { blindSince: seen } : {}),
      ...(partly ? { blindPaths: partly.unread } : {}),
      ...(cause ? { blindCause: cause } : {}),
      change: `${BLIND_NOTICE} ${partly ? partlyUnseen(state.family, seen, partly) : unseen(state.family, seen, cause)}; it stands as last seen, neither resolved nor changed. Last seen: ${notified.title}`,
      condition,
      firstSeen: state.firstSeen ?? at,
    },
    next: {
      ...state,
      sequence,
      notified: {
        ...withoutTickDue(notified),
        at,
        sequence,
        ...toldBy(ctx),
        // Told, whatever is known of when it was last read: the notice's own time then.
        blindSince: seen ?? at,
        // The notice names the circuits its condition names: one that left the
        // group since is no longer what the receivers hold, and breaking again
        // is news (a fleet alert announces a circuit it gains).
        ...(state.family === "fleet"
          ? { members: fleetMembersOf(condition).map((m) => m.id) }
          : {}),
      },
    },
  };
}

/** What the receivers were told, once erwatch reads the alert again: a later blindness is news again. */
export function sightRestored(notified: AlertState["notified"]): AlertState["notified"] {
  if (!notified?.blindSince) return notified;
  const { blindSince: _, ...rest } = notified;
  return rest;
}

/** The occurrence of the tick that told it before: this notice is told now. */
function withoutTickDue(
  notified: NonNullable<AlertState["notified"]>,
): NonNullable<AlertState["notified"]> {
  const { tickDue: _, ...rest } = notified;
  return rest;
}

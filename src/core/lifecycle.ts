// The alert lifecycle for one key, in two pure steps:
//   advance  — what the condition is now (hysteresis: pending → firing →
//              resolving → clear), from this sweep's observation;
//   decide   — what the receivers must hear (open / escalate / deescalate /
//              repeat / resolve), or the named reason they hear nothing.
// Between the two, the sweep computes inhibition across all keys.

import {
  PATHS,
  type AlertAction,
  type AlertFamily,
  type BlindCause,
  type Finding,
  type Layer,
  type Owner,
  type PathName,
  type Severity,
} from "./model.js";
import type { Observation } from "./observe.js";
import type { HysteresisPolicy, PerSeverity, Silence } from "./policy.js";
import { blindNotice, sightRestored } from "./blind-notice.js";
import { inTurnReadsNow, refusedBlindHeldMs, type InTurnReads } from "./refused-blind-open.js";
import { namesNoReadMends } from "./refused-reads.js";
import { toldBy } from "./told-by.js";
import { asLastTold } from "./last-told.js";
import {
  boundJson,
  cutText,
  DEFAULT_BOUNDS,
  MAX_FLEET_MEMBERS,
  MAX_TICKET,
  TICKET_HEADROOM,
} from "./budget.js";
import { fleetMembersOf, type FleetMember } from "./fleet-members.js";
import { storedInstant } from "./instant.js";
import { isRecord } from "./record.js";
import { severityRank } from "./severity.js";
import { counted } from "./text.js";
import { utcMinute } from "./utc-time.js";

export type Phase = "clear" | "pending" | "firing" | "resolving";

export interface AlertCondition {
  code: Finding["code"];
  severity: Severity;
  layer: Layer;
  owner: Owner;
  paths: PathName[];
  title: string;
  nextAction: string;
  evidence: Record<string, unknown>;
  ticket: string | null;
}

export interface AlertState {
  key: string;
  family: AlertFamily;
  circuitId: string;
  circuitName: string;
  peering: string | null;
  phase: Phase;
  consecutiveFiring: number;
  consecutiveClean: number;
  /** Start of the current episode (first firing observation), null when clear. */
  firstSeen: string | null;
  /** The latest condition while not clear; the last one seen when it cleared. */
  condition: AlertCondition | null;
  /** What the receivers last heard; null when nothing is open at the receivers. */
  notified: {
    /** Sequence of the `open` that started what the receivers hold: names the alert instance. */
    episode: number;
    severity: Severity;
    peakSeverity: Severity;
    paths: PathName[];
    title: string;
    at: string;
    sequence: number;
    /**
     * Fleet alerts: the member circuit ids the receivers were told of, so that
     * a group that grows is announced again. Absent in state stored before it
     * was recorded (such a group is announced again only on its repeat).
     */
    members?: string[];
    /**
     * Whose the receivers were told it is. Absent in state stored before it
     * was recorded: another owner waits for the repeat then (`ownerChanged`).
     */
    owner?: Owner;
    /** Told that erwatch went blind on it (the last reading before); cleared once it reads again. */
    blindSince?: string;
    /**
     * When the timer's tick that told it was due (its scheduled occurrence,
     * however late it fired): its repeats keep the timer's cadence from it.
     * null: told on demand, whose repeat waits the whole interval from `at`.
     * Absent: not known (an older erwatch, a tick of unknown occurrence).
     */
    tickDue?: string | null;
  } | null;
  /** Last event sequence used on this key. */
  sequence: number;
  lastEvaluatedAt: string;
  /** Which commit left it (one attempt of one sweep): a commit whose answer was lost is known by it. */
  writeId?: string;
  /** Last observation that saw the condition, and the last that saw it gone: hysteresis counts time from these. */
  lastFiringAt?: string | null;
  lastCleanAt?: string | null;
  /**
   * How many of the readings counted in a row (consecutiveFiring, or
   * consecutiveClean, whichever counts) were the timer's own sweeps: on a
   * tick, hysteresis counts these (policy.ts openAfterTicksMs). Absent in
   * state stored before it was: none, and time alone decides as it did.
   */
  ticks?: number;
  /**
   * The evaluation `ticks` and `blindTicks` were counted at (its
   * lastEvaluatedAt). An erwatch that does not count them keeps them as they
   * were while it moves the counts: when this is not the row's
   * lastEvaluatedAt, they are not known. Kept as they were, an older `erwatch
   * sweep` reading a Sev0 clean at 10:07 lent the clean row the firing row's
   * two ticks, and it resolved at the first clean tick.
   */
  ticksAt?: string;
  /**
   * The latest evaluation that was the timer's tick (its lastEvaluatedAt
   * then). With fan-out the timer judges a fleet alert as of its members'
   * readings (fleet.ts `fleetReadByTick`): those of a POST /api/sweep its
   * workers read are no tick, whichever sweep judges them. Absent: none known.
   */
  tickAt?: string;
  /**
   * Last observation that read the circuit and found this key's layers masked
   * by a broken layer below (observe.ts `masked`): neither firing nor clean,
   * and not blindness either (core/blind-notice.ts); it ends a run of clean
   * sweeps.
   */
  lastMaskedAt?: string | null;
  /**
   * Sweeps since the last reading that could not read this key's layers (not
   * masked); absent while it reads. A blind notice waits for as many as
   * monitoring-blind does (core/blind-notice.ts): failed sweeps, not time in
   * which erwatch did not sweep at all. A fleet alert's counts only the
   * sweeps that judged it blind, and its notice goes by these only on a tick
   * (`blindTicks`), otherwise by time: with fan-out no sweep judges it blind
   * but the timer's notice, which takes its members' counts instead
   * (fleet.ts `fleetBlindTicks`, Observation `membersBlind`).
   */
  blindSweeps?: number;
  /** Of those, the timer's ticks: a blind notice counts these on a tick (blind-notice.ts). */
  blindTicks?: number;
  /**
   * monitoring-blind: of its firing readings in a row, those read in the
   * rotation's turn (refused for good, body fields alone), and the sweeps
   * skipped between two of them in a row (refused-blind-open.ts). Absent
   * while there are none, and in state stored before it was.
   */
  inTurn?: InTurnReads;
  /**
   * What held back the notification the last sweep decided (an open, a
   * repeat, a resolve): a silence, or the alert that inhibits it and the
   * rule (alert-step.ts withHold); clearing, the alert that holds its
   * resolve. Absent when nothing was held. The status page and `erwatch
   * alerts` name it beside "held" or "resolving"; they may
   * not have the sweep's ERWATCH_SILENCES.
   */
  heldBy?: HeldBy;
  /**
   * The last resolve sent: when, and when its episode began (null: not
   * known). The status page says when an alert that held another resolved,
   * and how long it was open. Absent before one was sent, and in state
   * stored before it was recorded.
   */
  resolved?: { at: string; firstSeen: string | null };
}

export type HeldBy = { silence: string; comment?: string } | { alert: string; rule: string };

export type NoneReason =
  "unchanged" | "held-by-hysteresis" | "silenced" | "inhibited" | "blind" | "masked";

export interface PendingEvent {
  action: AlertAction;
  sequence: number;
  /** Sequence of the open this event belongs to. */
  episode: number;
  severity: Severity;
  previousSeverity: Severity | null;
  peakSeverity: Severity;
  change: string;
  /** A blind notice's last reading before erwatch lost sight (core/blind-notice.ts). */
  blindSince?: string;
  /** ... when it lost only these paths, the rest still read as the alert says. */
  blindPaths?: PathName[];
  /** ... when what it lost is not a reading of its layers but what they are judged with (model.ts BlindCause). */
  blindCause?: BlindCause;
  /** A resolve that is not a recovery (a retired circuit) says so here; other events take the condition's. */
  nextAction?: string;
  /** ... and says here that no reading tells how it is (resolve-action.ts); other resolves are read from the sweep. */
  resolution?: string;
  condition: AlertCondition;
  firstSeen: string;
}

/** What the receivers hear (`action`), or why they hear nothing (`reason`). */
export type Decision =
  | { action: AlertAction; event: PendingEvent; next: AlertState }
  | {
      action: "none";
      reason: NoneReason;
      detail: string;
      next: AlertState;
      /** The event a silence or inhibition held back. */
      heldBack?: AlertAction;
    };

/** What is stored and sent about a finding, within the size budget. */
export function conditionOf(finding: Finding): AlertCondition {
  const bounded = boundJson({
    code: finding.code,
    severity: finding.severity,
    layer: finding.layer,
    owner: finding.owner,
    paths: finding.paths,
    title: finding.title,
    nextAction: finding.nextAction,
    evidence: {},
  }) as Omit<AlertCondition, "ticket">;
  // A fleet outage's members are how the next sweep knows whom it holds: cut
  // at the 200 entries of any other list, each circuit past the 200th paged
  // alone a sweep later, inside the one outage.
  const fleet = finding.code === "fleet-outage";
  const evidence = Object.fromEntries(
    Object.entries(finding.evidence).map(([key, value]) => [
      cutText(key, DEFAULT_BOUNDS.max),
      fleet && key === "circuits"
        ? boundJson(value, { max: 300, maxItems: MAX_FLEET_MEMBERS, maxDepth: 4 })
        : boundJson(value, DEFAULT_BOUNDS, 2),
    ]),
  );
  // Cut once, here, leaving room for what the alert adds: cut again in the
  // event, its marker was cut in turn and the first-seen line lost.
  const raw = finding.ticket ?? null;
  const ticket = raw === null ? null : cutText(raw, MAX_TICKET - TICKET_HEADROOM);
  return { ...bounded, evidence, ticket };
}

/**
 * How long ago a stored time was; none kept, or one that is not an instant
 * (core/instant.ts: "", "yesterday", "42", a time without its zone), is as
 * long ago as can be: never fresh. Date.parse's NaN was past no limit (an
 * open, a repeat or a resolve that never came) and "42" the year 2042. Where
 * "long ago" would end a wait early (the resolve's), the caller says so.
 */
const since = (iso: string | null | undefined, now: Date): number => {
  const at = storedInstant(iso);
  return at === null ? Number.POSITIVE_INFINITY : now.getTime() - at;
};

/** Text kept where an instant should be that is not one (none kept is not that). */
const unreadable = (iso: string | null | undefined): iso is string =>
  iso != null && storedInstant(iso) === null;

/**
 * No sweep runs longer than the Functions host's `functionTimeout` (10 min,
 * app/sweep-window.ts FUNCTION_TIMEOUT_MS): a judgement dated further after a
 * sweep's clock than this cannot be a concurrent sweep's. It was written by a
 * clock that has since stepped back (an NTP correction, a host whose clock
 * ran ahead), or is odd stored state.
 */
export const CONCURRENT_SWEEP_MS = 10 * 60_000;

/** `iso`, or `now` when it is an instant after `now` (text that is not an instant is left as it is). */
const notAfter = <T extends string | null | undefined>(iso: T, now: Date): T | string =>
  (storedInstant(iso) ?? Number.NEGATIVE_INFINITY) > now.getTime() ? now.toISOString() : iso;

/**
 * The state as this sweep's clock can use it. A time stored after `now` (the
 * clock stepped back since it was written) is taken as `now`: how long has
 * passed since is unknown, so a wait counted from it (hysteresis, the repeat,
 * a blind notice) starts again from this sweep, instead of waiting until the
 * clock catches up with it (a step back of 2 h held a Sev0 escalation and
 * every resolve for 2 h). A state from before no clock stepped is unchanged.
 */
function onThisClock(state: AlertState, now: Date): AlertState {
  const stamps = [
    state.firstSeen,
    state.lastFiringAt,
    state.lastCleanAt,
    state.lastMaskedAt,
    state.notified?.at,
    state.notified?.blindSince,
  ];
  if (!stamps.some((t) => notAfter(t, now) !== t)) return state;
  return {
    ...state,
    firstSeen: notAfter(state.firstSeen, now),
    lastFiringAt: notAfter(state.lastFiringAt, now),
    lastCleanAt: notAfter(state.lastCleanAt, now),
    ...(state.lastMaskedAt !== undefined
      ? { lastMaskedAt: notAfter(state.lastMaskedAt, now) }
      : {}),
    notified: state.notified && {
      ...state.notified,
      at: notAfter(state.notified.at, now),
      ...(state.notified.blindSince !== undefined
        ? { blindSince: notAfter(state.notified.blindSince, now) }
        : {}),
    },
  };
}

/** An alert with nothing known of it: clear, numbered from `sequence`. */
export function emptyAlert(
  observation: Pick<Observation, "key" | "family" | "circuitId" | "peering">,
  circuitName: string,
  now: Date,
  sequence: number,
): AlertState {
  return {
    key: observation.key,
    family: observation.family,
    circuitId: observation.circuitId,
    circuitName,
    peering: observation.peering,
    phase: "clear",
    consecutiveFiring: 0,
    consecutiveClean: 0,
    firstSeen: null,
    condition: null,
    notified: null,
    sequence,
    lastEvaluatedAt: now.toISOString(),
    lastFiringAt: null,
    lastCleanAt: null,
  };
}

/**
 * An alert whose stored row could not be read and was set aside: what it was
 * is gone, but the numbers it used are not. Event ids (key and sequence) are
 * Service Bus message ids, dropped as duplicates for a day, and each receiver
 * skips a sequence at or below the last it heard, so numbering again from 1
 * would lose the new alert's open and resolve. It is numbered from the minutes
 * since the epoch instead: past any sequence an alert reaches by counting its
 * events, and past any earlier restart.
 */
export function restartedAlert(
  observation: Pick<Observation, "key" | "family" | "circuitId" | "peering">,
  circuitName: string,
  now: Date,
): AlertState {
  return emptyAlert(observation, circuitName, now, Math.floor(now.getTime() / 60_000));
}

/**
 * Step 1: the condition after this observation. Null when there is nothing to
 * track. Opening and resolving need both the sweep count and the time: an
 * on-demand sweep seconds after the timer sees the truth but cannot move the
 * lifecycle faster than the timer would.
 */
export function advance(
  previous: AlertState | null,
  observation: Observation,
  hysteresis: HysteresisPolicy,
  circuitName: string,
  now: Date,
  /** The timer's own sweep (not an on-demand one): see HysteresisPolicy.openAfterTicksMs. */
  tick = false,
): AlertState | null {
  const at = now.toISOString();
  // Times from a clock that has since stepped back count from this sweep.
  if (previous) previous = onThisClock(previous, now);
  // Ticks another version left as they were since are none (ticksAt).
  const counted = previous !== null && previous.ticksAt === previous.lastEvaluatedAt;
  if (previous && !counted) {
    const { ticks: _, blindTicks: __, ticksAt: ___, ...rest } = previous;
    previous = rest;
  }
  const stamp = { ticksAt: at, ...(tick ? { tickAt: at } : {}) };
  if (observation.state === "unknown") {
    if (!previous) return null;
    // Masked: the circuit was read carrying nothing (the provider de-provisioned
    // it), so whatever clean sweeps came before no longer count toward a resolve.
    if (observation.masked)
      return {
        ...withoutBlindSweeps(previous),
        lastEvaluatedAt: at,
        lastMaskedAt: at,
        consecutiveClean: 0,
        ...stamp,
      };
    // Counted by its members (a fleet alert with fan-out): as many as they
    // counted, whatever its own row kept (never judged blind sweep by sweep).
    if (observation.membersBlind)
      return {
        ...previous,
        lastEvaluatedAt: at,
        blindSweeps: observation.membersBlind.sweeps,
        blindTicks: observation.membersBlind.ticks,
        ...stamp,
      };
    return blindBeforeCounting(previous, now)
      ? { ...previous, lastEvaluatedAt: at, ...stamp }
      : {
          ...previous,
          lastEvaluatedAt: at,
          blindSweeps: (previous.blindSweeps ?? 0) + 1,
          blindTicks: ticksInRow(previous.blindSweeps ?? 0, previous.blindTicks, tick),
          ...stamp,
        };
  }
  // A reading, whatever it says: a later failure starts a new blind spell.
  // Its in-turn readings go on at a firing reading; a clean one ends them.
  const { inTurn: keptInTurn, ...base }: AlertState = previous
    ? withoutBlindSweeps(previous)
    : emptyAlert(observation, circuitName, now, 0);
  if (observation.state === "firing" && observation.finding) {
    const condition = conditionOf(observation.finding);
    const consecutiveFiring = base.consecutiveFiring + 1;
    const ticks = ticksInRow(base.consecutiveFiring, base.ticks, tick);
    // A key seen for the first time was clean when the circuit was last read
    // (dated after this sweep's clock: read by a clock that stepped back since).
    const lastClean = previous ? base.lastCleanAt : notAfter(observation.previousReadAt, now);
    const held = firingFor(lastClean, base.firstSeen ?? at, hysteresis, now);
    const severity = condition.severity;
    // Back before its resolve was sent (held by a flap, an inhibition or a
    // silence): the receivers still hold that episode, so it goes on.
    // A start kept as text that is not an instant: first seen by this clock.
    const firstSeen =
      ((base.phase === "clear" || base.phase === "resolving") && !base.notified) ||
      unreadable(base.firstSeen)
        ? at
        : (base.firstSeen ?? at);
    // A blind on refused reads or body fields alone is read in the rotation's
    // turn: it opens on time, confirmed by a read (refused-blind-open.ts).
    const refusedReads = hysteresis.openAfterRefusedReads;
    const inTurnNow = refusedReads !== undefined && namesNoReadMends(condition);
    const turn =
      refusedReads !== undefined
        ? inTurnReadsNow(base, keptInTurn, inTurnNow, at, now, hysteresis.intervalMs)
        : null;
    const waited = (stood: number) =>
      stood >= hysteresis.openAfterMs[severity] ||
      byTicks(
        tick,
        ticks,
        hysteresis.openAfter[severity],
        stood,
        hysteresis.openAfterTicksMs[severity],
      );
    const onTime = refusedBlindHeldMs(held, firstSeen, now, hysteresis.intervalMs);
    const skipped = turn?.skipped ?? 0;
    const opened =
      base.phase === "firing" ||
      // Back while resolving counts as going on only for what the receivers
      // heard (below): an alert held from them all along (a fleet alert
      // held it, an inhibition) that broke again is news to them, and waits
      // out its hysteresis like any other.
      // Its resolve was held back (a silence, an inhibition) and never sent:
      // the receivers still hold it open, so this is that incident going on,
      // not a new one to wait for. Waiting sent the held resolve now, while
      // broken, and a "New since" the sweep after.
      base.notified != null ||
      // A start or a clean reading at no known time is long ago (`since`): the count decides.
      // The sweeps a blind was left to its turn between two refused reads count as failed.
      (consecutiveFiring + skipped >= hysteresis.openAfter[severity] &&
        waited(skipped > 0 ? onTime : held)) ||
      // Refused again (the field still unreadable) once it has stood its time.
      (inTurnNow && turn !== null && turn.reads >= refusedReads! && waited(onTime));
    return {
      ...base,
      notified: sightRestored(base.notified),
      circuitName,
      phase: opened ? "firing" : "pending",
      consecutiveFiring,
      consecutiveClean: 0,
      firstSeen,
      condition,
      lastEvaluatedAt: at,
      lastFiringAt: at,
      lastCleanAt: lastClean ?? null,
      ticks,
      ...stamp,
      ...(turn !== null ? { inTurn: turn } : {}),
    };
  }
  if (!previous) return null;
  const consecutiveClean = base.consecutiveClean + 1;
  const ticks = ticksInRow(base.consecutiveClean, base.ticks, tick);
  // Last seen firing at a time that is not an instant: for all this clock
  // knows, until this reading. Long ago, it resolved on its clean count
  // alone (""); NaN, it never did ("yesterday": open for good).
  const lastFiringAt = unreadable(base.lastFiringAt) ? at : base.lastFiringAt;
  let phase: Phase = "clear";
  if (base.phase === "firing" || base.phase === "resolving") {
    const severity = base.condition?.severity ?? "Sev4";
    const clean = since(lastFiringAt, now);
    const calm =
      consecutiveClean >= hysteresis.resolveAfter[severity] &&
      (clean >= hysteresis.resolveAfterMs[severity] ||
        byTicks(
          tick,
          ticks,
          hysteresis.resolveAfter[severity],
          clean,
          hysteresis.resolveAfterTicksMs[severity],
        ));
    phase = calm ? "clear" : "resolving";
  }
  return {
    ...base,
    notified: sightRestored(base.notified),
    phase,
    consecutiveFiring: 0,
    consecutiveClean,
    // A pending condition that cleared never happened as far as people are concerned.
    firstSeen:
      phase === "clear" && base.phase === "pending"
        ? null
        : unreadable(base.firstSeen)
          ? at
          : base.firstSeen,
    lastEvaluatedAt: at,
    ...(lastFiringAt !== base.lastFiringAt ? { lastFiringAt } : {}),
    lastCleanAt: at,
    ticks,
    ...stamp,
  };
}

/**
 * The timer's ticks among the readings in a row, this one included: those
 * kept count only while the row they were counted in goes on (`inRow`, its
 * count before this reading). Kept in an odd shape, none are known.
 */
function ticksInRow(inRow: number, kept: unknown, tick: boolean): number {
  const before = inRow > 0 && Number.isInteger(kept) && (kept as number) > 0 ? (kept as number) : 0;
  return before + (tick ? 1 : 0);
}

/** On a tick, enough ticks in a row, held the time they still need (null: minutes were given). */
const byTicks = (
  tick: boolean,
  ticks: number,
  count: number,
  held: number,
  needMs: number | null,
): boolean => tick && needMs !== null && ticks >= count && held >= needMs;

/**
 * How long the condition has held, for the time half of the open rule: since
 * the last clean reading; never seen clean (a circuit erwatch had not read
 * before), since one interval before it was first seen. Counted as forever,
 * an on-demand sweep seconds after the timer's first sighting opened a Sev2
 * at once, against "cannot move the lifecycle faster than the timer would".
 */
function firingFor(
  lastClean: string | null | undefined,
  firstSeen: string,
  hysteresis: HysteresisPolicy,
  now: Date,
): number {
  return lastClean ? since(lastClean, now) : since(firstSeen, now) + hysteresis.intervalMs;
}

/**
 * A row the version before blindSweeps wrote, blind at its last evaluation
 * already (judged after its last reading, no count): how many sweeps failed
 * is not known, so its blind notice counts time from its last reading, as
 * that version's did, until it is read again. Counted from the first sweep
 * after the deploy, the notice waited as many sweeps again as the spell had
 * already lasted: monitoring-blind opened, and the pager heard "Blind:" up
 * to two sweeps after it.
 */
function blindBeforeCounting(state: AlertState, now: Date): boolean {
  if (state.blindSweeps != null) return false;
  const read = [state.lastFiringAt, state.lastCleanAt, state.lastMaskedAt]
    .map(storedInstant)
    .filter((t): t is number => t !== null);
  // A judgement at a time that is not an instant proves nothing: counted.
  const judged = storedInstant(notAfter(state.lastEvaluatedAt, now));
  return read.length > 0 && judged !== null && judged > Math.max(...read);
}

function withoutBlindSweeps(state: AlertState): AlertState {
  if (state.blindSweeps === undefined && state.blindTicks === undefined) return state;
  const { blindSweeps: _, blindTicks: __, ...rest } = state;
  return rest;
}

function duration(fromIso: string, to: Date): string {
  const minutes = Math.max(0, Math.round((to.getTime() - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
}

/**
 * A firing layer outage the receivers hold on other paths: a path newly down.
 * Another owner on the same path is `ownerChanged`'s: counted here, an
 * outage read one sweep as the carrier's layer 2, the next as your BGP, and
 * back, sent a "Changed:" every sweep (the path stays down, so no flap holds
 * it).
 */
function moved(
  notified: NonNullable<AlertState["notified"]>,
  condition: Pick<AlertCondition, "paths">,
): boolean {
  // Paths kept in an odd shape (a hand edit) say nothing of what moved.
  const told: unknown = notified.paths;
  return Array.isArray(told) && condition.paths.some((p) => !told.includes(p));
}

/**
 * The paths the receivers hold after this notification: the condition's, and
 * of those they held, each it could not read this sweep. A path not read is
 * not known to have recovered; dropped, the receivers heard of it again as
 * news when it read down (a primary paged down, unread in the sweep the
 * secondary went down too: the escalation named the secondary alone, and the
 * primary read down again was "Changed: now also the primary path"), a
 * milder reading beside it eased the alert (`unreadDownPaths`), a silence on
 * the other path held its news, and read up it was never said to have
 * recovered. Every notification keeps them (escalation, de-escalation, every
 * repeat); a change of grade says so (`pathChange`: "could not be read"). A
 * path read up is dropped, so its going down again is news. A traffic alert's
 * repeat keeps every path it held, read or not ("Still firing" says nothing
 * of a path it no longer names): a both-paths stop whose primary went down
 * (its stop then not judged) repeated as the secondary's alone, and the next
 * sweep, the secondary carrying, resolved it while the primary's stop was not
 * known over (neither the path-down hold nor `onlyBesideUnread` named the
 * primary any more).
 */
function toldPathsAfter(
  action: AlertAction,
  state: AlertState,
  condition: Pick<AlertCondition, "paths">,
  unread: PathName[],
): PathName[] {
  // Paths kept in an odd shape (a hand edit) are not known to be told.
  const told: unknown = state.notified?.paths;
  if (!Array.isArray(told)) return condition.paths;
  const kept = (p: PathName) =>
    unread.includes(p) || (action === "repeat" && state.family === "traffic");
  return PATHS.filter((p) => condition.paths.includes(p) || (told.includes(p) && kept(p)));
}

const WHOSE: Record<Owner, string> = {
  carrier: "the carrier's",
  you: "yours",
  shared: "shared (yours and the carrier's)",
};

/**
 * Another owner than the receivers were told, held since the sweep before:
 * the holder would otherwise work the old one (a carrier ticket for what is
 * now your BGP) until the repeat, hours later. Held two sweeps, so an outage
 * read one sweep as the carrier's layer 2 and the next as your BGP, and back,
 * is no update at all, and a real change costs one sweep. The next action
 * alone is not: it rewords itself as the cause moves between the paths of
 * one incident (a both-paths stop read as one path's, "the failover did not
 * happen"), or as a layer's detail does (a connection NotConnected, then
 * gone; tests that fail beside a layer down), while the holder's work is the
 * same; it waits for the repeat.
 */
function ownerChanged(
  notified: NonNullable<AlertState["notified"]>,
  condition: Pick<AlertCondition, "owner">,
  before: Pick<AlertCondition, "owner"> | null | undefined,
): boolean {
  // Kept in an odd shape (a hand edit), or not recorded: not known to differ.
  const told: unknown = notified.owner;
  if (typeof told !== "string" || !Object.hasOwn(WHOSE, told)) return false;
  return told !== condition.owner && before?.owner === condition.owner;
}

function ownerChange(was: Owner, condition: AlertCondition): string {
  // The next action itself travels with the event (the card's "Do:"): said
  // here again, a phone showed it twice.
  return `${CHANGED} now ${WHOSE[condition.owner]}, was ${WHOSE[was]}, and so is what to do. Now: ${condition.title}`;
}

function pathChange(before: PathName[], after: PathName[], unread: PathName[]): string {
  const added = after.filter((p) => !before.includes(p));
  const removed = before.filter((p) => !after.includes(p));
  // A path erwatch could not read this sweep is not known to have recovered.
  const recovered = removed.filter((p) => !unread.includes(p));
  const unseen = removed.filter((p) => unread.includes(p));
  const parts: string[] = [];
  if (added.length > 0) parts.push(`now also the ${added.join(" and ")} path`);
  if (recovered.length > 0) parts.push(`the ${recovered.join(" and ")} path recovered`);
  if (unseen.length > 0) parts.push(`the ${unseen.join(" and ")} path could not be read`);
  return parts.length > 0 ? `${parts.join("; ")}. ` : "";
}

/**
 * The paths the receivers' grade rests on that a firing observation leaves out
 * only because they could not be read: the paths they hold as down, and for
 * traffic-stopped the path beside the stop when neither ARM nor Azure Monitor
 * could tell whether it carries (its grade is whether that path carries; one
 * Azure Monitor shows carrying is a reading). Such an observation is less
 * severe for want of a reading, not because anything recovered: while it is,
 * the alert is kept as the receivers have it (blind), never de-escalated.
 */
export function unreadDownPaths(previous: AlertState | null, observation: Observation): PathName[] {
  const notified = previous?.notified;
  const finding = observation.finding;
  if (!notified || observation.state !== "firing" || !finding) return [];
  if (severityRank(finding.severity) <= severityRank(notified.severity)) return [];
  const unread = observation.unreadPaths ?? [];
  const beside = finding.evidence["besideUnjudged"];
  const graded =
    observation.family === "traffic" && (PATHS as readonly unknown[]).includes(beside)
      ? [...notified.paths, beside as PathName]
      : notified.paths;
  return graded.filter((p) => !finding.paths.includes(p) && unread.includes(p));
}

/**
 * A traffic-stopped alert whose own paths were read this sweep, with only a
 * path beside them unreadable: its stop is judged, and over (the paths it
 * names carry again, or are no stop), not unknown. Held as blind, it stood
 * as paged for as long as the other path could not be read. Not a standby's
 * "the failover did not happen": that stop is judged by the path beside it.
 */
export function onlyBesideUnread(previous: AlertState | null, observation: Observation): boolean {
  if (observation.family !== "traffic" || observation.state !== "unknown") return false;
  // Unknown because the path beside was not judged (unreadDownPaths): held, not over.
  if (observation.masked || observation.partlyRead || !previous?.notified) return false;
  const stops = previous.condition?.evidence["paths"];
  const failover =
    isRecord(stops) && Object.values(stops).some((p) => isRecord(p) && "failoverFrom" in p);
  if (failover) return false;
  const unread = observation.unreadPaths ?? [];
  const named = new Set([...previous.notified.paths, ...(previous.condition?.paths ?? [])]);
  return unread.length > 0 && unread.every((p) => !named.has(p));
}

/**
 * More severe than what the receivers have only because a path behind it
 * could not be read ("redundancy unverified": nothing newly down), and not so
 * at the sweep before. A read that failed once is not a second outage: the
 * escalation waits a sweep, as opening at that severity would, and goes out
 * if the path is still unreadable then.
 */
export function unverifiedEscalation(
  previous: AlertState | null,
  observation: Observation,
): boolean {
  const notified = previous?.notified;
  const finding = observation.finding;
  if (!notified || observation.state !== "firing" || !finding) return false;
  if ((observation.unreadPaths ?? []).length === 0) return false;
  if (severityRank(finding.severity) >= severityRank(notified.severity)) return false;
  if (!finding.paths.every((p) => notified.paths.includes(p))) return false;
  const before = previous.condition?.severity;
  return !(before && severityRank(before) <= severityRank(finding.severity));
}

/**
 * How a repeat that updates an incident at the same grade begins its
 * `change`: a path newly down, another owner (receivers key on it: Teams
 * heads it CHANGED, not STILL FIRING).
 */
export const CHANGED = "Changed:";

/** How a repeat that announces circuits joining a fleet alert begins its `change` (receivers key on it). */
export const WIDER = "Wider:";

/** Members the condition names that the receivers have not heard of (fleet alerts only). */
const quietIn = (quiet: ReadonlySet<string> | undefined, m: FleetMember) =>
  quiet?.has(m.id.toLowerCase()) ?? false;

function unannounced(
  state: AlertState,
  condition: AlertCondition,
  quiet: ReadonlySet<string> | undefined,
): FleetMember[] {
  const told = state.notified?.members;
  if (state.family !== "fleet" || !told) return [];
  const known = new Set(told.map((id) => id.toLowerCase()));
  return fleetMembersOf(condition).filter(
    (m) => !known.has(m.id.toLowerCase()) && !quietIn(quiet, m),
  );
}

/** Who the receivers have now heard a fleet alert name: not a silenced member, announced when its silence ends. */
const membersFor = (
  state: AlertState,
  condition: AlertCondition,
  quiet: ReadonlySet<string> | undefined,
) =>
  state.family === "fleet"
    ? { members: fleetMembersOf(condition).flatMap((m) => (quietIn(quiet, m) ? [] : [m.id])) }
    : {};

function changeFor(
  action: AlertAction,
  state: AlertState,
  condition: AlertCondition,
  now: Date,
  newMembers: FleetMember[],
  unread: PathName[],
  update = false,
): string {
  const notified = state.notified;
  const since = state.firstSeen ?? now.toISOString();
  switch (action) {
    case "open":
      return `New since ${utcMinute(since)}: ${condition.title}`;
    case "escalate":
      return `Worse: ${notified?.severity} → ${condition.severity}; ${pathChange(notified?.paths ?? [], condition.paths, unread)}Now: ${condition.title}`;
    case "deescalate":
      return `Better: ${notified?.severity} → ${condition.severity}; ${pathChange(notified?.paths ?? [], condition.paths, unread)}Still: ${condition.title}`;
    case "repeat":
      if (notified && state.family === "path-down" && moved(notified, condition))
        return `${CHANGED} ${pathChange(notified.paths, condition.paths, unread)}Now: ${condition.title}`;
      if (notified?.owner && update) return ownerChange(notified.owner, condition);
      if (newMembers.length > 0)
        return `${WIDER} ${newMembers.map((m) => m.name).join(", ")} broke the same way since the last notification; ${fleetMembersOf(condition).length} circuits now. Now: ${condition.title}`;
      return `Still firing after ${duration(since, now)} (since ${utcMinute(since)}): ${condition.title}`;
    case "resolve":
      return `Resolved after ${duration(since, now)}: ${notified?.title ?? condition.title} has cleared.`;
  }
}

export interface DecideContext {
  now: Date;
  /** The condition the sweep before read (its stored state's): another owner must hold two sweeps (`ownerChanged`). */
  before?: Pick<AlertCondition, "owner"> | null;
  repeatEveryMinutes: PerSeverity<number>;
  /** How early a tick may come and still count as the repeat's (policy.ts `tickSlackMs`); 0 on demand. */
  tickSlackMs: number;
  /**
   * On a tick, the timer's interval: the repeat counts the ticks since the
   * notification instead (`repeatDue`), and the slack is not needed.
   */
  tickIntervalMs?: number;
  /** On a tick, when it was due (its scheduled occurrence), when known: see `repeatDue`. */
  tickDue?: Date;
  silencedBy: Silence | null;
  /** `severity`: the holding alert's, when known. */
  inhibitedBy: { by: string; rule: string; severity?: Severity } | null;
  /** This key's layers could not be read this sweep. */
  blind: boolean;
  /** ... because a broken layer below masks them (observe.ts `masked`): the circuit was read. */
  masked?: boolean;
  /** A fleet alert's members under a silence now (lower-case ids): not announced yet. */
  quietMembers?: ReadonlySet<string>;
  /** Paths whose layers behind this key could not be read this sweep (none when absent). */
  unreadPaths?: PathName[];
  /** Blind only for want of a path beside what still reads as the alert says (observe.ts). */
  partlyRead?: { unread: PathName[]; paths: PathName[] };
  /** Blind although its layers were read: what they could not be judged with (observe.ts). */
  blindCause?: BlindCause;
  /** A fleet alert's sighting its row does not record (observe.ts `membersReadAt`). */
  membersReadAt?: string;
  /** How long an open alert may be blind before its receivers are told (blind-notice.ts); never when absent. */
  blindAfterMs?: number;
  /** ... and in as many failed sweeps as monitoring-blind waits for (blind-notice.ts); any when absent. */
  blindAfterSweeps?: number;
  /** The timer's own sweep: a blind notice may count its ticks instead (blind-notice.ts). */
  tick?: boolean;
  /** ... the time they still need then (policy.ts openAfterTicksMs; null: minutes were given). */
  blindAfterTicksMs?: number | null;
}

/**
 * Whether a repeat is due now, `notified` told at its `at` (`since` that).
 * On a tick it is counted in the timer's ticks. Told by a tick whose
 * occurrence is known, the ticks between the two occurrences: timed to the
 * millisecond, a notification sent by a tick that fired late (past due, 90 s
 * after 10:05) put the repeat off a tick (11:10, not 11:05) and every repeat
 * after it stayed a tick late, and the time since rounded to the nearest tick
 * did so still for a tick more than half an interval late. Told on demand
 * (10:07:30), the whole interval from then: the time since rounded to ticks
 * sent a 15-minute repeat at the 10:20 tick, 2.5 minutes early. Told at an
 * occurrence not known (an older erwatch), the time since rounded to the
 * nearest tick, or that time itself when longer. On demand, the whole
 * interval (less the slack, 0 there).
 */
function repeatDue(
  notified: NonNullable<AlertState["notified"]>,
  repeatEveryMinutes: number,
  ctx: Pick<DecideContext, "now" | "tickSlackMs" | "tickIntervalMs" | "tickDue">,
): boolean {
  const repeatMs = repeatEveryMinutes * 60_000;
  // Told at a time that is not an instant: long ago (`since`), reminded now.
  const elapsedMs = since(notified.at, ctx.now);
  const tick = ctx.tickIntervalMs;
  if (tick === undefined || !(tick > 0)) return elapsedMs >= repeatMs - ctx.tickSlackMs;
  const toldDue = storedInstant(notified.tickDue);
  const dueMs = ctx.tickDue?.getTime();
  // A told occurrence after this one (a clock stepped back) counts by the time since.
  if (toldDue !== null && dueMs !== undefined && dueMs >= toldDue)
    return Math.round((dueMs - toldDue) / tick) * tick >= repeatMs;
  // Without the slack a tick a moment early would put the repeat off a whole interval.
  if (notified.tickDue === null) return elapsedMs >= repeatMs - ctx.tickSlackMs;
  // Never below the time itself: one told on demand at 10:03 with a 6-minute
  // repeat, 7 minutes old at the 10:10 tick, rounded to one tick and waited to 10:15.
  return Math.max(elapsedMs, Math.round(elapsedMs / tick) * tick) >= repeatMs;
}

/** Step 2: what the receivers must hear, given the advanced state. */
export function decide(state: AlertState, ctx: DecideContext): Decision {
  const none = (reason: NoneReason, detail: string, heldBack?: AlertAction): Decision =>
    heldBack
      ? { action: "none", reason, detail, next: state, heldBack }
      : { action: "none", reason, detail, next: state };
  if (ctx.blind) {
    const spokenFor = heldForBlindness(state, ctx.inhibitedBy) ? ctx.inhibitedBy : null;
    return (
      blindNotice(state, {
        now: ctx.now,
        ...(ctx.blindAfterMs !== undefined ? { blindAfterMs: ctx.blindAfterMs } : {}),
        ...(ctx.blindAfterSweeps !== undefined ? { blindAfterSweeps: ctx.blindAfterSweeps } : {}),
        ...(ctx.tick ? { tick: true, blindAfterTicksMs: ctx.blindAfterTicksMs ?? null } : {}),
        ...(ctx.tick && ctx.tickDue ? { tickDue: ctx.tickDue } : {}),
        held: ctx.silencedBy !== null || spokenFor !== null,
        ...(ctx.partlyRead ? { partlyRead: ctx.partlyRead } : {}),
        ...(ctx.blindCause ? { cause: ctx.blindCause } : {}),
        ...(ctx.membersReadAt ? { membersReadAt: ctx.membersReadAt } : {}),
      }) ??
      (ctx.masked
        ? none(
            "masked",
            "a broken layer below (the provider, the session or the routes of a path) masks the layers behind this alert; its state is kept as it was",
          )
        : none(
            "blind",
            // Says why its holder hears no Blind: of its own (README "Blind").
            `${ctx.blindCause === "history" ? "the circuit's history could not be read, so its flaps could not be counted" : "the layers behind this alert could not be read"}; its state is kept as it was${spokenFor ? `; held by ${spokenFor.by} (${spokenFor.rule}), which speaks for it` : ""}`,
          ))
    );
  }

  const active = state.phase === "firing" || state.phase === "resolving";
  const condition = state.condition;
  const notified = state.notified;
  let action: AlertAction | null = null;
  let newMembers: FleetMember[] = [];
  let update = false;
  if (active && condition) {
    // Never open something that is already recovering (e.g. it broke and began
    // healing inside a silence): only a condition still firing is news.
    if (!notified) action = state.phase === "firing" ? "open" : null;
    else if (notified.severity !== condition.severity) {
      // A change of grade is news only while it fires. A condition already
      // recovering is the last one seen firing, not what is there now: worse,
      // it was never sent at that grade (an escalation held a sweep, or by a
      // silence or an inhibition); milder, sending it would tell the holder a
      // path is still down that was just read up (a flap alert held the change
      // until it calmed in the same sweep the path recovered). Its resolve
      // follows instead.
      if (state.phase === "firing")
        action =
          severityRank(condition.severity) >= severityRank(notified.severity)
            ? "deescalate"
            : "escalate";
    } else if (
      state.phase === "firing" &&
      state.family === "path-down" &&
      moved(notified, condition)
    ) {
      // Same grade, another break: a path's layers down on a path the
      // receivers were not told of (the primary back, the secondary down in
      // the same sweep). One incident, updated: not a resolve and an open,
      // and not silence, which left the holder with the carrier's ticket for
      // a path that was up. Only for layer outages: a traffic stop's path is
      // a reading of windows (the standby's stop handing over to the active
      // path's own), not a break that moved.
      action = "repeat";
    } else if (
      state.phase === "firing" &&
      (newMembers = unannounced(state, condition, ctx.quietMembers)).length > 0
    ) {
      // Alertmanager re-notifies a group that gained alerts: a circuit held by
      // a fleet alert that never named it would be silenced. Only while it
      // fires: resolving, "broke the same way" came a sweep before the resolve
      // that covers the member.
      action = "repeat";
    } else if (state.phase === "firing" && ownerChanged(notified, condition, ctx.before)) {
      // The same incident, updated (same key, so PagerDuty folds it in):
      // whose it is decides whom the holder calls.
      action = "repeat";
      update = true;
    } else if (
      state.phase === "firing" &&
      repeatDue(notified, ctx.repeatEveryMinutes[condition.severity], ctx)
    ) {
      // A reminder only while it fires: resolving, this sweep read it clean,
      // and "Still firing" came a sweep before its resolve. `notified.at`
      // stays, so one that fires again is reminded at that sweep, overdue.
      action = "repeat";
    }
  } else if (!active && notified) {
    action = "resolve";
  }

  if (action === null) {
    if (state.phase === "pending")
      return none(
        "held-by-hysteresis",
        `firing for ${counted(state.consecutiveFiring, "sweep")}, not yet enough to open`,
      );
    if (state.phase === "resolving")
      return none(
        "held-by-hysteresis",
        `clean for ${counted(state.consecutiveClean, "sweep")}, not yet enough to resolve`,
      );
    return none("unchanged", active ? "still firing; receivers already told" : "nothing open");
  }
  if (ctx.silencedBy)
    return none(
      "silenced",
      `silence ${ctx.silencedBy.id}${ctx.silencedBy.comment ? ` (${ctx.silencedBy.comment})` : ""}`,
      action,
    );
  if (ctx.inhibitedBy)
    return none("inhibited", `held by ${ctx.inhibitedBy.by}: ${ctx.inhibitedBy.rule}`, action);

  const seen = (condition ?? state.condition) as AlertCondition;
  const eventCondition = action === "resolve" ? asLastTold(seen, notified) : seen;
  const sequence = state.sequence + 1;
  const severity =
    action === "resolve"
      ? (notified?.severity ?? eventCondition.severity)
      : eventCondition.severity;
  const peakSeverity =
    notified && severityRank(notified.peakSeverity) < severityRank(severity)
      ? notified.peakSeverity
      : severity;
  // Alerts stored before episodes were recorded fall back to their first sequence.
  const episode = action === "open" ? sequence : (notified?.episode ?? 1);
  const event: PendingEvent = {
    action,
    sequence,
    episode,
    severity,
    previousSeverity: notified?.severity ?? null,
    peakSeverity,
    change: changeFor(
      action,
      state,
      eventCondition,
      ctx.now,
      newMembers,
      ctx.unreadPaths ?? [],
      update,
    ),
    condition: eventCondition,
    firstSeen: state.firstSeen ?? ctx.now.toISOString(),
  };
  const next: AlertState = {
    ...state,
    sequence,
    notified:
      action === "resolve"
        ? null
        : {
            episode,
            severity: eventCondition.severity,
            peakSeverity,
            paths: toldPathsAfter(action, state, eventCondition, ctx.unreadPaths ?? []),
            title: eventCondition.title,
            owner: eventCondition.owner,
            at: ctx.now.toISOString(),
            sequence,
            ...toldBy(ctx),
            ...membersFor(state, eventCondition, ctx.quietMembers),
          },
    // The episode ends with its resolve; the next one starts fresh.
    firstSeen: action === "resolve" ? null : state.firstSeen,
    ...(action === "resolve"
      ? { resolved: { at: ctx.now.toISOString(), firstSeen: state.firstSeen } }
      : {}),
  };
  return { action, event, next };
}

/**
 * An inhibition keeps a blind notice back when the holding alert speaks for
 * this one: at least as severe as what this one's receivers hold (the
 * provider's Sev0 over a path's). A milder one (a Sev2 flap over a Sev0 the
 * pager holds, whose condition eased to Sev2 while the flap held its churn)
 * reaches other receivers, or gets no notice of its own: the pager would
 * never hear its incident went blind.
 */
function heldForBlindness(state: AlertState, hold: DecideContext["inhibitedBy"]): boolean {
  if (hold === null) return false;
  const holds = state.notified?.severity;
  return !hold.severity || !holds || severityRank(hold.severity) <= severityRank(holds);
}

/**
 * A concurrent sweep already judged this key at or after our clock: do not
 * count twice. Only as far after our clock as a concurrent sweep can be
 * (CONCURRENT_SWEEP_MS): a judgement dated later was made by a clock that
 * has since stepped back, and taken as concurrent it froze the key (no
 * escalation, resolve or repeat) until the clock caught up with it; it is
 * judged instead, its times counted from now (`advance`). A time that is not
 * an instant (core/instant.ts) proves nothing either: one without its zone
 * was read in the host's.
 */
export function alreadyEvaluated(previous: AlertState | null, now: Date): boolean {
  if (previous === null) return false;
  const judged = storedInstant(previous.lastEvaluatedAt);
  if (judged === null) return false;
  const ahead = judged - now.getTime();
  return ahead >= 0 && ahead <= CONCURRENT_SWEEP_MS;
}

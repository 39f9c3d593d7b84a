// Every alert key of one circuit through one sweep, in three pure steps:
//   advanceStep  — each key's condition after this sweep (hysteresis), once;
//   holdsOf      — which active alerts hold which others (inhibition), from all
//                  keys' advanced states, before anything is notified;
//   decideStep   — what the receivers hear, or the named reason they hear nothing.
// The sweep redoes advanceStep for a key only when its write lost an ETag race.

import type { AlertRecord } from "./history.js";
import { heldPaths, inhibitions, ipv6Alone, type Hold } from "./inhibit.js";
import { fleetMembersOf } from "./fleet-members.js";
import {
  advance,
  alreadyEvaluated,
  conditionOf,
  decide,
  onlyBesideUnread,
  unreadDownPaths,
  unverifiedEscalation,
  type AlertState,
  type Decision,
  type HeldBy,
} from "./lifecycle.js";
import { PATHS, type PathName, type Severity } from "./model.js";
import type { Observation } from "./observe.js";
import { hysteresisOf, tickSlackMs, type AlertPolicy, type Silence } from "./policy.js";
import { fleetSilence, silencedMembers } from "./fleet-silence.js";
import { activeSilence, SILENCE_EDGE_MS } from "./silence.js";

export interface AlertContext {
  policy: AlertPolicy;
  silences: Silence[];
  circuit: { id: string; name: string };
  now: Date;
  /**
   * The timer's own sweep, not an on-demand one: hysteresis counts its ticks
   * (policy.ts openAfterTicksMs). Absent: on demand, judged by time alone.
   */
  tick?: boolean;
  /**
   * On a tick, when it was due (its scheduled occurrence, however late it
   * fired): a repeat counts the ticks from the one that told the receivers.
   */
  tickDue?: Date;
  /**
   * The severity the circuit's monitoring-blind would open at (classify's
   * severity.blind, moved by its criticality); Sev3 when absent. A blind
   * notice waits as long as that alert waits to open, its openAfterMinutes too.
   */
  blindSeverity?: Severity;
  /** A silence that cannot be evaluated silences nothing; the caller warns. */
  onBrokenSilence?: (silence: Silence, error: Error) => void;
}

export interface AlertStep {
  /**
   * The sweep's observation as evaluated. `observation` is what advancing
   * made of it against what storage held (unknown while a path its grade
   * rests on cannot be read...): a retry after a lost race advances `given`
   * again from what the winner wrote, not that. Absent: `observation`.
   */
  given?: Observation;
  observation: Observation;
  /** What storage held before this sweep. */
  previous: AlertState | null;
  /** After this sweep's observation; null when there is nothing to track or a concurrent sweep already judged this instant. */
  advanced: AlertState | null;
}

export type Holds = Map<string, Hold>;

export function advanceStep(
  given: Observation,
  previous: AlertState | null,
  ctx: AlertContext,
): AlertStep {
  // Less severe only because a path the receivers hold as down could not be
  // read: unknown for this key, so the open alert is kept as it was.
  const unreadDown = unreadDownPaths(previous, given);
  const observation: Observation =
    unreadDown.length > 0
      ? {
          ...given,
          state: "unknown",
          finding: null,
          partlyRead: { unread: unreadDown, paths: given.finding?.paths ?? [] },
        }
      : onlyBesideUnread(previous, given)
        ? { ...given, state: "clean" }
        : given;
  if (alreadyEvaluated(previous, ctx.now))
    return {
      given,
      observation,
      previous,
      advanced: joinedAtThisInstant(previous!, observation),
    };
  const hysteresis = hysteresisOf(
    ctx.policy,
    ctx.circuit,
    observation.family,
    observation.opensAtOnce === true,
  );
  return {
    given,
    observation,
    previous,
    advanced: advance(
      previous,
      observation,
      hysteresis,
      ctx.circuit.name,
      ctx.now,
      ctx.tick === true,
    ),
  };
}

/**
 * A fleet alert another run of this sweep judged firing or pending at this instant takes
 * in the circuits this run found, without counting the instant twice, when the
 * observation still names every member it names; otherwise (a concurrent run
 * wrote members this one has not seen) nothing changes and this run's circuits
 * page on their own. A pending one opens now when a circuit this run found
 * would page alone now: it holds them, so waiting would page them late.
 */
function joinedAtThisInstant(previous: AlertState, observation: Observation): AlertState | null {
  if (previous.family !== "fleet" || (previous.phase !== "firing" && previous.phase !== "pending"))
    return null;
  if (observation.state !== "firing" || !observation.finding) return null;
  const condition = conditionOf(observation.finding);
  const now = new Set(fleetMembersOf(condition).map((m) => m.id.toLowerCase()));
  const kept = fleetMembersOf(previous.condition).every((m) => now.has(m.id.toLowerCase()));
  if (!kept) return null;
  const phase = previous.phase === "pending" && observation.opensAtOnce ? "firing" : previous.phase;
  return { ...previous, phase, condition };
}

export function holdsOf(steps: AlertStep[], circuitId: string): Holds {
  return inhibitions(
    steps.flatMap(({ observation, previous, advanced }) => {
      // A key another sweep already judged at this instant still holds what it explains.
      const state = advanced ?? previous;
      if (!state) return [];
      return [
        {
          key: observation.key,
          family: observation.family,
          code: state.condition?.code ?? "monitoring-blind",
          severity: state.condition?.severity ?? "Sev4",
          circuitId,
          peering: observation.peering,
          paths: state.condition?.paths ?? [],
          ipv4Paths: heldPaths(state.condition?.paths ?? [], state.condition?.evidence),
          ...(state.notified?.paths ? { toldPaths: state.notified.paths } : {}),
          active: state.phase === "firing" || state.phase === "resolving",
          seen: observation.state === "firing",
          ...(observation.noPathCarrying ? { noPathCarrying: true } : {}),
          ...(ipv6Alone(state.condition?.evidence) ? { addressFamily: "ipv6" as const } : {}),
        },
      ];
    }),
  );
}

/**
 * The paths a notification about this alert is news of: what it is about now
 * and what the receivers were told. A silence on one path then holds only
 * news about that path, never the de-escalation or resolve of an alert that
 * was paged about the other one too.
 */
function silencedPaths(state: AlertState): PathName[] {
  const paths = [...(state.condition?.paths ?? []), ...(state.notified?.paths ?? [])];
  return PATHS.filter((p) => paths.includes(p));
}

export function decideStep(step: AlertStep, holds: Holds, ctx: AlertContext): Decision | null {
  const state = step.advanced;
  if (!state) return null;
  const hold = holds.get(state.key) ?? null;
  // Silences name circuits; a fleet alert's subject is a place, so it is
  // silenced through its members (core/fleet-silence.ts).
  const members = state.family === "fleet" ? fleetMembersOf(state.condition) : [];
  const at = new Date(ctx.now.getTime() + SILENCE_EDGE_MS);
  const quiet = silencedMembers(members, ctx.silences, at, ctx.onBrokenSilence);
  const silencedBy =
    activeSilence(
      ctx.silences,
      {
        circuitId: ctx.circuit.id,
        circuitName: ctx.circuit.name,
        peering: state.peering,
        paths: silencedPaths(state),
      },
      at,
      ctx.onBrokenSilence,
    ) ?? fleetSilence(ctx.circuit.id, members, quiet, at);
  const quietMembers = new Set(quiet.keys());
  const blindWait = hysteresisOf(ctx.policy, ctx.circuit, "monitoring-blind");
  const blindSeverity = ctx.blindSeverity ?? "Sev3";
  const decideWith = (inhibitedBy: Hold | null) =>
    decide(state, {
      now: ctx.now,
      before: step.previous?.condition ?? null,
      repeatEveryMinutes: ctx.policy.repeatEveryMinutes,
      // The slack is for a tick a moment early. An on-demand sweep is no
      // tick: with it, one 12 s after a tick sent a repeat "every minute"
      // again, and one 4 min after took a 5-minute repeat from the next tick.
      tickSlackMs: ctx.tick ? tickSlackMs(ctx.policy.sweepIntervalMinutes) : 0,
      // On a tick the repeat counts ticks: a late tick does not move it (lifecycle.ts repeatDue).
      ...(ctx.tick ? { tickIntervalMs: ctx.policy.sweepIntervalMinutes * 60_000 } : {}),
      ...(ctx.tick && ctx.tickDue ? { tickDue: ctx.tickDue } : {}),
      silencedBy,
      inhibitedBy,
      blind: step.observation.state === "unknown",
      masked: step.observation.masked === true,
      quietMembers,
      unreadPaths: step.observation.unreadPaths ?? [],
      ...(step.observation.partlyRead ? { partlyRead: step.observation.partlyRead } : {}),
      ...(step.observation.blindCause ? { blindCause: step.observation.blindCause } : {}),
      ...(step.observation.membersReadAt ? { membersReadAt: step.observation.membersReadAt } : {}),
      // As long as monitoring-blind waits to open: policy.blindAfterSweeps
      // sweeps, or its severity's openAfterMinutes (with 30 minutes set, the
      // pager heard "Blind: … see its monitoring-blind alert" at 15, the alert opened at 30).
      blindAfterMs: blindWait.openAfterMs[blindSeverity],
      // ... and as many sweeps that failed to read it; on a tick, as many ticks.
      blindAfterSweeps: ctx.policy.blindAfterSweeps,
      ...(ctx.tick
        ? { tick: true, blindAfterTicksMs: blindWait.openAfterTicksMs[blindSeverity] }
        : {}),
    });
  const decided = (() => {
    // A resolve-only hold lets everything but the resolve through.
    if (hold?.only === "resolve") {
      const free = decideWith(null);
      if (free.action !== "resolve") return free;
    }
    return decideWith(hold);
  })();
  if (decided.action === "escalate" && unverifiedEscalation(step.previous, step.observation))
    return withHold(
      {
        action: "none",
        reason: "held-by-hysteresis",
        detail: `${decided.event.severity} only because the ${(step.observation.unreadPaths ?? []).join(" and ")} path could not be read this sweep; it goes out if it still cannot be read at the next`,
        next: state,
      },
      null,
      null,
    );
  return withHold(decided, silencedBy, hold);
}

/** A silence's comment as kept on the alert row: enough to say why, not a row's worth. */
const HELD_COMMENT_CHARS = 200;

/**
 * The decision's next state, saying what held its notification back: a held
 * alert said "held" with no reason on the status page and in `erwatch alerts`,
 * which may not have the sweep's silences. Blind or masked, the state is kept
 * as it was, and so is what held it. Clearing but not clean for long enough
 * yet, it names the alert that will hold its resolve: on the first sweep
 * after the peering beneath a gateway alert went Disabled, the page said
 * "resolving" with nothing beside it, and "held by" only from the next sweep.
 */
function withHold(decision: Decision, silence: Silence | null, hold: Hold | null): Decision {
  if (decision.action === "none" && (decision.reason === "blind" || decision.reason === "masked"))
    return decision;
  const { heldBy: _before, ...next } = decision.next;
  const comment = silence?.comment?.trim();
  const heldBy: HeldBy | null =
    decision.action !== "none"
      ? null
      : decision.reason === "silenced" && silence
        ? {
            silence: silence.id,
            ...(comment
              ? {
                  comment:
                    comment.length > HELD_COMMENT_CHARS
                      ? `${comment.slice(0, HELD_COMMENT_CHARS - 1)}…`
                      : comment,
                }
              : {}),
          }
        : hold && (decision.reason === "inhibited" || clearing(decision))
          ? { alert: hold.by, rule: hold.rule }
          : null;
  return { ...decision, next: heldBy ? { ...next, heldBy } : next };
}

/** Clean too few sweeps to resolve: whatever holds it holds its resolve when it comes. */
function clearing(decision: Decision): boolean {
  return (
    decision.action === "none" &&
    decision.reason === "held-by-hysteresis" &&
    decision.next.phase === "resolving"
  );
}

/** The history row for a decision: what was sent, or what a silence or inhibition held back. */
export function historyRecordOf(
  decision: Decision,
  observation: Observation,
  now: Date,
): AlertRecord | null {
  const base = {
    kind: "alert" as const,
    at: now.toISOString(),
    circuitId: observation.circuitId,
    key: observation.key,
    family: observation.family,
    peering: observation.peering,
  };
  if (decision.action !== "none") {
    return {
      ...base,
      outcome: decision.action,
      severity: decision.event.severity,
      sequence: decision.event.sequence,
      title: decision.event.condition.title,
    };
  }
  if (!decision.heldBack || (decision.reason !== "silenced" && decision.reason !== "inhibited"))
    return null;
  return {
    ...base,
    outcome: decision.reason,
    severity: decision.next.condition?.severity ?? "Sev4",
    sequence: null,
    title: decision.next.condition?.title ?? "",
    note: `${decision.heldBack} held back: ${decision.detail}`,
  };
}

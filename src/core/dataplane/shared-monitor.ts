// One Connection Monitor, one page. A monitor found through a gateway's VNet
// tests every circuit wired to that gateway (two circuits on one gateway is
// the common HA design), so a fault past the circuits (an NSG, a route table)
// fails its tests on each: every circuit raised its own end-to-end alert, two
// Sev1 incidents for one fault. One end-to-end alert speaks for the monitor
// and holds the others': one the receivers already hold, else that of the
// circuit whose id sorts first. Only an alert the receivers never heard is
// held: one already paged goes on by itself (repeats, escalation, resolve).
// A holder not known now (not read in this run and its voice stale, its
// reading of the monitor explained by an outage of its own, its alert
// silenced) holds nothing, so the failure always pages from some circuit. A
// circuit whose monitor could not be read this sweep keeps the voices its
// receivers hold (its open alert still speaks, and goes blind, for the
// monitor), never one they do not: that would hold the others' page on a
// reading nobody heard.

import type { AlertEvent } from "../alert-event.js";
import { alertKey, FAMILY_OF } from "../alert-identity.js";
import type { Hold } from "../inhibit.js";
import { SEVERITIES, type CircuitVerdict, type FindingCode, type Severity } from "../model.js";
import { storedInstant } from "../instant.js";
import { hysteresisOf, type AlertPolicy } from "../policy.js";
import { route, type Routing } from "../routing.js";
import { isRecord } from "../record.js";
import { severityRank } from "../severity.js";
import type { MonitorRef } from "./facts.js";

/** A circuit's end-to-end condition as it was judged, kept with its snapshot. */
export interface EndToEndVoice {
  /** The monitors behind it (monitorSetOf): equal for every circuit they test. */
  monitors: string;
  peering: string | null;
  code: FindingCode;
  severity: Severity;
  /** When it was judged (a voice kept through readings that could not judge it keeps its time). */
  at: string;
  /**
   * What its receivers were last told of its alert (paged, not resolved);
   * absent: not known to have been told anything.
   */
  heard?: Heard | null;
}

/** The grade an alert's receivers hold it at: its last news, and the episode's worst. */
export interface Heard {
  severity: Severity;
  peakSeverity: Severity;
}

/** A circuit and its end-to-end voices, as this run or its snapshot knows it. */
export interface MonitorSpeaker {
  circuitId: string;
  circuitName: string;
  /** Its tags as last read (routes may choose receivers by them); empty when not known. */
  tags: Record<string, string>;
  voices: readonly EndToEndVoice[];
}

export const SHARED_MONITOR_RULE = "one Connection Monitor pages once";

/**
 * The identity of a set of monitors: each by its resource id, or, for a tag
 * that names one without, by where its results are read: its workspace and
 * name, and the subscription and region it is looked for in (two monitors of
 * one name in two regions writing to one workspace are two monitors); null
 * when none.
 */
export function monitorSetOf(monitors: readonly MonitorRef[]): string | null {
  const identity = (m: MonitorRef) =>
    m.id ?? [m.workspace, m.name, m.near?.subscriptionId ?? "", m.near?.region ?? ""].join("|");
  const ids = [...new Set(monitors.map((m) => identity(m).toLowerCase()))].sort();
  return ids.length > 0 ? ids.join(",") : null;
}

/** The verdict's end-to-end findings (unexplained by its layers: those fold into the layer's alert). */
export function endToEndVoices(
  verdict: Pick<CircuitVerdict, "findings" | "circuitRead">,
  monitors: string | null,
  at: string,
): EndToEndVoice[] {
  if (!verdict.circuitRead || monitors === null) return [];
  return verdict.findings
    .filter((f) => FAMILY_OF[f.code] === "end-to-end")
    .map((f) => ({ monitors, peering: f.peering, code: f.code, severity: f.severity, at }));
}

/** Whether this reading judged the circuit's monitors (else its voices are kept: keptVoices). */
export function monitorsJudged(
  reading: { dataPlane?: { endToEnd?: { ok: boolean } } },
  verdict: Pick<CircuitVerdict, "circuitRead">,
): boolean {
  return verdict.circuitRead && reading.dataPlane?.endToEnd?.ok === true;
}

/** The key of a circuit's end-to-end alert a voice is about. */
export const voiceKey = (circuitId: string, voice: Pick<EndToEndVoice, "peering">): string =>
  alertKey(circuitId, voice.peering, "end-to-end");

/**
 * The voices a snapshot keeps: this sweep's when the monitor was judged;
 * otherwise (the circuit or its monitor not read) those of the snapshot
 * before whose alerts the receivers hold.
 */
export function keptVoices(
  judged: EndToEndVoice[] | null,
  before: unknown,
  circuitId: string,
  announced: (key: string) => boolean,
): EndToEndVoice[] {
  if (judged !== null) return judged;
  return storedVoices(before).filter((v) => announced(voiceKey(circuitId, v)));
}

/**
 * The voices a stored snapshot kept, each checked: a row edited by hand or
 * cut off must not hold anything (nor throw for every circuit of the run).
 */
export function storedVoices(value: unknown): EndToEndVoice[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (v): v is EndToEndVoice =>
        isRecord(v) &&
        typeof v.monitors === "string" &&
        v.monitors.length > 0 &&
        (v.peering === null || typeof v.peering === "string") &&
        typeof v.code === "string" &&
        FAMILY_OF[v.code as FindingCode] === "end-to-end" &&
        (SEVERITIES as readonly unknown[]).includes(v.severity) &&
        storedInstant(v.at) !== null,
    )
    .map(({ heard: _told, ...v }) => v);
}

const lower = (id: string) => id.toLowerCase();

/**
 * Where a circuit's own end-to-end alert stands before this sweep: its
 * receivers hold it (`heard`), it was due to page at this grade or a worse
 * one and held back (`due`: by a silence, or by a holder that has not paged
 * since), or neither (`new`: also one held back at a milder grade that
 * worsens now).
 */
export type Standing = "heard" | "due" | "new";

const atLeast = (a: Severity, b: Severity) => severityRank(a) <= severityRank(b);

/** Whether the holder's receivers hold its alert at least as severe as `mine`. */
const heardAtLeast = (v: EndToEndVoice, mine: EndToEndVoice) =>
  v.heard != null && atLeast(v.heard.severity, mine.severity);

/**
 * The holds on a circuit's end-to-end alerts (by alert key): each by another
 * circuit's voice with the same monitors whose receivers hold it at least as
 * severe, else, for an alert that becomes due now (at this grade) for the
 * first time, one whose receivers hold it milder (it worsens with the same
 * monitor: its escalation speaks) or one as severe now that sorts first. An alert held back once is
 * held again only by one the receivers hold at its grade, so a holder that
 * does not page after all (its own longer hysteresis, a silence, a commit
 * that failed) delays a page one sweep at most, never keeps it.
 * `standing`: where the circuit's own alert under a key stands at the grade
 * it is judged now; `mayHold`: what the caller knows that the core does not:
 * whether the holder's news reaches everyone this one's open would (routes
 * by circuit, tag or action), and, for one not heard at this grade, that it
 * goes out (not silenced) no later than this one would (hysteresis).
 */
export function sharedMonitorHolds(
  self: MonitorSpeaker,
  others: readonly MonitorSpeaker[],
  standing: (key: string, mine: EndToEndVoice) => Standing,
  mayHold: (holder: MonitorSpeaker, voice: EndToEndVoice, mine: EndToEndVoice) => boolean = () =>
    true,
  /** This sweep's instant: a voice judged at it is this sweep's reading, not a sweep old. */
  now?: string,
): Map<string, Hold> {
  const holds = new Map<string, Hold>();
  for (const mine of self.voices) {
    const key = voiceKey(self.circuitId, mine);
    const stands = standing(key, mine);
    if (stands === "heard") continue;
    // Due now for the first time at this grade: one as severe that sorts first,
    // or one heard that is as severe or whose voice is from before this sweep
    // (it reads the same monitor, so it worsens with it), may speak, for this sweep.
    const mayStart = (o: MonitorSpeaker, v: EndToEndVoice) =>
      stands === "new" &&
      (atLeast(v.severity, mine.severity)
        ? v.heard != null || lower(o.circuitId) < lower(self.circuitId)
        : v.heard != null && v.at !== now);
    const rank = (v: EndToEndVoice) => (heardAtLeast(v, mine) ? 0 : v.heard != null ? 1 : 2);
    const candidates = others
      .filter((o) => lower(o.circuitId) !== lower(self.circuitId))
      .flatMap((o) =>
        o.voices
          .filter(
            (v) =>
              v.monitors === mine.monitors &&
              (heardAtLeast(v, mine) || mayStart(o, v)) &&
              mayHold(o, v, mine),
          )
          .map((v) => ({ o, v })),
      )
      // Heard first, then by id: every circuit picks the same holder.
      .sort(
        (a, b) => rank(a.v) - rank(b.v) || (lower(a.o.circuitId) < lower(b.o.circuitId) ? -1 : 1),
      );
    const holder = candidates[0];
    if (!holder) continue;
    holds.set(key, {
      by: voiceKey(holder.o.circuitId, holder.v),
      rule: `${SHARED_MONITOR_RULE}: it tests ${holder.o.circuitName} too, whose end-to-end alert (${holder.v.severity} ${holder.v.code}) speaks for this one`,
      severity: atLeast(holder.v.severity, mine.severity) ? holder.v.severity : mine.severity,
    });
  }
  return holds;
}

/** What routes look at in news of an end-to-end alert. */
function newsOf(
  speaker: MonitorSpeaker,
  voice: EndToEndVoice,
  action: AlertEvent["action"],
  told: Heard,
): AlertEvent {
  return {
    action,
    severity: told.severity,
    peakSeverity: told.peakSeverity,
    family: "end-to-end",
    code: voice.code,
    layer: "endToEnd",
    owner: "you",
    circuit: { id: speaker.circuitId, name: speaker.circuitName, tags: speaker.tags },
  } as AlertEvent;
}

/**
 * The receivers the holder's alert reaches at this grade: its open, when
 * nobody heard it; its escalation, when it worsens (to the held alert's
 * grade, as the same monitor worsens both); else those that any
 * of its news at the grade it was heard reaches (an open, an escalation or a
 * repeat: which one told them is not kept, and a route may take opens only).
 */
function holderAudience(
  routing: Routing,
  holder: MonitorSpeaker,
  v: EndToEndVoice,
  /** The grade it must speak at: the held alert's. */
  grade: Severity,
): Set<string> {
  const reached = (action: AlertEvent["action"], told: Heard) =>
    new Set(route(routing, newsOf(holder, v, action, told)).receivers);
  if (v.heard == null) return reached("open", { severity: v.severity, peakSeverity: v.severity });
  const worse = atLeast(v.severity, grade) ? v.severity : grade;
  if (!atLeast(v.heard.severity, worse)) {
    const peak = atLeast(v.heard.peakSeverity, worse) ? v.heard.peakSeverity : worse;
    return reached("escalate", { severity: worse, peakSeverity: peak });
  }
  const heard = v.heard;
  const [first, ...rest] = (["open", "escalate", "repeat"] as const).map((a) => reached(a, heard));
  return new Set([...first!].filter((r) => rest.every((set) => set.has(r))));
}

/**
 * Whether the holder's news reaches every receiver this circuit's own open
 * would: a route by circuit or tag (er-b's owners on PagerDuty, er-a's on a
 * channel), or by action, must not leave one team unpaged because another
 * circuit's alert went out.
 */
export function reachesAllOf(
  routing: Routing,
  holder: MonitorSpeaker,
  voice: EndToEndVoice,
  self: MonitorSpeaker,
  mine: EndToEndVoice,
): boolean {
  const theirs = holderAudience(routing, holder, voice, mine.severity);
  const own = { severity: mine.severity, peakSeverity: mine.severity };
  return route(routing, newsOf(self, mine, "open", own)).receivers.every((r) => theirs.has(r));
}

/**
 * Whether the holder's alert opens no later than this circuit's would, by
 * their circuits' hysteresis (ERWATCH_ALERT_POLICY `circuits`): the same
 * failing monitor starts both at once, so a holder that waits longer would
 * only delay this page. On the timer's tick a count of sweeps is a count of
 * ticks, one interval shorter in time (policy.ts openAfterTicksMs), while
 * minutes given stay minutes: a Sev1 holder with openAfterMinutes {Sev1: 10}
 * held a Sev2 that opens at its second tick, and the monitor paged a tick late.
 */
export function opensNoLater(
  policy: AlertPolicy,
  holder: MonitorSpeaker,
  voice: EndToEndVoice,
  self: MonitorSpeaker,
  mine: EndToEndVoice,
  /** The timer's own sweep (AlertContext.tick). */
  tick = false,
): boolean {
  const theirs = hysteresisOf(
    policy,
    { id: holder.circuitId, name: holder.circuitName },
    "end-to-end",
  );
  const own = hysteresisOf(policy, { id: self.circuitId, name: self.circuitName }, "end-to-end");
  // On a tick, the shorter of the two waits an alert may open on.
  const onTick = (h: typeof own, s: EndToEndVoice["severity"]) =>
    Math.min(h.openAfterMs[s], h.openAfterTicksMs[s] ?? Number.POSITIVE_INFINITY);
  return (
    theirs.openAfter[voice.severity] <= own.openAfter[mine.severity] &&
    theirs.openAfterMs[voice.severity] <= own.openAfterMs[mine.severity] &&
    (!tick || onTick(theirs, voice.severity) <= onTick(own, mine.severity))
  );
}

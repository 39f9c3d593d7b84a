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
import { hysteresisOf, type AlertPolicy } from "../policy.js";
import { route, type Routing } from "../routing.js";
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
  /** Its receivers hold its alert (paged, not resolved), when known; absent: not known to. */
  announced?: boolean;
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
 * The identity of a set of monitors: each by its resource id, or by its
 * workspace and name when a tag named it without one; null when none.
 */
export function monitorSetOf(monitors: readonly MonitorRef[]): string | null {
  const ids = [
    ...new Set(monitors.map((m) => (m.id ?? `${m.workspace}|${m.name}`).toLowerCase())),
  ].sort();
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
        typeof v === "object" &&
        v !== null &&
        typeof v.monitors === "string" &&
        v.monitors.length > 0 &&
        (v.peering === null || typeof v.peering === "string") &&
        typeof v.code === "string" &&
        FAMILY_OF[v.code as FindingCode] === "end-to-end" &&
        (SEVERITIES as readonly unknown[]).includes(v.severity) &&
        typeof v.at === "string" &&
        Number.isFinite(Date.parse(v.at)),
    )
    .map(({ announced: _told, ...v }) => v);
}

const lower = (id: string) => id.toLowerCase();

/**
 * Where a circuit's own end-to-end alert stands before this sweep: its
 * receivers hold it (`heard`), it was due to page and held back (`due`: by
 * a silence, or by a holder that has not paged since), or neither (`new`).
 */
export type Standing = "heard" | "due" | "new";

/**
 * The holds on a circuit's end-to-end alerts (by alert key): each by another
 * circuit's voice with the same monitors, at least as severe, that its
 * receivers hold, else, for an alert that becomes due now for the first
 * time, that sorts first. An alert held back once is held again only by one
 * the receivers hold, so a holder that does not page (its own longer
 * hysteresis, a commit that failed) delays a page one sweep at most, never
 * keeps it. `standing`: where the circuit's own alert under a key stands;
 * `mayHold`: what the caller knows that the core does not: whether the
 * holder's alert reaches everyone this one would (routes by circuit), and,
 * for one not heard yet, that it goes out (not silenced) no later than this
 * one would (its circuit's hysteresis).
 */
export function sharedMonitorHolds(
  self: MonitorSpeaker,
  others: readonly MonitorSpeaker[],
  standing: (key: string) => Standing,
  mayHold: (holder: MonitorSpeaker, voice: EndToEndVoice, mine: EndToEndVoice) => boolean = () =>
    true,
): Map<string, Hold> {
  const holds = new Map<string, Hold>();
  for (const mine of self.voices) {
    const key = voiceKey(self.circuitId, mine);
    const stands = standing(key);
    if (stands === "heard") continue;
    const before = (o: MonitorSpeaker) =>
      stands === "new" && lower(o.circuitId) < lower(self.circuitId);
    const candidates = others
      .filter((o) => lower(o.circuitId) !== lower(self.circuitId))
      .flatMap((o) =>
        o.voices
          .filter(
            (v) =>
              v.monitors === mine.monitors &&
              severityRank(v.severity) <= severityRank(mine.severity) &&
              (v.announced === true || before(o)) &&
              mayHold(o, v, mine),
          )
          .map((v) => ({ o, v })),
      )
      // One already heard first, then by id: every circuit picks the same holder.
      .sort(
        (a, b) =>
          Number(b.v.announced === true) - Number(a.v.announced === true) ||
          (lower(a.o.circuitId) < lower(b.o.circuitId) ? -1 : 1),
      );
    const holder = candidates[0];
    if (!holder) continue;
    holds.set(key, {
      by: voiceKey(holder.o.circuitId, holder.v),
      rule: `${SHARED_MONITOR_RULE}: it tests ${holder.o.circuitName} too, whose end-to-end alert (${holder.v.severity} ${holder.v.code}) speaks for this one`,
      severity: holder.v.severity,
    });
  }
  return holds;
}

/** What routes look at in an end-to-end alert's open, for one circuit's voice. */
function openOf(speaker: MonitorSpeaker, voice: EndToEndVoice): AlertEvent {
  return {
    action: "open",
    severity: voice.severity,
    peakSeverity: voice.severity,
    family: "end-to-end",
    code: voice.code,
    layer: "endToEnd",
    owner: "you",
    circuit: { id: speaker.circuitId, name: speaker.circuitName, tags: speaker.tags },
  } as AlertEvent;
}

/**
 * Whether the holder's open reaches every receiver this circuit's own would:
 * a route by circuit or tag (er-b's owners on PagerDuty, er-a's on a channel)
 * must not leave one team unpaged because another circuit's alert went out.
 */
export function reachesAllOf(
  routing: Routing,
  holder: MonitorSpeaker,
  voice: EndToEndVoice,
  self: MonitorSpeaker,
  mine: EndToEndVoice,
): boolean {
  const theirs = new Set(route(routing, openOf(holder, voice)).receivers);
  return route(routing, openOf(self, mine)).receivers.every((r) => theirs.has(r));
}

/**
 * Whether the holder's alert opens no later than this circuit's would, by
 * their circuits' hysteresis (ERWATCH_ALERT_POLICY `circuits`): the same
 * failing monitor starts both at once, so a holder that waits longer would
 * only delay this page.
 */
export function opensNoLater(
  policy: AlertPolicy,
  holder: MonitorSpeaker,
  voice: EndToEndVoice,
  self: MonitorSpeaker,
  mine: EndToEndVoice,
): boolean {
  const theirs = hysteresisOf(
    policy,
    { id: holder.circuitId, name: holder.circuitName },
    "end-to-end",
  );
  const own = hysteresisOf(policy, { id: self.circuitId, name: self.circuitName }, "end-to-end");
  return (
    theirs.openAfter[voice.severity] <= own.openAfter[mine.severity] &&
    theirs.openAfterMs[voice.severity] <= own.openAfterMs[mine.severity]
  );
}

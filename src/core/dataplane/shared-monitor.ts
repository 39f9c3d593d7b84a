// One Connection Monitor, one page. A monitor found through a gateway's VNet
// tests every circuit wired to that gateway (two circuits on one gateway is
// the common HA design), so a fault past the circuits (an NSG, a route table)
// fails its tests on each: every circuit raised its own end-to-end alert, two
// Sev1 incidents for one fault. The end-to-end alert of the circuit whose id
// sorts first among those with the same monitors speaks for the others; theirs
// are held while it does. Only an alert the receivers never heard is held: one
// already paged goes on by itself (repeats, escalation, resolve), and a holder
// not known now (not read in this run, its snapshot stale, its reading of the
// monitor failed or explained by an outage of its own, its alert silenced)
// holds nothing, so the failure always pages from some circuit.

import { alertKey, FAMILY_OF } from "../alert-identity.js";
import type { Hold } from "../inhibit.js";
import { SEVERITIES, type CircuitVerdict, type FindingCode, type Severity } from "../model.js";
import { severityRank } from "../severity.js";
import type { MonitorRef } from "./facts.js";

/** A circuit's end-to-end condition as it was judged, kept with its snapshot. */
export interface EndToEndVoice {
  /** The monitors behind it (monitorSetOf): equal for every circuit they test. */
  monitors: string;
  peering: string | null;
  code: FindingCode;
  severity: Severity;
}

/** A circuit and its end-to-end voices, as this run or its snapshot knows it. */
export interface MonitorSpeaker {
  circuitId: string;
  circuitName: string;
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
): EndToEndVoice[] {
  if (!verdict.circuitRead || monitors === null) return [];
  return verdict.findings
    .filter((f) => FAMILY_OF[f.code] === "end-to-end")
    .map((f) => ({ monitors, peering: f.peering, code: f.code, severity: f.severity }));
}

/**
 * The voices a stored snapshot kept, each checked: a row edited by hand or
 * cut off must not hold anything (nor throw for every circuit of the run).
 */
export function storedVoices(value: unknown): EndToEndVoice[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (v): v is EndToEndVoice =>
      typeof v === "object" &&
      v !== null &&
      typeof v.monitors === "string" &&
      v.monitors.length > 0 &&
      (v.peering === null || typeof v.peering === "string") &&
      typeof v.code === "string" &&
      FAMILY_OF[v.code as FindingCode] === "end-to-end" &&
      (SEVERITIES as readonly unknown[]).includes(v.severity),
  );
}

const lower = (id: string) => id.toLowerCase();

/**
 * The holds on a circuit's end-to-end alerts (by alert key): each by the
 * voice of another circuit sorting first with the same monitors, at least as
 * severe. `announced`: whether the receivers hold the alert under a key;
 * `speaks`: whether another circuit's alert goes out (not silenced): a
 * silence set for one circuit's maintenance must not quiet the others.
 */
export function sharedMonitorHolds(
  self: MonitorSpeaker,
  others: readonly MonitorSpeaker[],
  announced: (key: string) => boolean,
  speaks: (speaker: MonitorSpeaker, voice: EndToEndVoice) => boolean = () => true,
): Map<string, Hold> {
  const holds = new Map<string, Hold>();
  for (const mine of self.voices) {
    const key = alertKey(self.circuitId, mine.peering, "end-to-end");
    if (announced(key)) continue;
    const holder = others
      .filter((o) => lower(o.circuitId) < lower(self.circuitId))
      .sort((a, b) => (lower(a.circuitId) < lower(b.circuitId) ? -1 : 1))
      .flatMap((o) =>
        o.voices
          .filter(
            (v) =>
              v.monitors === mine.monitors &&
              severityRank(v.severity) <= severityRank(mine.severity) &&
              speaks(o, v),
          )
          .map((v) => ({ o, v })),
      )[0];
    if (!holder) continue;
    holds.set(key, {
      by: alertKey(holder.o.circuitId, holder.v.peering, "end-to-end"),
      rule: `${SHARED_MONITOR_RULE}: it tests ${holder.o.circuitName} too, whose end-to-end alert (${holder.v.severity} ${holder.v.code}) speaks for this one`,
      severity: holder.v.severity,
    });
  }
  return holds;
}

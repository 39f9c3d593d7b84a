// Sentences every receiver writes the same way from an alert event.

import type { AlertCircuit, AlertEvent } from "../../core/alert-event.js";
import { BLIND_CAUSES, type BlindCause, type PathName } from "../../core/model.js";
import { BLIND_NOTICE, unreadAtNotice } from "../../core/blind-notice.js";
import { isDataPlaneFamily, type DataPlaneFamily } from "../../core/dataplane/known.js";
import type { AlertSubject } from "./subject.js";

/** "Equinix at Amsterdam", "Equinix", or null: what responders group carrier faults by. */
export function providerAt(
  circuit: Pick<AlertCircuit, "serviceProviderName" | "peeringLocation">,
): string | null {
  const name = circuit.serviceProviderName;
  if (!name) return null;
  return circuit.peeringLocation ? `${name} at ${circuit.peeringLocation}` : name;
}

/**
 * How far into a title a name still reads as said up front: about what a
 * phone's notification shows before it cuts.
 */
export const EARLY_IN_TITLE = 100;

/**
 * Whether `title` names `name` as a whole word within its first
 * EARLY_IN_TITLE characters: "er-ams" is not named by "er-ams-prod-01", and
 * a name said only deep in a long title is past what a notification shows.
 */
export function namesEarly(title: string, name: string): boolean {
  if (name === "") return false;
  const lower = title.toLowerCase();
  const wanted = name.toLowerCase();
  // Azure names run on letters, digits, "_", "-" and "."; a "." before a space ends a sentence.
  for (
    let at = lower.indexOf(wanted);
    at >= 0 && at < EARLY_IN_TITLE;
    at = lower.indexOf(wanted, at + 1)
  ) {
    const before = at === 0 ? "" : lower[at - 1]!;
    const after = lower.slice(at + wanted.length, at + wanted.length + 2);
    if (!/[\w.-]/u.test(before) && !/^(?:[\w-]|\.[\w-])/u.test(after)) return true;
  }
  return false;
}

/**
 * What changed, without the title it quotes: the title is already the first
 * thing every receiver shows. "New since X: <title>" → "New since X.",
 * "Worse: Sev2 → Sev0; now also the primary path. Now: <title>" → "Worse: Sev2
 * → Sev0; now also the primary path.", "Resolved after 1 h: <title> has
 * cleared." → "Resolved after 1 h." A change that does not quote the title is
 * returned as it is.
 */
export function changeWithoutTitle(change: string, title: string): string {
  const at = title === "" ? -1 : change.indexOf(title);
  if (at < 0) return change;
  const before = change
    .slice(0, at)
    .replace(/\s*(?:Now|Still)?\s*[:;,—-]?\s*$/u, "")
    .replace(/[\s:;,—-]+$/u, "");
  const after = change
    .slice(at + title.length)
    // A retired circuit's resolve: "Resolved: <why>. <title> is no longer watched."
    .replace(/^\s*(?:has cleared|is no longer watched)\b/u, "")
    .replace(/^[\s.:;,—-]+/u, "")
    .trim();
  const sentence = [before, after].filter((s) => s !== "").join(" ");
  if (sentence === "") return "";
  return /[.!?]$/u.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * When a resolve's evidence and ticket were read: the last reading that
 * fired, said beside them so that none of it ("3,820 of 4,000 — reaches 4,000
 * in about 3 min") is read as how it is now.
 */
export const LAST_FIRING = "at the last firing sweep";

/**
 * Whose words a resolve's title is: the title its receivers were last sent
 * (core/last-told.ts), which the last firing sweep may have read otherwise
 * (a count that moved, a milder grade never sent).
 */
export const LAST_TOLD = "as last told";

/**
 * What a resolve leads with: how it reads at the sweep that resolved it
 * (AlertEvent.resolution). Null for every other event, and for a resolve sent
 * before erwatch said it, which then claims nothing about now.
 */
export function resolvedNow(
  event: Pick<AlertEvent, "action"> & { resolution?: unknown },
): string | null {
  if (event.action !== "resolve") return null;
  return typeof event.resolution === "string" && event.resolution !== "" ? event.resolution : null;
}

/**
 * A blind notice (core/blind-notice.ts): since when erwatch cannot read the
 * layers behind the alert, or null for every other event. `since` is null when
 * the time is not known. A notice sent before the event carried `blindSince`
 * still has the time in its change ("… since <ISO time> …"). `paths`: the
 * only paths it cannot see, the rest still reading as the alert says (null:
 * it cannot see the alert at all). `cause`: what it lost while the layers
 * still read (AlertEvent.blindCause), or null when it cannot read them.
 */
export function blindness(
  event: Pick<AlertEvent, "action" | "change" | "blindSince" | "blindPaths" | "blindCause">,
): { since: string | null; paths: PathName[] | null; cause: BlindCause | null } | null {
  if (event.action !== "repeat" || !event.change.startsWith(BLIND_NOTICE)) return null;
  const lost = event.blindPaths;
  const paths = Array.isArray(lost) && lost.length > 0 ? lost : null;
  const cause = (BLIND_CAUSES as readonly unknown[]).includes(event.blindCause)
    ? (event.blindCause as BlindCause)
    : null;
  const given = event.blindSince;
  if (typeof given === "string" && Number.isFinite(Date.parse(given)))
    return { since: given, paths, cause };
  const quoted = /\bsince (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z)/u.exec(
    event.change,
  );
  return {
    since: quoted && Number.isFinite(Date.parse(quoted[1]!)) ? quoted[1]! : null,
    paths,
    cause,
  };
}

/**
 * "all of er-x", or `whole` when erwatch cannot see the alert at all: the
 * lost paths are said of the sweep that sent the notice (blindNow), since
 * paths may have failed in turn since its last whole reading.
 */
export function blindWhat(paths: PathName[] | null, whole: string): string {
  return paths ? `all of ${whole}` : whole;
}

/**
 * "; when this was sent, the secondary path could not be read and the rest
 * read as the alert says", or "": of a traffic alert, that erwatch could not
 * tell whether it carries, as the sweep says it (core/blind-notice.ts).
 */
export function blindNow(paths: PathName[] | null, family: AlertEvent["family"]): string {
  return paths
    ? `; when this was sent, ${unreadAtNotice(family, paths)} and the rest read as the alert says`
    : "";
}

/** "2026-11-22 01:00 UTC": a time a phone's lock screen can show. */
export { utcMinute } from "../../core/utc-time.js";

/** The rows of the layer table a data-plane alert is read from: they say what is missing. */
const DATA_PLANE_ROWS: Record<DataPlaneFamily, string> = {
  traffic: "capacity row",
  capacity: "capacity row",
  "end-to-end": "end to end row",
  "config-drift": "peering and gateway wiring rows",
};

/**
 * The rows a blind notice of a data-plane alert on one circuit (traffic,
 * capacity, end to end, drift) lost, or null. Its reading is Azure Monitor's
 * metrics or Connection Monitor's results: a gap in them (Log Analytics
 * ingesting a workspace late) opens no monitoring-blind alert and leaves the
 * circuit's other layers read, so "cannot see this circuit (see its
 * monitoring-blind alert)" sent the holder to an alert that never opens.
 */
export function dataPlaneBlind(
  event: Pick<AlertEvent, "family">,
  subject: Pick<AlertSubject, "kind">,
  cause: BlindCause | null,
): string | null {
  if (cause !== null || subject.kind !== "circuit" || !isDataPlaneFamily(event.family)) return null;
  return DATA_PLANE_ROWS[event.family];
}

/** Why a data-plane alert has no reading, as the sweep says it (core/blind-notice.ts). */
export const NO_DATA_PLANE_READING =
  "Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed";

/**
 * Where a responder learns why erwatch is blind and when it sees again. A
 * site's notice is about several circuits, perhaps in several subscriptions:
 * "this circuit" there sent the reader looking for one that is not named.
 * `dataPlaneRows`: the rows a data-plane alert is read from (dataPlaneBlind).
 */
export function blindLookAt(
  subject: Pick<AlertSubject, "kind">,
  cause: BlindCause | null = null,
  dataPlaneRows: string | null = null,
): string {
  // Storage failing opens no monitoring-blind alert: erwatch's log and the table are where it shows.
  if (cause === "history")
    return "erwatch's log (`history could not be read`) and the History table of its storage account; no monitoring-blind alert opens for storage";
  if (dataPlaneRows !== null)
    return `the ${dataPlaneRows} of its layers as read now (layer table, status page, \`erwatch diagnose\`) for what is missing: a gap in Azure Monitor's metrics or Log Analytics ingesting late opens no monitoring-blind alert; a read that failed opens the monitoring-blind alert of this circuit or of its subscription, which names it`;
  switch (subject.kind) {
    case "site":
      return "the monitoring-blind alerts of the site's circuits or of their subscriptions (they name the reads that fail and what to do)";
    case "subscription":
      // A subscription's alert is itself the monitoring-blind one (core/blind-notice.ts sends it no notice).
      return "this alert's failed reads and next action";
    case "circuit":
      return "the monitoring-blind alert of this circuit or of its subscription (it names the read that fails and what to do)";
  }
}

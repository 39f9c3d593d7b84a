// The status page as plain server-rendered HTML: no build step, a few lines of
// optional script. A fleet view first — open alerts by severity, the last
// completed sweep (with a warning when sweeps stop), the oldest reading — then
// the open alerts worst first, then one row per circuit and peering, worst
// circuit first, with a coloured cell per path and layer. Colour is never the
// only signal: every cell and badge also says its state in words. It reflows
// on a phone: the grid becomes one card per circuit and peering. In a large
// view only the circuits that need attention are drawn so; the healthy ones
// are a line each at the end, each name a button that opens it in full.

import {
  minutesBetween,
  NOT_OPEN_YET,
  type StatusAlert,
  type StatusCell,
  type StatusCircuit,
  type StatusModel,
  type StatusPart,
  type StatusSilence,
  type StatusSummary,
  type StatusUnreadableAlert,
} from "./status.js";
import { transitionWords, type HistoryEntry } from "../core/history.js";
import { PATHS, SEVERITIES, type Severity } from "../core/model.js";
import { LAYER_ROWS, OWNER_WORDS, SEVERITY_WORDS, STATUS_WORDS } from "../core/vocabulary.js";
import type { WorkersProgress } from "./work-progress.js";
import { counted } from "../core/text.js";
import { placeWord } from "../core/place.js";
import { utcTime } from "../core/utc-time.js";

const LAYERS = LAYER_ROWS;

export function escapeHtml(text: unknown): string {
  return String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export interface RenderOptions {
  /** The function key the page was opened with (`?code=`): kept in filter links and the form. */
  code?: string | null;
}

/** "25 min", "3 h 5 min", "2 d 4 h". */
export function ageText(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return "?";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** What the age of an alert means in words: "down 25 min". */
function ageWord(a: StatusAlert): string {
  switch (a.family) {
    case "provider":
    case "path-down":
      return "down";
    case "monitoring-blind":
      return "blind";
    case "session-flapping":
      return "flapping";
    case "route-limit":
      return "near the limit";
    default:
      return "open";
  }
}

// Stored values are escaped even where the row schemas allow only a few words: defence in depth.
const badge = (severity: Severity) =>
  `<span class="badge sev-${escapeHtml(severity)}" data-severity="${escapeHtml(severity)}">${escapeHtml(severity)} <small>${escapeHtml(SEVERITY_WORDS[severity])}</small></span>`;

const time = (iso: string) =>
  `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${escapeHtml(iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time>`;

/**
 * A layer's cell. Its circuit and peering are its row's, its label its
 * column's (and on a phone the stylesheet's, by its layer); an ok or n/a cell
 * keeps its detail in its title, one in trouble shows it.
 */
function layerCell(path: string, key: string, cell: StatusCell): string {
  const status = escapeHtml(cell.status);
  const word = escapeHtml(STATUS_WORDS[cell.status] ?? cell.status);
  const attrs = `class="s-${escapeHtml(cell.status.replace("/", ""))}" data-path="${path}" data-layer="${key}" data-status="${status}"`;
  if (cell.status === "up" || cell.status === "n/a")
    return `<td ${attrs} title="${escapeHtml(`${cell.detail} (since ${cell.since})`)}">${word}</td>`;
  return `<td ${attrs} title="since ${escapeHtml(cell.since)}"><span class="w">${word}</span><span class="d">${escapeHtml(cell.detail)}</span></td>`;
}

/** Read too long ago, or when cannot be told: what it shows may be old. */
const readLate = (c: StatusCircuit, readStaleAfterMinutes: number) =>
  c.readAgeMinutes === null || c.readAgeMinutes >= readStaleAfterMinutes;

function circuitRows(c: StatusCircuit, readStaleAfterMinutes: number): string {
  const stale = readLate(c, readStaleAfterMinutes);
  // The resource id once, on the first row: a long string, the same on every peering's.
  const head = (first: boolean) =>
    `<th scope="row"${first ? ` title="${escapeHtml(c.id)}"` : ""}>${c.worstSeverity ? badge(c.worstSeverity) : ""}<span class="name">${escapeHtml(c.name)}</span><span class="d">${escapeHtml(c.provider ?? "carrier ?")} @ ${escapeHtml(c.peeringLocation ?? "?")} · provider ${escapeHtml(c.providerState ?? "unknown")}</span><span class="d read${stale ? " old" : ""}" data-read-age="${c.readAgeMinutes ?? ""}">read ${escapeHtml(ageText(c.readAgeMinutes))} ago${stale ? " (stale)" : ""}</span>${pathsApart(c) ? `<span class="d" data-path-age="${c.pathAgeMinutes}">paths read ≤ ${escapeHtml(ageText(c.pathAgeMinutes))} ago</span>` : ""}${readFailedLine(c.readFailed)}${neverReadLines(c.neverRead)}</th>`;
  const attrs = `data-circuit="${escapeHtml(c.name)}" data-worst-severity="${escapeHtml(c.worstSeverity ?? "")}" data-worst-status="${escapeHtml(c.worstStatus)}"`;
  // A stored cell's status is any text to the row schema, and one the page does not know ranks worst.
  const rowClass = escapeHtml(
    c.worstSeverity ? `c-${c.worstSeverity}` : `c-${c.worstStatus.replace("/", "")}`,
  );
  if (c.peerings.length === 0) {
    return `<tr class="${rowClass}" ${attrs}>${head(true)}<td class="peer">—</td><td colspan="${LAYERS.length * 2}" class="s-unknown wide">no peering read yet</td></tr>`;
  }
  return c.peerings
    .map((p, i) => {
      const cells = PATHS.flatMap((path) => [
        `<td class="path-label">${path}</td>`,
        ...LAYERS.map(({ key }) => layerCell(path, key, p.paths[path][key])),
      ]).join("");
      const counts = (
        of: Record<string, number | null>,
        neverUp: readonly string[] = [],
        noNeighbor: readonly string[] = [],
      ) =>
        PATHS.length === neverUp.length
          ? "never up"
          : PATHS.map((path) =>
              neverUp.includes(path)
                ? "never up"
                : noNeighbor.includes(path)
                  ? "no neighbor"
                  : (of[path] ?? "–"),
            ).join(" / ");
      // Each family per path: an IPv6 session down beside IPv4 is "–" on its own side, one never up says so.
      const prefixes = p.ipv6Prefixes
        ? `IPv4 ${counts(p.prefixes)} · IPv6 ${counts(p.ipv6Prefixes, p.ipv6NeverUp, p.ipv6NoNeighbor)}`
        : counts(p.prefixes);
      return `<tr class="${rowClass}" ${attrs} data-peering="${escapeHtml(p.name)}">${head(i === 0)}<td class="peer">${escapeHtml(p.name)}<span class="d">prefixes ${escapeHtml(prefixes)}</span></td>${cells}</tr>`;
    })
    .join("\n");
}

/**
 * A view of this many circuits or fewer draws every one in full. A larger one
 * (an estate: 1,000 circuits made a 10.9 MB page) draws in full only the
 * circuits in trouble, and the rest a line each.
 */
export const FULL_VIEW_CIRCUITS = 20;

/**
 * How a large view draws a circuit. In full: an open alert (held ones too), a
 * cell not ok (down, warn, unknown), no peering read yet, or a reading never had. Late: every cell
 * ok when last read, but that was too long ago (or its subscription cannot be
 * listed), so a line with the stale mark, after the grid: its full grid would
 * say no more than "ok then", and when sweeps stop every reading goes stale
 * at once, which drew every circuit in full (10.9 MB). Healthy: a line at the end.
 */
export function drawnAs(
  c: StatusCircuit,
  readStaleAfterMinutes: number,
): "full" | "late" | "healthy" {
  if (
    c.worstSeverity !== null ||
    c.peerings.length === 0 ||
    (c.neverRead ?? []).length > 0 ||
    (c.worstStatus !== "up" && c.worstStatus !== "n/a")
  )
    return "full";
  return c.stale || readLate(c, readStaleAfterMinutes) ? "late" : "healthy";
}

/**
 * Whether the paths' age says more than the read age: the read age is the
 * oldest path reading once readings are kept (status.ts lastRead), and the
 * same number twice told nothing. A snapshot from before keeps them apart.
 */
const pathsApart = (c: StatusCircuit): boolean =>
  c.pathAgeMinutes !== null && c.pathAgeMinutes !== c.readAgeMinutes;

/** A circuit as a line: its name opens it in full (the form around it keeps the function key). */
function circuitLine(c: StatusCircuit, readStaleAfterMinutes: number): string {
  const name = escapeHtml(c.name);
  const late = readLate(c, readStaleAfterMinutes);
  const read = `read ${escapeHtml(ageText(c.readAgeMinutes))} ago`;
  const paths = pathsApart(c) ? `, paths ${escapeHtml(ageText(c.pathAgeMinutes))}` : "";
  const unlisted = c.stale ? `; <b>its subscription cannot be listed</b>` : "";
  const peerings = `${c.peerings.length} peering${c.peerings.length === 1 ? "" : "s"} ok`;
  return `<tr data-circuit="${name}"><th><button name="circuit" value="${name}">${name}</button></th><td>${escapeHtml(c.provider ?? "carrier ?")} @ ${escapeHtml(c.peeringLocation ?? "?")}</td><td>${peerings}</td><td>${late ? `<span class="read old" data-read-age="${c.readAgeMinutes ?? ""}">${read} (stale)</span>` : read}${paths}${unlisted}</td></tr>`;
}

function circuitLines(
  id: "late" | "healthy",
  circuits: StatusCircuit[],
  readStaleAfterMinutes: number,
  options: RenderOptions,
): string {
  if (circuits.length === 0) return "";
  const code = options.code
    ? `<input type="hidden" name="code" value="${escapeHtml(options.code)}">`
    : "";
  const [title, note] =
    id === "late"
      ? [
          "Read late",
          `Every layer ok when last read, but not read on time since: what they show may be old, and a fault since would not show. A circuit's name opens its layers.`,
        ]
      : [
          "Healthy circuits",
          "Every layer of every peering ok, read on time, no open alert. A circuit's name opens its layers; the filter by name does the same.",
        ];
  return `<h2 id="${id}">${title} (${circuits.length})</h2>
<p class="note">${note}</p>
<form id="open-${id}" method="get" action="">${code}
<table id="${id}-circuits" class="lines">
<thead><tr><th>Circuit</th><th>Carrier @ location</th><th>Peerings</th><th>Read</th></tr></thead>
<tbody>
${circuits.map((c) => circuitLine(c, readStaleAfterMinutes)).join("\n")}
</tbody>
</table>
</form>`;
}

/**
 * The readings never had, one line per reading and cause: "ARP table never
 * read (AzurePrivatePeering primary, secondary): permission missing: …".
 * The read age beside them is that of what was read.
 */
function neverReadLines(never: StatusCircuit["neverRead"] | undefined): string {
  const groups = new Map<string, { reading: string; why: string | null; paths: string[] }>();
  for (const n of never ?? []) {
    const key = `${n.reading}\u0000${n.why ?? ""}`;
    const group = groups.get(key) ?? { reading: n.reading, why: n.why, paths: [] };
    group.paths.push(`${n.peering} ${n.path}`);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(
      (g) =>
        `<span class="d read old" data-never-read="${escapeHtml(g.reading)}">${escapeHtml(g.reading)} never read (${escapeHtml(g.paths.join(", "))})${g.why ? `: ${escapeHtml(g.why)}` : ""}</span>`,
    )
    .join("");
}

/** Why none of a circuit's layers is current: its own read failed, since when, as stored. */
function readFailedLine(failed: StatusCircuit["readFailed"] | undefined): string {
  if (!failed) return "";
  return `<span class="d read old" data-read-failed>circuit read failed since ${time(failed.since)}: ${escapeHtml(failed.why)}</span>`;
}

/** Held as last read, not as it is now: its age runs on while nobody looks. */
function notReadLine(a: StatusAlert): string {
  if (!a.stale) return readFailedLine(a.readFailed);
  const since = a.notReadSince ? ` not read since ${time(a.notReadSince)},` : "";
  return `<span class="d read old" data-stale>stale:${since} its subscription cannot be listed</span>`;
}

/**
 * "silence s-1 ended 2026-… : it holds this alert no more", or "Sev1
 * circuit-not-enabled that held it has resolved: …", as the page and
 * `erwatch alerts` say it.
 */
export function endedWords(ended: NonNullable<StatusAlert["holdEnded"]>): string {
  if ("alert" in ended) {
    const holder = ended.code
      ? `${ended.severity ?? ""} ${ended.code}`.trim()
      : `alert ${ended.alert}`;
    return `${holder} that held it has resolved${resolvedWords(ended)}: it holds this alert no more`;
  }
  const at = ended.endedAt ? ` ${ended.endedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")}` : "";
  return `silence ${ended.silence} ended${at}: it holds this alert no more`;
}

/**
 * " at 2026-12-06 10:20 UTC, open 15 min", or as much as is known. Dated in
 * full: the page and `erwatch alerts` are read long after the sweep.
 */
function resolvedWords(ended: { resolvedAt?: string | null; openMinutes?: number | null }): string {
  const at = ended.resolvedAt ? Date.parse(ended.resolvedAt) : Number.NaN;
  if (!Number.isFinite(at)) return "";
  const open = ended.openMinutes != null ? `, open ${ageText(ended.openMinutes)}` : "";
  return ` at ${utcTime(at, Number.NaN)}${open}`;
}

/** What holds it back, in words: "held" alone gave the on-call no reason. */
function holdWords(a: StatusAlert): string {
  const hold =
    a.heldBy ??
    (a.silencedBy ? { kind: "silence" as const, id: a.silencedBy, comment: null } : null);
  if (!hold) return a.holdEnded ? ` · ${escapeHtml(endedWords(a.holdEnded))}` : "";
  if (hold.kind === "silence")
    return ` · silenced by ${escapeHtml(hold.id)}${hold.comment ? `: ${escapeHtml(hold.comment)}` : ""}`;
  const holder = hold.code
    ? `${escapeHtml(hold.severity ?? "")} ${escapeHtml(hold.code)}${hold.circuitName && hold.circuitName !== a.circuitName ? ` on ${escapeHtml(hold.circuitName)}` : ""}${hold.pending ? NOT_OPEN_YET : ""}${hold.title ? ` (${escapeHtml(hold.title)})` : ""}`
    : `alert ${escapeHtml(hold.key)}`;
  return ` · held by ${holder}: ${escapeHtml(hold.rule)}`;
}

function alertRows(alerts: StatusAlert[]): string {
  if (alerts.length === 0) return `<tr><td colspan="8" class="none">No open alerts.</td></tr>`;
  return alerts
    .map(
      (a) =>
        `<tr class="sev-${escapeHtml(a.severity)}" data-alert="${escapeHtml(a.key)}" data-circuit="${escapeHtml(a.circuitName)}" data-severity="${escapeHtml(a.severity)}" data-owner="${escapeHtml(a.owner)}" data-code="${escapeHtml(a.code)}"><td data-label="Severity">${badge(a.severity)}</td><td data-label="Age" data-age="${a.ageMinutes ?? ""}">${escapeHtml(ageWord(a))} ${escapeHtml(ageText(a.ageMinutes))}<span class="d">${a.firstSeen ? `since ${time(a.firstSeen)}` : ""}</span>${notReadLine(a)}</td><td data-label="Circuit">${escapeHtml(a.circuitName)}</td><td data-label="Peering">${escapeHtml(a.peering ?? "circuit")}</td><td data-label="Paths">${escapeHtml(a.paths.join(" + ") || "–")}</td><td data-label="Owner">${escapeHtml(OWNER_WORDS[a.owner as keyof typeof OWNER_WORDS] ?? a.owner)}</td><td data-label="What">${escapeHtml(a.title)}<span class="d">${escapeHtml(a.code)} · ${escapeHtml(a.state)}${holdWords(a)}</span></td><td data-label="Next action" data-next-action>${escapeHtml(a.nextAction)}</td></tr>`,
    )
    .join("\n");
}

function historyLine(e: HistoryEntry, names: Map<string, string>): string {
  const circuit = escapeHtml(names.get(e.circuitId.toLowerCase()) ?? e.circuitId);
  switch (e.kind) {
    case "transition": {
      const { layer, detail } = transitionWords(e);
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} ${escapeHtml(e.peering)} ${e.path} ${escapeHtml(layer)}: <span class="s-${escapeHtml(e.before.replace("/", ""))}">${escapeHtml(e.before)}</span> → <span class="s-${escapeHtml(e.after.replace("/", ""))}">${escapeHtml(e.after)}</span>${detail === null ? "" : ` <span class="d">(${escapeHtml(detail)})</span>`}</li>`;
    }
    case "prefixes":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} ${escapeHtml(e.peering)} ${e.path} prefixes ${escapeHtml(e.before ?? "–")} → ${escapeHtml(e.after)}${e.limit ? ` of ${escapeHtml(e.limit)}` : ""}</li>`;
    case "reset":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} ${escapeHtml(e.peering)} ${e.path} session reset between reads <span class="d">uptime ${escapeHtml(e.upDown)}, previous read ${escapeHtml(e.sincePreviousReadSeconds)} s earlier</span></li>`;
    case "alert":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} alert ${escapeHtml(e.outcome)} ${escapeHtml(e.severity)} ${escapeHtml(e.family)}: ${escapeHtml(e.title)}${e.note ? ` <span class="d">${escapeHtml(e.note)}</span>` : ""}</li>`;
  }
}

/**
 * Circuit tags erwatch reads a circuit without, beside the settings left out:
 * the sweep's log alone said them. Each circuit named with its tags and why;
 * nothing pages for them, so it is no alert.
 */
function tagsLeftOutLine(circuits: readonly StatusCircuit[]): string {
  const tagged = circuits.filter((c) => (c.tagsLeftOut ?? []).length > 0);
  if (tagged.length === 0) return "";
  const each = tagged
    .map(
      (c) =>
        `<span data-circuit="${escapeHtml(c.name)}"><b>${escapeHtml(c.name)}</b>: ${(c.tagsLeftOut ?? []).map((t) => escapeHtml(t)).join("; ")}</span>`,
    )
    .join("; ");
  return `<p id="tags-left-out" class="stale" data-circuits="${tagged.length}"><b>Circuit tags left out:</b> erwatch reads ${counted(tagged.length, "circuit")} without these <code>erwatch:</code> tags, each named with why (defaults apply in their place, as of each circuit's last read; nothing pages for them: fix the tag on the circuit): ${each}.</p>`;
}

/** Parts of the page storage did not give this time: said, so an empty list is not read as "nothing". */
function unreadLine(unread: readonly StatusPart[]): string {
  if (unread.length === 0) return "";
  return `<p id="unread" class="stale" role="status" data-parts="${escapeHtml(unread.join(","))}"><b>Partly drawn:</b> Table Storage did not give ${escapeHtml(unread.join(", "))} this time; ${unread.length === 1 ? "it is" : "they are"} left out, the rest is current. The page reloads every minute.</p>`;
}

/** A fanned-out last sweep: its workers' progress, and what they did not record. */
function workersLine(w: WorkersProgress | null): string {
  if (!w) return "";
  const data = `data-handed-out="${w.handedOut}" data-recorded="${w.recorded}" data-failed="${w.failedCount}" data-unfinished="${w.unfinished}"`;
  if (!w.over)
    return `<p id="workers" ${data}>Workers: ${w.recorded} of ${counted(w.handedOut, "deep read")} of the last sweep recorded so far, the rest due by ${time(w.deadline)}${w.failedCount > 0 ? `; ${w.failedCount} not recorded` : ""}.</p>`;
  if (w.failedCount === 0 && w.unfinished === 0)
    return `<p id="workers" ${data}>Workers: ${w.handedOut === 1 ? "the one deep read" : `all ${w.handedOut} deep reads`} of the last sweep recorded.</p>`;
  const failed =
    w.failedCount > 0
      ? ` Read but not recorded: ${w.failed.map((f) => `${escapeHtml(f.name)} (${escapeHtml(f.why)})`).join("; ")}${w.failedCount > w.failed.length ? `; and ${w.failedCount - w.failed.length} more` : ""}.`
      : "";
  const unfinished =
    w.unfinished > 0
      ? ` Not read by the deadline (${time(w.deadline)}): ${w.unfinished}; a worker stopped or died, or the work queue backed up, and the next sweep plans them again.`
      : "";
  return `<p id="workers" class="stale" role="alert" ${data}><b>Not watched:</b> the workers recorded ${w.recorded} of the ${counted(w.handedOut, "deep read")} of the last sweep, so the alerts of ${counted(w.failedCount + w.unfinished, "circuit")} were not decided.${failed}${unfinished}</p>`;
}

function banner(
  summary: StatusSummary | undefined,
  silences: StatusSilence[],
  now: string,
  unread: readonly StatusPart[],
  circuits: readonly StatusCircuit[],
): string {
  if (!summary) return "";
  // Firing counts; one clearing (its resolve not sent yet) is said apart, not as firing.
  const resolving = (s: Severity) => summary.resolvingBySeverity?.[s] ?? 0;
  const counts = SEVERITIES.map(
    (s) =>
      `<li class="count sev-${s}${summary.openBySeverity[s] > 0 ? "" : " zero"}" data-severity="${s}" data-count="${summary.openBySeverity[s]}" data-resolving="${resolving(s)}"><b>${summary.openBySeverity[s]}</b> ${s} <small>${SEVERITY_WORDS[s]}</small>${resolving(s) > 0 ? ` <small class="resolving">+${resolving(s)} resolving</small>` : ""}</li>`,
  ).join("");
  const last = summary.lastSweep;
  const ago = last ? minutesBetween(last.finishedAt, new Date(now)) : null;
  const sweep = last
    ? `Last completed sweep ${escapeHtml(ageText(ago))} ago (${time(last.finishedAt)}${last.sweptBy === "cli" ? ", by <code>erwatch sweep --state</code>" : ""}): ${escapeHtml(counted(last.circuits, "circuit"))}${last.partlyBlind > 0 ? `, ${escapeHtml(last.partlyBlind)} partly unread` : ""}.`
    : unread.includes("the last sweep")
      ? "The last completed sweep could not be read just now."
      : "No completed sweep recorded yet.";
  const failed = last?.notRecorded ?? [];
  const notRecorded =
    failed.length > 0
      ? `<p id="not-recorded" class="stale" role="alert" data-circuits="${escapeHtml(last!.errors)}"><b>Not watched:</b> erwatch could not read through or record ${escapeHtml(counted(last!.errors, "circuit"))} in the last sweep, so their alerts were not decided: ${failed.map((f) => `${escapeHtml(f.name)} (${escapeHtml(f.why)})`).join("; ")}${last!.errors > failed.length ? `; and ${escapeHtml(last!.errors - failed.length)} more` : ""}. If it lasts three sweeps the erwatch-circuit-not-recorded health alert fires.</p>`
      : "";
  const leftOut = last?.settingsLeftOut ?? [];
  // A sweep from an operator's machine keeps the function app's list: its own environment is not the app's.
  const whose =
    last?.sweptBy === "cli"
      ? `the function app's sweeps run without these settings entries (as its sweep that finished ${last.settingsLeftOutAt ? time(last.settingsLeftOutAt) : "before"} listed them; the last sweep, an <code>erwatch sweep --state</code>, ran on its own settings)`
      : "the last sweep ran without these settings entries";
  const settings =
    leftOut.length > 0
      ? `<p id="settings-left-out" class="stale" role="alert"><b>Settings left out:</b> ${whose}, each named with why (defaults apply in their place; a receiver named here is posted nothing; the erwatch-settings-left-out health alert fires while they last): ${leftOut.map((x) => escapeHtml(x)).join("; ")}.</p>`
      : "";
  const workers = workersLine(summary.workers ?? null);
  const stale = summary.stale
    ? `<p id="stale" class="stale" role="alert"><b>Stale:</b> no sweep has completed in the last ${summary.staleAfterMinutes} min. The timer may have stopped; what this page shows may be out of date.</p>`
    : "";
  const unsent = summary.unsent
    ? `<p id="unsent" class="stale" role="alert" data-events="${summary.unsent.events}"><b>Not sent:</b> ${counted(summary.unsent.events, "alert event")} decided but not published, the oldest ${escapeHtml(ageText(summary.unsent.ageMinutes))} ago (${time(summary.unsent.oldest)}). Service Bus is not taking them, so nobody was notified of them; they go out, once, when it does.</p>`
    : "";
  const oldest = summary.oldestReading
    ? `Oldest reading: ${escapeHtml(summary.oldestReading.circuit)}, ${escapeHtml(ageText(summary.oldestReading.ageMinutes))} ago.`
    : "";
  const silenced =
    silences.length > 0
      ? ` <a href="#silences">${counted(silences.filter((s) => s.status === "active").length, "silence")} in force</a>.`
      : "";
  return `<header id="banner">
<h1>erwatch</h1>
<ul id="counts" aria-label="Alerts firing by severity, and resolving">${counts}</ul>
<p id="last-sweep" data-stale="${summary.stale}">${sweep} ${oldest}${silenced}</p>
${stale}${unsent}${notRecorded}${workers}${settings}${tagsLeftOutLine(circuits)}${unreadLine(unread)}
</header>`;
}

function filterForm(model: StatusModel, options: RenderOptions): string {
  const f = model.filters;
  if (!f) return "";
  const select = (
    name: string,
    label: string,
    all: string,
    values: { value: string; text: string }[],
    current: string | null,
  ) => {
    // The filter as applied (in any case, README): a list that showed "all"
    // over a filtered view dropped it when another list was changed.
    const chosen =
      current === null ? null : values.find((v) => placeWord(v.value) === placeWord(current));
    const shown =
      current === null || chosen
        ? values
        : [...values, { value: current, text: `${current} (no circuit now)` }];
    const selected = chosen?.value ?? current;
    return `<label>${label} <select name="${name}"><option value="">${all}</option>${shown
      .map(
        (v) =>
          `<option value="${escapeHtml(v.value)}"${v.value === selected ? " selected" : ""}>${escapeHtml(v.text)}</option>`,
      )
      .join("")}</select></label>`;
  };
  const code = options.code
    ? `<input type="hidden" name="code" value="${escapeHtml(options.code)}">`
    : "";
  const active = f.severity !== null || f.provider !== null || f.location !== null || !!f.circuit;
  const clear = active
    ? ` <a id="clear-filters" href="?${options.code ? `code=${encodeURIComponent(options.code)}` : ""}">show all</a>`
    : "";
  return `<form id="filters" method="get" action="">
${code}${select(
    "severity",
    "Severity",
    "any",
    SEVERITIES.map((s) => ({
      value: s,
      text: `${s} ${SEVERITY_WORDS[s]}${s === "Sev0" ? "" : " or worse"}`,
    })),
    f.severity,
  )}
${select(
  "provider",
  "Provider",
  "all",
  f.providers.map((p) => ({ value: p, text: p })),
  f.provider,
)}
${select(
  "location",
  "Peering location",
  "all",
  f.locations.map((l) => ({ value: l, text: l })),
  f.location,
)}
<label>Circuit <input name="circuit" value="${escapeHtml(f.circuit ?? "")}" size="14" placeholder="name or part"></label>
<button type="submit">Filter</button>${clear}
</form>
<script>for (const s of document.querySelectorAll("#filters select")) s.addEventListener("change", () => s.form.submit());</script>`;
}

function silenceList(silences: StatusSilence[]): string {
  if (silences.length === 0) return "";
  return `<h2 id="silences">Silences</h2>
<ul class="silences">
${silences
  .map(
    (s) =>
      `<li data-silence="${escapeHtml(s.id)}">${escapeHtml(s.id)} · ${escapeHtml(s.status)} · ${escapeHtml(s.circuit)}${s.peering ? ` ${escapeHtml(s.peering)}` : ""}${s.path ? ` ${escapeHtml(s.path)}` : ""}${s.until ? ` until ${time(s.until)}` : ""}${s.author ? ` · by ${escapeHtml(s.author)}` : ""}${s.comment ? ` <span class="d">${escapeHtml(s.comment)}</span>` : ""}</li>`,
  )
  .join("\n")}
</ul>`;
}

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:1rem 1.5rem;color:#1b1b1b}
h1{margin:.2rem 0;font-size:1.4rem}
h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
#banner{border-bottom:1px solid #ccc;padding-bottom:.5rem}
#counts{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.4rem}
.count{padding:.2rem .6rem;border-radius:4px;border:1px solid #999}
.count b{font-size:1.2rem}
.count.zero{background:#f4f4f4!important;color:#555!important;border-color:#ddd}
.stale{background:#b71c1c;color:#fff;padding:.4rem .6rem;border-radius:4px}
#filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.6rem 0}
table{border-collapse:collapse;margin-bottom:1rem}
th,td{border:1px solid #ccc;padding:.3rem .45rem;vertical-align:top;text-align:left}
thead th{background:#f3f3f3}
.d{display:block;font-size:11px;color:#444}
.read.old{color:#b71c1c;font-weight:bold}
.badge{display:inline-block;padding:0 .35rem;margin-right:.35rem;border-radius:3px;font-weight:bold;white-space:nowrap}
.sev-Sev0{background:#7f0000;color:#fff}
.sev-Sev1{background:#c62828;color:#fff}
.sev-Sev2{background:#ffb74d;color:#1b1b1b}
.sev-Sev3{background:#fff59d;color:#1b1b1b}
.sev-Sev4{background:#e0e0e0;color:#1b1b1b}
#alerts tr[data-alert]{background:#fff;color:#1b1b1b}
#alerts tr.sev-Sev0 td:first-child{box-shadow:inset 6px 0 #7f0000}
#alerts tr.sev-Sev1 td:first-child{box-shadow:inset 6px 0 #c62828}
#alerts tr.sev-Sev2 td:first-child{box-shadow:inset 6px 0 #ef6c00}
#alerts tr.sev-Sev3 td:first-child{box-shadow:inset 6px 0 #fbc02d}
#circuits tr.c-Sev0 th{box-shadow:inset 6px 0 #7f0000}
#circuits tr.c-Sev1 th{box-shadow:inset 6px 0 #c62828}
#circuits tr.c-Sev2 th{box-shadow:inset 6px 0 #ef6c00}
#circuits tr.c-Sev3 th{box-shadow:inset 6px 0 #fbc02d}
.name{font-weight:bold}
.s-up{background:#c8e6c9}.s-warn{background:#ffe082}.s-down{background:#ef9a9a;font-weight:bold}
.s-unknown{background:#e0e0e0;color:#555}.s-na{background:#f7f7f7;color:#777}
td.path-label{display:none}
/* Eight layers a path: a healthy cell says its word, the detail is in its title; a broken one says why. */
#circuits td[data-layer]{max-width:6rem;padding:.25rem .3rem;font-size:13px}
#circuits td[data-layer] .d,#circuits td.peer{overflow-wrap:anywhere}
.w{white-space:nowrap}
#circuits thead th{padding:.25rem .3rem;font-size:13px}
#circuits td.s-up .d,#circuits td.s-na .d{display:none}
#circuits th[scope=row]{max-width:13rem;overflow-wrap:anywhere}
time{font-family:ui-monospace,monospace;font-size:12px;color:#555}
.note{margin:.3rem 0}
table.lines th,table.lines td{padding:.15rem .45rem;font-size:13px}
table.lines button{font:inherit;font-weight:bold;background:none;border:none;padding:0;color:#0b4f9c;text-decoration:underline;cursor:pointer;text-align:left;overflow-wrap:anywhere}
.sev-Sev0 time,.sev-Sev1 time{color:inherit}
@media (max-width:720px){
  body{margin:.5rem}
  table{width:100%}
  #alerts thead,#circuits thead{display:none}
  #alerts,#alerts tbody,#alerts tr,#alerts td{display:block;border:none}
  #alerts tr{border:1px solid #999;border-radius:4px;margin-bottom:.6rem;padding:.3rem}
  #alerts td{padding:.1rem .2rem;overflow-wrap:anywhere}
  #alerts td[data-label="Next action"]::before{content:"Next: ";font-weight:bold}
  #alerts td[data-label="Owner"]::before{content:"Owner: ";font-weight:bold}
  #alerts tr.sev-Sev0,#alerts tr.sev-Sev1,#alerts tr.sev-Sev2,#alerts tr.sev-Sev3{box-shadow:none}
  #alerts tr[data-alert] td:first-child{box-shadow:none}
  #alerts tr.sev-Sev0{border-left:8px solid #7f0000}
  #alerts tr.sev-Sev1{border-left:8px solid #c62828}
  #alerts tr.sev-Sev2{border-left:8px solid #ef6c00}
  #alerts tr.sev-Sev3{border-left:8px solid #fbc02d}
  #circuits,#circuits tbody{display:block}
  #circuits tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:2px;margin-bottom:.7rem;border:1px solid #999;border-radius:4px}
  #circuits th,#circuits td.peer,#circuits td.path-label,#circuits td.wide{grid-column:1/-1;display:block;border:none}
  #circuits td.path-label{font-weight:bold;padding-bottom:0}
  #circuits td{border:none;overflow-wrap:anywhere;font-size:13px}
  #circuits td[data-layer]::before{display:block;font-size:11px;font-weight:normal;color:#333}
${LAYERS.map(({ key, short }) => `  #circuits td[data-layer=${key}]::before{content:"${short}"}`).join("\n")}
  #circuits td.s-up .d,#circuits td.s-na .d{display:none}
  #circuits tr.c-Sev0{border-left:8px solid #7f0000}
  #circuits tr.c-Sev1{border-left:8px solid #c62828}
  #circuits tr.c-Sev2{border-left:8px solid #ef6c00}
  #circuits tr.c-Sev3{border-left:8px solid #fbc02d}
  #circuits tr th{box-shadow:none!important}
  #recent li{overflow-wrap:anywhere}
  table.lines thead{display:none}
  table.lines,table.lines tbody{display:block}
  table.lines tr{display:block;border-bottom:1px solid #ccc;padding:.35rem 0}
  table.lines th,table.lines td{display:inline;border:none;padding:0;overflow-wrap:anywhere}
  table.lines td::before{content:" · "}
}
`;

/** Incidents erwatch can no longer resolve: said where the on-call looks first, with what to do. */
function unreadableAlertList(rows: readonly StatusUnreadableAlert[]): string {
  if (rows.length === 0) return "";
  const items = rows
    .map(
      (r) =>
        `<tr data-key="${escapeHtml(r.key)}"><td><code>${escapeHtml(r.key)}</code></td><td>${escapeHtml(r.table)} / ${escapeHtml(r.partitionKey)} / ${escapeHtml(r.rowKey)}</td><td>${escapeHtml(r.reason)}</td></tr>`,
    )
    .join("\n");
  return `<h2 id="unreadable">Alert rows erwatch cannot read (${rows.length})</h2>
<p class="stale" role="alert"><b>Not resolved by erwatch:</b> these alerts are left out of the list above, and while their circuit reads clean nothing resolves them, so an incident one of them opened stays open at the receivers. Its key is the PagerDuty <code>dedup_key</code>: resolve that incident there, then delete the row (or fix it). Should the fault come back first, erwatch sets the row aside and opens the alert afresh.</p>
<table id="unreadable-alerts">
<thead><tr><th>Key</th><th>Row (table / partition / row)</th><th>Why it cannot be read</th></tr></thead>
<tbody>
${items}
</tbody>
</table>`;
}

export function renderStatusHtml(model: StatusModel, options: RenderOptions = {}): string {
  const names = new Map(model.circuits.map((c) => [c.id.toLowerCase(), c.name]));
  const layerHeads = PATHS.flatMap((path) =>
    LAYERS.map((l) => `<th scope="col" class="${path}">${l.short}</th>`),
  ).join("");
  const summary = model.summary;
  const staleAfter = summary?.readStaleAfterMinutes ?? Number.POSITIVE_INFINITY;
  const open = summary
    ? SEVERITIES.filter((s) => summary.openBySeverity[s] > 0).map(
        (s) => `${summary.openBySeverity[s]} ${s}`,
      )
    : [];
  const f = model.filters;
  const filtered =
    f && (f.severity || f.provider || f.location || f.circuit)
      ? ` (filtered: ${model.circuits.length} of ${summary?.circuits ?? model.circuits.length})`
      : "";
  // A small view, or one filtered by name, in full; a large one: what is in trouble in full.
  const full = model.circuits.length <= FULL_VIEW_CIRCUITS || !!f?.circuit;
  const drawn = (as: ReturnType<typeof drawnAs>) =>
    full
      ? as === "full"
        ? model.circuits
        : []
      : model.circuits.filter((c) => drawnAs(c, staleAfter) === as);
  const detailed = drawn("full");
  const late = drawn("late");
  const healthy = drawn("healthy");
  const lateWords =
    late.length > 0
      ? ` ${late.length} read late (every layer ok when last read) are <a href="#late">listed after them</a>.`
      : "";
  const healthyWords =
    healthy.length > 0
      ? ` The other ${healthy.length} are healthy: <a href="#healthy">listed a line each</a> at the end of the page.`
      : "";
  const linesNote =
    late.length + healthy.length > 0
      ? `<p id="lines-note" class="note" data-late="${late.length}" data-healthy="${healthy.length}">${counted(detailed.length, "circuit")} in trouble, drawn in full below.${lateWords}${healthyWords}</p>\n`
      : "";
  const noRows =
    late.length + healthy.length > 0
      ? "No circuit is in trouble."
      : filtered
        ? "No circuit matches the filters."
        : "No circuit has been swept yet.";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>${open.length > 0 ? `${escapeHtml(open.join(", "))} · ` : ""}erwatch status</title>
<style>${STYLE}</style>
</head>
<body>
${banner(summary, model.silences ?? [], model.generatedAt, model.unread ?? [], model.circuits)}
${filterForm(model, options)}
<h2>Open alerts (${model.openAlerts.length})</h2>
<table id="alerts">
<thead><tr><th>Severity</th><th>Age</th><th>Circuit</th><th>Peering</th><th>Paths</th><th>Owner</th><th>What</th><th>Next action</th></tr></thead>
<tbody>
${alertRows(model.openAlerts)}
</tbody>
</table>
${unreadableAlertList(model.unreadableAlerts ?? [])}
<h2>Circuits${filtered}</h2>
${linesNote}<table id="circuits">
<thead>
<tr><th rowspan="2">Circuit</th><th rowspan="2">Peering</th><th colspan="${LAYERS.length}">primary</th><th colspan="${LAYERS.length}">secondary</th></tr>
<tr>${layerHeads}</tr>
</thead>
<tbody>
${detailed.length === 0 ? `<tr><td colspan="${LAYERS.length * 2 + 2}">${noRows}</td></tr>` : detailed.map((c) => circuitRows(c, staleAfter)).join("\n")}
</tbody>
</table>
${circuitLines("late", late, staleAfter, options)}
${silenceList(model.silences ?? [])}
<h2>Recent changes</h2>
<ul id="recent">
${(model.unread ?? []).includes("recent changes") ? "<li>Recent changes could not be read just now.</li>" : model.recent.length === 0 ? "<li>Nothing changed recently.</li>" : [...model.recent.map((e) => historyLine(e, names)), ...(model.recentCut ? [`<li class="note" id="recent-cut">Only the ${counted(model.recentCut.shown, "most recent change")} of the last ${model.recentCut.hours} h are listed; older ones are not shown here.</li>`] : [])].join("\n")}
</ul>
${circuitLines("healthy", healthy, staleAfter, options)}
<p class="d">Generated ${time(model.generatedAt)} from stored state; no Azure call is made to draw this page. It reloads every minute.</p>
</body>
</html>
`;
}

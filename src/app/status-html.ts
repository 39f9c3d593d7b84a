// The status page as plain server-rendered HTML: no build step, no script, one
// row per circuit and peering, one coloured cell per path and layer. Colour is
// never the only signal: every cell also says its state in words.

import type { StatusAlert, StatusCircuit, StatusModel } from "./status.js";
import type { HistoryEntry } from "../core/history.js";
import { PATHS } from "../core/model.js";
import { LAYER_ROWS, STATUS_WORDS } from "../core/vocabulary.js";

const LAYERS = LAYER_ROWS;

export function escapeHtml(text: unknown): string {
  return String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function circuitRows(c: StatusCircuit): string {
  if (c.peerings.length === 0) {
    return `<tr><th scope="row">${escapeHtml(c.name)}</th><td>—</td><td colspan="${LAYERS.length * 2}" class="s-unknown">no peering read yet</td><td>${escapeHtml(c.lastReadAt)}</td></tr>`;
  }
  return c.peerings
    .map((p) => {
      const cells = PATHS.flatMap((path) =>
        LAYERS.map(({ key, short: label }) => {
          const cell = p.paths[path][key];
          return `<td class="s-${escapeHtml(cell.status.replace("/", ""))}" data-circuit="${escapeHtml(c.name)}" data-peering="${escapeHtml(p.name)}" data-path="${path}" data-layer="${key}" data-status="${escapeHtml(cell.status)}" title="${escapeHtml(`${path} ${label}: ${cell.detail} (since ${cell.since})`)}">${escapeHtml(STATUS_WORDS[cell.status] ?? cell.status)}<span class="d">${escapeHtml(cell.detail)}</span></td>`;
        }),
      ).join("");
      const prefixes = PATHS.map((path) => p.prefixes[path] ?? "–").join(" / ");
      return `<tr><th scope="row" title="${escapeHtml(c.id)}">${escapeHtml(c.name)}<span class="d">provider ${escapeHtml(c.providerState ?? "unknown")}</span></th><td>${escapeHtml(p.name)}<span class="d">prefixes ${escapeHtml(prefixes)}</span></td>${cells}<td>${escapeHtml(c.lastReadAt)}</td></tr>`;
    })
    .join("\n");
}

function alertRows(alerts: StatusAlert[]): string {
  if (alerts.length === 0) return `<tr><td colspan="8">No open alerts.</td></tr>`;
  return alerts
    .map(
      (a) =>
        `<tr class="sev-${escapeHtml(a.severity)}" data-alert="${escapeHtml(a.key)}" data-circuit="${escapeHtml(a.circuitName)}" data-severity="${escapeHtml(a.severity)}" data-owner="${escapeHtml(a.owner)}" data-code="${escapeHtml(a.code)}"><td>${escapeHtml(a.severity)}</td><td>${escapeHtml(a.circuitName)}</td><td>${escapeHtml(a.peering ?? "circuit")}</td><td>${escapeHtml(a.paths.join(" + ") || "–")}</td><td>${escapeHtml(a.owner)}</td><td>${escapeHtml(a.title)}<span class="d">${escapeHtml(a.code)} · ${escapeHtml(a.state)}</span></td><td data-next-action>${escapeHtml(a.nextAction)}</td><td>${escapeHtml(a.firstSeen ?? "")}</td></tr>`,
    )
    .join("\n");
}

function historyLine(e: HistoryEntry, names: Map<string, string>): string {
  const circuit = escapeHtml(names.get(e.circuitId.toLowerCase()) ?? e.circuitId);
  switch (e.kind) {
    case "transition":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} ${escapeHtml(e.peering)} ${e.path} ${escapeHtml(e.layer)}: <span class="s-${escapeHtml(e.before.replace("/", ""))}">${escapeHtml(e.before)}</span> → <span class="s-${escapeHtml(e.after.replace("/", ""))}">${escapeHtml(e.after)}</span> <span class="d">${escapeHtml(e.afterDetail)}</span></li>`;
    case "prefixes":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} ${escapeHtml(e.peering)} ${e.path} prefixes ${escapeHtml(e.before ?? "–")} → ${escapeHtml(e.after)}${e.limit ? ` of ${escapeHtml(e.limit)}` : ""}</li>`;
    case "reset":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} ${escapeHtml(e.peering)} ${e.path} session reset between reads <span class="d">uptime ${escapeHtml(e.upDown)}, previous read ${escapeHtml(e.sincePreviousReadSeconds)} s earlier</span></li>`;
    case "alert":
      return `<li><time>${escapeHtml(e.at)}</time> ${circuit} alert ${escapeHtml(e.outcome)} ${escapeHtml(e.severity)} ${escapeHtml(e.family)}: ${escapeHtml(e.title)}${e.note ? ` <span class="d">${escapeHtml(e.note)}</span>` : ""}</li>`;
  }
}

export function renderStatusHtml(model: StatusModel): string {
  const names = new Map(model.circuits.map((c) => [c.id.toLowerCase(), c.name]));
  const layerHeads = PATHS.flatMap((path) =>
    LAYERS.map((l) => `<th scope="col" class="${path}">${l.short}</th>`),
  ).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="60">
<title>erwatch status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
table{border-collapse:collapse;margin-bottom:1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .45rem;vertical-align:top;text-align:left}
thead th{background:#f3f3f3}
.d{display:block;font-size:11px;color:#444}
.s-up{background:#c8e6c9}.s-warn{background:#ffe082}.s-down{background:#ef9a9a;font-weight:bold}
.s-unknown{background:#e0e0e0;color:#555}.s-na{background:#f7f7f7;color:#777}
.sev-Sev0 td:first-child,.sev-Sev1 td:first-child{background:#ef9a9a;font-weight:bold}
.sev-Sev2 td:first-child,.sev-Sev3 td:first-child{background:#ffe082}
time{font-family:ui-monospace,monospace;font-size:12px;color:#555}
</style>
</head>
<body>
<h1>erwatch</h1>
<p>Generated ${escapeHtml(model.generatedAt)} from stored state; no Azure call is made to draw this page.</p>
<h2>Circuits</h2>
<table id="circuits">
<thead>
<tr><th rowspan="2">Circuit</th><th rowspan="2">Peering</th><th colspan="${LAYERS.length}">primary</th><th colspan="${LAYERS.length}">secondary</th><th rowspan="2">Last read</th></tr>
<tr>${layerHeads}</tr>
</thead>
<tbody>
${model.circuits.length === 0 ? `<tr><td colspan="${LAYERS.length * 2 + 3}">No circuit has been swept yet.</td></tr>` : model.circuits.map(circuitRows).join("\n")}
</tbody>
</table>
<h2>Open alerts</h2>
<table id="alerts">
<thead><tr><th>Severity</th><th>Circuit</th><th>Peering</th><th>Paths</th><th>Owner</th><th>What</th><th>Next action</th><th>First seen</th></tr></thead>
<tbody>
${alertRows(model.openAlerts)}
</tbody>
</table>
<h2>Recent changes</h2>
<ul id="recent">
${model.recent.length === 0 ? "<li>Nothing changed recently.</li>" : model.recent.map((e) => historyLine(e, names)).join("\n")}
</ul>
</body>
</html>
`;
}

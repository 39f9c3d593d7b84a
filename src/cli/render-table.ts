// Table output for a person at 2 a.m.: the layer table per peering with the
// broken cell impossible to miss, then each finding with its owner, next action
// and ticket. Words, not only colours, carry the state (colour is a bonus on a
// TTY). Everything fits the terminal's width, and every string that came from
// Azure is neutralised before it is printed.

import type { ReportCircuit, ReportFinding } from "../app/report.js";
import type { LayerStatus } from "../core/model.js";
import { LAYER_ROWS, STATUS_WORDS } from "../core/vocabulary.js";
import { DEFAULT_WIDTH, fit, neutralise, wrapCell, wrapIndented } from "./terminal.js";

const COLOUR: Record<LayerStatus, string> = {
  up: "32",
  warn: "33",
  down: "31",
  unknown: "90",
  "n/a": "90",
};

export interface RenderOptions {
  colour: boolean;
  /** Leave out the resource id and the carrier ticket (the demo's running view). */
  brief?: boolean;
  /** Columns to fit (default 80). */
  width?: number;
}

export function paint(text: string, status: string, o: Pick<RenderOptions, "colour">): string {
  return o.colour ? `\u001b[${COLOUR[status as LayerStatus] ?? "0"}m${text}\u001b[0m` : text;
}

/** A layer's cell, its detail going on under it rather than cut at the column. */
function cellLines(cell: { status: string; detail: string }, width: number): string[] {
  return wrapCell(
    `${STATUS_WORDS[cell.status as LayerStatus] ?? neutralise(cell.status)} ${neutralise(cell.detail)}`,
    width,
  );
}

/** Prose lines at `indent`, wrapped to the width. */
function prose(text: string, width: number, indent: string, hanging = indent): string[] {
  return wrapIndented(neutralise(text, { multiline: true }), width, indent, hanging);
}

export function renderFinding(
  f: ReportFinding,
  circuitName?: string,
  o: Pick<RenderOptions, "brief" | "width"> = {},
): string {
  const width = o.width ?? DEFAULT_WIDTH;
  const where = [circuitName, f.peering, f.paths.length > 0 ? f.paths.join("+") : null]
    .filter(Boolean)
    .map((s) => neutralise(s))
    .join("  ");
  const lines = [
    ...prose(`${f.severity}  ${f.code}  owner: ${f.owner}  ${where}`, width, ""),
    ...prose(f.title, width, "  "),
    ...prose(`Next: ${f.nextAction}`, width, "  ", "        "),
  ];
  // The ticket's lines stay whole: they are pasted into the carrier's portal.
  if (f.ticket && !o.brief)
    lines.push(
      "  Ticket for the carrier:",
      ...f.ticket.split("\n").map((l) => `    ${neutralise(l)}`),
    );
  return lines.join("\n");
}

/** Widest layer label ("gateway wiring") and a gap. */
const LABEL = Math.max(...LAYER_ROWS.map((l) => l.label.length)) + 2;

export function renderCircuit(c: ReportCircuit, o: RenderOptions): string {
  const width = o.width ?? DEFAULT_WIDTH;
  const out: string[] = [];
  out.push(
    ...prose(
      `${c.name}  (${c.provider ?? "provider ?"} @ ${c.peeringLocation ?? "?"}; service key ${c.serviceKey ?? "?"})`,
      width,
      "",
      "  ",
    ),
  );
  // The resource id stays whole, however wide: a person copies it.
  if (!o.brief) out.push(`  ${neutralise(c.id)}`);
  out.push(
    ...prose(
      `read ${c.readAt}; model ${c.settings.connectivityModel}; criticality ${c.settings.criticality}`,
      width,
      "  ",
    ),
  );
  // Two cells side by side when they can hold a few words each; else one path under the other.
  const cell = Math.floor((width - 2 - LABEL - 1) / 2);
  const sideBySide = cell >= 16;
  for (const p of c.peerings) {
    out.push("");
    if (sideBySide) {
      out.push(`  ${fit(neutralise(p.name), width - 2)}`);
      out.push(`  ${" ".repeat(LABEL)}${fit("primary", cell, true)} secondary`);
      for (const layer of LAYER_ROWS) {
        const primary = p.paths.primary[layer.key];
        const secondary = p.paths.secondary[layer.key];
        const left = cellLines(primary, cell);
        const right = cellLines(secondary, cell);
        for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
          const label = (i === 0 ? layer.label : "").padEnd(LABEL);
          const l = left[i] ?? "";
          const r = right[i];
          out.push(
            r === undefined
              ? `  ${label}${paint(l, primary.status, o)}`.trimEnd()
              : `  ${label}${paint(fit(l, cell, true), primary.status, o)} ${paint(r, secondary.status, o)}`,
          );
        }
      }
    } else {
      for (const path of ["primary", "secondary"] as const) {
        out.push(`  ${fit(`${neutralise(p.name)} ${path}`, width - 2)}`);
        for (const layer of LAYER_ROWS) {
          const cellOf = p.paths[path][layer.key];
          cellLines(cellOf, width - 4 - LABEL).forEach((l, i) =>
            out.push(
              `    ${(i === 0 ? layer.label : "").padEnd(LABEL)}${paint(l, cellOf.status, o)}`,
            ),
          );
        }
      }
    }
    for (const path of ["primary", "secondary"] as const) {
      const routes = p.paths[path].receivedRoutes;
      if (!routes) continue;
      out.push("", `  received routes ${neutralise(p.name)}/${path}:`);
      if (!Array.isArray(routes))
        out.push(
          ...prose(`could not read: ${routes.error.kind} (${routes.error.message})`, width, "    "),
        );
      else if (routes.length === 0) out.push("    (none)");
      else
        for (const r of routes)
          out.push(
            fit(
              neutralise(
                `    ${r.network.padEnd(20)} via ${r.nextHop.padEnd(16)} locPrf ${r.locPrf || "-"}  path ${r.path}`,
              ),
              width,
            ),
          );
    }
  }
  out.push("");
  if (c.findings.length === 0)
    out.push("  No findings: every layer that could be read is healthy.");
  for (const f of c.findings)
    out.push(
      renderFinding(f, undefined, { ...o, width: width - 2 })
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
      "",
    );
  return out.join("\n");
}

// Table output for a person at 2 a.m.: the layer table per peering with the
// broken cell impossible to miss, then each finding with its owner, next action
// and ticket. Words, not only colours, carry the state (colour is a bonus on a TTY).

import type { ReportCircuit, ReportFinding } from "../app/report.js";
import type { LayerStatus } from "../core/model.js";
import { LAYER_ROWS, STATUS_WORDS } from "../core/vocabulary.js";

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
}

function paint(text: string, status: string, o: RenderOptions): string {
  return o.colour ? `\u001b[${COLOUR[status as LayerStatus] ?? "0"}m${text}\u001b[0m` : text;
}

function cellText(
  cell: { status: string; detail: string },
  width: number,
  o: RenderOptions,
): string {
  const text = `${STATUS_WORDS[cell.status as LayerStatus] ?? cell.status} ${cell.detail}`;
  const clipped = text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
  return paint(clipped, cell.status, o);
}

export function renderFinding(
  f: ReportFinding,
  circuitName?: string,
  o: Pick<RenderOptions, "brief"> = {},
): string {
  const where = [circuitName, f.peering, f.paths.length > 0 ? f.paths.join("+") : null]
    .filter(Boolean)
    .join("  ");
  const lines = [
    `${f.severity}  ${f.code}  owner: ${f.owner}  ${where}`,
    `  ${f.title}`,
    `  Next: ${f.nextAction}`,
  ];
  if (f.ticket && !o.brief)
    lines.push("  Ticket for the carrier:", ...f.ticket.split("\n").map((l) => `    ${l}`));
  return lines.join("\n");
}

export function renderCircuit(c: ReportCircuit, o: RenderOptions): string {
  const out: string[] = [];
  out.push(
    `${c.name}  (${c.provider ?? "provider ?"} @ ${c.peeringLocation ?? "?"}; service key ${c.serviceKey ?? "?"})`,
  );
  if (!o.brief) out.push(`  ${c.id}`);
  out.push(
    `  read ${c.readAt}; model ${c.settings.connectivityModel}; criticality ${c.settings.criticality}`,
  );
  const width = 38;
  for (const p of c.peerings) {
    // Wide enough for the longest peering name ("AzurePrivatePeering") plus a space.
    const label = Math.max(18, p.name.length + 1);
    out.push("");
    out.push(`  ${p.name.padEnd(label)}${"primary".padEnd(width + 1)}secondary`);
    for (const layer of LAYER_ROWS) {
      out.push(
        `  ${layer.label.padEnd(label)}${cellText(p.paths.primary[layer.key], width, o)} ${cellText(p.paths.secondary[layer.key], width, o)}`,
      );
    }
    for (const path of ["primary", "secondary"] as const) {
      const routes = p.paths[path].receivedRoutes;
      if (!routes) continue;
      out.push("", `  received routes ${p.name}/${path}:`);
      if (!Array.isArray(routes))
        out.push(`    could not read: ${routes.error.kind} (${routes.error.message})`);
      else if (routes.length === 0) out.push("    (none)");
      else
        for (const r of routes)
          out.push(
            `    ${r.network.padEnd(20)} via ${r.nextHop.padEnd(16)} locPrf ${r.locPrf || "-"}  path ${r.path}`,
          );
    }
  }
  out.push("");
  if (c.findings.length === 0)
    out.push("  No findings: every layer that could be read is healthy.");
  for (const f of c.findings)
    out.push(
      renderFinding(f, undefined, o)
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
      "",
    );
  return out.join("\n");
}

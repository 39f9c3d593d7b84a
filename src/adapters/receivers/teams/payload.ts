// The Teams card: what happened, what changed, who acts and how, readable on a
// phone at 2 a.m. Pure: everything comes in as arguments.
//
// Teams Workflows webhooks take an Adaptive Card (≤ 1.4) in a message
// envelope and reject messages over about 28 KB, so evidence and the carrier
// ticket are shortened with a visible marker when they would not fit.

import type { AlertEvent } from "../../../core/alert-event.js";
import type {
  AlertAction,
  LayerCell,
  LayerStatus,
  Owner,
  PathName,
  Severity,
} from "../../../core/model.js";
import { PATHS } from "../../../core/model.js";
import { safeCut, truncate as cap } from "../../../core/text.js";
import { LAYER_ROWS, STATUS_WORDS } from "../../../core/vocabulary.js";

/** Under 28 KB however a KB is counted, leaving Teams' own envelope some room. */
export const TEAMS_MAX_MESSAGE_BYTES = 28_000;

// Caps for the free-text fields so evidence and ticket always have room left.
const MAX_HEADLINE = 600;
const MAX_SENTENCE = 2_000;
const MAX_FACT = 500;
const MAX_CELL = 200;

type Element = Record<string, unknown>;

export interface TeamsMessageOptions {
  /** The erwatch status page; the card gets an "Open status page" button only when given. */
  statusUrl?: string;
}

export function buildTeamsMessage(event: AlertEvent, options: TeamsMessageOptions = {}): object {
  const evidence = evidenceText(event.evidence);
  const ticket = event.ticket ?? "";
  const render = (keep: number) =>
    envelope(
      buildCard(
        event,
        options,
        shorten(evidence, keep),
        event.ticket === null ? null : shorten(ticket, keep),
      ),
    );

  const full = render(Infinity);
  if (size(full) <= TEAMS_MAX_MESSAGE_BYTES) return full;
  // Largest per-block character allowance that fits: the shorter block stays
  // whole, the longer one gives up the rest.
  let low = 0;
  let high = Math.max(evidence.length, ticket.length);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(render(mid)) <= TEAMS_MAX_MESSAGE_BYTES) low = mid;
    else high = mid - 1;
  }
  return render(low);
}

function envelope(card: Element): object {
  return {
    type: "message",
    attachments: [
      { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card },
    ],
  };
}

function size(message: object): number {
  return Buffer.byteLength(JSON.stringify(message), "utf8");
}

function buildCard(
  event: AlertEvent,
  options: TeamsMessageOptions,
  evidence: string,
  ticket: string | null,
): Element {
  const body: Element[] = [
    header(event),
    text(cap(event.change, MAX_SENTENCE), { spacing: "Medium" }),
    { type: "FactSet", spacing: "Medium", facts: facts(event) },
    text("Next action", { weight: "Bolder", spacing: "Medium" }),
    text(cap(event.nextAction, MAX_SENTENCE), { spacing: "Small" }),
    ...layerTable(event),
  ];
  if (evidence !== "") {
    body.push(text("Evidence", { weight: "Bolder", spacing: "Medium" }));
    body.push(monospace(evidence));
  }
  if (ticket !== null) {
    const provider = event.circuit.serviceProviderName ?? "the carrier";
    body.push(
      text(`Carrier ticket — paste into a ticket with ${provider}`, {
        weight: "Bolder",
        spacing: "Medium",
      }),
    );
    body.push(monospace(ticket));
  }
  const card: Element = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    msteams: { width: "Full" },
    body,
  };
  if (options.statusUrl)
    card.actions = [{ type: "Action.OpenUrl", title: "Open status page", url: options.statusUrl }];
  return card;
}

const HEADER_STYLE: Record<Severity, string> = {
  Sev0: "attention",
  Sev1: "attention",
  Sev2: "warning",
  Sev3: "warning",
  Sev4: "default",
};

/** "OPEN Sev2", "ESCALATED Sev2 → Sev0", "RESOLVED". */
export function headline(
  event: Pick<AlertEvent, "action" | "severity" | "previousSeverity">,
): string {
  const from = event.previousSeverity;
  const moved = (verb: string) =>
    from ? `${verb} ${from} → ${event.severity}` : `${verb} to ${event.severity}`;
  const words: Record<AlertAction, () => string> = {
    open: () => `OPEN ${event.severity}`,
    escalate: () => moved("ESCALATED"),
    deescalate: () => moved("DE-ESCALATED"),
    repeat: () => `STILL FIRING ${event.severity}`,
    resolve: () => "RESOLVED",
  };
  return words[event.action]();
}

function header(event: AlertEvent): Element {
  return {
    type: "Container",
    style: event.action === "resolve" ? "good" : HEADER_STYLE[event.severity],
    bleed: true,
    items: [
      text(cap(`${headline(event)} · ${event.circuit.name}`, MAX_HEADLINE), {
        size: "Large",
        weight: "Bolder",
      }),
      text(cap(event.title, MAX_HEADLINE), { weight: "Bolder", spacing: "Small" }),
    ],
  };
}

const OWNER_WORDS: Record<Owner, string> = {
  carrier: "carrier — open a ticket",
  you: "you",
  shared: "shared",
};

function facts(event: AlertEvent): { title: string; value: string }[] {
  const c = event.circuit;
  const rows: [string, string | null | undefined][] = [
    ["Circuit", c.name],
    ["Peering", event.peering ?? "whole circuit"],
    ["Affected paths", event.paths.length > 0 ? event.paths.join(" and ") : "none named"],
    ["Layer", event.layer],
    ["Owner", OWNER_WORDS[event.owner] ?? event.owner],
    ["Code", event.code],
    ["First seen", event.firstSeen],
    ["Service key", c.serviceKey],
    ["Provider", provider(c.serviceProviderName, c.peeringLocation)],
  ];
  return rows
    .filter((row): row is [string, string] => typeof row[1] === "string" && row[1] !== "")
    .map(([title, value]) => ({ title, value: cap(value, MAX_FACT) }));
}

function provider(
  name: string | null | undefined,
  location: string | null | undefined,
): string | null {
  if (!name) return null;
  return location ? `${name} at ${location}` : name;
}

const PATH_COLUMNS = PATHS;

const STATUS_COLOR: Record<LayerStatus, string> = {
  up: "good",
  warn: "warning",
  down: "attention",
  unknown: "default",
  "n/a": "default",
};

/**
 * A ColumnSet per layer (Table is Adaptive Cards 1.5, which Teams webhooks refuse).
 * Read defensively: the event arrived over a queue and the table is not re-validated there.
 */
function layerTable(event: AlertEvent): Element[] {
  const table = event.layerTable;
  if (!table || typeof table !== "object" || !table.paths) return [];
  const affected = (path: PathName) => (event.paths.includes(path) ? `${path} (affected)` : path);
  const rows: Element[] = [
    text(`Layers — ${table.name ?? event.peering ?? ""}`.trim(), {
      weight: "Bolder",
      spacing: "Medium",
    }),
    row(
      "layer",
      PATH_COLUMNS.map((p) => ({ text: affected(p), color: "default", bold: true })),
      true,
    ),
  ];
  for (const layer of LAYER_ROWS) {
    const cells = PATH_COLUMNS.map((path) => cellView(table.paths[path]?.[layer.key]));
    rows.push(row(layer.label, cells, false));
  }
  const prefixes = PATH_COLUMNS.map((path) =>
    prefixView(table.prefixes?.[path], table.limits?.[path]),
  );
  if (prefixes.some((p) => p !== null)) {
    rows.push(
      row(
        "prefixes",
        prefixes.map((p) => ({ text: p ?? "—", color: "default", bold: false })),
        false,
      ),
    );
  }
  return rows;
}

interface CellView {
  text: string;
  color: string;
  bold: boolean;
}

function cellView(cell: LayerCell | undefined): CellView {
  const status: LayerStatus = cell && cell.status in STATUS_WORDS ? cell.status : "unknown";
  const detail = cell?.detail ? ` · ${cap(cell.detail, MAX_CELL)}` : "";
  return { text: `${STATUS_WORDS[status]}${detail}`, color: STATUS_COLOR[status], bold: false };
}

function prefixView(
  count: number | null | undefined,
  limit: number | null | undefined,
): string | null {
  if (typeof count !== "number") return null;
  return typeof limit === "number" ? `${count} of ${limit}` : String(count);
}

function row(label: string, cells: CellView[], heading: boolean): Element {
  const column = (width: number, items: Element[]): Element => ({ type: "Column", width, items });
  const weight = (bold: boolean) => (bold ? { weight: "Bolder" } : {});
  return {
    type: "ColumnSet",
    spacing: heading ? "Small" : "None",
    columns: [
      column(2, [text(label, { ...weight(heading), isSubtle: !heading })]),
      ...cells.map((cell) =>
        column(4, [text(cell.text, { color: cell.color, ...weight(cell.bold || heading) })]),
      ),
    ],
  };
}

function text(value: string, props: Element = {}): Element {
  return { type: "TextBlock", text: value, wrap: true, ...props };
}

/**
 * Teams renders TextBlock text as Markdown, where a single line break is
 * ignored: every line becomes its own paragraph, and runs of spaces become
 * no-break spaces so ARP rows stay aligned.
 */
function monospace(value: string): Element {
  const lines = value
    .split(/\r?\n/)
    .map((line) => line.replace(/ {2,}/g, (m) => "\u00a0".repeat(m.length)));
  return {
    type: "TextBlock",
    text: lines.join("\n\n"),
    wrap: true,
    fontType: "Monospace",
    spacing: "Small",
  };
}

/** Evidence as "key: value" lines; values that are not strings as compact JSON. */
function evidenceText(evidence: Record<string, unknown> | null | undefined): string {
  if (!evidence || typeof evidence !== "object") return "";
  return Object.entries(evidence)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join("\n");
}

/** Keep `keep` characters of `value`; say how many were left out, never drop silently. */
export function shorten(value: string, keep: number): string {
  if (value.length <= keep) return value;
  const cut = safeCut(value, keep);
  const hidden = value.length - cut;
  return `${value.slice(0, cut)}\n… (truncated: ${hidden} characters not shown; see the erwatch status page)`;
}

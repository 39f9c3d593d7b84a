// The per-path layer table of the card, laid out for a 360 px phone: each
// layer's name on its own full-width line (so "provider / L2" or "gateway
// wiring" never breaks mid-word in a narrow column), then the two paths side
// by side in equal columns that line up from row to row.
//
// Status is carried by the word (STATUS_WORDS) and by the cell's container
// style. Text keeps the style's own default colour, which Teams pairs with
// that background in both themes; coloured text ("warning" is yellow at
// 1.47:1 on the light theme) is never used.
//
// Table is Adaptive Cards 1.5, which Teams webhooks refuse: ColumnSets it is.

import type { AlertEvent } from "../../../core/alert-event.js";
import type { LayerCell, LayerStatus, PathName } from "../../../core/model.js";
import { PATHS } from "../../../core/model.js";
import { thousands, truncate } from "../../../core/text.js";
import { LAYER_ROWS, STATUS_WORDS } from "../../../core/vocabulary.js";
import { escapeMarkdown } from "./markdown.js";

export type Element = Record<string, unknown>;

const MAX_CELL = 200;

/** Container styles whose default text colour has contrast on their background in Teams. */
export const STATUS_STYLE: Record<LayerStatus, string> = {
  up: "good",
  warn: "warning",
  down: "attention",
  unknown: "emphasis",
  "n/a": "default",
};

export function text(value: string, props: Element = {}): Element {
  return { type: "TextBlock", text: value, wrap: true, ...props };
}

/**
 * Read defensively: the event arrived over a queue and the table is not
 * re-validated there. `note` follows the heading ("Layers of X<note>").
 */
export function layerTable(event: AlertEvent, note = ""): Element[] {
  const table = event.layerTable;
  if (!table || typeof table !== "object" || !table.paths) return [];
  const heading = (path: PathName) =>
    event.paths.includes(path) ? `${path} path (affected)` : `${path} path`;
  const name = escapeMarkdown(typeof table.name === "string" ? table.name : (event.peering ?? ""));
  const rows: Element[] = [
    text(`Layers${name ? ` of ${name}` : ""}${note}`, { weight: "Bolder", spacing: "Large" }),
    pathColumns(
      PATHS.map((path) => ({ item: text(heading(path), { weight: "Bolder", size: "Small" }) })),
      "Small",
    ),
  ];
  for (const layer of LAYER_ROWS) {
    rows.push(text(layer.label, { weight: "Bolder", size: "Small", spacing: "Small" }));
    rows.push(
      pathColumns(
        PATHS.map((path) => cell(table.paths[path]?.[layer.key])),
        "None",
      ),
    );
  }
  const prefixes = PATHS.map((path) => prefixView(table.prefixes?.[path], table.limits?.[path]));
  if (prefixes.some((p) => p !== null)) {
    rows.push(text("received prefixes", { weight: "Bolder", size: "Small", spacing: "Small" }));
    rows.push(
      pathColumns(
        prefixes.map((p) => ({ item: text(p ?? "—") })),
        "None",
      ),
    );
  }
  return rows;
}

interface Cell {
  item: Element;
  /** The column's container style; the page's own when absent. */
  style?: string;
}

/** Equal stretch columns, one per path, so cells line up from row to row. */
function pathColumns(cells: Cell[], spacing: string): Element {
  return {
    type: "ColumnSet",
    spacing,
    columns: cells.map(({ item, style }) => ({
      type: "Column",
      width: "stretch",
      ...(style ? { style } : {}),
      items: [item],
    })),
  };
}

/** "DOWN · no ARP entry for the on-prem side", on its status's background. */
function cell(value: LayerCell | undefined): Cell {
  const status: LayerStatus = value && value.status in STATUS_WORDS ? value.status : "unknown";
  const detail =
    typeof value?.detail === "string" && value.detail !== ""
      ? ` · ${escapeMarkdown(truncate(value.detail, MAX_CELL))}`
      : "";
  return { item: text(`${STATUS_WORDS[status]}${detail}`), style: STATUS_STYLE[status] };
}

function prefixView(
  count: number | null | undefined,
  limit: number | null | undefined,
): string | null {
  if (typeof count !== "number") return null;
  // As the title and evidence write counts ("3,820 of 4,000").
  return typeof limit === "number"
    ? `${thousands(count)} of ${thousands(limit)}`
    : thousands(count);
}

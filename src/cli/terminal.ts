// What the CLI prints goes to a person's terminal, and much of it comes from
// Azure (names, tags, provider strings, error messages): one control character
// in a tag could clear the screen, retitle the window or hide a line. Data is
// neutralised field by field before erwatch adds its own colours, and every
// chunk is checked once more on its way out. Widths follow the terminal.

import type { Env } from "../config/settings.js";

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Columns of the terminal when `isTTY`. */
  columns?: number;
}

/**
 * C0 controls, DEL, C1 controls, and the Unicode format characters that
 * reorder or hide text on a terminal (bidi overrides and isolates, marks).
 */
const UNSAFE_CLASS =
  "[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]";
const UNSAFE = new RegExp(UNSAFE_CLASS, "g");
const UNSAFE_ONE = new RegExp(`^${UNSAFE_CLASS}$`);

const visible = (c: string): string => {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
};

/**
 * Text from data, safe to print: every control or reordering character is
 * shown as an escape (`\x1b`, `\u202e`) rather than obeyed, so odd data stays
 * visible instead of acting. A tab becomes a space; a newline too, unless the
 * caller prints several lines (`multiline`).
 */
export function neutralise(text: unknown, options: { multiline?: boolean } = {}): string {
  return String(text ?? "").replace(UNSAFE, (c) => {
    if (c === "\t") return " ";
    if (c === "\n") return options.multiline ? "\n" : " ";
    return visible(c);
  });
}

// erwatch's own sequences: colours (SGR) and clearing the progress line.
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const OWN_SEQUENCE = /^(?:\u001b\[[0-9;]*m|\r\u001b\[2K|\u001b\[2K)/;

/**
 * The last check on everything written: erwatch's own colour and line-clear
 * sequences and newlines pass; any other control character is escaped.
 */
export function terminalSafe(chunk: string): string {
  let out = "";
  for (let i = 0; i < chunk.length;) {
    const rest = chunk.slice(i);
    const own = OWN_SEQUENCE.exec(rest);
    if (own) {
      out += own[0];
      i += own[0].length;
      continue;
    }
    const c = chunk[i]!;
    out += c !== "\n" && UNSAFE_ONE.test(c) ? visible(c) : c;
    i += 1;
  }
  return out;
}

/**
 * JSON with the characters JSON.stringify leaves raw (DEL, C1, bidi controls,
 * line separators) written as \u escapes: the same document to any parser,
 * harmless on a terminal. The report's contract is unchanged.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

export interface Terminal {
  /** Columns to fit: COLUMNS when set, the terminal's width on a TTY, else 80. */
  width: number;
  colour: boolean;
}

export const DEFAULT_WIDTH = 80;
const MIN_WIDTH = 40;

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function terminalOf(stream: Stream, env: Env): Terminal {
  const fromEnv = Number.parseInt(env.COLUMNS ?? "", 10);
  const width =
    Number.isInteger(fromEnv) && fromEnv > 0
      ? fromEnv
      : stream.isTTY && stream.columns && stream.columns > 0
        ? stream.columns
        : DEFAULT_WIDTH;
  const colour = stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
  return { width: Math.max(MIN_WIDTH, width), colour };
}

/** Columns a string takes: code points (Azure names are rarely wide characters). */
export const displayWidth = (text: string): number => Array.from(text).length;

/** Cut to `width` columns with "…" when longer; padded when `pad`. */
export function fit(text: string, width: number, pad = false): string {
  const chars = Array.from(text);
  if (chars.length > width)
    return width <= 0 ? "" : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
  return pad ? text + " ".repeat(width - chars.length) : text;
}

/**
 * Word-wraps prose to `width`, lines after the first indented by `indent`. A
 * line's own leading spaces are kept, and its wrapped continuation sits
 * under it, `indent` further in: the CLI nests its summaries by indentation
 * ("  2 reads failed…", "    2 × throttled …"), and flush left they read as
 * one list. Spaces between words stay as written (a detail may align its
 * text with two); only those where a line breaks go. A single word longer
 * than a line (a resource id) is kept whole: a person may copy it.
 */
export function wrap(text: string, width: number, indent = ""): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    const lead = /^ */.exec(paragraph)![0];
    const first = `${out.length === 0 ? "" : indent}${lead}`;
    const rest = `${indent}${lead}`;
    let prefix = first;
    let line = "";
    for (const [, gap, word] of paragraph.slice(lead.length).matchAll(/( *)([^ ]+)/g)) {
      if (line === "") line = word!;
      else if (displayWidth(prefix + line + gap) + displayWidth(word!) <= width)
        line += gap! + word!;
      else {
        out.push(prefix + line);
        prefix = rest;
        line = word!;
      }
    }
    // A blank line stays blank: no indent left trailing on it.
    out.push(line === "" ? "" : prefix + line);
  }
  return out;
}

/**
 * A table cell's words on as many lines as they take, none wider than
 * `width`: a cell cut at its column ("Connection Monitor re…") hid what failed
 * and why. A word wider than the cell is broken there, so the columns stay
 * aligned.
 */
export function wrapCell(text: string, width: number): string[] {
  const span = Math.max(1, width);
  return wrap(text, span).flatMap((line) => {
    const chars = Array.from(line);
    const pieces: string[] = [];
    for (let at = 0; at < chars.length; at += span)
      pieces.push(chars.slice(at, at + span).join(""));
    return pieces.length > 0 ? pieces : [""];
  });
}

/**
 * `text` wrapped to the full `width`, every line at `indent` and the
 * continuations at `hanging` (which starts with `indent`): an indented list
 * fills the terminal, where wrapping to `width - indent` left its
 * continuation lines that much short.
 */
export function wrapIndented(
  text: string,
  width: number,
  indent: string,
  hanging = indent,
): string[] {
  return wrap(text, width - indent.length, hanging.slice(indent.length)).map((l) =>
    l === "" ? l : `${indent}${l}`,
  );
}

export interface Column {
  header: string;
  /** Narrowest it may be cut to; fixed when equal to its natural width. */
  min: number;
  /** Gives way before the other columns do (prose such as a title). */
  flex?: boolean;
  /**
   * Goes on under its row, in its own column with the others blank, instead
   * of being cut: a finding's title or an alert's change read whole.
   */
  wrap?: boolean;
}

/**
 * A table that fits `width`: columns take their natural width, and when the
 * row is too long the `flex` columns give way first, then the widest others
 * (never below `min`);
 * cut cells end in "…", and a `wrap` column's cell takes more lines instead.
 * `paint` colours a cell after it is cut to size.
 */
export function renderTable(
  columns: Column[],
  rows: string[][],
  width: number,
  paint: (row: number, column: number, text: string) => string = (_r, _c, t) => t,
): string[] {
  const gap = 2;
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i] ?? ""))),
  );
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  /** The widest column that may still give way, of those `which` admits; -1 when none. */
  const widestOf = (which: (c: Column) => boolean): number => {
    let widest = -1;
    for (let i = 0; i < widths.length; i += 1)
      if (
        which(columns[i]!) &&
        widths[i]! > columns[i]!.min &&
        (widest < 0 || widths[i]! > widths[widest]!)
      )
        widest = i;
    return widest;
  };
  // The flex columns give way first, as documented: the loop took the widest
  // column whatever it was, so a long circuit name or alert key was cut while
  // the prose beside it kept its width.
  while (total() > width) {
    const flex = widestOf((c) => c.flex === true);
    const widest = flex >= 0 ? flex : widestOf(() => true);
    if (widest < 0) break;
    widths[widest] = widths[widest]! - 1;
  }
  const lines = (cells: string[], row: number): string[] => {
    const pieces = cells.map((cell, i) =>
      row >= 0 && columns[i]?.wrap ? wrapCell(cell, widths[i]!) : [fit(cell, widths[i]!)],
    );
    const count = Math.max(...pieces.map((p) => p.length));
    return Array.from({ length: count }, (_, k) =>
      pieces
        .map((p, i) => {
          const piece = p[k] ?? "";
          const text = i === cells.length - 1 ? piece : fit(piece, widths[i]!, true);
          // A blank under a row is left unpainted: colour codes there would only be noise.
          return row < 0 || piece === "" ? text : paint(row, i, text);
        })
        .join(" ".repeat(gap))
        .trimEnd(),
    );
  };
  return [
    ...lines(
      columns.map((c) => c.header),
      -1,
    ),
    ...rows.flatMap((r, i) => lines(r, i)),
  ];
}

/** Peering names as a narrow column shows them: "AzurePrivatePeering" → "Private". */
export function shortPeering(name: string): string {
  return name.replace(/^Azure(\w+)Peering$/, "$1").replace(/^(\w+)Peering$/, "$1");
}

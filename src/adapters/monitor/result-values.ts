// The numbers of a Connection Monitor result row, as Log Analytics gives
// them: a number, or a number as text. A value no test can have (a negative
// round trip, more checks failed than were run, a port outside 1–65535) says
// nothing: it is left out (null), never shown as a measurement nor let change
// which endpoint the row is of. A TestResult that is not text is named as
// sent, not worded "missing": the operator looks for a different fault.

import { truncate } from "../../core/text.js";

/** A finite number, or one given as text; null for anything else. */
export function numberOf(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** At least 0 (a time, a count, a threshold); null otherwise. */
export function measureOf(value: unknown): number | null {
  const n = numberOf(value);
  return n !== null && n >= 0 ? n : null;
}

/**
 * The TCP port of a row's destination. Written after the endpoint's name
 * ("vm-app:443"), one that is not a port ("vm-app:-1", "vm-app:1e+308") no
 * longer named the endpoint: the row read as another destination's, its
 * Fail left out as a test the group no longer defines.
 */
export function portOf(value: unknown): number | null {
  const n = numberOf(value);
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 65_535 ? n : null;
}

/** Checks failed as a percentage of those run, to one decimal; null when the counts are not counts. */
export function failedPercentOf(failed: unknown, total: unknown): number | null {
  const f = measureOf(failed);
  const t = measureOf(total);
  if (f === null || t === null || t === 0 || f > t) return null;
  // f / t first: counts near 1e308 would overflow to Infinity.
  return Math.round((f / t) * 1000) / 10;
}

/** A percentage threshold: 0–100; null otherwise. */
export function percentOf(value: unknown): number | null {
  const n = measureOf(value);
  return n !== null && n <= 100 ? n : null;
}

/** Longest a value sent in place of a result is shown: enough to recognise it, not to fill a cell. */
const SHOWN_RESULT = 40;

/** Why a row's TestResult cannot be judged; null when it is a word (any word, judged as such). */
export function resultProblem(value: unknown): string | null {
  if (typeof value === "string" && value.trim() !== "") return null;
  if (value === null || value === undefined || typeof value === "string")
    return "TestResult is missing";
  const sent = typeof value === "object" ? (JSON.stringify(value) ?? String(value)) : String(value);
  // Control characters would reach log lines and terminals as they are.
  const safe = [...sent].map((ch) => (ch < " " || ch === "\u007f" ? "?" : ch)).join("");
  return `TestResult is ${truncate(safe, SHOWN_RESULT)}, not a result erwatch knows`;
}

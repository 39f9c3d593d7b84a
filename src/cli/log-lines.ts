// The CLI's log lines as a person at a terminal reads them. pino writes JSON
// for the Functions host and Application Insights; on an on-call engineer's
// stderr the same line, with its error's whole stack trace, buried the one
// sentence that said what went wrong. Here each line is that sentence, its
// error's first line and its fields; the stack only at LOG_LEVEL debug or
// trace. Secrets were scrubbed from the JSON before it reaches this (logging.ts).

import type { DestinationStream } from "pino";
import { neutralise } from "./terminal.js";

const LEVEL_WORDS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warning",
  50: "error",
  60: "fatal",
};

/** What every line carries and a person does not need to read. */
const BOOKKEEPING = new Set(["level", "time", "pid", "hostname", "service", "msg", "err", "error"]);
/** A field longer than this is cut: the JSON log (Functions) keeps it whole. */
const FIELD_CHARS = 300;
const ERROR_CHARS = 500;

const cut = (text: string, chars: number) =>
  text.length > chars ? `${text.slice(0, chars - 1)}…` : text;

function fieldText(value: unknown): string {
  return cut(typeof value === "string" ? value : JSON.stringify(value), FIELD_CHARS);
}

/** One pino JSON line as one line of text (more, with the stack). */
export function humanLine(line: string, options: { stacks: boolean }): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return neutralise(line.trimEnd());
  }
  const level = LEVEL_WORDS[Number(record.level)] ?? "log";
  const error = (record.err ?? record.error) as { message?: unknown; stack?: unknown } | undefined;
  const fields = Object.entries(record)
    .filter(([key, value]) => !BOOKKEEPING.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const because =
    typeof error?.message === "string"
      ? `: ${cut(error.message.split("\n")[0] ?? "", ERROR_CHARS)}`
      : "";
  let text = neutralise(
    `erwatch: ${level}: ${String(record.msg ?? "")}${because}${fields.length > 0 ? ` (${fields.join(", ")})` : ""}`,
  );
  if (options.stacks && typeof error?.stack === "string")
    text += `\n${neutralise(error.stack, { multiline: true })
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n")}`;
  return text;
}

/** A pino destination writing `humanLine`s. */
export function humanLogDestination(
  write: (text: string) => unknown,
  options: { stacks: boolean },
): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n"))
        if (line.trim() !== "") write(`${humanLine(line, options)}\n`);
    },
  };
}

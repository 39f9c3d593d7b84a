import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logging.js";

/** A pino logger that keeps its JSON lines in memory. */
export function memoryLogger(
  secrets: string[] = [],
  options: { level?: string; healthLines?: boolean } = {},
): {
  logger: Logger;
  lines: () => string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({
    destination,
    level: options.level ?? "debug",
    secrets,
    ...(options.healthLines ? { healthLines: true } : {}),
  });
  return {
    logger,
    lines: () => lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

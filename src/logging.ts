// pino JSON logs. Secrets are removed twice: by key (redact paths) and by
// value (every registered secret string is scrubbed from the serialized line),
// because a secret can hide inside an error message or a URL as easily as in a
// field called `url`.

import pino, { type DestinationStream, type Logger } from "pino";
import { redact, secretForms } from "./core/text.js";

export type { Logger } from "pino";

const REDACT_PATHS = [
  "*.connectionString",
  "*.routingKey",
  "*.routing_key",
  "*.webhookUrl",
  "*.url",
  "*.headers.authorization",
  "*.headers.Authorization",
  "*.token",
  "*.sharedAccessKey",
  "secret",
  "*.secret",
];

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; stdout when omitted. Tests capture it. */
  destination?: DestinationStream;
  /** Secret values (connection strings, webhook URLs, routing keys) to scrub from every line. */
  secrets?: Iterable<string>;
  base?: Record<string, unknown>;
}

/**
 * Scrubs every form of every secret (core/text.ts decides which forms count)
 * from a serialized log line: a secret can sit JSON-escaped in a message or
 * URL-encoded in a request line as easily as raw.
 */
export function scrubber(secrets: Iterable<string>): (line: string) => string {
  const forms = secretForms(secrets);
  return (line) => redact(line, forms, "[REDACTED]");
}

/**
 * Under the Functions host, console.warn / console.error become Warning / Error
 * traces in Application Insights; plain stdout would all be Information.
 */
export function consoleDestination(): DestinationStream {
  return {
    write(line: string) {
      const level = /"level":(\d+)/.exec(line)?.[1];
      const text = line.trimEnd();
      if (level !== undefined && Number(level) >= 50) console.error(text);
      else if (level !== undefined && Number(level) >= 40) console.warn(text);
      else console.log(text);
    },
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = scrubber(options.secrets ?? []);
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "erwatch", ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

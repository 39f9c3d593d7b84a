// pino JSON logs. Secrets are removed twice: by key (redact paths) and by
// value (every registered secret string is scrubbed from the serialized line),
// because a secret can hide inside an error message or a URL as easily as in a
// field called `url`.

import pino, { type DestinationStream, type Logger } from "pino";

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

/** Secrets shorter than this are too likely to collide with ordinary words. */
const MIN_SECRET_LENGTH = 8;

export function scrubber(secrets: Iterable<string>): (line: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    values.add(secret);
    // The same secret appears JSON-escaped inside a serialized log line.
    values.add(JSON.stringify(secret).slice(1, -1));
    try {
      values.add(encodeURIComponent(secret));
    } catch {
      // not encodable: the raw form is still scrubbed
    }
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const value of ordered) if (out.includes(value)) out = out.split(value).join("[REDACTED]");
    return out;
  };
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

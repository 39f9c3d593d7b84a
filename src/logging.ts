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
  /**
   * The lines infra's health alerts count (healthLine) are written whatever
   * `level` says: under the Functions host, where the alerts read them.
   */
  healthLines?: boolean;
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

/** The secret values a logger scrubs; more may be added once settings are read. */
class SecretValues {
  private readonly values: Set<string>;
  private scrub: (line: string) => string;

  constructor(values: Iterable<string>) {
    this.values = new Set(values);
    this.scrub = scrubber(this.values);
  }

  add(values: Iterable<string>): void {
    const before = this.values.size;
    for (const v of values) this.values.add(v);
    if (this.values.size !== before) this.scrub = scrubber(this.values);
  }

  line = (line: string): string => this.scrub(line);
}

// On the logger object: pino's children inherit it (Object.create of their parent).
const SECRET_VALUES = Symbol("erwatch.secretValues");
const HEALTH_LINES = Symbol("erwatch.healthLines");

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = new SecretValues(options.secrets ?? []);
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { service: "erwatch", ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: secrets.line },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  Object.defineProperty(logger, SECRET_VALUES, { value: secrets });
  if (options.healthLines) Object.defineProperty(logger, HEALTH_LINES, { value: true });
  return logger;
}

/**
 * The logger for a line one of infra's health alerts counts ("sweep
 * finished", "work done", "could not publish …", "the circuit could not be
 * recorded", "history could not be read", "history could not be written",
 * "Log Analytics is ingesting Connection Monitor results late", "Log
 * Analytics cannot be queried for Connection Monitor results", the left-out
 * settings). An operator quieting the logs with
 * LOG_LEVEL=warn to save on ingestion took away "sweep finished", and the
 * dead-man's switch paged every 15 minutes on a healthy erwatch (error took
 * the warn lines too and blinded two alerts); so under the Functions host
 * these lines are written at their own level whatever LOG_LEVEL says. The
 * CLI's logger is not marked: its info lines stay off its terminal.
 */
export function healthLine(log: Logger): Logger {
  const marked = (log as unknown as Record<symbol, boolean | undefined>)[HEALTH_LINES] === true;
  return marked && !log.isLevelEnabled("info") ? log.child({}, { level: "info" }) : log;
}

/**
 * Registers more secret values with a logger createLogger made: the CLI's
 * exists before its settings are read, and must scrub what they hold. A
 * logger that cannot scrub is refused rather than left to print them.
 */
export function addSecrets(logger: Logger, values: Iterable<string>): void {
  const secrets = (logger as unknown as Record<symbol, SecretValues | undefined>)[SECRET_VALUES];
  if (!secrets)
    throw new Error("this logger was not made by createLogger: it cannot scrub secret values");
  secrets.add(values);
}

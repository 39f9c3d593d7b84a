// The shared proof that a receiver leaks no secret (Alertmanager's
// AssertNotifyLeaksNoSecret): run it, make it fail, and look for the secret
// everywhere a person or a log could see it afterwards.
//
// The logger here has no redaction and no scrubbing on purpose: the production
// logger's scrubber is a second fence, and this checks the first one.

import { inspect } from "node:util";
import pino from "pino";

export interface CapturedLogger {
  logger: pino.Logger;
  lines(): string[];
}

/** A pino logger at "trace" that keeps its JSON lines in memory. */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const destination = {
    write(chunk: string) {
      lines.push(...chunk.split("\n").filter((l) => l !== ""));
    },
  };
  const logger = pino(
    { level: "trace", serializers: { err: pino.stdSerializers.err } },
    destination,
  );
  return { logger, lines: () => [...lines] };
}

/**
 * Runs `run` with a capturing logger and fails if `secret` shows up in any log
 * line, in what `run` returned, or in what it threw (message, stack, cause
 * chain, aggregated errors) — raw, JSON-escaped or URL-encoded.
 */
export async function assertLeaksNoSecret(
  secret: string,
  run: (log: pino.Logger) => Promise<unknown>,
): Promise<void> {
  if (secret.length < 6)
    throw new Error(
      "assertLeaksNoSecret: use a secret of at least 6 characters, or the check proves nothing",
    );
  const { logger, lines } = captureLogger();
  let returned: unknown;
  let thrown: unknown;
  let didThrow = false;
  try {
    returned = await run(logger);
  } catch (error) {
    didThrow = true;
    thrown = error;
  }

  const forms = new Set([
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    secret.replaceAll("/", "\\/"),
  ]);
  const places: [string, string][] = lines().map((line, i) => [`log line ${i + 1}`, line]);
  if (!didThrow) {
    places.push(["returned value (JSON)", safeJson(returned)]);
    places.push([
      "returned value (inspect)",
      inspect(returned, { depth: 20, breakLength: Infinity }),
    ]);
  } else {
    places.push(...errorTexts(thrown));
  }

  const leaks = places.filter(([, text]) => [...forms].some((form) => text.includes(form)));
  if (leaks.length > 0) {
    const where = leaks.map(
      ([place, text]) => `  ${place}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`,
    );
    throw new Error(`secret leaked in ${leaks.length} place(s):\n${where.join("\n")}`);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function errorTexts(error: unknown): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, path: string) => {
    if (seen.has(value)) return;
    seen.add(value);
    if (!(value instanceof Error)) {
      out.push([
        `${path} (thrown value)`,
        typeof value === "string" ? value : `${safeJson(value)} ${inspect(value, { depth: 20 })}`,
      ]);
      return;
    }
    out.push([`${path}.message`, value.message]);
    out.push([`${path}.stack`, value.stack ?? ""]);
    out.push([`${path} (inspect)`, inspect(value, { depth: 20, breakLength: Infinity })]);
    if (value.cause !== undefined) visit(value.cause, `${path}.cause`);
    if (value instanceof AggregateError)
      value.errors.forEach((e: unknown, i) => visit(e, `${path}.errors[${i}]`));
  };
  visit(error, "thrown error");
  return out;
}

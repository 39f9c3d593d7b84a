// One JSON POST with a deadline, reduced to a SendOutcome. Everything that
// could carry a secret back out — the URL inside a fetch error's `cause`, a
// server echoing our routing key in its error body, a reason phrase — is
// dropped or scrubbed here, so senders and the dispatcher can log outcomes
// without thinking about it.

import { z } from "zod";
import type { SendOutcome } from "../../app/dispatch/receiver.js";
import { receiverUrlProblem } from "../../core/receiver-url.js";
import { isRecord } from "../../core/record.js";
import { redact, secretForms, truncate } from "../../core/text.js";
import { toSendOutcome, type HttpResult } from "./outcome.js";

/** Enough of an error body to explain a rejection; the rest is never read. */
export const MAX_BODY_BYTES = 4096;
/** How much of that explanation goes into a reason. */
export const MAX_DETAIL_CHARS = 200;
/** A receiver config's URL field: the one rule in core/receiver-url.ts, as a zod schema. */
export const receiverUrlSchema = z.string().superRefine((value, ctx) => {
  const problem = receiverUrlProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `URL ${problem}` });
});

/** The host of a receiver URL, for logs: never its path or query, which hold the secret. */
export function hostOf(value: string): string {
  try {
    return new URL(value).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * When a post stops waiting for its answer. Injected by tests, which give up
 * on a receiver they made slow once it has the post rather than after real
 * time: on a loaded machine a real 300 ms also ran out on healthy receivers.
 */
export type PostDeadline = (post: { url: string; body: string; timeoutMs: number }) => AbortSignal;

/** What every sender needs from its builder besides its own config. */
export interface SenderOptions {
  timeoutMs: number;
  /** Injected by tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** The clock for Retry-After dates. */
  now?: () => Date;
  /** Injected by tests; `timeoutMs` of real time otherwise. */
  deadline?: PostDeadline;
}

export interface PostJsonOptions {
  url: string;
  body: unknown;
  /** Extra request headers (a webhook's Authorization, …); their values are treated as secrets. */
  headers?: Readonly<Record<string, string>>;
  /** How a person names the other side: "PagerDuty", "Teams webhook", "webhook". */
  target: string;
  timeoutMs: number;
  abortSignal: AbortSignal;
  /** Further secret values (a routing key sent in the body) to keep out of the reason. */
  secrets?: readonly string[];
  fetch?: typeof fetch;
  now?: () => Date;
  deadline?: PostDeadline;
  /**
   * For a receiver that answers 2xx and says in the body that it failed: the
   * status the body names, or null when the body says it worked. Unset, a
   * 2xx body is not read.
   */
  failureInBody?: (text: string) => number | null;
}

export async function postJson(options: PostJsonOptions): Promise<SendOutcome> {
  const now = options.now ?? (() => new Date());
  const finish = (result: HttpResult) => toSendOutcome(options.target, result, now());

  const problem = receiverUrlProblem(options.url);
  if (problem) return finish({ kind: "invalid-request", problem: `the configured URL ${problem}` });
  const headers = buildHeaders(options.headers ?? {});
  if (typeof headers === "string") return finish({ kind: "invalid-request", problem: headers });
  const payload = JSON.stringify(options.body);

  const { url, timeoutMs } = options;
  const timeout = options.deadline
    ? options.deadline({ url, body: payload, timeoutMs })
    : AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([options.abortSignal, timeout]);
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    // Redirects are not followed: a 3xx is a misconfigured URL (permanent), and
    // following one would send the alert somewhere nobody configured.
    response = await doFetch(options.url, {
      method: "POST",
      headers,
      body: payload,
      signal,
      redirect: "manual",
    });
  } catch (error) {
    // The error (and its cause) can name the URL: keep only which kind of failure it was.
    if (options.abortSignal.aborted) return finish({ kind: "aborted" });
    if (timeout.aborted) return finish({ kind: "timeout", timeoutMs: options.timeoutMs });
    return finish({ kind: "network", code: errorCode(error) });
  }

  const secrets = secretForms([
    options.url,
    ...Object.values(options.headers ?? {}),
    ...(options.secrets ?? []),
  ]);
  if (response.ok) {
    if (!options.failureInBody) {
      await response.body?.cancel().catch(() => undefined);
      return finish({ kind: "response", status: response.status, retryAfter: null });
    }
    const read = await readBounded(response, MAX_BODY_BYTES).catch(
      // The answer was a 2xx: a body that could not be read does not undo it.
      () => ({ text: "", truncated: false }),
    );
    const status = options.failureInBody(read.text);
    if (status === null)
      return finish({ kind: "response", status: response.status, retryAfter: null });
    // As for an error body: a secret cut in half at the read limit would escape the scrub.
    const text = read.truncated
      ? read.text.slice(0, Math.max(0, read.text.length - longest(secrets)))
      : read.text;
    const detail = sanitiseDetail(scrub(text, secrets), secrets);
    return finish({
      kind: "response",
      status,
      retryAfter: null,
      ...(detail === "" ? {} : { detail: `in a ${response.status} answer: ${detail}` }),
    });
  }
  const detail = await readDetail(response, secrets);
  return finish({
    kind: "response",
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    detail,
  });
}

function buildHeaders(extra: Readonly<Record<string, string>>): Headers | string {
  const headers = new Headers({ "user-agent": "erwatch", accept: "application/json" });
  for (const [name, value] of Object.entries(extra)) {
    try {
      headers.set(name, value);
    } catch {
      // Headers' own error quotes the value, which may be a token.
      const safeName = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(name) ? ` "${name}"` : "";
      return `configured header${safeName} has an invalid name or value`;
    }
  }
  // Last, so a configured header cannot turn the body into something else.
  headers.set("content-type", "application/json");
  return headers;
}

/** The first string `code` along the cause chain (undici nests the socket error). */
export function errorCode(error: unknown): string | null {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, cause, errors } = current as {
      code?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{1,39}$/.test(code)) return code;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return null;
}

async function readDetail(response: Response, secrets: string[]): Promise<string | undefined> {
  const type = response.headers.get("content-type") ?? "";
  let raw: { text: string; truncated: boolean };
  try {
    raw = await readBounded(response, MAX_BODY_BYTES);
  } catch {
    return undefined; // the status alone still says what happened
  }
  // A proxy's HTML error page says nothing the status does not.
  if (/html/i.test(type)) return undefined;
  let text = raw.text;
  // A secret cut in half at the read limit would escape the scrub: drop the tail it could be in.
  if (raw.truncated) text = text.slice(0, Math.max(0, text.length - longest(secrets)));
  const detail = sanitiseDetail(explain(scrub(text, secrets)), secrets);
  return detail === "" ? undefined : detail;
}

async function readBounded(
  response: Response,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= maxBytes) {
        truncated = true;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)), truncated };
}

/**
 * The human part of an error body: PagerDuty's message + errors[], Azure's
 * error.message, else the text. Any of them may be a list of texts (a
 * validation framework's one message per field): each text is read.
 */
function explain(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof parsed === "string") return parsed;
  if (!isRecord(parsed)) return text;
  const parts: string[] = [];
  const push = (value: unknown) => {
    for (const item of Array.isArray(value) ? value : [value])
      if (typeof item === "string" && item.trim() !== "") parts.push(item);
  };
  push(parsed.message);
  if (isRecord(parsed.error)) {
    push(parsed.error.code);
    push(parsed.error.message);
  } else push(parsed.error);
  push(parsed.errors);
  return parts.length > 0 ? parts.join("; ") : text;
}

/** Collapse to one short line with no secrets, URLs or control characters. */
export function sanitiseDetail(text: string, secrets: readonly string[]): string {
  const flat = scrub(text, secrets)
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, "[url]")
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return truncate(flat, MAX_DETAIL_CHARS);
}

function scrub(text: string, secrets: readonly string[]): string {
  return redact(text, secrets, "[redacted]");
}

function longest(values: readonly string[]): number {
  return values.reduce((max, v) => Math.max(max, v.length), 0);
}

// Table Storage caps a property at 64 KiB (32 K UTF-16 characters) and an
// entity at 1 MiB. JSON documents are split across numbered properties; one
// that cannot fit is an error with its size, never a silent truncation.

import { gunzipSync, gzipSync } from "node:zlib";
import { safeCut } from "../../core/text.js";

const CHUNK_CHARS = 30_000;
/** Leaves room under 1 MiB for keys, timestamps and the other columns. */
const MAX_PARTS = 15;

export class EntityTooLargeError extends Error {
  override readonly name = "EntityTooLargeError";
}

/**
 * `gzip`: kept compressed (base64), for a large document read back whole and
 * rarely, such as a sweep's answer of the whole estate: it repeats itself.
 */
export function packJson(
  value: unknown,
  what: string,
  options: { gzip?: boolean } = {},
): Record<string, string | number | boolean> {
  const json = JSON.stringify(value);
  const text = options.gzip ? gzipSync(json).toString("base64") : json;
  // Never between the two halves of a character (an emoji in a tag): each
  // property would hold half a character, which Azurite keeps but the service
  // need not, and a write refused for it would be refused every sweep.
  const parts: string[] = [];
  for (let at = 0; at < text.length && parts.length <= MAX_PARTS;) {
    const end = safeCut(text, at + CHUNK_CHARS);
    parts.push(text.slice(at, end));
    at = end;
  }
  if (parts.length > MAX_PARTS) {
    throw new EntityTooLargeError(
      `${what} is ${json.length} characters of JSON${options.gzip ? `, ${text.length} compressed` : ""}, more than one table entity holds (${MAX_PARTS * CHUNK_CHARS}); it was not written`,
    );
  }
  if (parts.length === 0) parts.push(text);
  const out: Record<string, string | number | boolean> = { jsonParts: parts.length };
  if (options.gzip) out.jsonGzip = true;
  parts.forEach((part, i) => (out[i === 0 ? "json" : `json_${i}`] = part));
  return out;
}

export function unpackJson<T>(entity: Record<string, unknown>, what: string): T {
  const parts = typeof entity.jsonParts === "number" ? entity.jsonParts : 1;
  let text = "";
  for (let i = 0; i < parts; i += 1) {
    const part = entity[i === 0 ? "json" : `json_${i}`];
    if (typeof part !== "string") throw new Error(`${what}: JSON part ${i} of ${parts} is missing`);
    text += part;
  }
  return JSON.parse(
    entity.jsonGzip === true ? gunzipSync(Buffer.from(text, "base64")).toString("utf8") : text,
  ) as T;
}

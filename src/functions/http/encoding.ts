// Response compression for the large answers (the status page and its JSON:
// megabytes at estate size). The Functions host on Linux, Flex Consumption
// included, does not compress responses (Azure/azure-functions-host#9338,
// #7285), so the handler does it when the client says it can take it.

import type { HttpResponseInit } from "@azure/functions";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);

/** Below this a body goes as it is: about one packet, where gzip saves nothing worth its CPU. */
export const COMPRESS_FROM_BYTES = 1_400;

/**
 * The q-value an Accept-Encoding gives each coding it names, lower-cased
 * (`x-gzip` counts as gzip); an Accept's media ranges read the same way.
 */
function qualities(header: string): Map<string, number> {
  const named = new Map<string, number>();
  for (const item of header.split(",")) {
    const [coding = "", ...params] = item.split(";").map((s) => s.trim().toLowerCase());
    if (coding === "") continue;
    let q = 1;
    for (const param of params) {
      const [name = "", value = ""] = param.split("=").map((s) => s.trim());
      if (name !== "q") continue;
      // A weight that is no qvalue (0 to 1, three decimals at most) is not read as a yes.
      q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : 0;
    }
    const name = coding === "x-gzip" ? "gzip" : coding;
    named.set(name, Math.max(named.get(name) ?? 0, q));
  }
  return named;
}

/**
 * Whether to answer gzip (RFC 9110 §12.5.3): gzip named with q > 0, or not
 * named and `*` allowing it; never when identity is asked for above it. No
 * header, or an empty one, is identity only.
 */
export function acceptsGzip(header: string | null): boolean {
  if (!header || header.trim() === "") return false;
  const q = qualities(header);
  const star = q.get("*");
  const gz = q.get("gzip") ?? star ?? 0;
  if (gz <= 0) return false;
  const identity = q.get("identity");
  return identity === undefined || identity <= gz;
}

/**
 * Whether the status page answers JSON (RFC 9110 §12.5.1): `application/json`
 * named, in any case (media types are case-insensitive), with q > 0 and not
 * below `text/html`. A substring test answered HTML to `Application/JSON`
 * (a script then parsed a page) and JSON to `application/json;q=0`.
 */
export function wantsJson(accept: string | null): boolean {
  if (!accept || accept.trim() === "") return false;
  const q = qualities(accept);
  const json = q.get("application/json") ?? 0;
  return json > 0 && json >= (q.get("text/html") ?? 0);
}

export interface EncodedBody {
  body: string | Uint8Array;
  /** Content-Encoding when compressed. */
  headers: Record<string, string>;
}

/** `text` gzip-compressed when the client accepts it and it is worth it. */
export async function encodeBody(
  text: string,
  acceptEncoding: string | null,
): Promise<EncodedBody> {
  if (!acceptsGzip(acceptEncoding) || Buffer.byteLength(text, "utf8") < COMPRESS_FROM_BYTES)
    return { body: text, headers: {} };
  return { body: await gzipAsync(text), headers: { "content-encoding": "gzip" } };
}

/**
 * A JSON answer, gzip-compressed when the client takes it and it is worth it
 * (a whole estate's sweep answer is megabytes); otherwise as `jsonBody`.
 */
export async function jsonAnswer(
  status: number,
  value: unknown,
  acceptEncoding: string | null,
  headers: Record<string, string> = {},
): Promise<HttpResponseInit> {
  const vary = { ...headers, vary: "Accept-Encoding" };
  const text = JSON.stringify(value);
  const encoded = await encodeBody(text, acceptEncoding);
  if (typeof encoded.body === "string") return { status, headers: vary, jsonBody: value };
  return {
    status,
    headers: { ...vary, "content-type": "application/json", ...encoded.headers },
    body: encoded.body,
  };
}

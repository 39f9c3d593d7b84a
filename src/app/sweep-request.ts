// Input of POST /api/sweep: optional circuit ids in the JSON body
// ({"circuits": [...]}) or the query (?circuit=<id>, repeatable or
// comma-separated). Problems name the field, as RFC 9457 problem details.

import { isRecord } from "../core/record.js";
import { parseCircuitId } from "../core/resource-id.js";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: { field: string; message: string }[];
}

export const PROBLEM_TYPE = "https://github.com/erwatch/erwatch/blob/main/README.md#http-api";

export function problem(
  status: number,
  title: string,
  detail: string,
  errors: Problem["errors"],
): Problem {
  return { type: PROBLEM_TYPE, title, status, detail, errors };
}

export type SweepRequestInput =
  | {
      ok: true;
      circuitIds: string[] | null;
      /** Where each of circuitIds was first named (`circuits[2]`, `circuit[0]`), for later problems. */
      fields: string[];
    }
  | { ok: false; problem: Problem };

/** Circuits one request may name, after duplicates are merged. */
export const MAX_CIRCUITS_PER_REQUEST = 1_000;
/** Bytes of body one request may send: 1,000 ids with room to spare. */
export const MAX_BODY_BYTES = 512 * 1024;

const tooMany = (count: number, field: string): SweepRequestInput => ({
  ok: false,
  problem: problem(
    400,
    "Too many circuits",
    `A request may name at most ${MAX_CIRCUITS_PER_REQUEST} circuits; this one names ${count}. Nothing was read or written.`,
    [{ field, message: `at most ${MAX_CIRCUITS_PER_REQUEST} circuits per request` }],
  ),
});

/** Query parameters a sweep request may carry: `code` is the function key, read by the host. */
const QUERY_PARAMETERS = new Set(["circuit", "code"]);

export function parseSweepRequest(bodyText: string, query: URLSearchParams): SweepRequestInput {
  const errors: Problem["errors"] = [];
  // A typo (?circuits=, ?id=) would otherwise sweep the whole estate.
  for (const name of new Set(query.keys()))
    if (!QUERY_PARAMETERS.has(name))
      errors.push({
        field: name,
        message: "is not a parameter of this request (circuit=<circuit resource id>)",
      });
  const fromQuery = query
    .getAll("circuit")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  // A script whose list came out empty (?circuit=$IDS) must not sweep the whole estate either.
  if (query.has("circuit") && fromQuery.length === 0)
    errors.push({
      field: "circuit",
      message: "names no circuit: name at least one, or leave it out to sweep them all",
    });
  let fromBody: unknown[] = [];
  if (bodyText.trim() !== "") {
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return {
        ok: false,
        problem: problem(400, "Malformed request body", "The body is not JSON.", [
          { field: "body", message: "is not valid JSON" },
        ]),
      };
    }
    if (!isRecord(body)) {
      errors.push({
        field: "body",
        message: 'must be a JSON object like {"circuits": ["<circuit resource id>"]}',
      });
    } else {
      const extra = Object.keys(body).filter((k) => k !== "circuits");
      for (const k of extra) errors.push({ field: k, message: "is not a field of this request" });
      const circuits = body.circuits;
      if (circuits !== undefined && !Array.isArray(circuits))
        errors.push({ field: "circuits", message: "must be an array of circuit resource ids" });
      // A script whose filter matched nothing must not set off a sweep of the whole estate.
      else if (Array.isArray(circuits) && circuits.length === 0)
        errors.push({
          field: "circuits",
          message: "is empty: name at least one circuit, or leave the field out to sweep them all",
        });
      else fromBody = circuits ?? [];
    }
  }
  // Before looking at any id: a request naming far too many is refused in constant time.
  if (fromBody.length + fromQuery.length > MAX_CIRCUITS_PER_REQUEST * 10)
    return tooMany(fromBody.length + fromQuery.length, "circuits");
  const ids: { id: string; field: string }[] = [];
  fromBody.forEach((value, i) => {
    const parsed = typeof value === "string" ? parseCircuitId(value) : null;
    if (!parsed)
      errors.push({
        field: `circuits[${i}]`,
        message: "is not an ExpressRoute circuit resource id",
      });
    else ids.push({ id: parsed.id, field: `circuits[${i}]` });
  });
  fromQuery.forEach((value, i) => {
    const parsed = parseCircuitId(value);
    if (!parsed)
      errors.push({
        field: `circuit[${i}]`,
        message: "is not an ExpressRoute circuit resource id",
      });
    else ids.push({ id: parsed.id, field: `circuit[${i}]` });
  });
  if (errors.length > 0) {
    return {
      ok: false,
      problem: problem(
        400,
        "Invalid sweep request",
        "Nothing was read or written.",
        // One line per bad id is enough to find them; thousands are not.
        errors.slice(0, 100),
      ),
    };
  }
  // Linear: one pass with a set, ids compared as ARM compares them (case-insensitively).
  const seen = new Set<string>();
  const unique: { id: string; field: string }[] = [];
  for (const named of ids) {
    const key = named.id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(named);
  }
  if (unique.length > MAX_CIRCUITS_PER_REQUEST) return tooMany(unique.length, "circuits");
  return {
    ok: true,
    circuitIds: unique.length > 0 ? unique.map((u) => u.id) : null,
    fields: unique.map((u) => u.field),
  };
}

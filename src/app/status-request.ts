// Query of GET /api/status: its filters (?severity=, ?provider=, ?location=,
// ?circuit=) and the function key (?code=). A parameter the page does not
// take, or a filter given twice with two values, is a problem naming it, as
// POST /api/sweep's are: ignored, a typo (?sev=Sev1, ?Severity=, ?circuits=)
// answered the whole estate's state as if filtered, and a script that read
// the first circuit of the JSON read another circuit's.

import { SEVERITIES, type Severity } from "../core/model.js";
import type { StatusFilters } from "./status.js";
import { problem, type Problem } from "./sweep-request.js";

/** `code` is the function key: the host reads it, the page keeps it in its form. */
const PARAMETERS = ["severity", "provider", "location", "circuit", "code"] as const;

export type StatusQuery =
  { ok: true; filters: StatusFilters; code: string | null } | { ok: false; problem: Problem };

/** A value, trimmed; empty (the form's "all") is none. */
const text = (value: string) => (value.trim() === "" ? null : value.trim());

export function parseStatusQuery(query: URLSearchParams): StatusQuery {
  const errors: Problem["errors"] = [];
  for (const name of new Set(query.keys()))
    if (!(PARAMETERS as readonly string[]).includes(name))
      errors.push({
        field: name,
        message: `is not a parameter of this page (${PARAMETERS.filter((p) => p !== "code").join(", ")})`,
      });
  /** The one value given, null for none; two that differ would be one filter silently dropped. */
  const one = (name: Exclude<(typeof PARAMETERS)[number], "code">): string | null => {
    const values = [
      ...new Set(
        query
          .getAll(name)
          .map(text)
          .filter((v) => v !== null),
      ),
    ];
    if (values.length > 1)
      errors.push({ field: name, message: "is given more than once: one value a filter" });
    return values[0] ?? null;
  };
  const given = one("severity");
  // Any case; an unknown value is said, not ignored (it would show everything under a filter).
  const severity: Severity | null = given
    ? (SEVERITIES.find((s) => s.toLowerCase() === given.toLowerCase()) ?? null)
    : null;
  if (given && !severity)
    errors.push({
      field: "severity",
      message: `must be one of ${SEVERITIES.join(", ")} (any case)`,
    });
  const filters: StatusFilters = {
    severity,
    provider: one("provider"),
    location: one("location"),
    circuit: one("circuit"),
  };
  if (errors.length > 0)
    return {
      ok: false,
      problem: problem(
        400,
        "Invalid status request",
        `${errors.map((e) => `${e.field} ${e.message}`).join("; ")}. Nothing is filtered by a guess.`,
        errors.slice(0, 100),
      ),
    };
  const code = query.get("code");
  return { ok: true, filters, code: code === null ? null : text(code) };
}

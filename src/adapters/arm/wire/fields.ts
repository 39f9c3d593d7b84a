// The leaves of every ARM body schema, and the two ways a body is parsed.
// ARM is generous in what it sends: enums in another case, numbers as text,
// fields left out or null. Each leaf accepts what can be understood, turns a
// left-out value into null (UNKNOWN upstream, never a guess), and reports
// anything else as "<field> is <what it was>" so a person can find it.

import { z } from "zod";

/** A body, or a value in it, erwatch cannot read. The name is what errors.ts classifies as malformed. */
export class MalformedResponseError extends Error {
  override readonly name = "MalformedResponseError";
}

export interface FieldProblem {
  /** "value[0].interface", "peerings[1].state" (SDK models flatten ARM's `properties`). */
  field: string;
  /** "is a number", "is missing", … */
  problem: string;
}

type Ctx = z.core.$RefinementCtx;

/** "a number", "an object", `"Established"`: what a person needs to recognise the value. */
export function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") {
    if (value.trim() === "") return "empty";
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    // Control characters would reach log lines and terminals as they are.
    const safe = [...shown].map((ch) => (ch < " " || ch === "\u007f" ? "?" : ch)).join("");
    return `"${safe}"`;
  }
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return "a number";
  return `a ${typeof value}`;
}

function reject(ctx: Ctx, value: unknown, problem: string): never {
  ctx.addIssue({ code: "custom", message: problem, input: value });
  return z.NEVER as never;
}

interface LeafOptions {
  /** Left out or null is itself a problem (a row that cannot be judged without it). */
  required?: boolean;
}

/** A leaf: `read` gets every present, non-null value; absence is null (or a problem when required). */
function leaf<T>(read: (value: unknown, ctx: Ctx) => T, options: LeafOptions = {}) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T | null => {
      if (value === undefined || value === null)
        return options.required ? reject(ctx, value, "is missing") : null;
      return read(value, ctx);
    });
}

/** Text, and only text: a number where a name or address belongs is not understood. */
export const text = (options?: LeafOptions) =>
  leaf((v, ctx) => (typeof v === "string" ? v : reject(ctx, v, `is ${describe(v)}`)), options);

/** Text a row cannot be judged without. */
export const requiredText = () => text({ required: true }).pipe(z.string());

/**
 * Text a row cannot be judged without, and which says nothing when empty: an
 * ARP row's MAC of "" is neither a hardware address nor "Incomplete", so it
 * must not be read as either.
 */
export const filledText = () =>
  leaf(
    (v, ctx) =>
      typeof v === "string" && v.trim() !== "" ? v : reject(ctx, v, `is ${describe(v)}`),
    { required: true },
  ).pipe(z.string());

/** Text whose content is numeric by nature (upDown, locPrf, AS path): a number is the same value. */
export const numericText = (options?: LeafOptions) =>
  leaf(
    (v, ctx) =>
      typeof v === "string"
        ? v
        : typeof v === "number" && Number.isFinite(v)
          ? String(v)
          : reject(ctx, v, `is ${describe(v)}`),
    options,
  );

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

interface NumberOptions extends LeafOptions {
  integer?: boolean;
  /** The lowest value the field can have. */
  min?: number;
  /** The highest value the field can have. */
  max?: number;
  /** Zero is not a value of the field (a bandwidth): it would read as a fact, not as a gap. */
  positive?: boolean;
  /** What the field holds, for a value outside its range: "a VLAN id (1–4094)". */
  what?: string;
}

/**
 * A number, or a number given as text. A value outside what the field can
 * hold is not understood either, and is named as sent: a VLAN 0 read as a
 * VLAN would be a configuration change nobody made.
 */
export const number = (options?: NumberOptions) =>
  leaf((v, ctx) => {
    const n =
      typeof v === "number" ? v : typeof v === "string" && NUMERIC.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) return reject(ctx, v, `is ${describe(v)}, not a number`);
    const shown = typeof v === "number" ? String(v) : describe(v);
    if (options?.integer && !Number.isSafeInteger(n))
      return reject(ctx, v, `is ${shown}, not a whole number`);
    const low = options?.min !== undefined && n < options.min;
    const high = options?.max !== undefined && n > options.max;
    const zero = options?.positive === true && n <= 0;
    if (low || high || zero) {
      const why = options?.what
        ? `not ${options.what}`
        : low
          ? `below ${options?.min}`
          : high
            ? `above ${options?.max}`
            : "not above 0";
      return reject(ctx, v, `is ${shown}, ${why}`);
    }
    return n;
  }, options);

/**
 * An enum ARM documents as an open string: matched case-insensitively and
 * returned in its documented spelling, so core compares canonical values; a
 * value outside the list is kept as sent (a future api-version may add one).
 */
export const openEnum = (values: readonly string[], options?: LeafOptions) =>
  leaf((v, ctx) => {
    if (typeof v !== "string") return reject(ctx, v, `is ${describe(v)}`);
    const key = v.trim().toLowerCase();
    return values.find((known) => known.toLowerCase() === key) ?? v;
  }, options);

/**
 * An enum whose value decides whether a layer is DOWN (provider state, peering
 * state, validation, Global Reach and gateway status): a value outside the
 * documented list is not understood, so the layer is UNKNOWN and the field is
 * named, never read as "not Provisioned" and paged as an outage.
 */
export const decidingEnum = (values: readonly string[], options?: LeafOptions) =>
  leaf((v, ctx) => {
    if (typeof v !== "string") return reject(ctx, v, `is ${describe(v)}`);
    const key = v.trim().toLowerCase();
    const known = values.find((value) => value.toLowerCase() === key);
    return known ?? reject(ctx, v, `is ${describe(v)}, not one of ${values.join(", ")}`);
  }, options);

/** Tag values are text in the domain; ARM bodies seen in the wild carry null, numbers and booleans. */
export const tags = () =>
  leaf((v, ctx) => {
    if (typeof v !== "object" || Array.isArray(v)) return reject(ctx, v, `is ${describe(v)}`);
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      out[key] =
        value === null || value === undefined
          ? ""
          : typeof value === "string"
            ? value
            : typeof value === "object"
              ? JSON.stringify(value)
              : String(value);
    }
    return out;
  });

/** A nested object ARM may leave out; when it cannot be read at all it is null. */
export const obj = <S extends z.core.$ZodLooseShape>(shape: S) => z.object(shape).nullish();

export const list = <T extends z.ZodType>(item: T) => z.array(item).nullish();

function fieldName(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path)
    out += typeof key === "number" ? `[${key}]` : `${out === "" ? "" : "."}${String(key)}`;
  return out === "" ? "the body" : out;
}

/** "a list", "a string", "an object": the kind of value the field holds. */
function expectedOf(expected: string): string {
  if (expected === "array") return "a list";
  return `${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`;
}

function problemOf(issue: z.core.$ZodIssue): FieldProblem {
  const problem =
    issue.code === "custom"
      ? issue.message
      : issue.code === "invalid_type" && issue.input === undefined
        ? "is missing"
        : issue.code === "invalid_type"
          ? `is ${describe(issue.input)}, not ${expectedOf(issue.expected)}`
          : issue.message;
  return { field: fieldName(issue.path), problem };
}

/** "value[0].interface is a number", for ReadFailure messages. */
export const sentence = (p: FieldProblem) => `${p.field} ${p.problem}`;

/** All or nothing: the first value that cannot be understood fails the whole read. */
export function parseStrict<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  throw new MalformedResponseError(sentence(problemOf(result.error.issues[0]!)));
}

function withNullAt(root: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return null;
  const [key, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<
    PropertyKey,
    unknown
  >;
  copy[key as PropertyKey] = withNullAt(copy[key as PropertyKey], rest);
  return copy;
}

/**
 * Field by field: a value that cannot be understood becomes null (UNKNOWN)
 * and is reported; the rest of the body is still used. A body that is not
 * even the right shape at the top fails as a whole.
 */
export function parseLenient<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { value: z.output<S>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  let current = body;
  // Each round nulls every reported field; nulls are always accepted, so two rounds suffice.
  for (let round = 0; round < 3; round++) {
    const result = schema.safeParse(current, { reportInput: true });
    if (result.success) return { value: result.data, problems };
    for (const issue of result.error.issues) {
      if (issue.path.length === 0) throw new MalformedResponseError(sentence(problemOf(issue)));
      problems.push(problemOf(issue));
      current = withNullAt(current, issue.path);
    }
  }
  throw new MalformedResponseError(problems.map(sentence).join("; "));
}

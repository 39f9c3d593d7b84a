// Reads settings one by one and collects every problem, so a misconfigured
// deployment hears about all of them at once, each naming its setting.
//
// A setting made of entries that stand alone (one per circuit, one per
// silence) is checked entry by entry: a typo in one circuit's baseline, made
// at 2 a.m. during a change, must not stop erwatch from watching every other
// circuit. That entry is left out and named in `ignored` (logged by every
// sweep), and the rest apply; when the start fails for another reason it is
// told with the other problems.

import { z } from "zod";
import { isRecord } from "../core/record.js";
import { duplicateKeys } from "./json-keys.js";
import { nearestSetting } from "./misspelt.js";
import type { Env } from "./settings.js";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export class SettingsReader {
  readonly problems: string[] = [];
  /** Problems confined to one entry of a setting: that entry is left out, the rest apply. */
  readonly ignored: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  problem(name: string, message: string): void {
    this.problems.push(`${name}: ${message}`);
  }

  int(name: string, fallback: number, bounds: { min: number; max: number }): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    // Decimal digits only: Number() also reads "0x10" as 16, "1e3" as 1000 and
    // "0b11" as 3, values no operator means as the number they become.
    const parsed = /^[+-]?\d+$/.test(text)
      ? z.coerce.number().int().min(bounds.min).max(bounds.max).safeParse(text)
      : null;
    if (parsed?.success) return parsed.data;
    this.problem(
      name,
      `expected a whole number in digits from ${bounds.min} to ${bounds.max}, got "${text}"`,
    );
    return fallback;
  }

  /**
   * A number that tunes how erwatch works (a threshold, a window, a deadline,
   * a concurrency, a retry count), never whether it can: one that is not a
   * whole number in range is left out and named, and its default applies.
   * Refused, ARM_CONCURRENCY=0x10 stopped every sweep, and so every page.
   */
  tunable(name: string, fallback: number, bounds: { min: number; max: number }): number {
    return this.optional(
      () => this.int(name, fallback, bounds),
      fallback,
      `the default ${fallback} applies`,
    );
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const match = values.find((v) => v.toLowerCase() === text.toLowerCase());
    if (match) return match;
    this.problem(name, `expected one of ${values.join(", ")}, got "${text}"`);
    return fallback;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  url(name: string): string | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    try {
      const url = new URL(text);
      if (url.protocol !== "https:") this.problem(name, "must be an https URL");
      return text.replace(/\/+$/, "");
    } catch {
      this.problem(name, "is not a URL");
      return undefined;
    }
  }

  /** A JSON setting validated by a zod schema; every issue is reported with its path. */
  json<T>(name: string, schema: z.ZodType<T>, fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    return this.jsonText(name, text, schema, fallback);
  }

  /** JSON read from elsewhere (a file a setting names), reported under that setting. */
  jsonText<T>(name: string, text: string, schema: z.ZodType<T>, fallback: T): T {
    let value: unknown;
    // A file saved with a byte-order mark (Notepad, PowerShell) is JSON all the same.
    const json = text.replace(/^\uFEFF/, "");
    try {
      value = JSON.parse(json);
    } catch (error) {
      // JSON.parse's message quotes the text around the error on recent Node,
      // and a setting's text can hold a secret: keep only where it broke.
      this.problem(name, `is not valid JSON${jsonErrorPosition(error, text)}`);
      return fallback;
    }
    // The last of a key given twice applies, as JSON.parse keeps it: it is
    // most likely the edit (a value pasted below the one it replaces), and
    // leaving the key out would silence more than it keeps (ERWATCH_ACTION_GROUPS
    // with "routes" twice would route nothing; a silence left out pages
    // through its window). Named, so the health alert asks for it to be fixed.
    for (const { at, key, times } of duplicateKeys(json))
      this.ignored.push(
        `${[name, ...at, key].join(".")}: given ${times === 2 ? "twice" : `${times} times`} in one object (left out: ${times === 2 ? "the first" : `all but the last`}; the last one applies)`,
      );
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
      this.problems.push(`${name}${path}: ${issue.message}`);
    }
    return fallback;
  }

  /**
   * The entries of an object setting (by circuit), each checked on its own;
   * one that fails is left out and each of its issues named in `ignored`.
   * Circuits match in any case, so keys that differ only in case are one
   * circuit's: which was meant cannot be told, and a silent merge would keep
   * whichever came last. They are all left out and named.
   */
  entries<T>(
    name: string,
    value: Record<string, unknown>,
    schema: z.ZodType<T>,
  ): Record<string, T> {
    const out: Record<string, T> = {};
    const clashing = keysInAnyCase(Object.keys(value));
    for (const keys of clashing)
      this.ignored.push(
        `${name}: ${keys.map((k) => `"${k}"`).join(", ")} name one circuit (names match in any case) (these entries are left out; the rest apply)`,
      );
    const left = new Set(clashing.flat());
    for (const [key, entry] of Object.entries(value)) {
      if (left.has(key)) continue;
      const parsed = this.entry(`${name}.${key}`, entry, schema);
      if (parsed.ok) out[key] = parsed.value;
    }
    return out;
  }

  /**
   * The fields of an object setting (ERWATCH_ALERT_POLICY), each checked by
   * its own schema: one that fails, or that is no field (a typo is suggested
   * its field), is left out and named in `ignored`, and its default applies
   * (`instead`: what applies in its place, said with it).
   */
  fields(
    name: string,
    value: Record<string, unknown>,
    schemas: Record<string, z.ZodType>,
    instead = "its default applies",
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const known = Object.keys(schemas);
    for (const [key, field] of Object.entries(value)) {
      const schema = Object.hasOwn(schemas, key) ? schemas[key] : undefined;
      if (schema === undefined) {
        const meant = nearestSetting(key, known);
        this.ignored.push(
          `${name}.${key}: is not a field of ${name} (${known.join(", ")})${meant ? `; did you mean ${meant}?` : ""} (left out)`,
        );
        continue;
      }
      const parsed = schema.safeParse(field);
      if (parsed.success) {
        out[key] = parsed.data;
        continue;
      }
      // A field of several entries (openAfter's severities, prefixDrop's
      // thresholds) loses only those that cannot apply: left out whole over
      // one, the severities given beside it went back to their defaults
      // though only the one was named (a Sev0 repeat of 15 min became 4 h).
      const kept = withoutFailing(field, parsed.error.issues);
      const again = kept === null ? null : schema.safeParse(kept);
      if (again?.success) out[key] = again.data;
      for (const issue of parsed.error.issues) {
        const path = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
        this.ignored.push(`${name}.${key}${path}: ${issue.message} (left out: ${instead})`);
      }
    }
    return out;
  }

  /**
   * The items of a list setting (silences), each checked on its own as
   * `entries` does; each kept with its place in the list.
   */
  items<T>(name: string, value: readonly unknown[], schema: z.ZodType<T>): [number, T][] {
    return value.flatMap((item, i): [number, T][] => {
      const parsed = this.entry(`${name}.${i}`, item, schema);
      return parsed.ok ? [[i, parsed.value]] : [];
    });
  }

  private entry<T>(
    at: string,
    value: unknown,
    schema: z.ZodType<T>,
  ): { ok: true; value: T } | { ok: false } {
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    for (const issue of parsed.error.issues) {
      const path = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
      this.ignored.push(`${at}${path}: ${issue.message} (this entry is left out; the rest apply)`);
    }
    return { ok: false };
  }

  /**
   * An optional setting whose problems must not stop the start: a setting
   * about erwatch's own logs or metrics, say, stopped every sweep and page.
   * Each problem `read` reports is said in `ignored` with what applies
   * instead, and `fallback` is returned.
   */
  optional<T>(read: () => T, fallback: T, instead: string): T {
    const before = this.problems.length;
    const value = read();
    if (this.problems.length === before) return value;
    this.ignored.push(...this.problems.splice(before).map((p) => `${p} (left out: ${instead})`));
    return fallback;
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems, ...this.ignored]);
  }
}

/** Groups of keys that are one key in any case, each group as written; the others not at all. */
export function keysInAnyCase(keys: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const group = groups.get(key.toLowerCase()) ?? [];
    group.push(key);
    groups.set(key.toLowerCase(), group);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}

/**
 * An object's entries without those `issues` name (by their first step, or as
 * keys not known); null when an issue is the object's own (not an object at
 * all) or nothing would be left.
 */
function withoutFailing(
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
): Record<string, unknown> | null {
  if (!isRecord(value)) return null;
  const failing = new Set<string>();
  for (const issue of issues) {
    if (issue.path.length > 0) failing.add(String(issue.path[0]));
    else if (issue.code === "unrecognized_keys") for (const k of issue.keys) failing.add(k);
    else return null;
  }
  const kept = Object.entries(value).filter(([k]) => !failing.has(k));
  return kept.length > 0 ? Object.fromEntries(kept) : null;
}

/**
 * " (at character N)" from a JSON.parse error, or what most likely broke it
 * (V8 gives no position for a comma before "]"): never any of the text itself.
 */
function jsonErrorPosition(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : "";
  const position = /\bposition (\d+)/.exec(message)?.[1];
  if (position !== undefined) return ` (at character ${Number(position) + 1})`;
  if (/end of (?:JSON|data) input/i.test(message)) return " (it ends too early)";
  return /,\s*[\]}]/.test(text) ? " (it may have a comma before a closing ] or })" : "";
}

// Reads settings one by one and collects every problem, so a misconfigured
// deployment hears about all of them at once, each naming its setting.

import { z } from "zod";
import type { Env } from "./settings.js";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export class SettingsReader {
  readonly problems: string[] = [];
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
    const parsed = z.coerce.number().int().min(bounds.min).max(bounds.max).safeParse(text);
    if (parsed.success) return parsed.data;
    this.problem(
      name,
      `expected a whole number from ${bounds.min} to ${bounds.max}, got "${text}"`,
    );
    return fallback;
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
    try {
      value = JSON.parse(text);
    } catch (error) {
      // JSON.parse's message quotes the text around the error on recent Node,
      // and a setting's text can hold a secret: keep only where it broke.
      this.problem(name, `is not valid JSON${jsonErrorPosition(error)}`);
      return fallback;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
      this.problems.push(`${name}${path}: ${issue.message}`);
    }
    return fallback;
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** " (at character N)" from a JSON.parse error, or "": never any of the text itself. */
function jsonErrorPosition(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const position = /\bposition (\d+)/.exec(message)?.[1];
  if (position !== undefined) return ` (at character ${Number(position) + 1})`;
  return /end of (?:JSON|data) input/i.test(message) ? " (it ends too early)" : "";
}

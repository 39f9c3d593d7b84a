// local.settings.sample.json, the README and the code must name the same
// settings: a new setting that is read but not documented fails here.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/settings.js";

const ROOT = join(import.meta.dirname, "..", "..");
const HOST_ONLY = ["FUNCTIONS_WORKER_RUNTIME"];
const documented = Object.keys(SETTINGS).sort();

function settingsReadByCode(): string[] {
  const names = new Set<string>();
  const dirs = [join(ROOT, "src", "config"), join(ROOT, "src", "runtime")];
  for (const file of dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(dir, f)),
  )) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /\br\.(?:raw|int|oneOf|list|url|json|problem)(?:<[^>]*>)?\(\s*"([A-Za-z_][A-Za-z0-9_]*)"/g,
    ))
      names.add(m[1]!);
    // Read before validation, when the host loads an entry (trigger registration).
    for (const m of text.matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
    // Through a local helper, e.g. routeLimit("ROUTE_LIMIT_MICROSOFT", …).
    for (const m of text.matchAll(/\b[a-z][A-Za-z]*\(\s*"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g))
      names.add(m[1]!);
    // Connection-style settings read as `${prefix}__part` for both prefixes.
    for (const m of text.matchAll(/`\$\{prefix\}(__[A-Za-z]+)`/g))
      for (const p of ["ERWATCH_STORAGE", "AzureWebJobsStorage"]) names.add(`${p}${m[1]}`);
    for (const m of text.matchAll(/for \(const prefix of \[([^\]]+)\]/g))
      for (const p of m[1]!.matchAll(/"([^"]+)"/g)) names.add(p[1]!);
  }
  return [...names].sort();
}

describe("settings drift", () => {
  it("should list every documented setting in local.settings.sample.json, and nothing else", () => {
    const sample = JSON.parse(readFileSync(join(ROOT, "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    expect(
      Object.keys(sample.Values)
        .filter((k) => !HOST_ONLY.includes(k))
        .sort(),
    ).toEqual(documented);
  });

  it("should document every setting the configuration code reads", () => {
    const read = settingsReadByCode();
    expect(read.length).toBeGreaterThan(30);
    expect(read.filter((name) => !(name in SETTINGS))).toEqual([]);
  });

  it("should read every documented setting: a documented one nothing reads is a promise the code does not keep", () => {
    const read = new Set(settingsReadByCode());
    expect(documented.filter((name) => !read.has(name))).toEqual([]);
  });

  it("should keep secrets out of the sample file", () => {
    const sample = JSON.parse(readFileSync(join(ROOT, "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    for (const [name, doc] of Object.entries(SETTINGS)) {
      if ("secret" in doc && doc.secret)
        expect(["", "UseDevelopmentStorage=true"]).toContain(sample.Values[name]);
    }
  });
});

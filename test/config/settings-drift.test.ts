// local.settings.sample.json, the README and the code must name the same
// settings: a new setting that is read but not documented fails here.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { timerSchedule } from "../../src/config/functions.js";
import { SettingsReader } from "../../src/config/reader.js";
import { PLATFORM_NAMES, SETTINGS } from "../../src/config/settings.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { loadDispatchConfig, loadStatusConfig, loadSweepConfig } from "../../src/runtime/config.js";

const ROOT = join(import.meta.dirname, "..", "..");
const HOST_ONLY = ["FUNCTIONS_WORKER_RUNTIME"];
const PLATFORM = [...PLATFORM_NAMES];
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
    // Through a helper given the reader, e.g. readEntityName(r, "SWEEP_WORK_QUEUE").
    for (const m of text.matchAll(/\b[a-z][A-Za-z]*\(\s*r,\s*"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g))
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
    expect(read.filter((name) => !(name in SETTINGS) && !PLATFORM.includes(name))).toEqual([]);
  });

  it("says in the README what erwatch makes of each platform variable it reads", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const name of PLATFORM) expect(readme, name).toContain(`\`${name}\``);
    expect(settingsReadByCode()).toEqual(expect.arrayContaining(PLATFORM));
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

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** The meaning column of the README's settings table, by setting. */
function readmeRows(): Map<string, string> {
  return new Map(
    [...readme.matchAll(/^\| `([A-Za-z0-9_]+)`\s*\| [a-z-]+\s*\| (.*?)\s*\|$/gm)].map((m) => [
      m[1]!,
      m[2]!,
    ]),
  );
}

/** "(default 16)", "(default `erwatch`)", "own-edge (default)": the default a text gives, or null. */
function statedDefault(text: string): string | null {
  return (
    /\(default `([^`]+)`/.exec(text)?.[1] ??
    /\(default ([^;),:\s]+)/.exec(text)?.[1] ??
    /`?([A-Za-z0-9-]+)`? \(default\)/.exec(text)?.[1] ??
    null
  );
}

/**
 * The fallback and the allowed values the code passes for every setting read
 * with int / oneOf, recorded while the entry points load their settings from
 * an empty environment (they report problems; the fallbacks are read first).
 */
interface CodeDefault {
  fallback: string;
  values?: readonly string[];
  bounds?: { min: number; max: number };
}

function codeDefaults(): Map<string, CodeDefault> {
  const seen = new Map<string, CodeDefault>();
  const int = SettingsReader.prototype.int;
  const oneOf = SettingsReader.prototype.oneOf;
  vi.spyOn(SettingsReader.prototype, "int").mockImplementation(function (
    this: SettingsReader,
    name,
    fallback,
    bounds,
  ) {
    seen.set(name, { fallback: String(fallback), bounds });
    return int.call(this, name, fallback, bounds);
  });
  vi.spyOn(SettingsReader.prototype, "oneOf").mockImplementation(function (
    this: SettingsReader,
    name,
    values,
    fallback,
  ) {
    seen.set(name, { fallback: String(fallback), values });
    return oneOf.call(this, name, values, fallback);
  } as SettingsReader["oneOf"]);
  for (const load of [
    () => loadSweepConfig({}, { publish: "optional", functions: true, scope: true }),
    () => loadDispatchConfig({}),
    () => loadStatusConfig({}),
  ]) {
    try {
      load();
    } catch {
      // An empty environment is missing its storage and receivers: expected.
    }
  }
  return seen;
}

describe("settings drift: defaults and allowed values", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("states each number and choice's default as the code has it, in the README, the settings table and the sample", () => {
    const defaults = codeDefaults();
    expect(defaults.size).toBeGreaterThan(30);
    const rows = readmeRows();
    const sample = (
      JSON.parse(readFileSync(join(ROOT, "local.settings.sample.json"), "utf8")) as {
        Values: Record<string, string>;
      }
    ).Values;
    const wrong: string[] = [];
    for (const [name, { fallback }] of defaults) {
      const doc = (SETTINGS as Record<string, { doc: string }>)[name]?.doc ?? "";
      const row = rows.get(name) ?? "";
      if (statedDefault(row) !== fallback)
        wrong.push(`README ${name}: says ${statedDefault(row)}, code ${fallback}`);
      if (statedDefault(doc) !== fallback)
        wrong.push(`settings.ts ${name}: says ${statedDefault(doc)}, code ${fallback}`);
      if (sample[name] !== fallback)
        wrong.push(`local.settings.sample.json ${name}: ${sample[name]}, code ${fallback}`);
    }
    expect(wrong).toEqual([]);
  });

  it("states the default of each setting read as text (a name, a list, the schedule) as the code has it, in the README, the settings table and the sample", () => {
    // Loaded with the setting unset: what erwatch then runs with, as text.
    const minimal = {
      ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
      ERWATCH_STORAGE: "UseDevelopmentStorage=true",
      ServiceBusConnection: "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=x",
      WEBHOOK_URL: "https://itsm.example/alerts",
    };
    const sweep = loadSweepConfig(minimal, { publish: "required", functions: true });
    const dispatch = loadDispatchConfig(minimal);
    const defaults: Record<string, string> = {
      SERVICEBUS_ENTITY: sweep.publish!.entity,
      ERWATCH_TABLE_PREFIX: sweep.state.tablePrefix,
      ERWATCH_EXPECTED_PEERINGS: sweep.arm.defaults.expectedPeerings.join(","),
      ERWATCH_DATA_PLANE: sweep.arm.dataPlane.reads.join(","),
      SWEEP_SCHEDULE: timerSchedule({}),
      // Given as a pattern: <SERVICEBUS_ENTITY> stands for the entity.
      SERVICEBUS_DEADLETTER_QUEUE: dispatch.deadLetterQueue.replace(
        dispatch.publish.entity,
        "<SERVICEBUS_ENTITY>",
      ),
    };
    const rows = readmeRows();
    const sample = (
      JSON.parse(readFileSync(join(ROOT, "local.settings.sample.json"), "utf8")) as {
        Values: Record<string, string>;
      }
    ).Values;
    const wrong: string[] = [];
    for (const [name, fallback] of Object.entries(defaults)) {
      const doc = (SETTINGS as Record<string, { doc: string }>)[name]?.doc ?? "";
      if (statedDefault(rows.get(name) ?? "") !== fallback)
        wrong.push(`README ${name}: says ${statedDefault(rows.get(name) ?? "")}, code ${fallback}`);
      if (statedDefault(doc) !== fallback)
        wrong.push(`settings.ts ${name}: says ${statedDefault(doc)}, code ${fallback}`);
      // The sample gives the value itself (the entity's pattern filled in).
      const value = fallback.replace("<SERVICEBUS_ENTITY>", dispatch.publish.entity);
      if (sample[name] !== value)
        wrong.push(`local.settings.sample.json ${name}: ${sample[name]}, code ${value}`);
    }
    expect(wrong).toEqual([]);
  });

  it("names every value a choice setting accepts, in the README and the settings table", () => {
    const rows = readmeRows();
    const missing: string[] = [];
    for (const [name, { values }] of codeDefaults()) {
      const doc = (SETTINGS as Record<string, { doc: string }>)[name]?.doc ?? "";
      for (const value of values ?? []) {
        const word = new RegExp(`(^|[^A-Za-z-])${value}($|[^A-Za-z-])`);
        if (!word.test(rows.get(name) ?? "")) missing.push(`README ${name}: ${value}`);
        if (!word.test(doc)) missing.push(`settings.ts ${name}: ${value}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("states each number's range as the code checks it, in the README and the settings table", () => {
    const rows = readmeRows();
    const wrong: string[] = [];
    const withBounds = [...codeDefaults()].filter(([, d]) => d.bounds !== undefined);
    expect(withBounds.length).toBeGreaterThan(30);
    for (const [name, { bounds }] of withBounds) {
      const range = `range ${bounds!.min}–${bounds!.max}`;
      const doc = (SETTINGS as Record<string, { doc: string }>)[name]?.doc ?? "";
      const stated = (text: string) => /\brange (\d+)–(\d+)/.exec(text)?.[0] ?? "no range";
      if (stated(rows.get(name) ?? "") !== range)
        wrong.push(`README ${name}: says ${stated(rows.get(name) ?? "")}, code ${range}`);
      if (stated(doc) !== range)
        wrong.push(`settings.ts ${name}: says ${stated(doc)}, code ${range}`);
    }
    expect(wrong).toEqual([]);
  });

  it("shows ERWATCH_ALERT_POLICY's defaults as the code has them, every field, each one accepted", () => {
    const block = /`ERWATCH_ALERT_POLICY` defaults:\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const documented = JSON.parse(block!) as Record<string, unknown>;
    const { sweepIntervalMinutes: _interval, ...defaults } = DEFAULT_ALERT_POLICY;
    expect(documented).toEqual(defaults);
    const config = loadStatusConfig({
      ERWATCH_STORAGE: "UseDevelopmentStorage=true",
      ERWATCH_ALERT_POLICY: block!,
    });
    expect({ ...config.state.policy, sweepIntervalMinutes: 5 }).toEqual(DEFAULT_ALERT_POLICY);
  });
});

// One vocabulary: the lists in src/core/model.ts drive every renderer, schema
// and routing table. Adding a code or a layer to a list without teaching the
// tables that must know it has to fail the type check, not ship a card that
// says "undefined". This compiles the tables that must know every code and
// layer (and what they import) with a list extended in memory.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FINDING_CODES, LAYERS, TABLE_LAYERS } from "../../src/core/model.js";
import { LAYER_ROWS, LAYER_WORDS, STATUS_WORDS } from "../../src/core/vocabulary.js";

const root = join(import.meta.dirname, "../..");
const modelPath = join(root, "src/core/model.ts");
/** The tables keyed by the lists; a full `tsc` (npm test's typecheck) covers the rest of src/. */
const TABLES = ["src/core/alert-identity.ts", "src/core/vocabulary.ts", "src/core/routing.ts"];
// Unchanged files are reused between compilations; only model.ts and its dependants are rechecked.
let previous: ts.Program | undefined;

function diagnosticsWith(edit: (model: string) => string): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.build.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.build.json could not be read");
  const host = ts.createCompilerHost({ ...config.options, noEmit: true });
  const original = readFileSync(modelPath, "utf8");
  const edited = edit(original);
  expect(edited).not.toBe(original);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === modelPath
      ? ts.createSourceFile(fileName, edited, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  const program = ts.createProgram(
    TABLES.map((f) => join(root, f)),
    { ...config.options, noEmit: true },
    host,
    previous,
  );
  previous = program;
  const byFile = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file ? d.file.fileName.slice(root.length + 1) : "(global)";
    byFile.set(file, [
      ...(byFile.get(file) ?? []),
      ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    ]);
  }
  return byFile;
}

describe("one vocabulary", () => {
  it("compiles cleanly as it is", () => {
    expect([...diagnosticsWith((m) => `${m}\n// unchanged\n`).keys()]).toEqual([]);
  }, 60_000);

  it("fails the type check when a finding code is added without its alert family", () => {
    const errors = diagnosticsWith((m) =>
      m.replace('"fleet-outage",\n] as const;', '"fleet-outage",\n  "made-up-code",\n] as const;'),
    );
    expect([...errors.keys()]).toContain("src/core/alert-identity.ts");
    expect(errors.get("src/core/alert-identity.ts")!.join("\n")).toMatch(/made-up-code/);
  }, 60_000);

  it("fails the type check when a layer is added without its words and owners", () => {
    const errors = diagnosticsWith((m) =>
      m
        .replace('  "monitoring",\n] as const;', '  "made-up-layer",\n  "monitoring",\n] as const;')
        .replace(
          '  "capacity",\n] as const satisfies',
          '  "capacity",\n  "made-up-layer",\n] as const satisfies',
        ),
    );
    for (const file of ["src/core/vocabulary.ts", "src/core/routing.ts"]) {
      expect([...errors.keys()]).toContain(file);
      expect(errors.get(file)!.join("\n")).toMatch(/made-up-layer/);
    }
  }, 60_000);

  it("gives every layer row, in order, a label and every status a word", () => {
    expect(LAYER_ROWS.map((r) => r.key)).toEqual([...TABLE_LAYERS]);
    expect(TABLE_LAYERS.every((l, i) => LAYERS.indexOf(l) === i)).toBe(true);
    for (const layer of LAYERS) expect(LAYER_WORDS[layer].label).not.toBe("");
    expect(Object.values(STATUS_WORDS).every((w) => w.length > 0)).toBe(true);
  });

  it("derives schemas from the lists", () => {
    const code = z.enum(FINDING_CODES);
    for (const c of FINDING_CODES) expect(code.safeParse(c).success).toBe(true);
    expect(code.safeParse("made-up-code").success).toBe(false);
  });
});

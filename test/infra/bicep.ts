// A small reader for the Bicep in infra/, for tests. There is no Bicep compiler
// on the build machines, so the templates are checked as text: a scanner that
// knows strings (with ${} interpolation), comments and brackets, and helpers
// that find declarations, blocks and object entries. It understands the plain
// Bicep infra/ is written in, not the whole language.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const INFRA = join(ROOT, "infra");

export interface Scanned {
  /** The text as written. */
  text: string;
  /**
   * Same length and line breaks as `text`: comments and string contents are
   * blanked, quotes are kept, and the code inside ${...} stays (its `${` and
   * `}` blanked), so brackets and identifiers can be read off without strings
   * or comments getting in the way.
   */
  code: string;
  /** Unbalanced brackets, unterminated strings or comments, with line numbers. */
  problems: string[];
}

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const CLOSE = new Set([")", "]", "}"]);

export function scan(text: string): Scanned {
  const code = text.split("");
  const problems: string[] = [];
  const lineAt = (i: number) => text.slice(0, i).split("\n").length;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (code[k] !== "\n") code[k] = " ";
  };

  // Scans code from i; inside an interpolation it returns after the closing `}`.
  function scanCode(start: number, interpolation: boolean): number {
    const stack: { ch: string; at: number }[] = [];
    let i = start;
    while (i < text.length) {
      const ch = text[i]!;
      if (text.startsWith("//", i)) {
        const end = text.indexOf("\n", i);
        const stop = end === -1 ? text.length : end;
        blank(i, stop);
        i = stop;
      } else if (text.startsWith("/*", i)) {
        const end = text.indexOf("*/", i + 2);
        if (end === -1) {
          problems.push(`line ${lineAt(i)}: unterminated /* comment`);
          blank(i, text.length);
          return text.length;
        }
        blank(i, end + 2);
        i = end + 2;
      } else if (text.startsWith("'''", i)) {
        const end = text.indexOf("'''", i + 3);
        if (end === -1) {
          problems.push(`line ${lineAt(i)}: unterminated ''' string`);
          return text.length;
        }
        blank(i + 3, end);
        i = end + 3;
      } else if (ch === "'") {
        i = scanString(i);
      } else if (ch in OPEN) {
        stack.push({ ch, at: i });
        i++;
      } else if (CLOSE.has(ch)) {
        const top = stack.pop();
        if (!top) {
          if (interpolation && ch === "}") {
            code[i] = " ";
            return i + 1;
          }
          problems.push(`line ${lineAt(i)}: '${ch}' closes nothing`);
        } else if (OPEN[top.ch] !== ch) {
          problems.push(
            `line ${lineAt(i)}: '${ch}' closes '${top.ch}' from line ${lineAt(top.at)}`,
          );
        }
        i++;
      } else {
        i++;
      }
    }
    for (const open of stack)
      problems.push(`line ${lineAt(open.at)}: '${open.ch}' is never closed`);
    if (interpolation) problems.push(`line ${lineAt(start)}: unterminated \${ interpolation`);
    return i;
  }

  // i is at the opening quote; returns the index after the closing quote.
  function scanString(start: number): number {
    let i = start + 1;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === "\\") {
        blank(i, i + 2);
        i += 2;
      } else if (text.startsWith("${", i)) {
        blank(i, i + 2);
        i = scanCode(i + 2, true);
      } else if (ch === "'") {
        return i + 1;
      } else if (ch === "\n") {
        problems.push(`line ${lineAt(start)}: string not closed on its line`);
        return i;
      } else {
        blank(i, i + 1);
        i++;
      }
    }
    problems.push(`line ${lineAt(start)}: unterminated string`);
    return i;
  }

  scanCode(0, false);
  return { text, code: code.join(""), problems };
}

/** Index of the bracket closing the one at `open` (in scanned code), or -1. */
export function matching(s: Scanned, open: number): number {
  let depth = 0;
  for (let i = open; i < s.code.length; i++) {
    const ch = s.code[i]!;
    if (ch in OPEN) depth++;
    else if (CLOSE.has(ch) && --depth === 0) return i;
  }
  return -1;
}

/** Text from `start` to the end of the expression: the first line break at bracket depth 0. */
export function expressionAt(s: Scanned, start: number): string {
  let depth = 0;
  for (let i = start; i < s.code.length; i++) {
    const ch = s.code[i]!;
    if (ch in OPEN) depth++;
    else if (CLOSE.has(ch)) depth--;
    else if (ch === "\n" && depth <= 0) return s.text.slice(start, i).trim();
  }
  return s.text.slice(start).trim();
}

export interface Declaration {
  kind: "param" | "var" | "resource" | "module" | "output";
  name: string;
  /** Resource type with API version, module path, or param/output type. */
  type: string;
  /** Index just after `=` (or after the type, for a param without a default). */
  valueAt: number;
  existing: boolean;
  hasDefault: boolean;
  /** The decorator lines just above, joined. */
  decorators: string;
}

/** Top-level declarations (they start in column 0). */
export function declarations(s: Scanned): Declaration[] {
  const out: Declaration[] = [];
  const re = /^(param|var|resource|module|output)\s+([A-Za-z_][A-Za-z0-9_]*)\b/gm;
  for (const m of s.code.matchAll(re)) {
    const kind = m[1] as Declaration["kind"];
    const name = m[2]!;
    const lineEnd = s.text.indexOf("\n", m.index);
    const line = s.text.slice(m.index, lineEnd === -1 ? undefined : lineEnd);
    const codeLine = s.code.slice(m.index, lineEnd === -1 ? undefined : lineEnd);
    const eq = codeLine.indexOf("=");
    let type = "";
    if (kind === "resource" || kind === "module") type = /'([^']*)'/.exec(line)?.[1] ?? "";
    else if (kind === "param" || kind === "output")
      type = /^\w+\s+\w+\s+([A-Za-z_][\w.]*)/.exec(line)?.[1] ?? "";
    // Decorators sit directly above (multi-line ones like @metadata({...}) included).
    const above: string[] = [];
    for (const l of s.text.slice(0, m.index).split("\n").slice(0, -1).reverse()) {
      if (
        /^\s*$/.test(l) ||
        /^\s*\/\//.test(l) ||
        /^(param|var|resource|module|output|targetScope)\b/.test(l)
      )
        break;
      above.unshift(l);
    }
    const firstDecorator = above.findIndex((l) => l.startsWith("@"));
    const decorators = firstDecorator === -1 ? [] : above.slice(firstDecorator);
    out.push({
      kind,
      name,
      type,
      valueAt: eq === -1 ? m.index + line.length : m.index + eq + 1,
      existing: kind === "resource" && /'\s+existing\s*=/.test(line),
      hasDefault: eq !== -1,
      decorators: decorators.join("\n"),
    });
  }
  return out;
}

/** The `{ ... }` body of a resource or module: the first `{` after its `=`. */
export function body(s: Scanned, d: Declaration): { start: number; end: number; text: string } {
  const open = s.code.indexOf("{", d.valueAt);
  const close = matching(s, open);
  if (open === -1 || close === -1) throw new Error(`${d.kind} ${d.name} has no body`);
  return { start: open, end: close, text: s.text.slice(open, close + 1) };
}

export interface Entry {
  key: string;
  /** The value as written (multi-line values in full). */
  value: string;
  /** 1 = directly inside the block searched. */
  depth: number;
  at: number;
}

/**
 * Object entries (`key: value`, each starting its own line) inside s[start..end],
 * with their depth below the bracket at `start`.
 */
export function entries(s: Scanned, start: number, end: number): Entry[] {
  const out: Entry[] = [];
  let depth = 0;
  let lineStart = true;
  for (let i = start; i <= end; i++) {
    const ch = s.code[i]!;
    if (ch === "\n") {
      lineStart = true;
      continue;
    }
    if (lineStart && ch !== " " && ch !== "\t") {
      lineStart = false;
      const rest = s.code.slice(
        i,
        s.code.indexOf("\n", i) === -1 ? undefined : s.code.indexOf("\n", i),
      );
      const m = /^([A-Za-z_][A-Za-z0-9_]*|'\s*')\s*:(?!:)/.exec(rest);
      if (m) {
        const key = m[1]!.startsWith("'") ? s.text.slice(i + 1, i + m[1]!.length - 1) : m[1]!;
        out.push({ key, value: expressionAt(s, i + m[0].length), depth, at: i });
      }
    }
    if (ch in OPEN) depth++;
    else if (CLOSE.has(ch)) depth--;
  }
  return out;
}

/** Entries of a declaration's body (resource/module) at the given depth (1 = top level). */
export function bodyEntries(s: Scanned, d: Declaration, depth?: number): Entry[] {
  const b = body(s, d);
  const all = entries(s, b.start, b.end);
  return depth === undefined ? all : all.filter((e) => e.depth === depth);
}

/** Entries of the object value of a top-level `key:` in a declaration's body, e.g. a module's `params`. */
export function objectEntries(s: Scanned, d: Declaration, key: string): Entry[] {
  const entry = bodyEntries(s, d, 1).find((e) => e.key === key);
  if (!entry) return [];
  const open = s.code.indexOf("{", entry.at);
  return entries(s, open, matching(s, open)).filter((e) => e.depth === 1);
}

export interface BicepFile {
  path: string;
  rel: string;
  s: Scanned;
  decls: Declaration[];
  targetScope: string;
}

export function loadBicep(path: string): BicepFile {
  const s = scan(readFileSync(path, "utf8"));
  const scope = /^targetScope\s*=\s*'(\w+)'/m.exec(s.text)?.[1] ?? "resourceGroup";
  return { path, rel: relative(ROOT, path), s, decls: declarations(s), targetScope: scope };
}

export function bicepFiles(dir = INFRA): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".bicep"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function decl(f: BicepFile, kind: Declaration["kind"], name: string): Declaration {
  const d = f.decls.find((x) => x.kind === kind && x.name === name);
  if (!d) throw new Error(`${f.rel}: no ${kind} ${name}`);
  return d;
}

export function resourcesOfType(f: BicepFile, type: string): Declaration[] {
  return f.decls.filter(
    (d) => d.kind === "resource" && d.type.split("@")[0]!.toLowerCase() === type.toLowerCase(),
  );
}

/** The value of a single-quoted string literal without interpolation, or null. */
export function literal(value: string): string | null {
  const m = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/.exec(value.trim());
  return m ? m[1]!.replace(/\\(.)/g, "$1") : null;
}

/** Resolves an identifier to the string literal a var holds (one level). */
export function resolveString(f: BicepFile, value: string): string | null {
  const direct = literal(value);
  if (direct !== null) return direct;
  const v = f.decls.find((d) => d.kind === "var" && d.name === value.trim());
  return v ? literal(expressionAt(f.s, v.valueAt)) : null;
}

const KEYWORDS = new Set([
  "param",
  "var",
  "resource",
  "module",
  "output",
  "targetScope",
  "existing",
  "if",
  "for",
  "in",
  "true",
  "false",
  "null",
  "string",
  "int",
  "bool",
  "object",
  "array",
  "any",
  "import",
  "type",
  "func",
  "metadata",
  "using",
  "with",
  "as",
  "az",
  "sys",
]);

export type Role =
  "declaration" | "key" | "property" | "function" | "decorator" | "keyword" | "value";

/** Every identifier in the code (outside strings and comments, inside ${}), with the role it plays. */
export function identifiers(f: BicepFile): { name: string; role: Role; at: number }[] {
  const { code } = f.s;
  const out: { name: string; role: Role; at: number }[] = [];
  for (const m of code.matchAll(/(?<![\w$])[A-Za-z_][A-Za-z0-9_]*/g)) {
    const name = m[0];
    const before = code.slice(0, m.index).trimEnd();
    const after = code.slice(m.index + name.length);
    const lineStart = code.lastIndexOf("\n", m.index) + 1;
    const onLineBefore = code.slice(lineStart, m.index);
    let role: Role = "value";
    if (before.endsWith("@")) role = "decorator";
    else if (before.endsWith(".")) role = "property";
    else if (/^\s*\(/.test(after)) role = "function";
    else if (/^(param|var|resource|module|output)\s+$/.test(onLineBefore)) role = "declaration";
    else if (/^(param|output)\s+\w+\s+$/.test(onLineBefore))
      role = "keyword"; // the type
    else if (KEYWORDS.has(name)) role = "keyword";
    // An object key: first on its line, or right after `{` or `,`, and followed by a colon.
    else if (/^\s*:/.test(after) && (onLineBefore.trim() === "" || /[{,]$/.test(before)))
      role = "key";
    out.push({ name, role, at: m.index });
  }
  return out;
}

/** Identifiers used as values that nothing declares (declarations, loop and lambda variables). */
export function undeclaredReferences(f: BicepFile): string[] {
  const declared = new Set(f.decls.map((d) => d.name));
  for (const m of f.s.code.matchAll(
    /\bfor\s+(?:\(\s*)?([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s*\)?\s+in\b/g,
  )) {
    declared.add(m[1]!);
    if (m[2]) declared.add(m[2]);
  }
  for (const m of f.s.code.matchAll(/\b([A-Za-z_]\w*)\s*=>/g)) declared.add(m[1]!);
  const loopVars = new Set(
    [...f.s.code.matchAll(/\bfor\s+(?:\(\s*)?([A-Za-z_]\w*)/g)].map((m) => m[1]!),
  );
  return [
    ...new Set(
      identifiers(f)
        .filter((x) => x.role === "value" && !declared.has(x.name) && !loopVars.has(x.name))
        .map((x) => x.name),
    ),
  ].sort();
}

/** Names used as values (not where they are declared, not as keys or properties). */
export function usedIdentifiers(f: BicepFile): Set<string> {
  return new Set(
    identifiers(f)
      .filter((x) => x.role === "value")
      .map((x) => x.name),
  );
}

// `npm run package`: the Function App deployment package, exactly what `azd up`
// ships (azure.yaml points `dist` here and turns remote build off): host.json,
// package.json, the compiled code and the production dependencies, nothing
// else. Compiled fresh every time, so a deleted source file can never ship as a
// stale function, and checked before it is handed over: every function entry
// module must load with production dependencies only.
//
//   tsx scripts/package-functions.ts [--out <dir>] [--offline]

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

/** Copied from the project root as they are. */
const PROJECT_FILES = ["host.json", "package.json", "package-lock.json", ".funcignore"];

export interface PackageOptions {
  out: string;
  /** npm from its cache only (the tests: no network). */
  offline?: boolean;
  /** Hold back tsc's and npm's output unless they fail (the tests). */
  quiet?: boolean;
}

function run(command: string, args: string[], cwd: string, quiet: boolean): void {
  const result = spawnSync(command, args, {
    cwd,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(
      `${[command, ...args].join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
}

/** The npm that started this script (under `npm run`), on the same Node; else npm from PATH. */
function npm(args: string[], cwd: string, quiet: boolean): void {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.c?js$/.test(cli)) run(process.execPath, [cli, ...args], cwd, quiet);
  else run("npm", args, cwd, quiet);
}

/** Imports every function entry module in a fresh Node whose only packages are the package's. */
function checkEntryModulesLoad(dir: string): string[] {
  const entries = readdirSync(join(dir, "dist", "functions"))
    .filter((f) => f.endsWith(".js"))
    .map((f) => join(dir, "dist", "functions", f));
  if (entries.length === 0) throw new Error("no function entry modules in dist/functions");
  const script = entries.map((f) => `await import(${JSON.stringify(pathToFileURL(f).href)});`);
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script.join("\n")], {
    cwd: dir,
    encoding: "utf8",
    // No settings: the modules only register with @azure/functions at import;
    // settings are read on the first invocation.
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
  });
  if (result.status !== 0)
    throw new Error(`a function entry module does not load from the package:\n${result.stderr}`);
  return entries;
}

export function packageFunctions(options: PackageOptions): string[] {
  const quiet = options.quiet ?? false;
  // Staged outside the project so that loading the modules cannot fall back on
  // the project's node_modules (Node looks in every parent directory).
  const stage = mkdtempSync(join(tmpdir(), "erwatch-funcpackage-"));
  try {
    const tsc = require.resolve("typescript/bin/tsc");
    const outDir = join(stage, "dist");
    run(
      process.execPath,
      [tsc, "-p", "tsconfig.build.json", "--outDir", outDir, "--sourceMap", "false"],
      ROOT,
      quiet,
    );
    for (const file of PROJECT_FILES) cpSync(join(ROOT, file), join(stage, file));
    npm(
      ["ci", "--omit=dev", "--no-audit", "--no-fund", ...(options.offline ? ["--offline"] : [])],
      stage,
      quiet,
    );
    const entries = checkEntryModulesLoad(stage);
    rmSync(options.out, { recursive: true, force: true });
    cpSync(stage, options.out, { recursive: true, verbatimSymlinks: true });
    return entries.map((e) => e.slice(stage.length + 1));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: join(ROOT, ".funcpackage") },
      offline: { type: "boolean", default: false },
    },
  });
  const out = resolve(values.out);
  const entries = packageFunctions({ out, offline: values.offline });
  process.stdout.write(`packaged ${entries.length} function modules into ${out}\n`);
}

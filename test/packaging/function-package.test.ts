// What `azd up` ships: `npm run package` builds it (azure.yaml: dist
// .funcpackage, remoteBuild false) and azd zips it minus what .funcignore
// excludes. Here the package is built into a temp dir from npm's cache (no
// network), .funcignore is applied with git's own gitignore matcher, and what
// is left must be the compiled code and production dependencies only, and must
// be enough for the Functions host to load and register every function.

import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageFunctions } from "../../scripts/package-functions.js";

const ROOT = join(import.meta.dirname, "..", "..");
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;
const pkg = readJson<{
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}>(join(ROOT, "package.json"));
const lock = readJson<{ packages: Record<string, { dev?: boolean }> }>(
  join(ROOT, "package-lock.json"),
);
const FUNCTIONS = readdirSync(join(ROOT, "src", "functions"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => `dist/functions/${f.replace(/\.ts$/, ".js")}`);

let work: string;
let out: string;
let shipped: string[];

/** The files azd would zip: everything in `dir` that .funcignore does not exclude. */
function notIgnored(dir: string): string[] {
  const gitDir = join(work, "git");
  spawnSync("git", ["init", "-q", "--bare", gitDir]);
  const listed = spawnSync(
    "git",
    [
      `--git-dir=${gitDir}`,
      `--work-tree=${dir}`,
      "ls-files",
      "--others",
      `--exclude-from=${join(dir, ".funcignore")}`,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout.split("\n").filter(Boolean);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "erwatch-package-test-"));
  out = join(work, "package");
  packageFunctions({ out, offline: true, quiet: true });
  shipped = notIgnored(out);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the deployment package", () => {
  it("holds the compiled functions, host.json and package.json, and no source", () => {
    for (const file of ["host.json", "package.json", ...FUNCTIONS]) expect(shipped).toContain(file);
    // The host finds the functions through package.json's main glob.
    expect(pkg.main).toBe("dist/functions/*.js");
    const outside = shipped.filter(
      (f) =>
        !/^(dist|node_modules)\//.test(f) &&
        !["host.json", "package.json", "package-lock.json", ".funcignore"].includes(f),
    );
    expect(outside).toEqual([]);
    expect(
      shipped.filter((f) => /\.(ts|map)$/.test(f) || f.endsWith("local.settings.json")),
    ).toEqual([]);
  });

  it("holds production dependencies only", () => {
    const installed = Object.keys(
      readJson<{ packages: Record<string, unknown> }>(
        join(out, "node_modules", ".package-lock.json"),
      ).packages,
    );
    expect(installed.length).toBeGreaterThan(0);
    const devOnly = installed.filter((p) => lock.packages[p]?.dev === true);
    expect(devOnly).toEqual([]);
    for (const name of Object.keys(pkg.dependencies))
      expect(installed, name).toContain(`node_modules/${name}`);
    for (const name of ["typescript", "vitest", "azurite", "tsx", "node", "playwright-core"])
      expect(installed, name).not.toContain(`node_modules/${name}`);
  });

  it("is enough on its own: every function loads and registers from the shipped files", () => {
    // A copy of exactly the shipped files, in a directory with no node_modules
    // above it, so nothing can be found outside the package.
    const copy = join(work, "shipped");
    for (const file of shipped) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(out, file), join(copy, file));
    }
    for (let dir = dirname(copy); dir !== dirname(dir); dir = dirname(dir))
      expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
    const imports = FUNCTIONS.map(
      (f) => `await import(${JSON.stringify(pathToFileURL(join(copy, f)).href)});`,
    ).join("\n");
    const load = (env: Record<string, string>) => {
      const loaded = spawnSync(process.execPath, ["--input-type=module", "-e", imports], {
        cwd: copy,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", ...env },
      });
      expect(loaded.status, loaded.stderr).toBe(0);
      // Outside the host, @azure/functions names each function it would register.
      return [...loaded.stderr.matchAll(/register function "(\w+)"/g)].map((m) => m[1]).sort();
    };
    const always = ["dispatch", "status", "sweep", "sweepStatus", "sweepTimer"];
    expect(load({})).toEqual(always);
    // The fan-out worker only where there is a work queue to trigger it.
    expect(load({ SWEEP_WORK_QUEUE: "erwatch-sweep-work" })).toEqual(
      [...always, "sweepWorker"].sort(),
    );
  });
});

describe("cold start", () => {
  // The host imports every function file when it starts, so whatever an entry
  // imports at the top is paid on every cold start by every function, invoked
  // or not. The SDKs (ARM, identity, Service Bus, Tables, Monitor, the
  // telemetry exporter), settings validation (zod) and the logger (pino) load
  // with the entry's runtime on its first invocation. Measured (bench/entries.ts):
  // 90-110 ms per entry this way; 320-420 ms when the telemetry module pulled
  // @azure/identity in at import, 190-290 ms with settings and logger at import.
  const PROBE = `
    import { registerHooks } from "node:module";
    const packages = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(resolved.url);
        if (m) packages.add(m[1]);
        return resolved;
      },
    });
    await import(process.argv[1]);
    process.stdout.write(JSON.stringify([...packages]));
  `;
  const LATER = /^(@azure\/(?!functions)|@opentelemetry\/|applicationinsights$|zod$|pino$)/;

  const ENTRIES = FUNCTIONS.filter((f) => !f.endsWith("/deps.js"));

  it.each(ENTRIES)(
    "%s imports no Azure SDK, settings schema or logger until a function is invoked",
    (file) => {
      const loaded = spawnSync(
        process.execPath,
        ["--input-type=module", "-e", PROBE, pathToFileURL(join(out, file)).href],
        { cwd: out, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
      );
      expect(loaded.status, loaded.stderr).toBe(0);
      const packages = JSON.parse(loaded.stdout) as string[];
      expect(packages).toContain("@azure/functions");
      expect(packages.filter((p) => LATER.test(p))).toEqual([]);
    },
  );

  // The CLI the same way: the person at 2 a.m. who types `erwatch --help` or a
  // wrong flag should not wait for every Azure SDK (it took 1.6-2.3 s and
  // 140 MB when the program imported every command's module up front).
  const CLI_PROBE = PROBE.replace(
    "await import(process.argv[1]);",
    `process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify([...packages])));
    await import(process.argv[1]);`,
  ).replace("process.stdout.write(JSON.stringify([...packages]));", "");
  const cliLoads = (args: string[], env: Record<string, string> = {}) => {
    const ran = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", CLI_PROBE, join(out, "dist", "cli", "main.js"), ...args],
      { cwd: out, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } },
    );
    const loaded = /\nLOADED (\[.*\])$/.exec(ran.stderr);
    expect(loaded, ran.stderr).not.toBeNull();
    return {
      status: ran.status,
      stdout: ran.stdout,
      azure: (JSON.parse(loaded![1]!) as string[]).filter((p) => p.startsWith("@azure/")),
    };
  };

  it.each([
    "--help",
    "--version",
    "sweep --help",
    "diagnose --help",
    "alerts --help",
    "silence add --help",
    "dispatch --help",
    "sweep --no-such-flag",
  ])("erwatch %s loads no Azure SDK", (command) => {
    const ran = cliLoads(command.split(" "));
    expect(ran.status).toBe(command.includes("--no-such-flag") ? 2 : 0);
    if (command.includes("--help")) expect(ran.stdout).toMatch(/^Usage: erwatch/);
    expect(ran.azure).toEqual([]);
  });

  it("erwatch alerts loads Table Storage's SDK and identity, never the ARM SDK", () => {
    // Storage on a loopback port nothing listens on: the command fails, after loading what it uses.
    const ran = cliLoads(["alerts"], {
      ERWATCH_STORAGE:
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
      STORAGE_TIMEOUT_MS: "1000",
    });
    expect(ran.status).toBe(2);
    expect(ran.azure).toContain("@azure/data-tables");
    expect(ran.azure).not.toContain("@azure/arm-network");
    expect(ran.azure).not.toContain("@azure/service-bus");
  });
});

describe("building is its own step", () => {
  it("installing runs no compiler: no install-time scripts", () => {
    for (const hook of ["preinstall", "install", "postinstall", "prepare"])
      expect(pkg.scripts[hook], hook).toBeUndefined();
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    expect(pkg.scripts.package).toMatch(/scripts\/package-functions\.ts/);
  });

  it("azd deploys the package as built, not a remote build of the source", () => {
    const yaml = readFileSync(join(ROOT, "azure.yaml"), "utf8");
    expect(yaml).toMatch(/^\s+dist: \.funcpackage$/m);
    expect(yaml).toMatch(/^\s+remoteBuild: false$/m);
  });
});

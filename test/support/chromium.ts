// Finds a Chromium for the browser tests, installing Debian's `chromium` once
// when it is missing and this process may do so (root or passwordless sudo).
// Never prompts and never hangs: every command runs non-interactively under a
// deadline. Where no browser can be had, the caller gets a reason to skip with.

import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";

export type ChromiumResult =
  | { executablePath: string; installed: boolean; elapsedMs: number; version: string }
  | { skipReason: string };

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const INSTALL_DEADLINE_MS = 5 * 60_000;

interface Run {
  ok: boolean;
  output: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: Math.max(1_000, timeoutMs),
        killSignal: "SIGKILL",
        maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive", NEEDRESTART_MODE: "a" },
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!error) return resolve({ ok: true, output });
        const why = error.killed ? `timed out after ${timeoutMs} ms` : error.message;
        resolve({ ok: false, output: `${output}\n${why}` });
      },
    );
    child.stdin?.end();
  });
}

const tail = (text: string, lines = 6) => text.trim().split("\n").slice(-lines).join("\n");

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function usable(path: string): Promise<{ version: string } | { problem: string }> {
  if (!executable(path)) return { problem: `${path} is not an executable file` };
  const probe = await run(path, ["--version"], 30_000);
  return probe.ok
    ? { version: probe.output.trim().split("\n")[0] ?? "" }
    : { problem: `${path} --version failed: ${tail(probe.output, 3)}` };
}

/** CHROMIUM_PATH alone when it is set (the person asked for that browser), else the Debian paths. */
async function findInstalled(): Promise<
  { executablePath: string; version: string } | { problems: string[] }
> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    const result = await usable(fromEnv);
    return "version" in result
      ? { executablePath: fromEnv, version: result.version }
      : { problems: [`CHROMIUM_PATH: ${result.problem}`] };
  }
  const problems: string[] = [];
  for (const path of CANDIDATES.filter(executable)) {
    const result = await usable(path);
    if ("version" in result) return { executablePath: path, version: result.version };
    problems.push(result.problem);
  }
  return { problems };
}

/** How apt-get may be run here without a prompt, or why it may not. */
async function aptRunner(): Promise<{ prefix: string[] } | { reason: string }> {
  if (process.platform !== "linux") return { reason: `not Linux (${process.platform})` };
  if (!executable("/usr/bin/apt-get")) return { reason: "no /usr/bin/apt-get (not Debian-like)" };
  if (process.getuid?.() === 0) return { prefix: [] };
  const sudo = await run("sudo", ["-n", "true"], 10_000);
  return sudo.ok
    ? { prefix: ["sudo", "-n"] }
    : { reason: "not root and no passwordless sudo, so apt-get cannot be run" };
}

async function aptGet(prefix: string[], args: string[], deadline: number): Promise<Run> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return { ok: false, output: "install deadline passed" };
  const full = ["-q", "-o", "DPkg::Lock::Timeout=60", ...args];
  const [file, ...rest] =
    prefix.length > 0 ? [...prefix, "apt-get", ...full] : ["apt-get", ...full];
  return run(file!, rest, remaining);
}

async function install(): Promise<ChromiumResult> {
  const started = Date.now();
  const found = await findInstalled();
  if ("executablePath" in found)
    return { ...found, installed: false, elapsedMs: Date.now() - started };
  if (process.env.CHROMIUM_PATH)
    return { skipReason: `${found.problems.join("; ")} (unset it to let the tests install one)` };
  if (process.env.ERWATCH_NO_BROWSER_INSTALL === "1")
    return { skipReason: "Chromium is not installed and ERWATCH_NO_BROWSER_INSTALL=1" };
  const apt = await aptRunner();
  if ("reason" in apt)
    return {
      skipReason: `Chromium is not installed and cannot be installed here: ${apt.reason}. Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.`,
    };
  const deadline = started + INSTALL_DEADLINE_MS;
  const installArgs = ["install", "-y", "--no-install-recommends", "chromium"];
  let result = await aptGet(apt.prefix, installArgs, deadline);
  if (!result.ok) {
    // Usually missing or stale package lists (a fresh container): refresh and retry once.
    const update = await aptGet(apt.prefix, ["update"], deadline);
    if (!update.ok)
      return {
        skipReason: `apt-get update failed, so Chromium cannot be installed:\n${tail(update.output)}`,
      };
    result = await aptGet(apt.prefix, installArgs, deadline);
  }
  if (!result.ok) return { skipReason: `apt-get install chromium failed:\n${tail(result.output)}` };
  const after = await findInstalled();
  if ("executablePath" in after)
    return { ...after, installed: true, elapsedMs: Date.now() - started };
  return {
    skipReason: `apt-get installed chromium but no usable browser was found: ${after.problems.join("; ") || CANDIDATES.join(", ")} missing`,
  };
}

let pending: Promise<ChromiumResult> | null = null;

/** A usable Chromium (installed on first call if need be), or why there is none. Once per process. */
export function ensureChromium(): Promise<ChromiumResult> {
  pending ??= install();
  return pending;
}

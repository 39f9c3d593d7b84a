// However the demo is made to stop early (its reader closing the pipe, as
// `npm run demo | head` does; SIGTERM; Ctrl-C), it must stop everything it
// started: no Azurite left running, nothing left listening. Each run carries an
// environment variable its child processes inherit, so whatever it started is
// found in /proc, both while it runs and after it has gone.

import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { loopbackOnly } from "../support/loopback-env.js";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const MARK = "ERWATCH_DEMO_TEST_RUN";

/** Live processes carrying this run's mark, with their command lines. */
function marked(run: string): { pid: number; cmdline: string[] }[] {
  const found: { pid: number; cmdline: string[] }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (!environ.includes(`${MARK}=${run}`)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      found.push({ pid: Number(entry), cmdline });
    } catch {
      // exited meanwhile, or not readable: not ours
    }
  }
  return found;
}

/** Polls until nothing of the run is left, or the deadline passes; returns what is left. */
async function leftRunning(run: string, deadlineMs: number) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const left = marked(run);
    if (left.length === 0 || Date.now() > until) return left;
    await delay(100);
  }
}

/** Whether something accepts connections on 127.0.0.1:port (bounded). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

interface Demo {
  run: string;
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the first stdout line matching, or rejects at the deadline. */
  line(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  exit(timeoutMs: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Every demo a test started: one a failed or timed-out test left running is killed after it. */
const started: Demo[] = [];

afterEach(async () => {
  for (const demo of started.splice(0)) {
    if (demo.child.exitCode !== null || demo.child.signalCode !== null) continue;
    demo.child.kill("SIGKILL");
    await demo.exited;
  }
});

function startDemo(args: string[]): Demo {
  const run = randomUUID();
  const child = spawn(process.execPath, ["--import", "tsx", "demo/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: loopbackOnly({ ...process.env, NO_COLOR: "1", [MARK]: run }),
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  // A destroyed stdout is the point of one test; its late errors are not.
  child.stdout!.on("error", () => undefined);
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const demo: Demo = {
    run,
    child,
    exited,
    stderr: () => err,
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const settle = (error?: Error) => {
          child.stdout!.off("data", check);
          child.off("exit", onExit);
          clearTimeout(timer);
          const match = pattern.exec(out);
          if (match && !error) resolve(match);
          else reject(error ?? new Error(`no ${pattern} in the demo's output:\n${out}\n${err}`));
        };
        const check = () => {
          if (pattern.test(out)) settle();
        };
        const onExit = () =>
          settle(pattern.test(out) ? undefined : new Error(`the demo exited:\n${out}\n${err}`));
        const timer = setTimeout(
          () => settle(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`)),
          timeoutMs,
        );
        child.stdout!.on("data", check);
        child.once("exit", onExit);
        check();
      });
    },
    async exit(timeoutMs) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        const code = await exited;
        if (child.signalCode === "SIGKILL")
          throw new Error(`the demo did not exit within ${timeoutMs} ms:\n${err}`);
        return code;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  started.push(demo);
  return demo;
}

/** Everything the demo started, once it is up: its Azurite (and port), its status page. */
async function whileRunning(demo: Demo) {
  const status = (await demo.line(
    /status page: (http:\/\/127\.0\.0\.1:(\d+)\/api\/status)/,
    60_000,
  ))!;
  const azurite = marked(demo.run).find((p) => p.cmdline.some((a) => a.includes("azurite")));
  expect(azurite, "the demo's Azurite is running").toBeDefined();
  const port = Number(azurite!.cmdline[azurite!.cmdline.indexOf("--tablePort") + 1]);
  expect(await listening(port)).toBe(true);
  return { statusPort: Number(status[2]), azuritePort: port };
}

/**
 * Nothing tagged with this run is alive, so nothing it started can be
 * listening. The ports themselves are not asked: on a busy machine another
 * test's Azurite may be handed a port the demo just freed.
 */
async function expectNothingLeft(demo: Demo, _ports: number[]) {
  expect(await leftRunning(demo.run, 10_000)).toEqual([]);
}

describe.skipIf(process.platform !== "linux")("stopping the demo early", () => {
  it("when its reader closes the pipe (npm run demo | head), it stops everything and exits 0", async () => {
    const demo = startDemo(["--interval", "0"]);
    const { statusPort, azuritePort } = await whileRunning(demo);
    // What head does after its last line: the demo's next write fails with EPIPE.
    demo.child.stdout!.destroy();
    expect(await demo.exit(30_000), demo.stderr()).toBe(0);
    expect(demo.stderr()).toMatch(/its output was closed/);
    expect(demo.stderr()).toMatch(/nothing it started is still running/);
    await expectNothingLeft(demo, [statusPort, azuritePort]);
  }, 90_000);

  it("on SIGTERM, even while waiting between sweeps", async () => {
    const demo = startDemo(["--interval", "60000"]);
    const { statusPort, azuritePort } = await whileRunning(demo);
    await demo.line(/── 00:00 UTC[\s\S]*notification/, 30_000);
    demo.child.kill("SIGTERM");
    expect(await demo.exit(30_000), demo.stderr()).toBe(0);
    expect(demo.stderr()).toMatch(/stopping \(SIGTERM\)/);
    await expectNothingLeft(demo, [statusPort, azuritePort]);
  }, 90_000);

  it("even killed outright (SIGKILL, a crash), its Azurite does not outlive it", async () => {
    const demo = startDemo(["--interval", "60000"]);
    const { statusPort, azuritePort } = await whileRunning(demo);
    demo.child.kill("SIGKILL");
    await demo.exited;
    await expectNothingLeft(demo, [statusPort, azuritePort]);
  }, 90_000);

  it("on Ctrl-C with --keep-running, as the README says to stop it", async () => {
    const demo = startDemo(["--interval", "0", "--keep-running"]);
    const { statusPort, azuritePort } = await whileRunning(demo);
    await demo.line(/the status page stays up/, 60_000);
    expect(await listening(statusPort)).toBe(true);
    demo.child.kill("SIGINT");
    expect(await demo.exit(30_000), demo.stderr()).toBe(0);
    await expectNothingLeft(demo, [statusPort, azuritePort]);
  }, 90_000);
});

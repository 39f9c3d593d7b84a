// The README's first command must run to the end on a fresh machine: the demo
// is run as a child process, exactly as `npm run demo` runs it, and must exit
// 0 having told the night's story, leaving nothing listening.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { loopbackOnly } from "../support/loopback-env.js";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

function runDemo(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "demo/main.ts", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: loopbackOnly({ ...process.env, NO_COLOR: "1" }),
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`demo did not finish in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** What the demo printed for the sweep at `hhmm` UTC, up to the next one. */
function sweepAt(out: string, hhmm: string): string {
  const start = out.indexOf(`── ${hhmm} UTC ──`);
  expect(start, `no sweep at ${hhmm}`).toBeGreaterThanOrEqual(0);
  const next = out.indexOf("\n── ", start + 1);
  return out.slice(start, next < 0 ? undefined : next);
}

describe("npm run demo", () => {
  it("plays the whole timeline, shows each notification, and exits 0", async () => {
    const { code, out } = await runDemo(["--interval", "0"], 120_000);
    expect(code, out).toBe(0);
    const status = /status page: (http:\/\/127\.0\.0\.1:\d+\/api\/status)/.exec(out);
    expect(status, out).not.toBeNull();
    // The story, in order: a carrier fault's Sev2 to Teams only; the 2 a.m. Sev0 pages
    // and resolves on one dedup key; the prefix warning escalates.
    const notifications = out.split("\n").filter((l) => l.includes("▶"));
    const headline = (line: string) => {
      const m = /▶ (PagerDuty|Teams|ITSM webhook)\s+(\S+)\s+(\S+)/.exec(line);
      return m ? `${m[1]} ${m[2]} ${m[3]}` : line;
    };
    expect(notifications.map(headline)).toEqual([
      "Teams OPEN Sev2",
      "ITSM webhook Fired Sev2",
      "Teams RESOLVED ·",
      "ITSM webhook Resolved Sev2",
      "PagerDuty TRIGGER critical",
      "Teams OPEN Sev0",
      "ITSM webhook Fired Sev0",
      "PagerDuty RESOLVE (dedup_key",
      "Teams RESOLVED ·",
      "ITSM webhook Resolved Sev0",
      "Teams OPEN Sev3",
      "ITSM webhook Fired Sev3",
      "Teams ESCALATED Sev3",
      "ITSM webhook Fired Sev2",
      "Teams RESOLVED ·",
      "ITSM webhook Resolved Sev2",
      // The data plane: a saturation window (Sev3, nobody woken) ...
      "Teams OPEN Sev3",
      "ITSM webhook Fired Sev3",
      "Teams RESOLVED ·",
      "ITSM webhook Resolved Sev3",
      // ... and an end-to-end failure the layers do not explain (Sev1 pages).
      "PagerDuty TRIGGER error",
      "Teams OPEN Sev1",
      "ITSM webhook Fired Sev1",
      "PagerDuty RESOLVE (dedup_key",
      "Teams RESOLVED ·",
      "ITSM webhook Resolved Sev1",
    ]);
    // Each page and its resolve share one dedup key; the two incidents have their own.
    const keys = notifications
      .filter((l) => l.includes("PagerDuty"))
      .map((l) => /dedup_key (erw-[0-9a-f]{32})/.exec(l)?.[1]);
    expect(keys).toHaveLength(4);
    expect(keys.every(Boolean)).toBe(true);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).toBe(keys[3]);
    expect(keys[0]).not.toBe(keys[2]);
    // The 2 a.m. outage leaves nothing reachable: the end-to-end tests fail
    // with it, folded into the one Sev0 (they read "1 test passes" throughout),
    // and pass again once the prefixes are back.
    const night = sweepAt(out, "02:00");
    expect(night).toMatch(/^ {2}end to end +DOWN Fail: 1 of 1 tests/m);
    expect(night).toMatch(/End-to-end tests\s+fail too/);
    expect(sweepAt(out, "02:05")).toMatch(/^ {2}end to end +DOWN Fail/m);
    expect(sweepAt(out, "02:20")).toMatch(/^ {2}end to end +ok 1 test passes/m);
    // The prefix trend is told with the open and the escalation, not under the
    // resolve, where its time to the limit had already passed.
    const trends = out
      .split("\n")
      .flatMap((line, i, all) => (line.trim().startsWith("trend:") ? [all[i - 1]!] : []));
    expect(trends.map((l) => /alert (\w+)/.exec(l)?.[1])).toEqual(["open", "escalate"]);
    // The carrier's announced maintenance is a silence: the Sev2 it would open
    // is held and said to be, and nothing reaches anyone from 03:00 to 03:35.
    expect(sweepAt(out, "03:05")).toMatch(
      /no notification: held by silence carrier-maintenance \(carrier's announced maintenance, ticket CHG-20431\)/,
    );
    for (const hhmm of ["03:00", "03:05", "03:30", "03:35"])
      expect(sweepAt(out, hhmm)).not.toContain("▶");
    expect(out).toMatch(/capacity planning, not an incident/);
    expect(out).toMatch(/every layer of the circuit reads healthy/);
    expect(out).toMatch(/redundancy holding/);
    // @azure/functions' notices about running without the Functions host are
    // expected here; the demo explains them once instead of printing them.
    expect(out).not.toMatch(
      /Failed to detect the Azure Functions runtime|Skipping call to register/,
    );
    expect(out).toMatch(/without the Functions host/);
    expect(out).toMatch(/done: 4 PagerDuty events, 11 Teams cards, 11 webhook calls\./);
    // Nothing left listening: the status page is gone.
    await expect(fetch(status![1]!, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 150_000);
});

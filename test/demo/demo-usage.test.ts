// A mistyped demo flag is told in one line before anything starts, and exits
// 2 as erwatch's own usage mistakes do: `--interval abc` printed a stack
// trace, and `--port abc` started the whole estate before Node refused the
// port (ERR_SOCKET_BAD_PORT).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loopbackOnly } from "../support/loopback-env.js";

const ROOT = join(import.meta.dirname, "..", "..");

function demo(args: string[]) {
  const ran = spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: loopbackOnly({ ...process.env, NO_COLOR: "1" }),
  });
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

describe("npm run demo with a value it cannot use", () => {
  it.each([
    [
      ["--interval", "abc"],
      /^error: .*'--interval <ms>' argument 'abc' is invalid\. give whole milliseconds/,
    ],
    [["--interval", "-5"], /^error: .*'--interval <ms>' argument '-5' is invalid/],
    [["--port", "abc"], /^error: .*'--port <port>' argument 'abc' is invalid\. give a port number/],
    [["--port", "70000"], /^error: .*'--port <port>' argument '70000' is invalid/],
  ])("%j: one line, exit 2, nothing started", (args, says) => {
    const ran = demo(args);
    expect(ran.code, ran.stderr).toBe(2);
    expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(ran.stderr).toMatch(says);
    expect(ran.stderr).not.toMatch(/\n\s+at |ERR_SOCKET_BAD_PORT|demo failed/);
    // Nothing of the estate was started: its first line never came.
    expect(ran.stdout).not.toMatch(/starting the loopback estate|status page:/);
  });

  it("--help still answers, exit 0", () => {
    const ran = demo(["--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/--interval <ms>/);
  });
});

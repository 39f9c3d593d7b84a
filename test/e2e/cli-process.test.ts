// `erwatch` as a process, exactly as a person runs it (src/cli/main.ts under
// Node 22), against the simulated estate: the credential is the real
// DefaultAzureCredential limited to the Azure CLI (AZURE_TOKEN_CREDENTIALS)
// with a stand-in `az` on PATH, and the estate's certificate is trusted
// through NODE_EXTRA_CA_CERTS. Credential errors keep their cause, a closed
// pipe ends quietly with the usual exit code, and Ctrl-C stops a sweep whose
// reads hang, at once. Every wait is bounded.

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEstate, wholeCatalog, type SimulatedEstate } from "../support/estate/index.js";
import { estateAccess } from "../support/estate-access.js";
import { loopbackOnly } from "../support/loopback-env.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SUB = "00000000-0000-0000-0000-000000000001";

let estate: SimulatedEstate;
let dir: string;

/** A directory holding an `az` that answers `account get-access-token` like a signed-in Azure CLI, or like one that is not. */
function azDir(loggedIn: boolean): string {
  const binDir = mkdtempSync(join(dir, loggedIn ? "az-in-" : "az-out-"));
  const script = loggedIn
    ? `#!/bin/sh\necho '{"accessToken":"estate-token","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"tokenType":"Bearer"}'\n`
    : `#!/bin/sh\necho "ERROR: Please run 'az login' to setup account." >&2\nexit 1\n`;
  writeFileSync(join(binDir, "az"), script);
  chmodSync(join(binDir, "az"), 0o755);
  return binDir;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Every Azure endpoint erwatch may call, on the estate: ARM, Azure Monitor, Log Analytics. */
function estateEndpoints(): Record<string, string> {
  const { env } = estateAccess(estate);
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

function erwatch(
  args: string[],
  options: {
    path?: string;
    closeStdout?: boolean;
    onSpawn?: (kill: (signal: NodeJS.Signals) => void) => void;
    timeoutMs?: number;
  } = {},
): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: loopbackOnly({
      PATH: `${options.path ?? azDir(true)}:/usr/bin:/bin`,
      HOME: dir,
      AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
      NODE_EXTRA_CA_CERTS: join(dir, "estate-ca.pem"),
      ...estateEndpoints(),
    }),
  });
  let stdout = "";
  let stderr = "";
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  options.onSpawn?.((signal) => child.kill(signal));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `erwatch ${args.join(" ")} did not exit within ${options.timeoutMs ?? 60_000} ms:\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
  dir = mkdtempSync(join(tmpdir(), "erwatch-cli-process-"));
  writeFileSync(join(dir, "estate-ca.pem"), estate.ca);
});
afterAll(async () => {
  await estate?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("credential errors keep the real cause", () => {
  it("says the Azure CLI is not installed (today only the chain's first line)", async () => {
    const ran = await erwatch(["sweep", "--subscription", SUB], {
      path: mkdtempSync(join(dir, "empty-")),
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/could not get a token/);
    expect(ran.stderr).toMatch(/Azure CLI could not be found/);
    expect(ran.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });

  it("says to run az login when the Azure CLI is not signed in", async () => {
    const ran = await erwatch(["sweep", "--subscription", SUB], { path: azDir(false) });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/Please run 'az login'/);
  });

  it("and with a signed-in Azure CLI it sweeps (the stand-in works)", async () => {
    const ran = await erwatch([
      "sweep",
      "--circuit",
      `/subscriptions/${SUB}/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRouteCircuits/healthy`,
    ]);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/1 circuit read/);
  });
});

describe("a closed pipe", () => {
  it("ends quietly with the usual exit code when the reader is gone before the output", async () => {
    const ran = await erwatch(["sweep", "--subscription", SUB], { closeStdout: true });
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(1); // findings at Sev2 or worse, as without the pipe
  });

  it("`erwatch sweep | head -n 1` prints the header and nothing complains", async () => {
    const pipeline = spawn(
      "bash",
      [
        "-c",
        `"${process.execPath}" --import tsx src/cli/main.ts sweep --subscription ${SUB} | head -n 1; echo "exit \${PIPESTATUS[0]}" >&2`,
      ],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: loopbackOnly({
          PATH: `${azDir(true)}:/usr/bin:/bin`,
          HOME: dir,
          AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
          NODE_EXTRA_CA_CERTS: join(dir, "estate-ca.pem"),
          ...estateEndpoints(),
          COLUMNS: "60",
        }),
      },
    );
    let stdout = "";
    let stderr = "";
    pipeline.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    pipeline.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        pipeline.kill("SIGKILL");
        reject(new Error("pipeline did not finish in 60 s"));
      }, 60_000);
      pipeline.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(stdout).toMatch(/^SEV +CIRCUIT +PEERING/);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stderr.trim()).toBe("exit 1");
  });
});

describe("Ctrl-C", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "stops a sweep whose reads hang at %s, at once, and exits %i",
    async (signal, code) => {
      // Every ARP read hangs for the estate's longest delay (30 s).
      estate.addFault({
        match: { operation: "arpTable" },
        behaviour: { kind: "slow", delayMs: 30_000 },
      });
      const before = estate.requests.length;
      let interruptedAt = 0;
      try {
        const ran = await erwatch(["sweep", "--subscription", SUB], {
          timeoutMs: 40_000,
          onSpawn: (kill) => {
            void estate
              .waitForRequest(
                (r) => r.operation === "arpTable" && estate.requests.indexOf(r) >= before,
                30_000,
              )
              .then(() => {
                interruptedAt = Date.now();
                kill(signal);
              });
          },
        });
        expect(interruptedAt).toBeGreaterThan(0);
        const afterInterrupt = Date.now() - interruptedAt;
        expect(ran.code).toBe(code);
        expect(ran.stderr).toMatch(/erwatch: interrupted/);
        expect(ran.stdout).toBe("");
        // Not the 30 s the reads would have taken, nor the 2 s grace: the reads were aborted.
        expect(afterInterrupt).toBeLessThan(2_000);
      } finally {
        estate.clearFaults();
      }
    },
  );
});

// Azurite's table service, started by the test suite on a free loopback port
// with in-memory persistence, and stopped with it.

import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { freePort } from "./free-port.js";

const require = createRequire(import.meta.url);
const AZURITE_TABLE = require.resolve("azurite/dist/src/table/main.js");
// Azurite runs inside a small wrapper that exits when its stdin closes. That
// pipe closes when the process that started Azurite ends, however it ends
// (a crash, SIGKILL), so no Azurite outlives the test run or demo that owns it.
const EXIT_WITH_PARENT = [
  'process.stdin.on("end", () => process.exit(0));',
  'process.stdin.on("error", () => process.exit(0));',
  "process.stdin.resume();",
  "require(process.argv[1]);",
].join(" ");
// Azurite's well-known development account; not a secret.
const ACCOUNT = "devstoreaccount1";
const KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("successfully started")) {
        cleanup();
        resolve();
      } else if (/EADDRINUSE|error/i.test(output)) {
        cleanup();
        reject(new Error(`Azurite failed to start:\n${output}`));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`Azurite exited with ${code}:\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

export async function startAzurite(): Promise<Azurite> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        "-e",
        EXIT_WITH_PARENT,
        AZURITE_TABLE,
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        String(port),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    try {
      await waitForReady(child, 20_000);
    } catch (error) {
      lastError = error;
      child.kill("SIGKILL");
      continue;
    }
    return {
      port,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    };
  }
  throw lastError;
}

// Found by a review. `erwatch dispatch` runs under a service manager, which
// stops it with SIGTERM: that is a clean stop, 0, as its --help says. But
// `erwatch dispatch --once` is what a scheduler runs ("deliver what is
// waiting, then exit"): stopped while a page was still being delivered, it
// exited 0, the code for "the queue drained", while the event still waited in
// Service Bus. It now exits 130 (143 by SIGTERM), as its --help says.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf, healthyCircuit, type SimCircuit } from "../support/estate/index.js";
import { setProviderState } from "../support/estate/mutators.js";
import { loopbackOnly } from "../support/loopback-env.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

const ROOT = join(import.meta.dirname, "..", "..");
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const BOUND_MS = 20_000;

let azurite: Azurite;
let world: World | null = null;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterEach(async () => {
  await world?.close();
  world = null;
});
afterAll(async () => {
  await azurite?.stop();
});

async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `erwatch dispatch --help`, on one line. */
async function dispatchHelp(): Promise<string> {
  let text = "";
  const stream = { write: (s: string) => ((text += s), true) };
  await runCli(["dispatch", "--help"], { env: {}, stdout: stream, stderr: stream });
  return text.replace(/\s+/g, " ");
}

it("dispatch --once stopped while a page is being delivered exits 130, not the 0 of a drained queue", async () => {
  const bundle = healthyCircuit({ name: "er-lon-a" });
  let now = new Date(T0);
  world = await startWorld({ estate: estateOf(bundle), azurite, now: () => now });
  const w = world;
  await w.timerSweep();
  setProviderState(bundle.circuit as SimCircuit, "NotProvisioned");
  now = new Date(T0 + 5 * 60_000);
  expect((await w.timerSweep()).pendingInOutbox).toBe(0);
  expect(w.broker.active(ALERTS_QUEUE).length).toBeGreaterThan(0);

  // PagerDuty takes its time: the delivery is in flight when Ctrl-C comes.
  w.pagerduty.respondWith(202, { delayMs: 8_000 });
  const stop = new AbortController();
  const run = runCli(["dispatch", "--once"], {
    env: w.env,
    stdout: { write: () => true },
    stderr: { write: () => true },
    signal: stop.signal,
  });
  await until("the page in flight", () => w.pagerduty.requests.length >= 1);
  stop.abort();
  const code = await Promise.race([
    run,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("dispatch still running 15 s after Ctrl-C")), 15_000),
    ),
  ]);
  // Not settled: it waits in Service Bus (or comes back); the queue is not drained.
  expect(w.broker.completed(ALERTS_QUEUE)).toEqual([]);
  expect(code).toBe(130);
  expect(await dispatchHelp()).toContain(
    "130 with --once, interrupted (Ctrl-C) before the queue drained; 143 the same by SIGTERM",
  );
}, 60_000);

it("dispatch stopped by SIGTERM from a service manager exits 0, as its --help says", async () => {
  world = await startWorld({
    estate: estateOf(healthyCircuit({ name: "er-lon-a" })),
    azurite,
    now: () => new Date(T0),
  });
  const w = world;
  expect(await dispatchHelp()).toContain("0 stopped (Ctrl-C or SIGTERM)");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.env)) if (typeof v === "string") env[k] = v;
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "dispatch"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: loopbackOnly({ PATH: "/usr/bin:/bin", HOME: "/tmp", ...env }),
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`dispatch did not exit within 40 s:\n${stderr}`));
    }, 40_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  // Receiving from an empty queue: then the service manager stops it.
  await until("dispatch receiving", () => w.broker.receiveLinks(ALERTS_QUEUE) > 0);
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(stderr).toContain("erwatch dispatch: handled 0 messages");
}, 60_000);

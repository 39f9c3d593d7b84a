// A fan-out worker in its own process, for the tests that prove two workers
// split a sweep: the real sweepWorker handler (as the Functions host runs it)
// fed by a session receiver on the loopback broker, with the runtime built
// from the same app settings as the parent's world. Loading its modules is
// most of its start (seconds of CPU, a minute on a loaded machine), so it
// says "loaded" before it knows its world: the test starts it alongside its
// own setup, then sends the settings and the estate's CA as one JSON line.
// It waits for "go" on stdin so the test starts every worker at once, works
// until the queue has been idle a while, and prints one JSON line: its pid
// and what it handled.

import functions from "@azure/functions";
import { createInterface } from "node:readline";
import { closeServiceBusClients, serviceBusClient } from "../../src/adapters/servicebus/client.js";
import { drainOneSession } from "../../src/adapters/servicebus/work-queue.js";
import { SweepCoordinator } from "../../src/app/sweep-coordinator.js";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import type { SweepResult } from "../../src/app/sweep.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import { loadSweepConfig } from "../../src/runtime/config.js";
import { buildSweepRuntime } from "../../src/runtime/sweep.js";
import { staticCredential } from "./estate-access.js";

const idleRounds = Number(process.env.ERWATCH_WORKER_IDLE_ROUNDS ?? "4");

async function main(): Promise<void> {
  const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await stdin.next();
    if (line.done) throw new Error("stdin closed before the test said what to do");
    return line.value;
  };
  process.stdout.write("loaded\n");
  const { env, ca } = JSON.parse(await nextLine()) as { env: Record<string, string>; ca: string };
  const config = loadSweepConfig(env, { publish: "required" });
  const serviceBusOptions = { retryOptions: { maxRetries: 0, timeoutInMs: 3_000 } };
  const runtime = buildSweepRuntime(config, {
    credential: staticCredential,
    armClientOptions: { pipeline: { tlsOptions: { ca } } },
    serviceBusOptions,
    logDestination: { write: () => true },
  });
  await runtime.work!.claims.ensureTable();
  const deps = {
    runtime,
    coordinator: new SweepCoordinator<SweepResult>(),
    runs: new SweepRuns(),
    now: () => new Date(),
  };
  const handler = sweepWorkerHandler(async () => deps);
  const bus = serviceBusClient(
    config.publish!.connection,
    () => staticCredential,
    serviceBusOptions,
  );
  process.stdout.write("ready\n");
  await nextLine();
  const stop = AbortSignal.timeout(60_000);
  let messages = 0;
  let errors = 0;
  let invocation = 0;
  for (let idle = 0; idle < idleRounds && !stop.aborted;) {
    const handled = await drainOneSession(
      bus,
      runtime.work!.name,
      (body) =>
        handler(body, new functions.InvocationContext({ invocationId: `w${++invocation}` })),
      { abortSignal: stop, maxWaitTimeInMs: 300, onError: () => (errors += 1) },
    );
    messages += handled;
    idle = handled === 0 ? idle + 1 : 0;
    if (handled === 0) await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await runtime.sink?.close?.();
  await runtime.work!.queue.close();
  await closeServiceBusClients();
  process.stdout.write(`${JSON.stringify({ pid: process.pid, messages, errors })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

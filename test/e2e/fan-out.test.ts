// Fan-out over Service Bus (issue 13): the timer plans and sends the deep
// reads as work messages, one session per subscription; two worker processes,
// each running the real sweepWorker handler on a session receiver, split the
// work. Every circuit is read once, every alert reaches PagerDuty once, even
// with every work message delivered a second time on another session.

import functions from "@azure/functions";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toWorkMessage } from "../../src/adapters/servicebus/work-queue.js";
import type { WorkMessage } from "../../src/app/work.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  type CircuitBundle,
} from "../support/estate/index.js";
import { startWorld, type World } from "../support/world.js";

const ROOT = join(import.meta.dirname, "..", "..");
const WORKER = join(ROOT, "test", "support", "sweep-worker-process.ts");
const QUEUE = "erwatch-sweep-work";
const SUBS = ["a1", "b2", "c3"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const PRIVATE = "AzurePrivatePeering";

interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Its modules loaded: it waits for its settings. */
  loaded: Promise<void>;
  ready: Promise<void>;
  done: Promise<{ pid: number; messages: number; errors: number }>;
}

/** A worker process, started before it knows its world; each wait fails with its stderr should it exit. */
function startWorker(): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    cwd: ROOT,
    env: { ...process.env, ERWATCH_WORKER_IDLE_ROUNDS: "8" },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const said = new Map<string, () => void>();
  const saying = (line: string) => new Promise<void>((resolve) => said.set(line, resolve));
  const loaded = saying("loaded");
  const ready = saying("ready");
  const done = new Promise<{ pid: number; messages: number; errors: number }>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve(JSON.parse(line));
      else said.get(line)?.();
    });
    child.once("exit", (code) =>
      code === 0 ? undefined : reject(new Error(`worker exited ${code}: ${stderr}`)),
    );
  });
  // Exiting early rejects every wait, not only the last.
  const orExit = (p: Promise<void>) => Promise.race([p, done.then(() => undefined)]);
  return { child, loaded: orExit(loaded), ready: orExit(ready), done };
}

/** `promise`, or a failure naming `what` once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let azurite: Azurite;
let workers: Worker[] = [];
// A worker's start is loading the product and the Azure SDKs through tsx:
// seconds of CPU, over a minute when the 2-core machine runs other files
// too. It is setup, not what the test proves: the workers load before the
// test, which gets its own time for the sweep.
const WORKERS_LOAD_MS = 150_000;
/** The workers' share of the sweep, from "go" until both found the queue idle. */
const WORK_MS = 60_000;
beforeAll(async () => {
  // After Azurite, whose start has a deadline of its own: loading beside it starved it.
  azurite = await startAzurite();
  workers = [startWorker(), startWorker()];
  await within(
    Promise.all(workers.map((x) => x.loaded)),
    WORKERS_LOAD_MS,
    "the worker processes loading",
  );
}, WORKERS_LOAD_MS + 10_000);
afterAll(async () => {
  for (const { child } of workers.splice(0)) if (child.exitCode === null) child.kill();
  await azurite?.stop();
});

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe("fan-out: the timer plans, two worker processes read", () => {
  it(
    "splits the sweep between two workers by subscription: each circuit read once, each alert paged once",
    async () => {
      const bundles: CircuitBundle[] = [];
      // Each subscription's circuits at a peering location of their own.
      for (const [n, subscriptionId] of SUBS.entries())
        for (let i = 0; i < 5; i += 1)
          bundles.push(
            healthyCircuit({
              subscriptionId,
              name: `er-${subscriptionId.slice(-2)}-${i}`,
              peeringLocation: ["Amsterdam", "London", "Frankfurt"][n]!,
            }),
          );
      // One circuit per subscription has lost both paths: three Sev0s, three places.
      const down = bundles.filter((_, i) => i % 5 === 2).map((b) => b.circuit);
      for (const c of down) {
        carrierDown(c, PRIVATE, "primary");
        carrierDown(c, PRIVATE, "secondary");
      }
      world = await startWorld({
        estate: estateOf(...bundles),
        azurite,
        now: () => new Date("2026-11-22T03:00:00.000Z"),
        env: {
          ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
          SWEEP_WORK_QUEUE: QUEUE,
          SWEEP_WORK_BATCH: "2",
          SWEEP_SCHEDULE: "0 */5 * * * *",
        },
      });
      const w = world;
      // The routers take a moment: both workers are busy at once.
      w.estate.addFault({
        match: { operation: "routeTablesSummary" },
        behaviour: { kind: "slow", delayMs: 150 },
      });
      expect(w.runtime.work).not.toBeNull();
      await w.runtime.work!.claims.ensureTable();

      // The timer function as the host runs it: it plans and fans out, and reads nothing deep itself.
      const before = w.estate.requests.length;
      await sweepTimerHandler(async () => w.functionDeps)(
        {
          isPastDue: false,
          schedule: { adjustForDST: false },
          scheduleStatus: { last: "", next: "", lastUpdated: "" },
        },
        new functions.InvocationContext({ invocationId: "timer-fanout" }),
      );
      const timerRequests = w.estate.requests.slice(before);
      // Its only POSTs are the cheap signal's metrics batches, never a per-path read.
      expect(
        timerRequests.filter((r) => r.method === "POST" && !r.path.endsWith("/metrics:getBatch")),
      ).toEqual([]);
      expect(timerRequests.some((r) => r.path.endsWith("/metrics:getBatch"))).toBe(true);
      const work = w.broker.active(QUEUE);
      expect(work.map((m) => m.body as WorkMessage).flatMap((m) => m.items)).toHaveLength(15);
      expect(new Set(work.map((m) => (m.body as WorkMessage).subscriptionId))).toEqual(
        new Set(SUBS),
      );

      // Every work message delivered a second time, on a session of its own, as a lost lock would.
      const sb = new ServiceBusClient(w.broker.connectionString, {
        retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
      });
      try {
        await sb.createSender(QUEUE).sendMessages(
          work.map((m) => {
            const body = m.body as WorkMessage;
            return {
              ...toWorkMessage(body),
              messageId: `${m.messageId}-again`,
              sessionId: `${body.subscriptionId}-again`,
            };
          }),
        );
      } finally {
        await sb.close();
      }

      for (const x of workers)
        x.child.stdin.write(`${JSON.stringify({ env: w.env, ca: w.estate.ca })}\n`);
      await within(Promise.all(workers.map((x) => x.ready)), 20_000, "the workers' runtimes");
      for (const x of workers) x.child.stdin.write("go\n");
      // Eighteen messages, each a worker's whole sweep of its circuits (claims,
      // reads, snapshots, publish): a few seconds unloaded, over half a minute
      // on the loaded 2-core machine.
      const results = await within(
        Promise.all(workers.map((x) => x.done)),
        WORK_MS,
        "the workers working the queue until idle",
      );
      expect(results.every((r) => r.errors === 0)).toBe(true);
      expect(results.every((r) => r.messages > 0)).toBe(true);
      expect(w.broker.active(QUEUE)).toEqual([]);

      // Read once: one route summary POST per circuit and path, whatever was delivered twice.
      const summaryPosts = w.estate.requests.filter(
        (r) =>
          r.method === "POST" && r.operation === "routeTablesSummary" && r.devicePath === "primary",
      );
      expect(summaryPosts.map((r) => r.circuit).sort()).toEqual(
        bundles.map((b) => b.circuit.name).sort(),
      );
      // Split: both workers' claims are among the circuits read.
      const claims = await w.runtime.work!.claims.progress((work[0]!.body as WorkMessage).sweepId);
      expect(claims).toHaveLength(15);
      expect(claims.every((c) => c.state === "done")).toBe(true);
      // Each delivery's claims name its host, pid and invocation after the message.
      const pids = new Set(claims.map((c) => c.worker.split("/").at(-2)));
      expect(pids).toEqual(new Set(results.map((r) => String(r.pid))));

      // Alerted once: three Sev0s, each published once and paged once.
      await w.dispatchPending();
      const triggers = w.pagerduty.requests.map(
        (r) => r.body as { event_action: string; dedup_key: string },
      );
      expect(triggers.map((t) => t.event_action)).toEqual(["trigger", "trigger", "trigger"]);
      expect(new Set(triggers.map((t) => t.dedup_key)).size).toBe(3);
    },
    WORK_MS + 40_000,
  );
});

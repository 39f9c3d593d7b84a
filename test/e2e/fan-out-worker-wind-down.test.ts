// A sweep worker whose claims table hangs ends within its hard stop and a
// bounded wind-down (workWindDownMs: two storage timeouts, at most 30 s),
// whatever its batch size.
//
// Users saw: with Table Storage hanging, the claim bookkeeping after a batch's
// reads (circuits given back, marked failed, ignored ones marked done) ran
// one circuit after another, each call with its own STORAGE_TIMEOUT_MS and
// none bounded by the stop. At the defaults (SWEEP_WORK_BATCH 20, 10 s) an
// invocation ran 200 s past its 4-minute cap (7.3 minutes), at
// SWEEP_WORK_BATCH 100 past the 10-minute functionTimeout, holding its
// subscription's session all along; each later batch of that session,
// handed over after its deadline and reading nothing, still asked the
// claims table about every circuit it never claimed and cost another 200 s.
//
// What holds now: a batch gives back only the circuits it claimed, so one
// handed over after its deadline does not touch the claims table at all; the
// rest is settled a bounded number at once, every call ending at the stop
// plus the wind-down, and what is not settled by then runs out by itself (a
// later delivery of the message takes over its claims at once).
//
// Scaled down: STORAGE_TIMEOUT_MS 1 s (wind-down 2 s), 20 circuits. Case 1: a
// batch the session hands over after its sweep's deadline (stop 1 s). Case 2:
// a batch stopped mid-read at its hard stop, holding every claim. Every wait
// is bounded; the bounds leave a few seconds for a loaded machine.

import functions from "@azure/functions";
import { expect, it } from "vitest";
import { workerOf, type WorkMessage } from "../../src/app/work.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";
import { worldPerTest } from "../support/world-per-test.js";
import { ServiceBusClient } from "@azure/service-bus";

const QUEUE = "erwatch-sweep-work";
const SUB = "00000000-0000-0000-0000-0000000000a1";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const STORAGE_TIMEOUT_MS = 1_000;
/**
 * What a loaded machine may add to the worker's own real-time stop and
 * wind-down. Before the fix the late batch took 20 s against a 1 s stop and
 * the stopped one 36 s against 16 s: well beyond either bound with this slack.
 */
const SLACK_MS = 8_000;
const CIRCUITS = 20;

const worlds = worldPerTest();

/** CIRCUITS circuits in one subscription, one work batch of them, storage behind a fault proxy. */
async function windDownWorld() {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(
      ...Array.from({ length: CIRCUITS }, (_, i) =>
        healthyCircuit({ subscriptionId: SUB, name: `er-${String(i).padStart(2, "0")}` }),
      ),
    ),
    now: () => now,
    env: {
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: String(STORAGE_TIMEOUT_MS),
      ERWATCH_SUBSCRIPTIONS: SUB,
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: String(CIRCUITS),
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  return { proxy, w, bus };
}

it("a batch handed over after its deadline ends at once and never asks the hung claims table about its circuits", async () => {
  const { proxy, w, bus } = await windDownWorld();
  try {
    await w.runtime.work!.claims.ensureTable();
    await fanOutDriver(w.functionDeps, bus, QUEUE).timer(0);
    const queued = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    expect(queued).toHaveLength(1);
    expect(queued[0]!.items).toHaveLength(CIRCUITS);

    // The session hands this batch over after its sweep's deadline (the batches
    // before it in the session ran to the worker's cap): nothing is to be read.
    const late: WorkMessage = {
      ...queued[0]!,
      deadline: new Date(Date.now() - 60_000).toISOString(),
    };
    // From here on the claims table (<prefix>Work) answers nothing.
    let hung = 0;
    proxy.rule = (r) => (r.table.endsWith("Work") ? (hung++, { kind: "hang" }) : null);

    const handler = sweepWorkerHandler(async () => w.functionDeps);
    const started = Date.now();
    // The handler's own stop for this message: max(1 s, deadline - now + 15 s) = 1 s.
    const stopIn = 1_000;
    await Promise.race([
      handler(
        late,
        new functions.InvocationContext({
          invocationId: "w-late",
          triggerMetadata: { deliveryCount: 1 },
        }),
      ),
      new Promise((resolve) => setTimeout(resolve, 45_000)),
    ]);
    const took = Date.now() - started;
    // Nothing was read, so nothing was claimed: nothing to give back.
    expect(hung, "calls to the hung claims table").toBe(0);
    expect(
      took,
      `took ${took} ms against a ${stopIn} ms stop, ${hung} calls to the hung claims table`,
    ).toBeLessThanOrEqual(stopIn + 2 * STORAGE_TIMEOUT_MS + SLACK_MS);
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 90_000);

it("a worker stopped mid-batch holding every claim ends within its stop and the wind-down when the claims table hangs", async () => {
  const { proxy, w, bus } = await windDownWorld();
  try {
    await w.runtime.work!.claims.ensureTable();
    await fanOutDriver(w.functionDeps, bus, QUEUE).timer(0);
    const queued = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    expect(queued).toHaveLength(1);
    // The routers take long: every read is still in flight when the worker stops.
    w.estate.addFault({
      match: { operation: "routeTablesSummary" },
      behaviour: { kind: "slow", delayMs: 25_000 },
    });
    // Its deadline 1 s away: the worker's hard stop is 16 s from now (deadline + 15 s grace).
    const work: WorkMessage = {
      ...queued[0]!,
      deadline: new Date(Date.now() + 1_000).toISOString(),
    };
    const stopIn = 1_000 + 15_000;
    const handler = sweepWorkerHandler(async () => w.functionDeps);
    const started = Date.now();
    const running = handler(
      work,
      new functions.InvocationContext({
        invocationId: "w-capped",
        triggerMetadata: { deliveryCount: 1 },
      }),
    ).catch((error: unknown) => error);
    // Every circuit claimed by this delivery (bounded wait), then the claims table stops answering.
    const sweepId = work.sweepId;
    for (let i = 0; i < 100; i += 1) {
      if ((await w.runtime.work!.claims.progress(sweepId)).length === CIRCUITS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await w.runtime.work!.claims.progress(sweepId)).toHaveLength(CIRCUITS);
    let hung = 0;
    proxy.rule = (r) => (r.table.endsWith("Work") ? (hung++, { kind: "hang" }) : null);
    const outcome = await Promise.race([
      running,
      new Promise((resolve) => setTimeout(() => resolve("still running"), 60_000)),
    ]);
    const took = Date.now() - started;
    // Stopped with reads unread: the host is told to deliver it again.
    expect(String(outcome)).toMatch(/WorkIncomplete|not read/);
    expect(
      took,
      `took ${took} ms against a ${stopIn} ms stop, ${hung} calls to the hung claims table`,
    ).toBeLessThanOrEqual(stopIn + 2 * STORAGE_TIMEOUT_MS + SLACK_MS);
    // It did try to give them back; the claims table answering again, they are
    // still this delivery's, and the next delivery of the message (the host
    // delivers it again once this one's lock is gone) takes each over at once.
    expect(hung).toBeGreaterThan(0);
    proxy.rule = () => null;
    const held = await w.runtime.work!.claims.progress(sweepId);
    expect(held.filter((c) => c.state === "reading")).toHaveLength(CIRCUITS);
    const next = workerOf(work, { count: 2, id: "w-next" });
    for (const { circuitId } of held)
      expect(
        await w.runtime.work!.claims.claim(sweepId, circuitId, next, new Date(Date.now() + 60_000)),
      ).toBe("mine");
  } finally {
    proxy.rule = () => null;
    w.estate.releaseSlow();
    await bus.close();
    await proxy.close();
  }
}, 120_000);

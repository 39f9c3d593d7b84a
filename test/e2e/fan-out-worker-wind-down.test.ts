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
// The worker keeps its stop and wind-down by the sweep's clock (the world's
// `sweepTime`, which its reads' deadlines are on too), here a manual clock
// the test moves: what it proves is what happens when the worker's
// clock reaches each instant, not how long a loaded machine took. Storage and
// ARM timeouts are far longer than any wait here, so a held call or read ends
// only by the worker's clock. 20 circuits. Case 1: a batch the session hands
// over after its sweep's deadline. Case 2: a batch stopped mid-read at its
// hard stop, holding every claim.

import functions from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { SETTLE_CONCURRENCY } from "../../src/app/work-claiming.js";
import { workerOf, type WorkMessage } from "../../src/app/work.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import { until } from "../support/dispatch-harness.js";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { manualTime } from "../support/manual-time.js";
import { settlesWithin } from "../support/settles-within.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const SUB = "00000000-0000-0000-0000-0000000000a1";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
/** A hung claim call is not ended by its own timeout while a test runs: only the worker's clock ends it. */
const STORAGE_TIMEOUT_MS = 60_000;
/** The worker's wind-down at that timeout: two storage timeouts, capped at 30 s. */
const WIND_DOWN_MS = 30_000;
/** A held read is not ended by its own deadline either: only the worker's stop ends it. */
const ARM_TIMEOUT_MS = 600_000;
/**
 * The one real-time bound left: how long the worker may take, on the real
 * clock, to end once its own clock says so, with Azurite, ARM and the broker
 * on the loopback. A passing test never waits for it (the worker ends at
 * once); only a worker still held by the hung claims table reaches it: before
 * the fix, one call after another, each ended only by its 60 s storage timeout.
 */
const HANG_MS = 20_000;
const CIRCUITS = 20;

const worlds = worldPerTest();

/** CIRCUITS circuits in one subscription, one work batch of them, storage behind a fault proxy. */
async function windDownWorld() {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const now = new Date(T0);
  // The sweep's wall clock, and so the worker's, started at the real one's: the message's deadline is on it.
  const time = manualTime(Date.now());
  const w = await worlds.start({
    sweepTime: time,
    estate: estateOf(
      ...Array.from({ length: CIRCUITS }, (_, i) =>
        healthyCircuit({ subscriptionId: SUB, name: `er-${String(i).padStart(2, "0")}` }),
      ),
    ),
    now: () => now,
    env: {
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: String(STORAGE_TIMEOUT_MS),
      ARM_TIMEOUT_MS: String(ARM_TIMEOUT_MS),
      ERWATCH_SUBSCRIPTIONS: SUB,
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: String(CIRCUITS),
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const handler = sweepWorkerHandler(async () => w.functionDeps);
  return { proxy, w, bus, time, handler };
}

it("a batch handed over after its deadline ends with its clock standing still and never asks the hung claims table about its circuits", async () => {
  const { proxy, w, bus, time, handler } = await windDownWorld();
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
      deadline: new Date(time.now() - 60_000).toISOString(),
    };
    // From here on the claims table (<prefix>Work) answers nothing.
    let hung = 0;
    proxy.rule = (r) => (r.table.endsWith("Work") ? (hung++, { kind: "hang" }) : null);

    // The worker's clock is never moved: neither its stop (1 s) nor its
    // wind-down comes, so it ends only if nothing of it waits on the claims table.
    const ended = await settlesWithin(
      handler(
        late,
        new functions.InvocationContext({
          invocationId: "w-late",
          triggerMetadata: { deliveryCount: 1 },
        }),
      ),
      HANG_MS,
    );
    // Nothing was read, so nothing was claimed: nothing to give back.
    expect(hung, "calls to the hung claims table").toBe(0);
    expect(ended, "the worker's clock did not move").toBe("closed");
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 90_000);

it("a worker stopped mid-batch holding every claim gives them the wind-down, then gives up, when the claims table hangs", async () => {
  const { proxy, w, bus, time, handler } = await windDownWorld();
  try {
    await w.runtime.work!.claims.ensureTable();
    await fanOutDriver(w.functionDeps, bus, QUEUE).timer(0);
    const queued = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    expect(queued).toHaveLength(1);
    // The routers do not answer: every read is still in flight when the worker stops.
    w.estate.addFault({
      match: { operation: "routeTablesSummary" },
      behaviour: { kind: "slow", delayMs: ARM_TIMEOUT_MS },
    });
    // Its deadline two minutes away: the worker's hard stop 15 s after it.
    const work: WorkMessage = {
      ...queued[0]!,
      deadline: new Date(time.now() + 120_000).toISOString(),
    };
    const stopIn = 120_000 + 15_000;
    let outcome: unknown = "still running";
    const running = handler(
      work,
      new functions.InvocationContext({
        invocationId: "w-capped",
        triggerMetadata: { deliveryCount: 1 },
      }),
    ).then(
      () => void (outcome = "completed"),
      (error: unknown) => void (outcome = error),
    );
    // Every circuit claimed by this delivery (bounded wait), then the claims table stops answering.
    const sweepId = work.sweepId;
    for (let i = 0; i < 100; i += 1) {
      if ((await w.runtime.work!.claims.progress(sweepId)).length === CIRCUITS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await w.runtime.work!.claims.progress(sweepId)).toHaveLength(CIRCUITS);
    let hung = 0;
    proxy.rule = (r) => (r.table.endsWith("Work") ? (hung++, { kind: "hang" }) : null);

    // The stop: the reads are cut, and the worker gives back what it holds, a
    // bounded number at once; the hung claims table holds each call.
    time.advance(stopIn);
    const atOnce = Math.min(CIRCUITS, SETTLE_CONCURRENCY);
    await until("the worker gives back its claims at once", () => hung === atOnce);
    // A moment before the wind-down is over they are still given their chance.
    // (A short real pause, only to let a wrongly early end show; the calls can
    // end by nothing but the worker's clock.)
    time.advance(WIND_DOWN_MS - 1);
    expect(await settlesWithin(running, 200)).toBe("hung");
    expect(
      proxy.take().filter((f) => f.fault.kind === "hang" && f.waitedMs === undefined),
    ).toHaveLength(atOnce);

    // The wind-down is over: the worker ends, starting no call after it.
    time.advance(1);
    expect(await settlesWithin(running, HANG_MS), `${hung} calls to the hung claims table`).toBe(
      "closed",
    );
    // Stopped with reads unread: the host is told to deliver it again.
    expect(String(outcome)).toMatch(/WorkIncomplete|not read/);
    expect(hung, "calls to the hung claims table").toBe(atOnce);
    expect(hung).toBeLessThan(CIRCUITS);
    // The claims table answering again, they are still this delivery's, and
    // the next delivery of the message (the host delivers it again once this
    // one's lock is gone) takes each over at once.
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

// POST /api/sweep with fan-out on, through the loopback broker and the real
// sweepWorker function: a sweep of the estate asked for over HTTP is handed
// to the workers inside the request (the request reads nothing deep itself),
// a second request on another instance joins it, and its status URL, asked
// on yet another, says "running" until the workers have recorded every read,
// then "done". Before, the request answered 202 and swept the estate in its
// own process, outside any invocation.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import type { WorkMessage } from "../../src/app/work.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import { carrierDownBoth, estateOf, healthyCircuit } from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { memoryLogger } from "../support/test-logger.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const SUBS = ["a1", "b2"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");

const worlds = worldPerTest();

it("hands an on-demand sweep of the estate to the workers, joins a second request to it, and says done once they recorded it", async () => {
  const bundles = SUBS.flatMap((subscriptionId, n) =>
    [0, 1, 2].map((i) =>
      healthyCircuit({
        subscriptionId,
        name: `er-${n}-${i}`,
        peeringLocation: ["Amsterdam", "London"][n]!,
      }),
    ),
  );
  carrierDownBoth(bundles[4]!.circuit, "AzurePrivatePeering");
  const now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "2",
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  // Each instance with its own memory, sharing the tables and the queue.
  const instance = (): SweepFunctionDeps => ({
    ...w.functionDeps,
    runs: new SweepRuns(() => now, 50, { store: w.runtime.store, log: memoryLogger().logger }),
  });
  const context = () => new InvocationContext({ invocationId: "http" });
  const post = () => new HttpRequest({ method: "POST", url: "http://localhost/api/sweep" });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  try {
    const before = w.estate.requests.length;
    const first = await httpSweepHandler(async () => instance())(post(), context());
    expect(first.status).toBe(202);
    const accepted = first.jsonBody as { sweepId: string; joined: boolean; fannedOut: boolean };
    expect(accepted).toMatchObject({ joined: false, fannedOut: true });
    // The request planned and sent; it made no per-path read (only the metrics batches).
    expect(
      w.estate.requests
        .slice(before)
        .filter((r) => r.method === "POST" && !r.path.endsWith("/metrics:getBatch")),
    ).toEqual([]);
    const work = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    expect(work.every((m) => m.sweepId === accepted.sweepId)).toBe(true);
    expect(work.flatMap((m) => m.items)).toHaveLength(6);

    // Another instance: joined, nothing more sent.
    const second = await httpSweepHandler(async () => instance())(post(), context());
    expect(second.jsonBody).toMatchObject({ sweepId: accepted.sweepId, joined: true });
    expect(w.broker.active(QUEUE)).toHaveLength(work.length);

    const status = async () =>
      (
        await httpSweepStatusHandler(async () => instance())(
          new HttpRequest({
            method: "GET",
            url: `http://localhost/api/sweep/${accepted.sweepId}`,
            params: { id: accepted.sweepId },
          }),
          context(),
        )
      ).jsonBody as { status: string; workers: Record<string, unknown> };
    expect(await status()).toMatchObject({
      status: "running",
      workers: { handedOut: 6, recorded: 0, unfinished: 6 },
    });

    // The workers, as the host runs them, on two sessions at once.
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    expect(await fan.drain(15_000)).toBe(true);
    expect(fan.errors).toEqual([]);
    expect(await status()).toMatchObject({
      status: "done",
      workers: { handedOut: 6, recorded: 6, failedCount: 0, unfinished: 0, over: false },
    });
    // Each circuit read once (one route summary per path), the outage paged once.
    const summaries = w.estate.requests.filter(
      (r) => r.operation === "routeTablesSummary" && r.devicePath === "primary",
    );
    expect(summaries.map((r) => r.circuit).sort()).toEqual(
      bundles.map((b) => b.circuit.name).sort(),
    );
    await w.dispatchPending();
    expect(
      w.pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action),
    ).toEqual(["trigger"]);
  } finally {
    await bus.close();
  }
}, 30_000);

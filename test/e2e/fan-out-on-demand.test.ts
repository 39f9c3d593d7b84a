// POST /api/sweep with fan-out on, through the loopback broker and the real
// sweepWorker function: a sweep of the estate asked for over HTTP is handed
// to the workers inside the request (the request reads nothing deep itself),
// a second request on another instance joins it, and its status URL, asked
// on yet another, says "running" until the workers have recorded every read,
// then "done". Before, the request answered 202 and swept the estate in its
// own process, outside any invocation. A request on the timer's own instance
// while the timer sends its sweep joins it: before, it found no record yet and
// sent the estate a second time, every circuit read twice in that sweep.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import type { WorkMessage } from "../../src/app/work.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  setProviderState,
} from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { memoryLogger } from "../support/test-logger.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const SUBS = ["a1", "b2"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

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

it("a request for the estate on the timer's instance while the timer sends its sweep joins it: every circuit read once, each alert once", async () => {
  const site = ["1a", "1b", "2a"].map((n, i) =>
    healthyCircuit({ subscriptionId: SUBS[i < 2 ? 0 : 1]!, name: `er-ams-${n}` }),
  );
  const lon = healthyCircuit({
    subscriptionId: SUBS[1]!,
    name: "er-lon",
    serviceProviderName: "Colt",
    peeringLocation: "London",
  });
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...site, lon),
    now: () => now,
    env: {
      ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "3",
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  try {
    await fan.timer(0);
    expect(await fan.drain()).toBe(true);
    now = new Date(T0 + 5 * MIN);
    for (const b of site) setProviderState(b.circuit, "NotProvisioned");
    carrierDownBoth(lon.circuit, "AzurePrivatePeering");
    // The timer's send held until the request is in: its record is not written yet.
    const queue = w.runtime.work!.queue;
    const send = queue.send.bind(queue);
    const sending: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    queue.send = async (messages, options) => {
      sending.push(messages[0]!.sweepId);
      if (sending.length === 1) await held;
      return send(messages, options);
    };
    const timer = fan.timer(5);
    for (let i = 0; i < 400 && sending.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sending).toHaveLength(1);
    // The request comes a moment later by the sweep's clock, on the timer's instance.
    now = new Date(T0 + 5 * MIN + 10_000);
    const request = httpSweepHandler(async () => w.functionDeps)(
      new HttpRequest({ method: "POST", url: "http://localhost/api/sweep" }),
      new InvocationContext({ invocationId: "http" }),
    );
    for (let i = 0; i < 400 && sending.length === 1 && w.functionDeps.runs.handingOut.size < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect((await request).jsonBody).toMatchObject({ sweepId: sending[0], joined: true });
    await timer;
    expect(sending).toHaveLength(1);
    now = new Date(T0 + 6 * MIN);
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
    // Each circuit read once in this sweep (one route summary per path), besides the first sweep's.
    const summaries = w.estate.requests.filter(
      (r) => r.operation === "routeTablesSummary" && r.devicePath === "primary",
    );
    expect(summaries.map((r) => r.circuit).sort()).toEqual(
      [...site, lon, ...site, lon].map((b) => b.circuit.name).sort(),
    );
    // The site's one fleet alert (its three circuits one message, so opened
    // whole), the lone circuit's own.
    expect(
      sent()
        .map((e) => [e.family, e.circuit.name, e.action])
        .sort(),
    ).toEqual(
      [
        ["fleet", "Equinix at Amsterdam (provider)", "open"],
        ["path-down", "er-lon", "open"],
      ].sort(),
    );
  } finally {
    await bus.close();
  }
}, 60_000);

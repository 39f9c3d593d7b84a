// POST /api/sweep of named circuits with fan-out on, when a carrier's site
// they are at goes down: the request plans and sends the work as the timer
// does, and the site's circuits travel together, so the workers page one
// fleet outage, as the timer's sweep would. Named targets carry no listing of
// their own: batched by subscription alone, the site's circuit in each of two
// subscriptions was read by a worker of its own, each found its outage alone
// and paged it as its own alert, two pages for one site.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import type { WorkMessage } from "../../src/app/work.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { httpSweepHandler } from "../../src/functions/http-sweep.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { memoryLogger } from "../support/test-logger.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const SUBS = ["a1", "b2"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

/**
 * A circuit at Equinix Amsterdam in each of two subscriptions, two at Colt
 * London; fan-out on, and more than one named circuit handed to the workers.
 */
async function namedFanOutWorld() {
  const site = SUBS.map((subscriptionId, n) =>
    healthyCircuit({ subscriptionId, name: `er-ams-${n}` }),
  );
  const lon = healthyCircuit({
    subscriptionId: SUBS[0],
    name: "er-lon",
    serviceProviderName: "Colt",
    peeringLocation: "London",
  });
  const lon2 = healthyCircuit({
    subscriptionId: SUBS[1],
    name: "er-lon-2",
    serviceProviderName: "Colt",
    peeringLocation: "London",
  });
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...site, lon, lon2),
    now: () => now,
    env: {
      ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "2",
      SWEEP_SCHEDULE: "0 */5 * * * *",
      // Two named circuits are more than are read inside the request: fanned out.
      HTTP_SWEEP_SYNC_CIRCUITS: "1",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const members = site.map((b) => b.circuit as SimCircuit);
  /**
   * The workers until the queue is empty. A drain ends once its receives come
   * back empty twice, which on a loaded machine they can with work still
   * queued: that sweep's readings then landed after the next timer judged.
   */
  const drain = async () => {
    for (let n = 0; n === 0 || (n < 5 && w.broker.active(QUEUE).length > 0); n++)
      expect(await fan.drain()).toBe(true);
    expect(w.broker.active(QUEUE)).toEqual([]);
    expect(fan.errors).toEqual([]);
  };
  /** The timer at T0 + `minutes`, then the workers until the queue is empty. */
  const round = async (minutes: number) => {
    now = new Date(T0 + minutes * MIN);
    await fan.timer(minutes);
    await drain();
  };
  /** POST /api/sweep naming `circuits` at T0 + `minutes` (answered 202, its work sent). */
  const post = async (minutes: number, circuits: SimCircuit[]) => {
    now = new Date(T0 + minutes * MIN);
    const response = await httpSweepHandler(async () => ({
      ...w.functionDeps,
      runs: new SweepRuns(() => now, 50, { store: w.runtime.store, log: memoryLogger().logger }),
    }))(
      new HttpRequest({
        method: "POST",
        url: "http://localhost/api/sweep",
        body: { string: JSON.stringify({ circuits: circuits.map((c) => circuitId(c)) }) },
        headers: { "content-type": "application/json" },
      }),
      new InvocationContext({ invocationId: `http-${minutes}` }),
    );
    expect(response.status).toBe(202);
    return (response.jsonBody as { sweepId: string }).sweepId;
  };
  const elsewhere = [lon, lon2].map((b) => b.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  /** The clock at T0 + `minutes`. */
  const at = (minutes: number) => {
    now = new Date(T0 + minutes * MIN);
  };
  return { w, bus, fan, drain, sent, members, lon: elsewhere[0], elsewhere, round, post, at };
}

it("a named on-demand fan-out over a carrier's site with a circuit in each of two subscriptions pages one fleet outage, not one per circuit", async () => {
  const { w, bus, drain, sent, members, lon, round, post } = await namedFanOutWorld();
  try {
    // The estate as erwatch already knows it: one timer sweep, all well.
    await round(0);
    expect(sent()).toEqual([]);

    for (const c of members) setProviderState(c, "NotProvisioned");
    carrierDown(lon, "AzurePrivatePeering", "primary");
    carrierDown(lon, "AzurePrivatePeering", "secondary");
    // Named in the order a person pastes them: the circuit elsewhere between the site's.
    const sweepId = await post(5, [members[0]!, lon, members[1]!]);
    const work = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    await drain();
    const fleet = sent().filter((e) => e.family === "fleet");
    expect(fleet.map((e) => [e.action, e.severity])).toEqual([["open", "Sev0"]]);
    for (const c of members) expect(fleet[0]!.ticket).toContain(c.serviceKey);
    // No member of the site pages alone; the circuit elsewhere does.
    expect(
      sent()
        .filter((e) => e.family !== "fleet")
        .map((e) => [e.circuit.name, e.action]),
    ).toEqual([["er-lon", "open"]]);
    // The site's two circuits went in one message, as the timer sends them.
    expect(work.every((m) => m.sweepId === sweepId)).toBe(true);
    expect(work.flatMap((m) => m.items)).toHaveLength(3);
    expect(
      work.filter((m) => members.every((c) => m.items.some((i) => i.target.name === c.name))),
    ).toHaveLength(1);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a named on-demand fan-out that reads every member of a site's fleet alert recovered resolves it in that sweep, as one process does, and the timer sends no second resolve", async () => {
  const { w, bus, drain, sent, members, round, post } = await namedFanOutWorld();
  const fleet = () => sent().filter((e) => e.family === "fleet");
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    expect(fleet().map((e) => e.action)).toEqual(["open"]);
    for (const c of members) setProviderState(c, "Provisioned");
    // The timer at 10 judges the fleet alert as of the readings at 5 (down);
    // at 15, as of those at 10 (well once): resolving, not yet resolved.
    await round(10);
    await round(15);
    expect(fleet().map((e) => e.action)).toEqual(["open"]);
    const open = (await w.runtime.store.listAlerts()).find((a) => a.value.family === "fleet")!;
    expect(open.value.phase).toBe("resolving");

    // A person names the site's circuits at 17: its workers read them well again.
    const sweepId = await post(17, members);
    const work = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    expect(work.map((m) => [m.sweepId, m.named])).toEqual([[sweepId, true]]);
    await drain();
    // Resolved in that sweep, as of its readings: before, only the timer's
    // next tick (at 20) resolved it, a tick late.
    expect(fleet().map((e) => [e.action, e.occurredAt])).toEqual([
      ["open", new Date(T0 + 5 * MIN).toISOString()],
      ["resolve", new Date(T0 + 17 * MIN).toISOString()],
    ]);
    await round(20);
    await round(25);
    expect(fleet().map((e) => e.action)).toEqual(["open", "resolve"]);
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a named on-demand fan-out of circuits elsewhere leaves a site's fleet alert as the timer judged it: it read none of its members", async () => {
  const { w, bus, drain, sent, members, elsewhere, round, post } = await namedFanOutWorld();
  const fleetAlert = async () =>
    (await w.runtime.store.listAlerts()).find((a) => a.value.family === "fleet")!.value;
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    for (const c of members) setProviderState(c, "Provisioned");
    await round(10);
    await round(15);
    const judged = await fleetAlert();
    expect(judged.phase).toBe("resolving");

    await post(17, elsewhere);
    await drain();
    // Its members' readings at 15 would resolve it; that is the timer's to judge at 20.
    expect(
      sent()
        .filter((e) => e.family === "fleet")
        .map((e) => e.action),
    ).toEqual(["open"]);
    expect(await fleetAlert()).toMatchObject({
      phase: "resolving",
      lastEvaluatedAt: judged.lastEvaluatedAt,
    });
  } finally {
    await bus.close();
  }
}, 120_000);

it("a named on-demand fan-out that reads one of a site's members leaves its fleet alert to the timer, as one process does: the other was not read", async () => {
  const { w, bus, drain, sent, members, lon, round, post } = await namedFanOutWorld();
  const fleetAlert = async () =>
    (await w.runtime.store.listAlerts()).find((a) => a.value.family === "fleet")!.value;
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    for (const c of members) setProviderState(c, "Provisioned");
    await round(10);
    await round(15);
    const judged = await fleetAlert();
    expect(judged.phase).toBe("resolving");

    await post(17, [members[0]!, lon]);
    await drain();
    expect(
      sent()
        .filter((e) => e.family === "fleet")
        .map((e) => e.action),
    ).toEqual(["open"]);
    expect(await fleetAlert()).toMatchObject({
      phase: "resolving",
      lastEvaluatedAt: judged.lastEvaluatedAt,
    });
    // The timer judges it as of the latest readings, this sweep's among them.
    await round(20);
    expect(
      sent()
        .filter((e) => e.family === "fleet")
        .map((e) => [e.action, e.occurredAt]),
    ).toEqual([
      ["open", new Date(T0 + 5 * MIN).toISOString()],
      ["resolve", new Date(T0 + 17 * MIN).toISOString()],
    ]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a named on-demand fan-out whose fleet alert the timer settled from the same readings first sends no second resolve", async () => {
  const { w, bus, fan, drain, sent, members, round, post, at } = await namedFanOutWorld();
  const fleet = () => sent().filter((e) => e.family === "fleet");
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    for (const c of members) setProviderState(c, "Provisioned");
    await round(10);
    await round(15);
    // The timer at 20 runs once the named sweep's workers have read the site,
    // before its batch judges the fleet alert: both judge it as of the readings at 17.
    const sweeper = w.runtime.sweeper;
    const settle = sweeper.settleReadFleets.bind(sweeper);
    let timerFirst = 0;
    let byTimer: string[] = [];
    sweeper.settleReadFleets = async (...args) => {
      if (timerFirst++ === 0) {
        at(20);
        await fan.timer(20);
        byTimer = fleet().map((e) => e.action);
      }
      return settle(...args);
    };
    await post(17, members);
    await drain();
    expect(timerFirst).toBeGreaterThan(0);
    expect(byTimer).toEqual(["open", "resolve"]);
    await round(25);
    expect(fleet().map((e) => [e.action, e.occurredAt])).toEqual([
      ["open", new Date(T0 + 5 * MIN).toISOString()],
      ["resolve", new Date(T0 + 17 * MIN).toISOString()],
    ]);
  } finally {
    await bus.close();
  }
}, 120_000);

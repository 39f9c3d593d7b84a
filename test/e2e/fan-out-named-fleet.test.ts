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

it("a named on-demand fan-out over a carrier's site with a circuit in each of two subscriptions pages one fleet outage, not one per circuit", async () => {
  const site = SUBS.map((subscriptionId, n) =>
    healthyCircuit({ subscriptionId, name: `er-ams-${n}` }),
  );
  const lon = healthyCircuit({
    subscriptionId: SUBS[0],
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
      SWEEP_WORK_BATCH: "2",
      SWEEP_SCHEDULE: "0 */5 * * * *",
      // Three named circuits are more than are read inside the request: fanned out.
      HTTP_SWEEP_SYNC_CIRCUITS: "2",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const members = site.map((b) => b.circuit as SimCircuit);
  try {
    // The estate as erwatch already knows it: one timer sweep, all well.
    await fan.timer(0);
    expect(await fan.drain()).toBe(true);
    expect(sent()).toEqual([]);

    now = new Date(T0 + 5 * MIN);
    for (const c of members) setProviderState(c, "NotProvisioned");
    carrierDown(lon.circuit, "AzurePrivatePeering", "primary");
    carrierDown(lon.circuit, "AzurePrivatePeering", "secondary");
    // Named in the order a person pastes them: the circuit elsewhere between the site's.
    const named = [members[0]!, lon.circuit as SimCircuit, members[1]!].map((c) => circuitId(c));
    const response = await httpSweepHandler(async () => ({
      ...w.functionDeps,
      runs: new SweepRuns(() => now, 50, { store: w.runtime.store, log: memoryLogger().logger }),
    }))(
      new HttpRequest({
        method: "POST",
        url: "http://localhost/api/sweep",
        body: { string: JSON.stringify({ circuits: named }) },
        headers: { "content-type": "application/json" },
      }),
      new InvocationContext({ invocationId: "http" }),
    );
    expect(response.status).toBe(202);
    const { sweepId } = response.jsonBody as { sweepId: string };
    const work = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
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

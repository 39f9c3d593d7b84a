// The timer's tick through fan-out: the work messages say the sweep is the
// timer's, so the workers' hysteresis counts it as a tick, as the timer's own
// sweep does in one process (test/app/sweep-timeline-ticks.test.ts).

import { HttpRequest, InvocationContext } from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { WorkMessage } from "../../src/app/work.js";
import { httpSweepHandler } from "../../src/functions/http-sweep.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const MIN = 60_000;
const SITE = "Equinix at Amsterdam (provider)";
const worlds = worldPerTest();

it("a Sev0 the workers read at the 10:10 tick pages then, though an on-demand sweep read the circuit healthy at 10:08", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(bundle),
    now: () => now,
    env: { SWEEP_WORK_QUEUE: QUEUE, SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const tick = async (m: number) => {
    now = new Date(T0 + m * MIN);
    await fan.timer(m);
    const work = w.broker.active(QUEUE).map((message) => message.body as WorkMessage);
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
    return work;
  };
  try {
    await tick(0);
    await tick(5);
    now = new Date(T0 + 8 * MIN);
    const onDemand = await w.runtime.sweeper.sweep({
      scope: { subscriptions: w.runtime.config.arm.subscriptions, circuitIds: [] },
      now,
      mode: "deep",
      abortSignal: AbortSignal.timeout(30_000),
    });
    expect(onDemand.verdicts.map((v) => v.name)).toEqual(["er-ams"]);
    carrierDownBoth(bundle.circuit as SimCircuit, PRIVATE);
    const work = await tick(10);
    expect(work.map((m) => [m.tick, m.items.map((i) => i.target.name)])).toEqual([
      [true, ["er-ams"]],
    ]);
    const sent = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
    expect(sent.map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
      "open:path-down:Sev0",
    ]);
  } finally {
    await bus.close();
  }
});

it("a repeat the workers sent for the 10:15 tick fired at 10:18 is followed by the 10:30 tick's, on the cadence: the work messages say when the tick was due", async () => {
  const bundle = healthyCircuit({ name: "er-ams" });
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(bundle),
    now: () => now,
    env: {
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ERWATCH_ALERT_POLICY: JSON.stringify({ repeatEveryMinutes: { Sev0: 15 } }),
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** The tick due at `due` minutes, fired at `m`. */
  const tick = async (m: number, due = m) => {
    now = new Date(T0 + m * MIN);
    await fan.timer(m, new Date(T0 + due * MIN));
    const work = w.broker.active(QUEUE).map((message) => message.body as WorkMessage);
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
    return work;
  };
  const sent = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => `${(m.body as AlertEvent).action}:${(m.body as AlertEvent).severity}`);
  try {
    carrierDownBoth(bundle.circuit as SimCircuit, PRIVATE);
    for (const m of [0, 5, 10]) await tick(m);
    expect(sent()).toEqual(["open:Sev0"]);
    const late = await tick(18, 15);
    expect(late.map((m) => [m.now, m.tickDue])).toEqual([
      [new Date(T0 + 18 * MIN).toISOString(), new Date(T0 + 15 * MIN).toISOString()],
    ]);
    expect(sent()).toEqual(["open:Sev0", "repeat:Sev0"]);
    for (const m of [20, 25]) await tick(m);
    expect(sent()).toHaveLength(2);
    await tick(30);
    expect(sent()).toEqual(["open:Sev0", "repeat:Sev0", "repeat:Sev0"]);
  } finally {
    await bus.close();
  }
});

it("a site's fleet Sev0 resolves a tick after its circuits' own alerts would, though a POST /api/sweep fanned out at 10:18 read them well (its reading is no tick)", async () => {
  const site = ["er-ams-a", "er-ams-b"].map((name) => healthyCircuit({ name }));
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...site),
    now: () => now,
    env: { SWEEP_WORK_QUEUE: QUEUE, SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const drained = async () => {
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
  };
  const tick = async (m: number) => {
    now = new Date(T0 + m * MIN);
    await fan.timer(m);
    await drained();
  };
  const fleet = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.family === "fleet")
      .map((e) => `${e.circuit.name}:${e.action}:${e.severity}`);
  try {
    await tick(0);
    for (const b of site) setProviderState(b.circuit as SimCircuit, "NotProvisioned");
    await tick(5);
    expect(fleet()).toEqual([`${SITE}:open:Sev0`]);
    await tick(10);
    await tick(15);
    for (const b of site) setProviderState(b.circuit as SimCircuit, "Provisioned");
    // POST /api/sweep of the estate at 10:18: handed to the workers, as the timer's is, but no tick.
    now = new Date(T0 + 18 * MIN);
    const asked = await httpSweepHandler(async () => w.functionDeps)(
      new HttpRequest({ method: "POST", url: "http://localhost/api/sweep" }),
      new InvocationContext({ invocationId: "http-10-18" }),
    );
    expect(asked.status).toBe(202);
    await drained();
    // The circuits' own alerts: clean at 10:18 (no tick), 10:20 and 10:25 (the second clean tick).
    // The timer judges the site as of its workers' readings, a tick after (README).
    await tick(20);
    await tick(25);
    expect(fleet()).toEqual([`${SITE}:open:Sev0`]);
    await tick(30);
    expect(fleet()).toEqual([`${SITE}:open:Sev0`, `${SITE}:resolve:Sev0`]);
    const resolved = w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .at(-1)!;
    expect(resolved.occurredAt).toBe(new Date(T0 + 25 * MIN).toISOString());
  } finally {
    await bus.close();
  }
});

// One process counts the ticks that judged the site blind; with fan-out the
// timer judges it as of the sweep before, on what its members' alerts counted
// (their outage alerts', or here their subscription's monitoring-blind: the
// listing fails too): the same tick, sent a sweep later. By time alone it was
// as of 10:30, sent at 10:35.
for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a site last read by a past-due tick (10:11:30), then unreadable, tells its holder Blind: as of the tick its circuits' monitoring-blind opens (10:25)`, async () => {
    const site = ["er-ams-a", "er-ams-b"].map((name) => healthyCircuit({ name }));
    let now = new Date(T0);
    const w = await worlds.start({
      estate: estateOf(...site),
      now: () => now,
      env: {
        SWEEP_SCHEDULE: "0 */5 * * * *",
        ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE } : {}),
      },
    });
    if (fanOut) await w.runtime.work!.claims.ensureTable();
    const bus = new ServiceBusClient(w.broker.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
    });
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    const tick = async (m: number) => {
      now = new Date(T0 + m * MIN);
      if (!fanOut) return void (await w.timerSweep());
      await fan.timer(m);
      expect(await fan.drain()).toBe(true);
      expect(fan.errors).toEqual([]);
    };
    const fleet = () =>
      w.broker
        .accepted(ALERTS_QUEUE)
        .map((m) => m.body as AlertEvent)
        .filter((e) => e.family === "fleet");
    const at = (m: number) => new Date(T0 + m * MIN).toISOString();
    try {
      await tick(0);
      for (const b of site) setProviderState(b.circuit as SimCircuit, "NotProvisioned");
      // The tick after 10:05 runs late (behind a restart): the site's last reading.
      await tick(5);
      await tick(11.5);
      w.estate.addFault({
        match: { operation: "*" },
        behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
      });
      for (const m of [15, 20, 25]) await tick(m);
      expect(fleet().map((e) => `${e.action}@${e.occurredAt}`)).toEqual(
        fanOut ? [`open@${at(5)}`] : [`open@${at(5)}`, `repeat@${at(25)}`],
      );
      // The third tick that could not read it, as monitoring-blind counts (13.5 minutes on, not 15).
      await tick(30);
      expect(fleet().map((e) => `${e.action}@${e.occurredAt}`)).toEqual([
        `open@${at(5)}`,
        `repeat@${at(25)}`,
      ]);
      expect(fleet()[1]!.change).toMatch(/^Blind: /);
      expect(fleet()[1]!.blindSince).toBe(at(11.5));
      const blind = w.broker
        .accepted(ALERTS_QUEUE)
        .map((m) => m.body as AlertEvent)
        .filter((e) => e.family === "monitoring-blind");
      expect(blind.map((e) => `${e.action}@${e.occurredAt}`)).toContain(`open@${at(25)}`);
      // Told once.
      for (const m of [35, 40]) await tick(m);
      expect(fleet()).toHaveLength(2);
    } finally {
      await bus.close();
    }
  }, 120_000);

// As above with the listing read well and only the circuits' paths (ARP, route
// tables) failing: no subscription's monitoring-blind, so with fan-out the
// timer counts the ticks the members' own outage alerts counted blind (their
// circuits' monitoring-blind counts as many). By time alone it was as of
// 10:30, sent at 10:35.
for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a site down on both paths, last read by a past-due tick (10:11:30), then its paths unreadable, tells its holder Blind: as of the tick its circuits' monitoring-blind opens (10:25)`, async () => {
    const site = ["er-ams-a", "er-ams-b"].map((name) => healthyCircuit({ name }));
    let now = new Date(T0);
    const w = await worlds.start({
      estate: estateOf(...site),
      now: () => now,
      env: {
        SWEEP_SCHEDULE: "0 */5 * * * *",
        // Every circuit read every sweep: a break the listing does not show is
        // read on both at once and grouped (by rotation alone one pages first).
        SWEEP_MAX_READ_AGE_MINUTES: "5",
        ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE } : {}),
      },
    });
    if (fanOut) await w.runtime.work!.claims.ensureTable();
    const bus = new ServiceBusClient(w.broker.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
    });
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    const tick = async (m: number) => {
      now = new Date(T0 + m * MIN);
      if (!fanOut) return void expect((await w.timerSweep()).errors).toEqual([]);
      await fan.timer(m);
      expect(await fan.drain()).toBe(true);
      expect(fan.errors).toEqual([]);
    };
    const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
    const fleet = () => sent().filter((e) => e.family === "fleet");
    const at = (m: number) => new Date(T0 + m * MIN).toISOString();
    try {
      await tick(0);
      for (const b of site) carrierDownBoth(b.circuit as SimCircuit, PRIVATE);
      await tick(5);
      await tick(11.5);
      expect(fleet().map((e) => `${e.action}@${e.occurredAt}`)).toEqual([`open@${at(5)}`]);
      for (const operation of ["arpTable", "routeTablesSummary"] as const)
        w.estate.addFault({ match: { operation }, behaviour: { kind: "status", status: 500 } });
      for (const m of [15, 20, 25, 30]) await tick(m);
      expect(fleet().map((e) => `${e.action}@${e.occurredAt}`)).toEqual([
        `open@${at(5)}`,
        `repeat@${at(25)}`,
      ]);
      expect(fleet()[1]!.change).toMatch(/^Blind: /);
      expect(fleet()[1]!.blindSince).toBe(at(11.5));
      // The circuits' own: their subscription was listed throughout.
      expect(
        sent()
          .filter((e) => e.family === "monitoring-blind")
          .map((e) => `${e.action}:${e.circuit.name}@${e.occurredAt}`)
          .sort(),
      ).toEqual([`open:er-ams-a@${at(25)}`, `open:er-ams-b@${at(25)}`]);
      // Told once.
      for (const m of [35, 40]) await tick(m);
      expect(fleet()).toHaveLength(2);
    } finally {
      await bus.close();
    }
  }, 120_000);

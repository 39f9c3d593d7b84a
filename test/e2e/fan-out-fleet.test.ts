// Fleet outages with fan-out on, at the product's cadence (a timer every
// 5 minutes on an injected clock). The carrier drops five circuits at one
// provider and location, spread over two subscriptions: the timer plans and
// fans out (the site in one work message, past SWEEP_WORK_BATCH), and two
// workers (concurrent sessions) read the batches. One fleet alert pages; a
// batch that finds more of it joins it and says so; no member pages alone; and the
// timer resolves it once the workers have stored every member well. A recovery
// flap (broken again while it resolves) stays in the one fleet alert, and the
// flapping that follows is one more page for the place, not one per circuit,
// sent in the sweep that proves it when the circuits' own flap alerts would be.

import { utcMinute } from "../../src/core/utc-time.js";
import functions from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { hostname } from "node:os";
import { workerOf, type WorkMessage } from "../../src/app/work.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { loadStatus } from "../../src/app/status.js";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  peeringOf,
  restorePath,
  setProviderState,
  type CircuitBundle,
  type SimCircuit,
} from "../support/estate/index.js";
import { startTableFaultProxy, type TableFault } from "../support/table-fault-proxy.js";
import { memoryLogger } from "../support/test-logger.js";
import { LINK_FLAPS } from "../support/timer-world.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const QUEUE = "erwatch-sweep-work";
const SUBS = ["a1", "b2", "c3"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

/**
 * Circuits at one provider and location over two subscriptions (default: three
 * and two), and one elsewhere (default: in the first subscription); fan-out on.
 */
async function fanOutWorld(
  layout: {
    ams?: [string[], string[]];
    lonSubscription?: string;
    env?: Record<string, string>;
  } = {},
) {
  const [first, second] = layout.ams ?? [
    ["1a", "1b", "1c"],
    ["2a", "2b"],
  ];
  const ams: CircuitBundle[] = [
    ...first.map((n) => healthyCircuit({ subscriptionId: SUBS[0], name: `er-ams-${n}` })),
    ...second.map((n) => healthyCircuit({ subscriptionId: SUBS[1], name: `er-ams-${n}` })),
  ];
  const lon = healthyCircuit({
    subscriptionId: layout.lonSubscription ?? SUBS[0],
    name: "er-lon",
    serviceProviderName: "Colt",
    peeringLocation: "London",
  });
  const members = ams.map((b) => b.circuit as SimCircuit);
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...ams, lon),
    now: () => now,
    env: {
      ...layout.env,
      ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "2",
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** The timer at `minute`, then two workers on concurrent sessions until the queue is empty. */
  const round = async (minute: number) => {
    now = new Date(T0 + minute * MIN);
    await fan.timer(minute);
    await fan.drain();
    expect(w.broker.active(QUEUE)).toEqual([]);
  };
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const fleetSent = () => sent().filter((e) => e.family === "fleet");
  /** Every member of the site de-provisioned at 5: the fleet alert opens; how many fleet events that took. */
  const siteDown = async () => {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    expect(fleetSent()[0]!.action).toBe("open");
    return fleetSent().length;
  };

  return {
    w,
    bus,
    round,
    /** The timer alone at `minute`: its work stays queued. */
    timer: (minute: number) => {
      now = new Date(T0 + minute * MIN);
      return fan.timer(minute);
    },
    sent,
    fleetSent,
    siteDown,
    members,
    lon: lon.circuit as SimCircuit,
    errors: fan.errors,
  };
}

it("pages one fleet outage across workers and batches, names every member, and resolves it from the timer", async () => {
  const { w, bus, round, sent, fleetSent, members, errors } = await fanOutWorld();
  try {
    await round(0);
    expect(sent()).toEqual([]);

    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    // The site's five suspects travel in messages of SWEEP_WORK_BATCH (2), read in
    // turn in one session: the first opens the fleet alert, the next join it
    // ("Wider:", the same incident). In one message past SWEEP_WORK_BATCH, a site's
    // reads could outlast the 4-minute cap a worker has for a message.
    const fleet = fleetSent();
    expect(fleet.map((e) => e.action)).toEqual(["open", "repeat", "repeat"]);
    expect(fleet.slice(1).map((e) => e.change.split(" ")[0])).toEqual(["Wider:", "Wider:"]);
    expect(new Set(fleet.map((e) => e.key)).size).toBe(1);
    expect(fleet.every((e) => e.occurredAt === new Date(T0 + 5 * MIN).toISOString())).toBe(true);
    const last = fleet.at(-1)!;
    for (const c of members) {
      expect(last.title).toContain(c.name);
      expect(last.ticket).toContain(c.serviceKey);
    }
    // Every circuit is named, and no member pages alone.
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);

    // Still down a sweep later: nothing new is said.
    await round(10);
    expect(fleetSent()).toHaveLength(fleet.length);

    for (const c of members) setProviderState(c, "Provisioned");
    for (let m = 15; m <= 45 && fleetSent().at(-1)!.action !== "resolve"; m += 5) await round(m);
    expect(fleetSent().map((e) => e.action)).toEqual([...fleet.map((e) => e.action), "resolve"]);
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);
    expect(errors).toEqual([]);

    // PagerDuty: one incident, triggered, told of who joined, resolved.
    await w.dispatchPending();
    const pd = w.pagerduty.requests.map(
      (r) => r.body as { event_action: string; dedup_key: string },
    );
    expect(new Set(pd.map((e) => e.dedup_key))).toEqual(new Set([last.key]));
    expect(pd.map((e) => e.event_action)).toEqual([...fleet.map(() => "trigger"), "resolve"]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a recovery flap: the circuits break again while the fleet alert resolves, it keeps them, and their flapping is one page too (no member pages alone)", async () => {
  const { bus, round, sent, fleetSent, siteDown, members, errors } = await fanOutWorld();
  try {
    const told = await siteDown();

    // Back at 10; the timer at 15 settles the fleet alert from those readings,
    // and this sweep's workers find the carrier's site down again.
    for (const c of members) setProviderState(c, "Provisioned");
    await round(10);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(15);
    await round(20);
    // The receivers still have the incident open: nothing new to say, and no member pages alone.
    expect(fleetSent()).toHaveLength(told);
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);

    const outage = fleetSent()[0]!.key;
    for (const c of members) setProviderState(c, "Provisioned");
    for (let m = 25; m <= 55; m += 5) await round(m);
    const byKey = (key: string) => fleetSent().filter((e) => e.key === key);
    expect(byKey(outage)).toHaveLength(told + 1);
    expect(byKey(outage).at(-1)!.action).toBe("resolve");
    // Down, up, down, up within the hour: every circuit there flapped at once on
    // layer-1 evidence, the carrier's site. One page names them all, with one
    // carrier ticket, instead of a flap alert per circuit.
    const flaps = fleetSent().filter((e) => e.key !== outage);
    expect(new Set(flaps.map((e) => e.key)).size).toBe(1);
    expect(flaps[0]).toMatchObject({ action: "open", layer: "bgp", owner: "carrier" });
    for (const c of members) expect(flaps[0]!.ticket).toContain(c.serviceKey);
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a carrier's site whose links keep dropping, read by workers: the grouped flap page goes out in the sweep that proves the flapping, as a circuit's own would", async () => {
  // Every batch holds two circuits of the site (four in one subscription, two
  // in another), so each worker groups what it reads; the circuit elsewhere
  // has a subscription, and a session, of its own. Every circuit is read every
  // sweep (none is left to the rotation).
  const { bus, round, sent, fleetSent, members, lon, errors } = await fanOutWorld({
    ams: [
      ["1a", "1b", "1c", "1d"],
      ["2a", "2b"],
    ],
    lonSubscription: SUBS[2],
    env: { SWEEP_MAX_READ_AGE_MINUTES: "5" },
  });
  try {
    await round(0);
    for (const [minute, down] of LINK_FLAPS) {
      for (const c of [...members, lon])
        for (const path of ["primary", "secondary"] as const)
          (down ? carrierDown : restorePath)(c, "AzurePrivatePeering", path);
      await round(minute);
    }
    const proven = new Date(T0 + 20 * MIN).toISOString();
    const flaps = () => fleetSent().filter((e) => e.layer === "bgp");
    const alone = sent().filter(
      (e) => e.circuit.name === "er-lon" && e.family === "session-flapping",
    );
    // The lone circuit's own flap alert opens in the sweep that proves it.
    expect(alone.map((e) => [e.action, e.occurredAt])).toEqual([["open", proven]]);
    // So does the site's grouped page: the first batch opens it, each later one
    // that finds more of the site says so on the same alert, in the same sweep.
    const atProof = flaps();
    expect(atProof[0]).toMatchObject({ action: "open", severity: "Sev1", owner: "carrier" });
    expect(atProof.every((e) => e.occurredAt === proven)).toBe(true);
    expect(
      atProof.slice(1).every((e) => e.action === "repeat" && e.change.startsWith("Wider: ")),
    ).toBe(true);
    expect(new Set(atProof.map((e) => e.key)).size).toBe(1);
    for (const c of members) expect(atProof.at(-1)!.ticket).toContain(c.serviceKey);

    await round(25);
    // Nothing more while it flaps on, and no circuit of the site paged alone.
    expect(flaps()).toHaveLength(atProof.length);
    expect(sent().filter((e) => e.family !== "fleet" && e.circuit.name !== "er-lon")).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("whoever holds a fleet outage hears once, from the timer, that the workers lost sight of it, and it resolves when sight returns", async () => {
  const { w, bus, round, sent, fleetSent, members } = await fanOutWorld();
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(5);
    await round(10);
    const paged = fleetSent().length;
    expect(fleetSent()[0]!.action).toBe("open");
    // Every ARM call throttled from minute 15: no worker reads a member, so none judges the fleet alert.
    w.estate.addFault({
      match: { operation: "*" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
    });
    for (const m of [15, 20, 25, 30, 35]) await round(m);
    const told = fleetSent().slice(paged);
    expect(told.map((e) => `${e.action}:${e.severity}@${e.occurredAt}`)).toEqual([
      `repeat:Sev0@${new Date(T0 + 25 * MIN).toISOString()}`,
    ]);
    expect(told[0]!.key).toBe(fleetSent()[0]!.key);
    expect(told[0]!.change).toMatch(/^Blind: erwatch has not been able to read/);
    expect(told[0]!.change).toContain(utcMinute(new Date(T0 + 10 * MIN).toISOString()));
    expect(told[0]!.blindSince).toBe(new Date(T0 + 10 * MIN).toISOString());
    expect(sent().filter((e) => e.family !== "fleet" && e.family !== "monitoring-blind")).toEqual(
      [],
    );

    // Sight returns with the outage repaired: resolved from the timer, no member pages alone.
    w.estate.clearFaults();
    for (const c of members) setProviderState(c, "Provisioned");
    for (let m = 40; m <= 80 && fleetSent().at(-1)!.action !== "resolve"; m += 5) await round(m);
    expect(fleetSent().at(-1)!.action).toBe("resolve");
    expect(fleetSent().slice(paged + 1, -1)).toEqual([]);
    expect(sent().filter((e) => e.family !== "fleet" && e.family !== "monitoring-blind")).toEqual(
      [],
    );
  } finally {
    await bus.close();
  }
}, 180_000);

it("one circuit at the site in each of two subscriptions: the outage is one page, not one per subscription", async () => {
  // Each subscription has a session (and a worker) of its own; the site's suspects travel together.
  const { bus, round, sent, fleetSent, members, lon, errors } = await fanOutWorld({
    ams: [["1a"], ["2a"]],
    lonSubscription: SUBS[2],
  });
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    // The circuit elsewhere goes down in the same sweep: still its own page.
    carrierDown(lon, "AzurePrivatePeering", "primary");
    carrierDown(lon, "AzurePrivatePeering", "secondary");
    await round(5);
    expect(fleetSent().map((e) => [e.action, e.severity])).toEqual([["open", "Sev0"]]);
    for (const c of members) expect(fleetSent()[0]!.ticket).toContain(c.serviceKey);
    expect(
      sent()
        .filter((e) => e.family !== "fleet")
        .map((e) => [e.circuit.name, e.action]),
    ).toEqual([["er-lon", "open"]]);
    for (const c of members) setProviderState(c, "Provisioned");
    for (let m = 10; m <= 45 && fleetSent().at(-1)!.action !== "resolve"; m += 5) await round(m);
    expect(fleetSent().map((e) => e.action)).toEqual(["open", "resolve"]);
    expect(sent().filter((e) => e.family !== "fleet" && e.circuit.name !== "er-lon")).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("the outage only the rotation's quiet reads find, at a site with a circuit in each of two subscriptions: one page", async () => {
  // Azure Monitor still says all is well (its availability metrics lag the
  // links) and the listing shows nothing: the carrier's site is found by the
  // rotation's deep reads, which are not suspects.
  const { w, bus, round, sent, fleetSent, members, errors } = await fanOutWorld({
    ams: [["1a"], ["2a"]],
    lonSubscription: SUBS[2],
  });
  w.estate.state.monitor = {
    ...w.estate.state.monitor,
    metricOverrides: members.map((c) => ({
      circuit: c.name,
      metrics: ["BgpAvailability", "ArpAvailability"],
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 120 * MIN).toISOString(),
      value: 100,
    })),
  };
  try {
    await round(0);
    for (const c of members) {
      carrierDown(c, "AzurePrivatePeering", "primary");
      carrierDown(c, "AzurePrivatePeering", "secondary");
    }
    // Both circuits are due for the rotation in the next sweep, each in its own subscription.
    await round(5);
    expect(fleetSent().map((e) => [e.action, e.severity])).toEqual([["open", "Sev0"]]);
    for (const c of members) expect(fleetSent()[0]!.ticket).toContain(c.serviceKey);
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);
    for (const c of members) {
      restorePath(c, "AzurePrivatePeering", "primary");
      restorePath(c, "AzurePrivatePeering", "secondary");
    }
    for (let m = 10; m <= 45 && fleetSent().at(-1)!.action !== "resolve"; m += 5) await round(m);
    expect(fleetSent().map((e) => e.action)).toEqual(["open", "resolve"]);
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a Global Reach connection to a circuit of another subscription, read by a worker that does not read the peer: judged by the peer's key from the timer's listing", async () => {
  const { w, bus, round, members, lon, errors } = await fanOutWorld({
    ams: [["1a"], []],
    lonSubscription: SUBS[1],
  });
  const [ams] = members;
  const lonId = `/subscriptions/${lon.subscriptionId}/resourceGroups/${lon.resourceGroup}/providers/Microsoft.Network/expressRouteCircuits/${lon.name}`;
  peeringOf(ams!, "AzurePrivatePeering").globalReach.push(
    {
      name: "gr-to-lon",
      peerCircuitPeeringId: `${lonId}/peerings/AzurePrivatePeering`,
      status: "Connected",
      traffic: { inBps: 12e6, outBps: 3e6 },
    },
    {
      name: "gr-to-far",
      peerCircuitPeeringId: `/subscriptions/${SUBS[2]}/resourceGroups/rg-far/providers/Microsoft.Network/expressRouteCircuits/er-far/peerings/AzurePrivatePeering`,
      status: "Connected",
      traffic: { inBps: 5e6, outBps: 1e6 },
    },
  );
  const amsId = `/subscriptions/${ams!.subscriptionId}/resourceGroups/${ams!.resourceGroup}/providers/Microsoft.Network/expressRouteCircuits/${ams!.name}`;
  try {
    // Each subscription is its own session: the two circuits are never in one batch.
    await round(0);
    const snapshot = await w.runtime.store.getSnapshot(amsId);
    expect(snapshot!.value.peerings.AzurePrivatePeering!.paths.primary.globalReach.detail).toBe(
      "gr-to-lon Connected · 12 Mbps in / 3 Mbps out; gr-to-far Connected · peer circuit's service key unknown",
    );
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a work message one of whose items this worker cannot read (a newer timer's reason): the rest of the batch is read, the item named in the log", async () => {
  const { w, bus, round, errors } = await fanOutWorld();
  try {
    await round(0);
    const sent = w.broker.accepted(QUEUE).map((m) => m.body as WorkMessage);
    const batch = sent.find((m) => m.items.length >= 2)!;
    const [first, second] = batch.items;
    const body = {
      ...batch,
      sweepId: "sweep-by-a-newer-timer",
      now: new Date(T0 + 5 * MIN).toISOString(),
      // The deadline is the wall clock's, as the timer sets it; `now` is the sweep's instant.
      deadline: new Date(Date.now() + 4 * MIN).toISOString(),
      items: [{ ...first!, reason: "whim" }, second!],
    };
    const { logger, records } = memoryLogger();
    const worker = sweepWorkerHandler(async () => ({
      ...w.functionDeps,
      runtime: { ...w.functionDeps.runtime, logger },
    }));
    await worker(body, new functions.InvocationContext({ invocationId: "w-newer" }));
    // The item it could read was read and recorded for that sweep; the other was never taken.
    const claimed = (id: string) =>
      w.runtime.work!.claims.claim(body.sweepId, id, "probe", new Date(T0 + 60 * MIN));
    // Held by the message, not the invocation: a delivery of it again takes its claims back.
    expect(await w.runtime.work!.claims.progress(body.sweepId)).toEqual([
      {
        circuitId: second!.target.id,
        worker: workerOf(body, { count: 1, id: `${hostname()}/${process.pid}/w-newer` }),
        state: "done",
        // When it was written: a fanned-out sweep's status URL says when its reads were in.
        at: expect.any(String),
      },
    ]);
    expect(await claimed(second!.target.id)).toBe("done");
    expect(await claimed(first!.target.id)).toBe("mine");
    expect(
      records().filter((r) => String(r.msg).startsWith("an item of this work batch is not")),
    ).toEqual([
      expect.objectContaining({
        level: 50,
        index: 0,
        circuitId: first!.target.id,
        problem: expect.stringMatching(/^items\.0\.reason: /),
      }),
    ]);
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("a work message delivered again takes over the claims its dead first delivery held, through the Functions trigger's deliveryCount", async () => {
  const { w, bus, round, errors } = await fanOutWorld();
  try {
    await round(0);
    const sent = w.broker.accepted(QUEUE).map((m) => m.body as WorkMessage);
    const batch = sent.find((m) => m.items.length >= 2)!;
    const body: WorkMessage = {
      ...batch,
      sweepId: "sweep-delivered-again",
      deadline: new Date(Date.now() + 4 * MIN).toISOString(),
    };
    const claims = w.runtime.work!.claims;
    // The first delivery died holding both circuits, live for five minutes more.
    const dead = workerOf(body, { count: 1, id: "host-gone/1/w-first" });
    for (const item of body.items)
      expect(
        await claims.claim(body.sweepId, item.target.id, dead, new Date(Date.now() + 5 * MIN)),
      ).toBe("mine");
    const worker = sweepWorkerHandler(async () => w.functionDeps);
    await worker(
      body,
      new functions.InvocationContext({
        invocationId: "w-second",
        triggerMetadata: { deliveryCount: 2 },
      }),
    );
    const progress = await claims.progress(body.sweepId);
    expect(progress.map((p) => p.state)).toEqual(body.items.map(() => "done"));
    expect(
      progress.every((p) => p.worker.startsWith(`${body.sweepId}/`) && p.worker.includes("@2/")),
    ).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

it("the Alerts table cannot be listed on the timer and the workers: the fleet alert still resolves, read with its members from their own partitions", async () => {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const { round, sent, fleetSent, siteDown, members, errors, bus } = await fanOutWorld({
    env: { ERWATCH_STORAGE: proxy.connectionString, STORAGE_TIMEOUT_MS: "1000" },
  });
  try {
    const told = await siteDown();
    // From here on every listing across the Alerts table fails (alerts and the outbox).
    const scans: TableFault[] = [];
    proxy.rule = (r) => {
      if (
        !r.table.endsWith("Alerts") ||
        r.operation !== "query" ||
        r.text.includes("PartitionKey eq")
      )
        return null;
      const fault: TableFault = { kind: "status", status: 503, code: "ServerBusy" };
      scans.push(fault);
      return fault;
    };
    for (const c of members) setProviderState(c, "Provisioned");
    for (let m = 10; m <= 40 && fleetSent().at(-1)!.action !== "resolve"; m += 5) await round(m);
    expect(scans.length).toBeGreaterThan(0);
    expect(fleetSent().map((e) => e.action)).toHaveLength(told + 1);
    expect(fleetSent().at(-1)!.action).toBe("resolve");
    expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 120_000);

it("the workers' claims table hangs: each circuit is read anyway, within STORAGE_TIMEOUT_MS a claim, and the outage pages once", async () => {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const { round, sent, lon, errors, bus } = await fanOutWorld({
    env: { ERWATCH_STORAGE: proxy.connectionString, STORAGE_TIMEOUT_MS: "1000" },
  });
  try {
    await round(0);
    // From here on the Work table (the claims) answers nothing; every other table answers.
    let hung = 0;
    proxy.rule = (r) => (r.table.endsWith("Work") ? (hung++, { kind: "hang" }) : null);
    // The carrier de-provisions it: the listing shows it changed, so a worker reads it deep at once.
    setProviderState(lon, "NotProvisioned");
    await round(5);
    expect(hung).toBeGreaterThan(0);
    expect(sent().map((e) => [e.circuit.name, e.action, e.severity])).toEqual([
      ["er-lon", "open", "Sev0"],
    ]);
    // Still hanging: the outage is not paged again.
    await round(10);
    expect(sent()).toHaveLength(1);
    expect(errors).toEqual([]);
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 120_000);

it("a fleet resolve the timer decides as of its workers' earlier readings, the broker not taking it, is not called unsent while that sweep can still publish it", async () => {
  const { w, bus, round, timer, siteDown, members, errors } = await fanOutWorld();
  try {
    await siteDown();
    for (const c of members) setProviderState(c, "Provisioned");
    await round(10);
    await round(15);
    // The timer at 20 settles the site as of the readings at 15; Service Bus does not take it.
    const sink = w.runtime.sink!;
    const publish = sink.publish.bind(sink);
    sink.publish = async () => {
      throw new Error("Service Bus did not answer within 30000 ms");
    };
    try {
      await timer(20);
    } finally {
      sink.publish = publish;
    }
    const waiting = (await w.runtime.store.listOutbox()).map((r) => r.value.event);
    expect(waiting.map((e) => [e.family, e.action, e.occurredAt])).toEqual([
      ["fleet", "resolve", new Date(T0 + 15 * MIN).toISOString()],
    ]);
    const page = async (minute: number) => {
      const model = await loadStatus(w.runtime.store, new Date(T0 + minute * MIN), {
        recentHours: 1,
        recentLimit: 10,
        sweepIntervalMinutes: 5,
        work: w.runtime.work!.claims,
      });
      return { unsent: model.summary?.unsent ?? null, html: renderStatusHtml(model) };
    };
    // Half a minute into the sweep that decided it (its workers reading): its
    // event is dated 15, yet that sweep may still publish it. It read "Not sent".
    const during = await page(20.5);
    expect(during.unsent).toBeNull();
    expect(during.html).not.toContain('id="unsent"');
    // Past that sweep's hard stop with nobody having published it: said.
    const after = await page(25.5);
    expect(after.unsent).toEqual({
      events: 1,
      oldest: new Date(T0 + 20 * MIN).toISOString(),
      ageMinutes: 5,
    });
    expect(after.html).toContain('id="unsent"');
    expect(errors).toEqual([]);
  } finally {
    await bus.close();
  }
}, 120_000);

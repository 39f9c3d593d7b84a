// Fleet outages over the real wire, at the product's cadence (a timer sweep
// every 5 minutes on an injected clock). The provider drops three circuits it
// serves at one peering location (the listing shows it, so all three are read
// deep in the same sweep): one fleet-outage
// alert names them all and carries one carrier ticket with every service key,
// their own outage alerts are held by it, and PagerDuty holds one incident. A
// circuit elsewhere that goes down alone still pages by itself. A site that
// keeps dropping and coming back (layer-1 flapping) is one more page, not one
// per circuit, sent in the sweep a circuit flapping the same way alone pages:
// grouping neither delays nor hastens it.

import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDown,
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restorePath,
  restoreBoth,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { manualTime } from "../support/manual-time.js";
import { utcMinute } from "../../src/core/utc-time.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { LINK_FLAPS, MIN, timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");

const worlds = worldPerTest();

interface PdBody {
  event_action: string;
  dedup_key: string;
  payload?: { severity: string; summary: string };
}

const bothDown = (c: SimCircuit) => carrierDownBoth(c, PRIVATE);
const bothUp = (c: SimCircuit) => restoreBoth(c, PRIVATE);

it("pages one fleet outage for three circuits through one provider and location, and resolves it once", async () => {
  const bundles = [
    healthyCircuit({ name: "er-ams-a" }),
    healthyCircuit({ name: "er-ams-b" }),
    healthyCircuit({ name: "er-ams-c" }),
    healthyCircuit({ name: "er-lon", serviceProviderName: "Colt", peeringLocation: "London" }),
  ];
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  const [a, b, c, lon] = circuits as [SimCircuit, SimCircuit, SimCircuit, SimCircuit];
  const { w, sent, sweepUntil } = await timerWorld(worlds, T0, bundles);

  await sweepUntil(0, 0);
  expect(sent()).toEqual([]);
  for (const x of [a, b, c]) setProviderState(x, "NotProvisioned");
  await sweepUntil(5, 5);
  // The circuit elsewhere goes down alone, a sweep later.
  bothDown(lon);
  await sweepUntil(10, 30);
  // The outage elsewhere was found by the rotation, within its age limit.

  const fleet = sent().filter((e) => e.family === "fleet");
  expect(fleet.map((e) => e.action)).toEqual(["open"]);
  const [open] = fleet;
  expect(open).toMatchObject({ code: "fleet-outage", severity: "Sev0", owner: "carrier" });
  for (const name of ["er-ams-a", "er-ams-b", "er-ams-c"]) expect(open!.title).toContain(name);
  expect(open!.title).toContain("Equinix at Amsterdam");
  for (const x of [a, b, c]) expect(open!.ticket).toContain(x.serviceKey);
  expect(open!.ticket).not.toContain(lon.serviceKey);
  // Paged within one sweep of the outage.
  expect(open!.occurredAt).toBe(new Date(T0 + 5 * MIN).toISOString());
  // The members' own alerts are held by it: nothing per circuit was notified.
  const perCircuit = sent().filter((e) => e.family !== "fleet" && e.circuit.name !== "er-lon");
  expect(perCircuit).toEqual([]);
  // The lone outage elsewhere pages by itself.
  expect(
    sent()
      .filter((e) => e.circuit.name === "er-lon")
      .map((e) => [e.family, e.action, e.severity]),
  ).toEqual([["path-down", "open", "Sev0"]]);

  // Repair: the fleet alert resolves once, and the members never page.
  for (const x of [a, b, c]) setProviderState(x, "Provisioned");
  bothUp(lon);
  await sweepUntil(35, 70);
  expect(
    sent()
      .filter((e) => e.family === "fleet")
      .map((e) => e.action),
  ).toEqual(["open", "resolve"]);
  expect(sent().filter((e) => e.family !== "fleet" && e.circuit.name !== "er-lon")).toEqual([]);
  expect(
    sent()
      .filter((e) => e.circuit.name === "er-lon")
      .map((e) => e.action),
  ).toEqual(["open", "resolve"]);

  // End to end: one PagerDuty incident with every circuit in it (and er-lon's own).
  await w.dispatchPending();
  const pd = w.pagerduty.requests.map((r) => r.body as PdBody);
  const byKey = new Map<string, PdBody[]>();
  for (const e of pd) byKey.set(e.dedup_key, [...(byKey.get(e.dedup_key) ?? []), e]);
  expect(byKey.size).toBe(2);
  const incident = byKey.get(open!.key)!;
  expect(incident.map((e) => e.event_action)).toEqual(["trigger", "resolve"]);
  for (const name of ["er-ams-a", "er-ams-b", "er-ams-c"])
    expect(incident[0]!.payload!.summary).toContain(name);
});

/**
 * Four circuits through Equinix at Amsterdam: a and b, which the tests break
 * so the plan suspects them, and q1, q2, which the plan reads only because
 * the whole estate is swept deep (`erwatch sweep`), with slow routers.
 */
async function amsterdam() {
  const bundles = ["a", "b", "q1", "q2"].map((n) => healthyCircuit({ name: `er-ams-${n}` }));
  const [a, b, , q2] = bundles.map((x) => x.circuit as SimCircuit) as [
    SimCircuit,
    SimCircuit,
    SimCircuit,
    SimCircuit,
  ];
  const quiet = new Set(["er-ams-q1", "er-ams-q2"]);
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const fleetSent = () => sent().filter((e) => e.family === "fleet");
  return {
    w,
    a,
    b,
    q2,
    quiet,
    sent,
    fleetSent,
    deep: (minutes: number) => {
      now = new Date(T0 + minutes * MIN);
      return w.runtime.sweeper.sweep({
        scope: { subscriptions: w.runtime.config.arm.subscriptions, circuitIds: [] },
        now,
        mode: "deep",
        abortSignal: AbortSignal.timeout(60_000),
      });
    },
    /** Each route summary read of q1 and q2 (the first of their path reads) is held until released (or 25 s). */
    slowQuiet: () => {
      for (const name of quiet)
        w.estate.addFault({
          match: { operation: "routeTablesSummary", circuit: name },
          behaviour: { kind: "slow", delayMs: 25_000 },
        });
    },
    /** Waits until this quiet circuit's route summary read, sent after request number `from`, is held. */
    held: (circuit: string, from: number) =>
      w.estate.waitForRequest(
        (r) =>
          r.operation === "routeTablesSummary" &&
          r.circuit === circuit &&
          w.estate.requests.indexOf(r) >= from,
        15_000,
      ),
    /** Waits (bounded) for the first fleet alert to reach the broker. */
    fleetPaged: async () => {
      const deadline = Date.now() + 15_000;
      while (fleetSent().length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return fleetSent();
    },
  };
}

/**
 * Quiet circuits at Equinix Amsterdam (and, when named, elsewhere), swept
 * deep (`erwatch sweep`) with a deadline and a hard stop of their own, both
 * on the sweep's time: it stands still until the test moves it (`pass`).
 */
async function quietSite(more: Parameters<typeof healthyCircuit>[0][] = []) {
  const bundles = [
    healthyCircuit({ name: "er-ams-q1" }),
    healthyCircuit({ name: "er-ams-q2" }),
    ...more.map((o) => healthyCircuit(o)),
  ];
  let now = new Date(T0);
  const time = manualTime(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
    sweepTime: time,
  });
  const scope = { subscriptions: w.runtime.config.arm.subscriptions, circuitIds: [] };
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  /** The hard stop `ms` from now on the sweep's time, called off once `run` is over. */
  const stoppedAfter = <T>(ms: number, run: (stop: AbortSignal) => Promise<T>) => {
    const stop = new AbortController();
    const cancel = time.after(ms, () =>
      stop.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    );
    return run(stop.signal).finally(cancel);
  };
  return {
    w,
    q1: bundles[0]!.circuit as SimCircuit,
    q2: bundles[1]!.circuit as SimCircuit,
    scope,
    time,
    stoppedAfter,
    at: (minutes: number) => (now = new Date(T0 + minutes * MIN)),
    sent,
    /** Moves the sweep's time on by `ms`: the flushes and the hard stop due on the way fire. */
    pass: (ms: number) => time.advance(ms),
    /** Slow routers: each route summary read of `circuit` held for `ms` (or until released). */
    slow: (circuit: string, ms: number) =>
      w.estate.addFault({
        match: { operation: "routeTablesSummary", circuit },
        behaviour: { kind: "slow", delayMs: ms },
      }),
    /** Routers that never finish: each route summary read of `circuit` runs until the read is cut. */
    hung: (circuit: string) =>
      w.estate.addFault({
        match: { operation: "routeTablesSummary", circuit },
        behaviour: { kind: "never-ending" },
      }),
    /** Waits until `count` route summary reads of `circuit`, sent after request number `from`, have arrived. */
    held: async (circuit: string, from: number, count = 1) => {
      const of = (r: (typeof w.estate.requests)[number]) =>
        r.operation === "routeTablesSummary" &&
        r.circuit === circuit &&
        w.estate.requests.indexOf(r) >= from;
      await w.estate.waitForRequest(
        (r) => of(r) && w.estate.requests.filter(of).length >= count,
        15_000,
      );
    },
    /** Waits (bounded) until an alert event reaches the broker. */
    paged: async () => {
      const until = Date.now() + 15_000;
      while (sent().length === 0 && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return sent();
    },
    sweep: (minutes: number, deadlineMs = 30_000, stopMs = 60_000) => {
      now = new Date(T0 + minutes * MIN);
      const start = time.now();
      return stoppedAfter(stopMs, (abortSignal) =>
        w.runtime.sweeper.sweep({
          scope,
          now,
          mode: "deep",
          deadline: new Date(start + deadlineMs),
          abortSignal,
          // As the timer gives it: the last call for outages waiting to group.
          stopAt: new Date(start + stopMs),
        }),
      );
    },
  };
}

it("pages a fleet outage once its suspects are read, without waiting for the quiet circuits' reads", async () => {
  const t = await amsterdam();
  await t.deep(0);
  expect(t.sent()).toEqual([]);

  // The provider drops a and b (the listing shows it, so both are suspects
  // read first), and the quiet q2 loses both paths, which only its own deep read shows.
  for (const x of [t.a, t.b]) setProviderState(x, "NotProvisioned");
  bothDown(t.q2);
  t.slowQuiet();
  const from = t.w.estate.requests.length;
  const sweeping = t.deep(5);
  const held = await t.held("er-ams-q1", from);
  // Paged while a quiet circuit of the same provider and location is still being read.
  const fleet = await t.fleetPaged();
  expect(fleet.map((e) => [e.action, e.severity])).toEqual([["open", "Sev0"]]);
  for (const name of ["er-ams-a", "er-ams-b"]) expect(fleet[0]!.title).toContain(name);
  expect(held.status).toBe(0);

  t.w.estate.releaseSlow();
  const result = await sweeping;
  expect(result.errors).toEqual([]);
  // The quiet circuits were read in the same sweep, after the page.
  const quietPlans = result.plan.deep.filter((d) => t.quiet.has(d.name));
  expect(quietPlans).toHaveLength(2);
  for (const d of quietPlans) expect(["due", "rotation"]).toContain(d.reason);
  for (const name of t.quiet)
    expect(result.verdicts.find((v) => v.name === name)?.circuitRead).toBe(true);
  // q2 broke at the same layer, found after the page: it joins the fleet alert, which says so.
  expect(t.fleetSent().map((e) => e.action)).toEqual(["open", "repeat"]);
  expect(t.fleetSent()[1]!.change).toMatch(/^Wider: er-ams-q2 broke the same way/);
  expect(t.sent().filter((e) => e.family !== "fleet")).toEqual([]);
}, 60_000);

it("an outage only a quiet read finds pages once its own place's reads are in, not after another place's slow reads", async () => {
  // Two quiet circuits at Equinix Amsterdam, one at Colt London whose routers are slow.
  const t = await quietSite([
    { name: "er-lon", serviceProviderName: "Colt", peeringLocation: "London" },
  ]);
  await t.sweep(0);
  expect(t.sent()).toEqual([]);

  // q1 loses both paths, which only its own deep read shows: nothing points at it.
  bothDown(t.q1);
  t.slow("er-lon", 25_000);
  const from = t.w.estate.requests.length;
  const sweeping = t.sweep(5);
  const held = await t.w.estate.waitForRequest(
    (r) =>
      r.operation === "routeTablesSummary" &&
      r.circuit === "er-lon" &&
      t.w.estate.requests.indexOf(r) >= from,
    15_000,
  );
  // Paged while London is still being read: it waited for q2 (same place) only.
  const until = Date.now() + 15_000;
  while (t.sent().length === 0 && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(t.sent().map((e) => [e.circuit.name, e.action, e.severity])).toEqual([
    ["er-ams-q1", "open", "Sev0"],
  ]);
  expect(held.status).toBe(0);
  t.w.estate.releaseSlow();
  const result = await sweeping;
  expect(result.errors).toEqual([]);
  expect(result.plan.deep.find((d) => d.name === "er-ams-q1")!.reason).not.toBe("trouble");
  expect(t.sent()).toHaveLength(1);
}, 60_000);

it("an outage waiting for its place's other reads pages at the sweep's deadline, even when those reads are cut at the hard stop", async () => {
  const t = await quietSite();
  await t.sweep(0);
  // q1 loses both paths; q2's routers hang past the hard stop.
  bothDown(t.q1);
  t.hung("er-ams-q2");
  const from = t.w.estate.requests.length;
  // A deadline 1.5 s away, the hard stop at 6 s: the last call at 3.75 s.
  const sweeping = t.sweep(5, 1_500, 6_000);
  await t.held("er-ams-q2", from);
  // The flushes wait on the sweep's time, beside its hard stop.
  expect(t.time.dueIn()).toEqual([1_500, 3_750, 6_000]);
  t.pass(1_500);
  t.pass(2_250);
  // q1 waited for q2 (one page for the place if both broke), then paged before the stop.
  expect((await t.paged()).map((e) => [e.circuit.name, e.action, e.severity])).toEqual([
    ["er-ams-q1", "open", "Sev0"],
  ]);
  t.pass(2_250);
  const result = await sweeping;
  expect(result.unreached.map((u) => u.name)).toEqual(["er-ams-q2"]);
  expect(t.sent()).toHaveLength(1);
  expect(t.time.pending()).toBe(0);
}, 60_000);

it("an outage whose read lands after the deadline pages by the last call before the hard stop, not held for reads it cuts", async () => {
  const t = await quietSite();
  await t.sweep(0);
  // q1's routers answer after the deadline, before the hard stop; q2's hang past it.
  bothDown(t.q1);
  t.slow("er-ams-q1", 25_000);
  t.hung("er-ams-q2");
  const from = t.w.estate.requests.length;
  // A deadline 1.5 s away, the hard stop at 9 s: the last call at 5.25 s.
  const sweeping = t.sweep(5, 1_500, 9_000);
  await t.held("er-ams-q1", from, 2);
  await t.held("er-ams-q2", from);
  t.pass(1_500);
  t.w.estate.releaseSlow();
  t.pass(3_750);
  expect((await t.paged()).map((e) => [e.circuit.name, e.action, e.severity])).toEqual([
    ["er-ams-q1", "open", "Sev0"],
  ]);
  t.pass(3_750);
  const result = await sweeping;
  expect(result.unreached.map((u) => u.name)).toEqual(["er-ams-q2"]);
  expect(t.sent()).toHaveLength(1);
}, 60_000);

it("a site's outage whose reads all land after the deadline, before the hard stop, is still one page for the place", async () => {
  const t = await quietSite();
  await t.sweep(0);
  // The carrier cuts both circuits; their routers answer after the deadline.
  bothDown(t.q1);
  bothDown(t.q2);
  t.slow("er-ams-q1", 25_000);
  t.slow("er-ams-q2", 25_000);
  const from = t.w.estate.requests.length;
  const sweeping = t.sweep(5, 1_500, 9_000);
  await t.held("er-ams-q1", from, 2);
  await t.held("er-ams-q2", from, 2);
  t.pass(1_500);
  t.w.estate.releaseSlow();
  const result = await sweeping;
  expect(result.unreached).toEqual([]);
  const sent = t.sent().map((e) => [e.family, e.action, e.severity]);
  expect(sent).toEqual([["fleet", "open", "Sev0"]]);
}, 60_000);

it("a fan-out worker stopped at its cap before the sweep's deadline decides the outage waiting to group first", async () => {
  const t = await quietSite();
  await t.sweep(0);
  bothDown(t.q1);
  t.hung("er-ams-q2");
  const now = t.at(5);
  const log = t.w.runtime.logger;
  const planned = await t.w.runtime.sweeper.plan(
    { scope: t.scope, now, mode: "deep", abortSignal: AbortSignal.timeout(60_000) },
    log,
  );
  const from = t.w.estate.requests.length;
  // A batch as a worker reads it: the sweep's deadline minutes away, its own cap in 4 s
  // (the last call at 2 s).
  const start = t.time.now();
  const reading = t.stoppedAfter(4_000, (abortSignal) =>
    t.w.runtime.sweeper.deepRead(
      planned.deep.map((d) => d.target),
      {
        sweepId: "fan-out-cap",
        now,
        log,
        deadline: new Date(start + 4 * MIN),
        abortSignal,
        stopAt: new Date(start + 4_000),
        group: true,
        partial: true,
      },
    ),
  );
  await t.held("er-ams-q2", from);
  expect(t.time.dueIn()).toEqual([2_000, 4_000]);
  t.pass(2_000);
  expect((await t.paged()).map((e) => [e.circuit.name, e.action, e.severity])).toEqual([
    ["er-ams-q1", "open", "Sev0"],
  ]);
  t.pass(2_000);
  const done = await reading;
  expect(done.unreached.map((u) => u.name)).toEqual(["er-ams-q2"]);
  expect(t.sent()).toHaveLength(1);
}, 60_000);

it("an outage found later in the same sweep joins the fleet alert that went out without it, which says so", async () => {
  const t = await amsterdam();
  // A read of a and b fails: the next sweep suspects them and reads them first
  // (a server error, which reading again may mend; a 403 would not be).
  for (const name of ["er-ams-a", "er-ams-b"])
    t.w.estate.addFault({
      match: { operation: "routeTablesSummary", circuit: name },
      behaviour: { kind: "status", status: 500, code: "InternalServerError" },
    });
  await t.deep(0);
  t.w.estate.clearFaults();

  // Then the carrier cuts both paths of a, b and the quiet q2, whose reads are slow.
  for (const x of [t.a, t.b, t.q2]) bothDown(x);
  t.slowQuiet();
  const from = t.w.estate.requests.length;
  const sweeping = t.deep(5);
  await t.held("er-ams-q2", from);
  const fleet = await t.fleetPaged();
  expect(fleet.map((e) => e.action)).toEqual(["open"]);
  expect(fleet[0]!.title).not.toContain("er-ams-q2");

  t.w.estate.releaseSlow();
  const result = await sweeping;
  expect(result.errors).toEqual([]);
  const plans = new Map(result.plan.deep.map((d) => [d.name, d.reason]));
  expect(plans.get("er-ams-a")).toBe("trouble");
  expect(["due", "rotation"]).toContain(plans.get("er-ams-q2"));
  // One fleet alert for a and b, held members; q2, found after it went out, is never held
  // silently by an alert that does not name it: the fleet alert is sent again naming it.
  const all = t.fleetSent();
  expect(all.map((e) => e.action)).toEqual(["open", "repeat"]);
  expect(all[1]!.key).toBe(all[0]!.key);
  expect(all[1]!.title).toContain("er-ams-q2");
  expect(all[1]!.change).toMatch(/^Wider: er-ams-q2 broke the same way/);
  expect(t.sent().filter((e) => e.family === "path-down")).toEqual([]);
}, 60_000);

it("announces a circuit that breaks a sweep later at the same place on the open fleet alert, once", async () => {
  const bundles = ["a", "b", "c"].map((n) => healthyCircuit({ name: `er-ams-${n}` }));
  const [a, b, c] = bundles.map((x) => x.circuit as SimCircuit) as [
    SimCircuit,
    SimCircuit,
    SimCircuit,
  ];
  const { w, sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  const sweepAt = (minute: number) => sweepUntil(minute, minute);

  await sweepAt(0);
  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  await sweepAt(5);
  setProviderState(c, "NotProvisioned");
  await sweepAt(10);
  await sweepAt(15);
  await sweepAt(20);

  const fleet = sent().filter((e) => e.family === "fleet");
  expect(fleet.map((e) => [e.action, e.occurredAt])).toEqual([
    ["open", new Date(T0 + 5 * MIN).toISOString()],
    // The sweep that finds c says so on the same alert, and only that sweep.
    ["repeat", new Date(T0 + 10 * MIN).toISOString()],
  ]);
  expect(fleet[0]!.title).not.toContain("er-ams-c");
  const wider = fleet[1]!;
  expect(wider.key).toBe(fleet[0]!.key);
  expect(wider.episodeId).toBe(fleet[0]!.episodeId);
  expect(wider.change).toMatch(
    /^Wider: er-ams-c broke the same way since the last notification; 3 circuits now\./,
  );
  for (const x of [a, b, c]) expect(wider.ticket).toContain(x.serviceKey);
  // c is held by the alert that now names it: it never pages alone.
  expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);

  for (const x of [a, b, c]) setProviderState(x, "Provisioned");
  await sweepUntil(25, 60);
  expect(
    sent()
      .filter((e) => e.family === "fleet")
      .map((e) => e.action),
  ).toEqual(["open", "repeat", "resolve"]);
  expect(sent().filter((e) => e.family !== "fleet")).toEqual([]);

  // PagerDuty: one incident, which hears of c on its second trigger.
  await w.dispatchPending();
  const pd = w.pagerduty.requests.map((r) => r.body as PdBody);
  expect(pd.map((e) => [e.dedup_key, e.event_action])).toEqual([
    [wider.key, "trigger"],
    [wider.key, "trigger"],
    [wider.key, "resolve"],
  ]);
  expect(pd[0]!.payload!.summary).not.toContain("er-ams-c");
  expect(pd[1]!.payload!.summary).toContain("er-ams-c");
  // Teams: the second card's header says the outage grew, not that nothing changed.
  const cards = w.teams.requests.map((r) => JSON.stringify(r.body));
  expect(cards).toHaveLength(3);
  expect(cards[1]).toContain("WIDER Sev0");
  expect(cards[1]).not.toContain("STILL FIRING");
}, 60_000);

/** Three circuits through Equinix at Amsterdam, and one through Colt at London that breaks the same way alone. */
function dropping() {
  const bundles = [
    ...["a", "b", "c"].map((n) => healthyCircuit({ name: `er-ams-${n}` })),
    healthyCircuit({ name: "er-lon", serviceProviderName: "Colt", peeringLocation: "London" }),
  ];
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  return { bundles, circuits, ams: circuits.slice(0, 3) };
}

/** When the site's grouped flap page and the lone circuit's own flap page went out, and what else paged. */
function flapPages(sent: AlertEvent[]) {
  const fleet = sent.filter((e) => e.family === "fleet" && e.layer === "bgp");
  const alone = sent.filter((e) => e.circuit.name === "er-lon" && e.family === "session-flapping");
  return {
    fleet,
    alone,
    members: sent.filter((e) => e.family !== "fleet" && e.circuit.name !== "er-lon"),
  };
}

it("a carrier's site that keeps dropping: the circuits' flapping there is one page, not one per circuit, when one alone pages", async () => {
  const { bundles, circuits, ams } = dropping();
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  await sweepUntil(0, 0);
  // The provider drops and restores every circuit, a sweep each (the listing
  // shows it, so each is read every sweep).
  for (const [minute, state] of [
    [5, "NotProvisioned"],
    [10, "Provisioned"],
    [15, "NotProvisioned"],
    [20, "Provisioned"],
  ] as const) {
    for (const x of circuits) setProviderState(x, state);
    await sweepUntil(minute, minute);
  }
  await sweepUntil(25, 40);

  const { fleet, alone, members } = flapPages(sent());
  expect(new Set(fleet.map((e) => e.key)).size).toBe(1);
  expect(fleet[0]).toMatchObject({ action: "open", code: "fleet-outage", owner: "carrier" });
  expect(fleet[0]!.title).toMatch(/BGP session flapping/);
  for (const x of ams) expect(fleet[0]!.ticket).toContain(x.serviceKey);
  // The flapping is proven at 20, while each circuit's provider alert is still
  // resolving and holds it: alone it pages a sweep later, and so does the group.
  expect(alone.map((e) => [e.action, e.occurredAt])).toEqual([
    ["open", new Date(T0 + 25 * MIN).toISOString()],
  ]);
  expect(fleet[0]!.occurredAt).toBe(alone[0]!.occurredAt);
  // Neither the outages nor the flapping paged circuit by circuit.
  expect(members).toEqual([]);
});

it("a carrier's site whose links keep dropping: the grouped flap page goes out in the sweep that proves the flapping, as a circuit's own would", async () => {
  const { bundles, circuits, ams } = dropping();
  // Every circuit is read every sweep (none is left to the rotation), as the
  // listing makes them in the test above.
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles, {
    SWEEP_MAX_READ_AGE_MINUTES: "5",
  });
  await sweepUntil(0, 0);
  for (const [minute, down] of LINK_FLAPS) {
    for (const x of circuits) (down ? bothDown : bothUp)(x);
    await sweepUntil(minute, minute);
  }
  const proven = new Date(T0 + 20 * MIN).toISOString();
  const atProof = flapPages(sent());
  // The lone circuit's own flap alert opens in the sweep that proves it
  // (a flap is already judged over an hour), and the site's grouped page with it.
  expect(atProof.alone.map((e) => [e.action, e.occurredAt])).toEqual([["open", proven]]);
  expect(atProof.fleet.map((e) => [e.action, e.severity, e.occurredAt])).toEqual([
    ["open", "Sev1", proven],
  ]);
  expect(atProof.fleet[0]).toMatchObject({ code: "fleet-outage", owner: "carrier" });
  expect(atProof.fleet[0]!.title).toMatch(/BGP session flapping/);
  for (const x of ams) expect(atProof.fleet[0]!.ticket).toContain(x.serviceKey);

  await sweepUntil(25, 40);
  const { fleet, members } = flapPages(sent());
  // Nothing more while it flaps on, and no circuit of the site paged alone.
  expect(fleet.map((e) => e.action)).toEqual(["open"]);
  expect(members).toEqual([]);
});

it("a site under announced maintenance (every circuit there silenced) pages nothing, and one group page if the outage outlives it", async () => {
  const bundles = [healthyCircuit({ name: "er-ams-a" }), healthyCircuit({ name: "er-ams-b" })];
  const [a, b] = bundles.map((x) => x.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  const end = new Date(T0 + 22 * MIN).toISOString();
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles, {
    ERWATCH_SILENCES: JSON.stringify(
      ["er-ams-a", "er-ams-b"].map((circuit) => ({
        circuit,
        start: new Date(T0).toISOString(),
        end,
        comment: "Equinix AMS fibre work, ticket 4711",
      })),
    ),
  });
  await sweepUntil(0, 0);
  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  await sweepUntil(5, 20);
  // Neither the circuits nor the group they make: the operator was told of this work.
  expect(sent()).toEqual([]);
  await sweepUntil(25, 30);
  expect(sent().map((e) => [e.action, e.family, e.occurredAt])).toEqual([
    ["open", "fleet", new Date(T0 + 25 * MIN).toISOString()],
  ]);
});

it("whoever holds a fleet outage hears once that erwatch lost sight of it, and the outage resolves when sight returns", async () => {
  const bundles = ["a", "b", "c"].map((n) => healthyCircuit({ name: `er-ams-${n}` }));
  const circuits = bundles.map((x) => x.circuit as SimCircuit);
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const at = async (minutes: number) => {
    now = new Date(T0 + minutes * MIN);
    return w.timerSweep();
  };
  await at(0);
  for (const x of circuits) setProviderState(x, "NotProvisioned");
  for (const m of [5, 10]) expect((await at(m)).errors).toEqual([]);
  expect(sent().map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual(["open:fleet:Sev0"]);
  // Every ARM call throttled from minute 15: nothing behind the fleet alert can be read.
  w.estate.addFault({
    match: { operation: "*" },
    behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
  });
  for (const m of [15, 20, 25, 30, 35, 40]) await at(m);
  const fleet = sent().filter((e) => e.family === "fleet");
  // Told once, as the same incident, when it has been blind as long as monitoring-blind waits.
  expect(fleet.map((e) => `${e.action}:${e.severity}@${e.occurredAt}`)).toEqual([
    `open:Sev0@${new Date(T0 + 5 * MIN).toISOString()}`,
    `repeat:Sev0@${new Date(T0 + 25 * MIN).toISOString()}`,
  ]);
  expect(fleet[1]!.key).toBe(fleet[0]!.key);
  expect(fleet[1]!.change).toMatch(/^Blind: erwatch has not been able to read/);
  // In words to the minute; the instant itself in blindSince.
  expect(fleet[1]!.change).toContain(utcMinute(new Date(T0 + 10 * MIN).toISOString()));
  expect(fleet[1]!.blindSince).toBe(new Date(T0 + 10 * MIN).toISOString());
  // The members' own outages stay held by it, blind or not.
  expect(sent().filter((e) => e.family !== "fleet" && e.family !== "monitoring-blind")).toEqual([]);

  // Sight returns with the outage repaired: the fleet alert resolves, nothing else pages.
  w.estate.clearFaults();
  for (const x of circuits) setProviderState(x, "Provisioned");
  for (let m = 45; m <= 75; m += 5) expect((await at(m)).errors).toEqual([]);
  expect(
    sent()
      .filter((e) => e.family === "fleet")
      .map((e) => e.action),
  ).toEqual(["open", "repeat", "resolve"]);
  expect(sent().filter((e) => e.family !== "fleet" && e.family !== "monitoring-blind")).toEqual([]);
}, 60_000);

it("a member's one-sweep blip after its site's outage cleared does not page on its own (hysteresis)", async () => {
  // Found by the lifecycle soak (test/fuzz/lifecycle.soak.test.ts): the site
  // drops both circuits for a sweep (one fleet page, the members' own alerts
  // held), comes back, and one member's primary blips for a single sweep.
  const bundles = [healthyCircuit({ name: "er-ams-a" }), healthyCircuit({ name: "er-ams-b" })];
  const [a, b] = bundles.map((x) => x.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  // Every circuit read deep every sweep, so the site's outage is seen on both at once.
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles, {
    SWEEP_MAX_READ_AGE_MINUTES: "5",
  });
  await sweepUntil(0, 0);
  bothDown(a);
  bothDown(b);
  await sweepUntil(5, 5);
  bothUp(a);
  bothUp(b);
  await sweepUntil(10, 10);
  carrierDown(a, PRIVATE, "primary");
  await sweepUntil(15, 15);
  restorePath(a, PRIVATE, "primary");
  await sweepUntil(20, 40);
  expect(sent().map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
    "open:fleet:Sev0",
    "resolve:fleet:Sev0",
    // Down, up, down, up within the hour: more than 3 changes is a flap (by design).
    "open:session-flapping:Sev2",
  ]);
});

it("a fleet outage last read by a past-due tick (01:11:30) tells its holder Blind: at the tick its circuits' monitoring-blind opens, counted in ticks as theirs", async () => {
  const bundles = ["a", "b", "c"].map((n) => healthyCircuit({ name: `er-ams-${n}` }));
  const circuits = bundles.map((x) => x.circuit as SimCircuit);
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const at = async (minutes: number) => {
    now = new Date(T0 + minutes * MIN);
    return w.timerSweep();
  };
  await at(0);
  for (const x of circuits) setProviderState(x, "NotProvisioned");
  // The tick after 01:05 runs late (behind a restart): the site's last reading.
  for (const m of [5, 11.5]) expect((await at(m)).errors).toEqual([]);
  w.estate.addFault({
    match: { operation: "*" },
    behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
  });
  for (const m of [15, 20, 25]) await at(m);
  // The third tick that could not read it, as monitoring-blind counts (13.5 minutes on, not 15).
  const at25 = new Date(T0 + 25 * MIN).toISOString();
  expect(sent().map((e) => `${e.action}:${e.family}@${e.occurredAt}`)).toEqual([
    `open:fleet@${new Date(T0 + 5 * MIN).toISOString()}`,
    `repeat:fleet@${at25}`,
    `open:monitoring-blind@${at25}`,
  ]);
  expect(sent()[1]!.change).toContain(utcMinute(new Date(T0 + 11.5 * MIN).toISOString()));
  expect(sent()[1]!.blindSince).toBe(new Date(T0 + 11.5 * MIN).toISOString());
  // Told once.
  for (const m of [30, 35]) await at(m);
  expect(sent().filter((e) => e.family === "fleet")).toHaveLength(2);
}, 60_000);

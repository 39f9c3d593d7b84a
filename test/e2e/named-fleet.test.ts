// POST /api/sweep of named circuits read in the request's own process, when a
// carrier's site they are at goes down: the site's outage is one fleet page,
// as the estate's sweep makes it. Named circuits carry no listing of their
// own, so the recorder could not tell two of them shared a provider and a
// peering location: nothing waited to group, and each circuit paged its
// outage as its own alert (two Sev0 pages for one site) in a 200. Where each
// was last read (its stored snapshot) now says so.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { expect, it } from "vitest";
import type { StateStore } from "../../src/app/state-store.js";
import { createSweeper } from "../../src/app/sweep.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpSweepHandler } from "../../src/functions/http-sweep.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { memoryLogger } from "../support/test-logger.js";
import { ALERTS_QUEUE, type World } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

/** Two circuits through Equinix at Amsterdam, one through Colt in London; `env` on top. */
async function amsterdam(env: Record<string, string> = {}) {
  const bundles = [
    healthyCircuit({ name: "er-ams-a" }),
    healthyCircuit({ name: "er-ams-b" }),
    healthyCircuit({ name: "er-lon", serviceProviderName: "Colt", peeringLocation: "London" }),
  ];
  const [a, b, lon] = bundles.map((x) => x.circuit as SimCircuit) as [
    SimCircuit,
    SimCircuit,
    SimCircuit,
  ];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *", ...env },
  });
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  /** POST /api/sweep naming `circuits`, at T0 + `minutes` (to the function given `deps`). */
  const post = (minutes: number, circuits: SimCircuit[], deps = w.functionDeps) => {
    now = new Date(T0 + minutes * MIN);
    return httpSweepHandler(async () => deps)(
      new HttpRequest({
        method: "POST",
        url: "http://localhost/api/sweep",
        body: { string: JSON.stringify({ circuits: circuits.map((c) => circuitId(c)) }) },
        headers: { "content-type": "application/json" },
      }),
      new InvocationContext({ invocationId: `http-${minutes}` }),
    );
  };
  /** The clock at T0 + `minutes`, for the timer's sweeps. */
  const at = (minutes: number) => {
    now = new Date(T0 + minutes * MIN);
  };
  return { w, a, b, lon, sent, post, at };
}

it("a named sweep answered in the request over a carrier's site its estate sweep read pages one fleet outage, not one per circuit", async () => {
  const { w, a, b, lon, sent, post } = await amsterdam();
  // The estate as erwatch already knows it: one timer sweep, all well.
  expect((await w.timerSweep()).errors).toEqual([]);
  expect(sent()).toEqual([]);

  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  carrierDownBoth(lon, "AzurePrivatePeering");
  // Named in the order a person pastes them: the circuit elsewhere between the site's.
  const response = await post(5, [a, lon, b]);
  expect(response.status).toBe(200);

  const fleet = sent().filter((e) => e.family === "fleet");
  expect(fleet.map((e) => [e.action, e.severity])).toEqual([["open", "Sev0"]]);
  for (const c of [a, b]) expect(fleet[0]!.ticket).toContain(c.serviceKey);
  expect(fleet[0]!.ticket).not.toContain(lon.serviceKey);
  // No member of the site pages alone; the circuit elsewhere does.
  expect(
    sent()
      .filter((e) => e.family !== "fleet")
      .map((e) => [e.circuit.name, e.family, e.action]),
  ).toEqual([["er-lon", "path-down", "open"]]);
}, 120_000);

it("a named sweep over a site never read before pages each circuit's outage, as before: nothing says they share a place", async () => {
  const { a, b, sent, post } = await amsterdam();
  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  expect((await post(5, [a, b])).status).toBe(200);
  expect(
    sent()
      .map((e) => [e.circuit.name, e.family, e.action])
      .sort(),
  ).toEqual([
    ["er-ams-a", "provider", "open"],
    ["er-ams-b", "provider", "open"],
  ]);
}, 120_000);

/**
 * The world's store, each circuit's first snapshot read failing as Table
 * Storage's can: the sweep's look-up of where named circuits were last read
 * (the recorder reads them again later, and those answer).
 */
function firstSnapshotReadFails(store: StateStore, asked = new Set<string>()): StateStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "withSignal")
        return (...args: Parameters<StateStore["withSignal"]>) =>
          firstSnapshotReadFails(target.withSignal(...args), asked);
      if (prop === "getSnapshot")
        return async (id: string) => {
          if (asked.has(id.toLowerCase())) return target.getSnapshot(id);
          asked.add(id.toLowerCase());
          throw Object.assign(new Error("Server busy"), { statusCode: 503 });
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The HTTP function's deps with a sweeper on `store`, logging to `logger`. */
function sweepingWith(w: World, store: StateStore, logger: SweepFunctionDeps["runtime"]["logger"]) {
  const { runtime } = w.functionDeps;
  const sweeper = createSweeper({
    reader: runtime.reader,
    ...(runtime.dataPlane ? { dataPlane: runtime.dataPlane } : {}),
    store,
    sink: runtime.sink,
    policy: { classify: runtime.config.arm.classify, alerts: runtime.config.state.policy },
    silences: runtime.config.state.silences,
    silenceStore: runtime.silences,
    historyRetentionDays: runtime.config.state.historyRetentionDays,
    logger,
    maxReadAgeMinutes: runtime.config.sweep.maxReadAgeMinutes,
  });
  return { ...w.functionDeps, runtime: { ...runtime, store, sweeper } };
}

it("a named sweep whose circuits' stored places cannot be read still answers, pages each outage on its own, and says so once", async () => {
  const { w, a, b, sent, post } = await amsterdam();
  expect((await w.timerSweep()).errors).toEqual([]);
  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  const { logger, records } = memoryLogger();
  const deps = sweepingWith(w, firstSnapshotReadFails(w.runtime.store), logger);
  const response = await post(5, [a, b], deps);
  expect(response.status).toBe(200);
  const answer = response.jsonBody as { circuits: { name: string }[]; errors: unknown[] };
  expect(answer.circuits.map((c) => c.name).sort()).toEqual(["er-ams-a", "er-ams-b"]);
  expect(answer.errors).toEqual([]);
  // Not grouped (nothing says they share a place), never lost.
  expect(
    sent()
      .map((e) => [e.circuit.name, e.family, e.action])
      .sort(),
  ).toEqual([
    ["er-ams-a", "provider", "open"],
    ["er-ams-b", "provider", "open"],
  ]);
  const told = records().filter(
    (r) => r.level === 40 && String(r.msg).startsWith("where named circuits were last read"),
  );
  expect(told.map((r) => [r.circuits, r.placed])).toEqual([[2, 0]]);
}, 120_000);

it("a named sweep of circuits elsewhere leaves a site's open fleet alert as the estate's sweep judged it: it read none of its members", async () => {
  const { w, a, b, lon, sent, post } = await amsterdam();
  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  expect((await w.timerSweep()).errors).toEqual([]);
  expect(
    sent()
      .filter((e) => e.family === "fleet")
      .map((e) => e.action),
  ).toEqual(["open"]);
  const fleetOf = async () =>
    (await w.runtime.store.listAlerts()).map((s) => s.value).find((s) => s.family === "fleet")!;
  const judged = await fleetOf();
  // Two minutes later a person asks about London alone.
  expect((await post(2, [lon])).status).toBe(200);
  // Observed UNKNOWN here, it moved lastEvaluatedAt: with fan-out the timer then
  // found nothing read since the fleet alert's last judgement and held its resolve.
  expect(await fleetOf()).toMatchObject({
    phase: judged.phase,
    lastEvaluatedAt: judged.lastEvaluatedAt,
  });
  expect(
    sent()
      .filter((e) => e.family === "fleet")
      .map((e) => e.action),
  ).toEqual(["open"]);
}, 120_000);

it("a named sweep answered in the request that reads a site's circuits recovered resolves its fleet alert in that sweep", async () => {
  const { w, a, b, sent, post, at } = await amsterdam();
  expect((await w.timerSweep()).errors).toEqual([]);
  for (const x of [a, b]) setProviderState(x, "NotProvisioned");
  at(5);
  expect((await w.timerSweep()).errors).toEqual([]);
  const fleet = () => sent().filter((e) => e.family === "fleet");
  expect(fleet().map((e) => e.action)).toEqual(["open"]);
  for (const x of [a, b]) setProviderState(x, "Provisioned");
  at(10);
  expect((await w.timerSweep()).errors).toEqual([]);
  // Read well once: resolving, not yet resolved.
  expect(fleet().map((e) => e.action)).toEqual(["open"]);
  expect((await post(14, [a, b])).status).toBe(200);
  expect(fleet().map((e) => [e.action, e.occurredAt])).toEqual([
    ["open", new Date(T0 + 5 * MIN).toISOString()],
    ["resolve", new Date(T0 + 14 * MIN).toISOString()],
  ]);
}, 120_000);

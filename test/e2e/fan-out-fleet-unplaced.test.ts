// With fan-out the timer resolves a fleet outage from what the workers stored
// (record-fleet.ts `settleFleets`). When the Alerts table cannot be listed it
// reads each fleet alert from its own partition, at the places it knows. It
// took those places from this sweep's listing alone, so a carrier's site none
// of whose circuits the listing placed this sweep was never looked at: here
// the site's circuits are named (ERWATCH_CIRCUITS), and the timer's GET of
// each fails, so they carry no listing, while the workers read them well
// every sweep. The fleet alert stayed open for as long as both lasted: no
// resolve for an outage long over. Where their snapshots say they were last
// read is a place too.

import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { fleetMembersOf } from "../../src/core/fleet-members.js";
import {
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { startTableFaultProxy, type TableFault } from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const [LISTED, NAMED] = ["a1", "b2"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

it("the Alerts table cannot be listed and the timer cannot GET a site's named circuits: its fleet alert still resolves once the workers read them well", async () => {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const site = ["ams-a", "ams-b"].map((name) =>
    healthyCircuit({
      subscriptionId: NAMED,
      name,
      serviceProviderName: "Equinix",
      peeringLocation: "Amsterdam",
    }),
  );
  const lon = healthyCircuit({
    subscriptionId: LISTED,
    name: "lon",
    serviceProviderName: "Colt",
    peeringLocation: "London",
  });
  const members = site.map((b) => b.circuit as SimCircuit);
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...site, lon),
    now: () => now,
    env: {
      ERWATCH_SUBSCRIPTIONS: LISTED!,
      ERWATCH_CIRCUITS: members.map((c) => circuitId(c)).join(","),
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: "1000",
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
  /** Whether the timer's GETs of the site's circuits fail (the workers' never do). */
  let timerBlind = false;
  const round = async (k: number) => {
    now = new Date(T0 + k * 5 * MIN);
    if (timerBlind)
      for (const c of members)
        w.estate.addFault({
          match: { operation: "getCircuit", circuit: c.name },
          behaviour: { kind: "status", status: 403, code: "AuthorizationFailed" },
        });
    await fan.timer(k);
    w.estate.clearFaults();
    expect(await fan.drain()).toBe(true);
    expect(w.broker.active(QUEUE)).toEqual([]);
    expect(fan.errors).toEqual([]);
  };
  const fleetSaid = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.family === "fleet")
      .map((e) => {
        const who = fleetMembersOf(e)
          .map((x) => x.name)
          .sort()
          .join("+");
        return `${e.action} ${who}@${(Date.parse(e.occurredAt) - T0) / (5 * MIN)}`;
      });
  try {
    await round(0);
    for (const c of members) setProviderState(c, "NotProvisioned");
    await round(1);
    expect(fleetSaid()).toEqual(["open ams-a+ams-b@1"]);

    // The site is back. From now on every listing across the Alerts table
    // fails, and so does each of the timer's GETs of the site's circuits.
    for (const c of members) setProviderState(c, "Provisioned");
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
    timerBlind = true;
    const firstBlind = w.estate.requests.length;
    for (let k = 2; k <= 8 && !fleetSaid().some((s) => s.startsWith("resolve")); k += 1)
      await round(k);

    // What this proves happened: the table's listings failed, and the timer's GETs did.
    expect(scans.length).toBeGreaterThan(0);
    const refused = w.estate.requests
      .slice(firstBlind)
      .filter((r) => r.operation === "getCircuit" && r.status === 403);
    expect(new Set(refused.map((r) => r.circuit))).toEqual(new Set(["ams-a", "ams-b"]));
    // Read well at 2 and 3 (a Sev0 resolves after two clean sweeps); the timer says so at 4, as of 3.
    expect(fleetSaid()).toEqual(["open ams-a+ams-b@1", "resolve ams-a+ams-b@3"]);
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 120_000);

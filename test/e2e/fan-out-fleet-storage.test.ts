// A fleet alert's own storage failing while its circuits are read, then no
// circuit read at all, in one process and with fan-out on, at the product's
// cadence (a timer every 5 minutes on an injected clock). The sweep's store
// talks to Azurite through the loopback fault proxy, which fails only the
// calls on the fleet alert's pseudo-circuit partition. Its holder hears
// "Blind:" once, since the last sweep that read every circuit it names: the
// fan-out timer's notice said since the fleet alert's own older reading, the
// last one its row could record.

import { utcMinute } from "../../src/core/utc-time.js";
import { ServiceBusClient } from "@azure/service-bus";
import { beforeAll, afterAll, afterEach, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import {
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import {
  startTableFaultProxy,
  type TableFault,
  type TableFaultProxy,
} from "../support/table-fault-proxy.js";
import type { WorkMessage } from "../../src/app/work.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const FLEET_PARTITION = circuitPartition(fleetCircuitId("Equinix", "Amsterdam", "provider"));
/** Table Storage too busy, as Azure says it: retry at once (the SDK does, until its retries are spent). */
const BUSY: TableFault = { kind: "status", status: 503, code: "ServerBusy", retryAfterSeconds: 0 };

const worlds = worldPerTest();
let proxy: TableFaultProxy;
beforeAll(async () => {
  proxy = await startTableFaultProxy(worlds.azurite());
});
afterEach(() => {
  proxy.rule = () => null;
});
afterAll(async () => {
  await proxy?.close();
});

async function site(fanOut: boolean, tags: Record<string, string> = {}) {
  const bundles = [
    healthyCircuit({ name: "er-ams-a", tags }),
    healthyCircuit({ name: "er-ams-b", tags }),
  ];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: "5000",
      ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "2" } : {}),
    },
  });
  if (fanOut) await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** The sweep at T0 + `m` minutes (with fan-out, the timer then its workers), the fleet partition busy if told. */
  const sweep = async (m: number, fleetBusy = false) => {
    now = new Date(T0 + m * MIN);
    proxy.rule = (r) => (fleetBusy && r.text.includes(FLEET_PARTITION) ? BUSY : null);
    try {
      if (!fanOut) {
        await w.timerSweep();
        return;
      }
      await fan.timer(m);
      await fan.drain();
      expect(w.broker.active(QUEUE)).toEqual([]);
      expect(fan.errors).toEqual([]);
    } finally {
      proxy.rule = () => null;
    }
  };
  const fleetSent = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.family === "fleet");
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  return { w, bus, sweep, fleetSent, circuits };
}

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a fleet alert whose partition failed while its circuits were read, then none read, is told Blind: since they were last read, not since its own last record`, async () => {
    const { w, bus, sweep, fleetSent, circuits } = await site(fanOut);
    try {
      await sweep(0);
      for (const c of circuits) setProviderState(c, "NotProvisioned");
      await sweep(5);
      expect(fleetSent().map((e) => e.action)).toEqual(["open"]);
      // Read still down at 10 and 15, the fleet alert's row left as written at 5.
      await sweep(10, true);
      await sweep(15, true);
      // Every ARM call throttled from 20: no circuit is read.
      w.estate.addFault({
        match: { operation: "*" },
        behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
      });
      for (let m = 20; m <= 45; m += 5) await sweep(m);
      const told = fleetSent().filter((e) => e.action === "repeat");
      const since = new Date(T0 + 15 * MIN).toISOString();
      expect(told.map((e) => [e.change.split(" ")[0], e.blindSince])).toEqual([["Blind:", since]]);
      // blindSince above holds the instant; the words say it to the minute.
      expect(told[0]!.change).toContain(utcMinute(since));
    } finally {
      await bus.close();
    }
  }, 180_000);

// The fan-out version of fleet-storage.test.ts's pair case: in one process a
// pair in the run listed the stored snapshots before the reads wrote this
// sweep's, so the circuit the rotation read looked not read and the fleet
// alert stayed open for good. With fan-out, two workers over the loopback
// broker read the site and the timer settles its fleet alert from what they
// stored: with or without an erwatch:pair tag, a recovering site resolves.
it.each([
  ["", {}],
  [", its circuits in an erwatch:pair too", { "erwatch:pair": "site-ams" }],
])(
  "fan-out: a fleet alert whose partition failed while the site was read down and back resolves once the rotation has read each circuit again%s, and no circuit pages alone",
  async (_, tags) => {
    const { bus, sweep, circuits, w } = await site(true, tags);
    const said = () =>
      w.broker
        .accepted(ALERTS_QUEUE)
        .map((m) => m.body as AlertEvent)
        .map((e) => `${e.action} ${e.family} ${e.circuit.name}`);
    const FLEET = "fleet Equinix at Amsterdam (provider)";
    try {
      await sweep(0);
      for (const c of circuits) setProviderState(c, "NotProvisioned");
      await sweep(5);
      expect(said()).toEqual([`open ${FLEET}`]);
      // Read still down (10, 15) and back (20) while the fleet alert's partition is busy.
      await sweep(10, true);
      await sweep(15, true);
      for (const c of circuits) setProviderState(c, "Provisioned");
      await sweep(20, true);
      // From 25 storage answers: both read again (their own alerts still open), then
      // the rotation's one circuit a sweep.
      const reads = () =>
        w.broker.accepted(QUEUE).flatMap((m) => (m.body as WorkMessage).items.map((i) => i.reason));
      const readsBefore = reads().length;
      for (let m = 25; m <= 60 && !said().includes(`resolve ${FLEET}`); m += 5) await sweep(m);
      expect(reads().slice(readsBefore)).toEqual(["trouble", "trouble", "rotation"]);
      expect(said().filter((e) => !e.startsWith("repeat"))).toEqual([
        `open ${FLEET}`,
        `resolve ${FLEET}`,
      ]);
    } finally {
      await bus.close();
    }
  },
  180_000,
);

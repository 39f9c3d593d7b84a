// A site's outage with fan-out and one circuit to a work message
// (SWEEP_WORK_BATCH=1), at the product's cadence (a timer every 5 minutes on
// an injected clock). Outages group only within one run, so a batch that
// could not hold the site read each circuit alone, and the carrier dropping
// a two-circuit site paged each circuit on its own. README "With fan-out":
// the circuits a sweep reads at one provider and location travel together in
// one message, whatever SWEEP_WORK_BATCH, as long as they fit 192 KB.

import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { fleetMembersOf } from "../../src/core/fleet-members.js";
import type { WorkMessage } from "../../src/app/work.js";
import {
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

it("SWEEP_WORK_BATCH=1: a two-circuit site losing its provider is one fleet page, not one per circuit, and it resolves as one", async () => {
  const site = { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" };
  const bundles = [
    healthyCircuit({ name: "ams-a", ...site }),
    healthyCircuit({ name: "ams-b", ...site }),
    healthyCircuit({ name: "lon", serviceProviderName: "Colt", peeringLocation: "London" }),
  ];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "1",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const round = async (minute: number) => {
    now = new Date(T0 + minute * MIN);
    await fan.timer(minute);
    await fan.drain();
    expect(w.broker.active(QUEUE)).toEqual([]);
    expect(fan.errors).toEqual([]);
  };
  const said = () =>
    w.broker.accepted(ALERTS_QUEUE).map((m) => {
      const e = m.body as AlertEvent;
      const who =
        e.family === "fleet"
          ? fleetMembersOf(e)
              .map((x) => x.name)
              .sort()
              .join("+")
          : e.circuit.name;
      return `${e.action} ${e.family} ${e.severity} ${who}`;
    });
  const batches = () =>
    w.broker
      .accepted(QUEUE)
      .map((m) => (m.body as WorkMessage).items.map((i) => i.target.name).join("+"));
  try {
    await round(0);
    const [a, b] = bundles.map((x) => x.circuit as SimCircuit);
    setProviderState(a!, "NotProvisioned");
    setProviderState(b!, "NotProvisioned");
    const before = batches().length;
    await round(5);
    expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b"]);
    // The site's two reads in one message, past SWEEP_WORK_BATCH.
    expect(batches().slice(before)).toContain("ams-a+ams-b");
    setProviderState(a!, "Provisioned");
    setProviderState(b!, "Provisioned");
    for (let m = 10; m <= 40 && said().length < 2; m += 5) await round(m);
    expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b", "resolve fleet Sev0 ams-a+ams-b"]);
  } finally {
    await bus.close();
  }
}, 120_000);

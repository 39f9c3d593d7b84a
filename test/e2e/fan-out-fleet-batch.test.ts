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
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restoreBoth,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const PRIVATE = "AzurePrivatePeering";

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

// A site of more reads than SWEEP_WORK_BATCH whose one suspect (its listing
// changed) went alone in its message, the rotation's reads of the rest in the
// next: with the whole site down, the suspect paged on its own and the rest
// paged as a fleet. Its first message now holds one of the rotation's reads
// beside it, so it opens the fleet alert and the next message joins it. In
// one run (one process too) a lone suspect's outage grouped as soon as it
// was recorded, not waiting for its place's quiet reads: it paged alone
// unless a quiet read of the site happened to land first.
for (const fanOut of [true, false])
  it(`${fanOut ? "fan-out, SWEEP_WORK_BATCH=2" : "one process"}: a three-circuit site read as one suspect and two rotation reads, wholly down, is one fleet page`, async () => {
    const site = { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" };
    const bundles = ["ams-a", "ams-b", "ams-c"].map((name) => healthyCircuit({ name, ...site }));
    let now = new Date(T0);
    const w = await worlds.start({
      estate: estateOf(...bundles),
      now: () => now,
      env: {
        SWEEP_SCHEDULE: "0 */5 * * * *",
        ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "2" } : {}),
      },
    });
    if (fanOut) await w.runtime.work!.claims.ensureTable();
    const bus = new ServiceBusClient(w.broker.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
    });
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    /** The reads of the sweep at `minute`, as `circuit:reason`, one string a work message (one in all in one process). */
    const round = async (minute: number): Promise<string[]> => {
      now = new Date(T0 + minute * MIN);
      if (!fanOut) {
        const result = await w.timerSweep();
        expect(result.errors).toEqual([]);
        return [result.plan.deep.map((d) => `${d.name}:${d.reason}`).join(" ")];
      }
      const before = sent().length;
      await fan.timer(minute);
      await fan.drain();
      expect(w.broker.active(QUEUE)).toEqual([]);
      expect(fan.errors).toEqual([]);
      return sent()
        .slice(before)
        .map((m) => m.items.map((i) => `${i.target.name}:${i.reason}`).join(" "));
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
    const sent = () => w.broker.accepted(QUEUE).map((m) => m.body as WorkMessage);
    const sims = bundles.map((x) => x.circuit as SimCircuit);
    try {
      // Each read new at 0; at 5 the rotation (two of three circuits a sweep) takes ams-a and ams-b.
      await round(0);
      expect(said()).toEqual([]);
      // An owner's tag edited on ams-c (a change in its listing: a suspect) as the carrier loses the site.
      sims[2]!.tags = { ...sims[2]!.tags, owner: "network-team" };
      for (const c of sims) carrierDownBoth(c, PRIVATE);
      const work = await round(5);
      // The plan this test is about: one suspect and the rotation's reads of the rest.
      expect(work.join(" ").split(" ").sort()).toEqual([
        "ams-a:rotation",
        "ams-b:rotation",
        "ams-c:changed",
      ]);
      // With fan-out, one rotation read beside the suspect, the other in the next message.
      if (fanOut) expect(work[0]).toMatch(/^ams-c:changed ams-[ab]:rotation$/);
      for (const m of sent()) expect(m.items.length).toBeLessThanOrEqual(2);
      const opens = () => said().filter((s) => s.startsWith("open"));
      expect(opens()).toHaveLength(1);
      expect(opens()[0]).toMatch(/^open fleet Sev0 /);
      // Every circuit of the site is held by the one fleet alert: none paged on its own.
      expect(said().filter((s) => !s.includes(" fleet "))).toEqual([]);
      for (const m of [10, 15]) await round(m);
      expect(said().filter((s) => !s.includes(" fleet "))).toEqual([]);
      // The fleet alert names the whole site (with fan-out the next message's read joined it: "Wider:").
      expect(said().at(-1)).toMatch(/^(open|repeat) fleet Sev0 ams-a\+ams-b\+ams-c$/);
      for (const c of sims) restoreBoth(c, PRIVATE);
      for (let m = 20; m <= 50 && !said().some((s) => s.startsWith("resolve")); m += 5)
        await round(m);
      expect(said().filter((s) => !s.startsWith("repeat"))).toEqual([
        opens()[0],
        "resolve fleet Sev0 ams-a+ams-b+ams-c",
      ]);
    } finally {
      await bus.close();
    }
  }, 180_000);

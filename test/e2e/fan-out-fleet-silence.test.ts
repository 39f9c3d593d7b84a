// A fleet alert whose resolve a silence held back, at the product's cadence (a
// timer every 5 minutes on an injected clock), in one process and with fan-out
// on. Found by the fan-out blind soak (test/fuzz/lifecycle-fan-out-blind.soak.test.ts,
// seed 855): the site went down, one member came back, the other was put
// under maintenance and recovered inside it. The fleet alert, naming only the
// silenced circuit by then, cleared with its resolve held back (README
// "Silences": a fleet-outage is silenced when every circuit it names is). With
// fan-out nobody judged it again: the timer settled only fleet alerts still
// pending, firing or resolving, and the workers decide only where they find an
// outage. Its Sev0 stayed open at the receivers for good. README "Blind": "A
// fleet alert whose resolve a silence held back is judged on until the resolve
// goes out." The timer judges as of the workers' readings of the sweep before
// (README "With fan-out"), so with the silences in force then: a run-time
// silence (`erwatch silence add`) that had ended by the timer's clock was
// left out, and the resolve went out as of a reading the window still covered.

import { ServiceBusClient } from "@azure/service-bus";
import { newSilence } from "../../src/app/silences.js";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { fleetMembersOf } from "../../src/core/fleet-members.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restoreBoth,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const PRIVATE = "AzurePrivatePeering";
const at = (k: number) => new Date(T0 + k * 5 * MIN);

const worlds = worldPerTest();

async function siteWorld(fanOut: boolean, env: Record<string, string>) {
  const site = { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" };
  const bundles = [
    healthyCircuit({ name: "ams-a", ...site }),
    healthyCircuit({ name: "ams-b", ...site }),
    healthyCircuit({ name: "lon", serviceProviderName: "Colt", peeringLocation: "London" }),
  ];
  let now = at(0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      ...env,
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ...(fanOut ? { SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "2" } : {}),
    },
  });
  if (fanOut) await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** Sweep `k`: the timer, then two workers on concurrent sessions until the queue is empty. */
  const round = async (k: number) => {
    now = at(k);
    if (!fanOut) {
      expect((await w.timerSweep()).errors).toEqual([]);
      return;
    }
    await fan.timer(k);
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
      return `${e.action} ${e.family} ${e.severity} ${who}@${(Date.parse(e.occurredAt) - T0) / (5 * MIN)}`;
    });
  const sims = bundles.map((b) => b.circuit as SimCircuit);
  return { w, bus, round, said, sims };
}

for (const fanOut of [false, true])
  for (const kind of ["ERWATCH_SILENCES", "erwatch silence add"] as const)
    it(`${fanOut ? "fan-out" : "one process"}: a fleet alert whose resolve a silence (${kind}) held back resolves when the silence ends`, async () => {
      // ams-a under maintenance from sweep 3 to sweep 7 (its end exclusive).
      const window = {
        kind: "once",
        start: at(3).toISOString(),
        end: at(7).toISOString(),
      } as const;
      const comment = "Equinix AMS fibre work on ams-a";
      const { w, bus, round, said, sims } = await siteWorld(fanOut, {
        // Every circuit read every sweep: the sweeps the fleet alert is judged at are the schedule's.
        SWEEP_MAX_READ_AGE_MINUTES: "5",
        ...(kind === "ERWATCH_SILENCES"
          ? {
              ERWATCH_SILENCES: JSON.stringify([
                { circuit: "ams-a", start: window.start, end: window.end, comment },
              ]),
            }
          : {}),
      });
      if (kind === "erwatch silence add") {
        await w.runtime.silences.ensureTable();
        await w.runtime.silences.add(
          newSilence(
            { circuit: circuitId(sims[0]!), window, comment, author: "on-call" },
            "fibre-work",
            at(0),
          ),
        );
      }
      const [a, b] = sims;
      try {
        await round(0);
        for (const c of [a!, b!]) carrierDownBoth(c, PRIVATE);
        await round(1);
        // ams-b back: the fleet alert goes on for ams-a alone, still the one Sev0.
        restoreBoth(b!, PRIVATE);
        await round(2);
        // ams-a, down under its maintenance window, comes back inside it: the
        // fleet alert (naming only ams-a now) clears silenced, its resolve held back.
        await round(3);
        restoreBoth(a!, PRIVATE);
        for (let k = 4; k <= 6; k += 1) await round(k);
        expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
        // The window ends at sweep 7: the held resolve goes out as of then, once.
        // With fan-out the timer judges the workers' sweep-7 readings at sweep 8;
        // at sweep 7 it judges their sweep-6 readings, which the window still
        // covered though it has ended by the timer's clock.
        await round(7);
        if (fanOut) {
          expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
          await round(8);
        }
        expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b@1", "resolve fleet Sev0 ams-a@7"]);
        for (let k = fanOut ? 9 : 8; k <= 12; k += 1) await round(k);
        expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b@1", "resolve fleet Sev0 ams-a@7"]);
      } finally {
        await bus.close();
      }
    }, 120_000);

// A fleet alert is never resolved on not-knowing (README "Guarantees": a
// failed read is UNKNOWN for its path alone, and erwatch never resolves on
// it). With fan-out the timer judges a fleet alert over from what the workers
// stored (core/fleet.ts `fleetSettledAt`). It took every member whose own
// outage alert was no longer pending or firing as recovered, and the latest
// time a worker wrote a member's alert as the reading that said so. A read
// that fails writes that time too (the alert is UNKNOWN: kept as it was, its
// lastEvaluatedAt moved on). So a site read clean once (its members' own
// alerts resolving) that then went dark resolved at the timer's next sweep as
// if it had been read clean again: a "resolved" sent for a place erwatch could
// not see, which was in fact down again, and paged anew once it could be read.
// In one process a member whose reads failed is not read (circuit-recorder.ts),
// so the fleet alert is UNKNOWN there and goes on as one incident.

import { TableClient } from "@azure/data-tables";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { fleetMembersOf } from "../../src/core/fleet-members.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restoreBoth,
  type FaultBehaviour,
  type SimCircuit,
} from "../support/estate/index.js";
import { setProviderState } from "../support/estate/mutators.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { alertRow, circuitPartition } from "../../src/adapters/tables/keys.js";
import { circuitId } from "../support/estate/ids.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const PRIVATE = "AzurePrivatePeering";

const worlds = worldPerTest();

async function siteWorld(fanOut: boolean, microsoftPeering = false) {
  const site = { serviceProviderName: "Equinix", peeringLocation: "Amsterdam", microsoftPeering };
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
      // Every circuit read every sweep: the sweeps the fleet alert is judged at are the schedule's.
      SWEEP_MAX_READ_AGE_MINUTES: "5",
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
    now = new Date(T0 + k * 5 * MIN);
    if (!fanOut) {
      expect((await w.timerSweep()).errors).toEqual([]);
      return;
    }
    await fan.timer(k);
    await fan.drain();
    expect(w.broker.active(QUEUE)).toEqual([]);
    expect(fan.errors).toEqual([]);
  };
  /** Every path read (ARP table, route summary) of one circuit fails this way until cleared. */
  const failReads = (circuit: string, behaviour: FaultBehaviour) => {
    for (const operation of ["arpTable", "routeTablesSummary"] as const)
      w.estate.addFault({ match: { operation, circuit }, behaviour });
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
  /**
   * A circuit's own outage alerts gone from storage, as if their writes had
   * been lost (storage failing after its fleet alert was written): a member
   * the fleet alert names with no outage alert of its own.
   */
  const loseOwnAlerts = async (circuit: SimCircuit) => {
    const table = TableClient.fromConnectionString(
      w.azurite.connectionString,
      `${w.env["ERWATCH_TABLE_PREFIX"]}Alerts`,
      { allowInsecureConnection: true },
    );
    const id = circuitId(circuit);
    await table.deleteEntity(circuitPartition(id), alertRow(alertKey(id, PRIVATE, "path-down")));
  };
  const sims = bundles.map((b) => b.circuit as SimCircuit);
  /** What was said, without the members' own blindness. */
  const pages = () => said().filter((s) => !s.includes("monitoring-blind"));
  /** Sweep 0 healthy; at sweep 1 both members lose both private paths: one fleet Sev0. */
  const siteDown = async () => {
    await round(0);
    for (const c of sims.slice(0, 2)) carrierDownBoth(c, PRIVATE);
    await round(1);
    expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
  };
  return { w, bus, round, failReads, said, pages, siteDown, sims, loseOwnAlerts };
}

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a site read clean once that goes down again where no member can be read is one incident, never resolved`, async () => {
    const { w, bus, round, failReads, pages, siteDown, sims } = await siteWorld(fanOut);
    const [a, b] = sims;
    try {
      await siteDown();
      // The site comes back for one sweep: read clean once (a Sev0 resolves after two).
      for (const c of [a!, b!]) restoreBoth(c, PRIVATE);
      await round(2);
      // It goes down again, and no path of either member can be read.
      for (const c of [a!, b!]) carrierDownBoth(c, PRIVATE);
      failReads("ams-a", { kind: "status", status: 500 });
      failReads("ams-b", { kind: "status", status: 500 });
      await round(3);
      await round(4);
      // Nothing read since sweep 2: no second clean reading, no resolve.
      expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
      // Readable again, still down: the same incident, neither resolved nor paged again.
      w.estate.clearFaults();
      for (let k = 5; k <= 7; k += 1) await round(k);
      expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
    } finally {
      await bus.close();
    }
  }, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a site read clean once and then unreadable resolves only at its second clean reading, as of it`, async () => {
    const { w, bus, round, failReads, pages, siteDown, sims } = await siteWorld(fanOut);
    const [a, b] = sims;
    try {
      await siteDown();
      for (const c of [a!, b!]) restoreBoth(c, PRIVATE);
      await round(2);
      failReads("ams-a", { kind: "status", status: 500 });
      failReads("ams-b", { kind: "status", status: 500 });
      await round(3);
      await round(4);
      // The timer has judged sweeps 2 and 3 by now: sweep 3 read nothing.
      expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
      w.estate.clearFaults();
      await round(5);
      // Clean at 2 and 5 (in one process the resolve goes out at 5; with fan-out the timer's at 6, as of 5).
      if (fanOut) {
        expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
        await round(6);
      }
      expect(pages()).toEqual([
        "open fleet Sev0 ams-a+ams-b@1",
        "resolve fleet Sev0 ams-a+ams-b@5",
      ]);
      for (let k = fanOut ? 7 : 6; k <= 8; k += 1) await round(k);
      expect(pages()).toEqual([
        "open fleet Sev0 ams-a+ams-b@1",
        "resolve fleet Sev0 ams-a+ams-b@5",
      ]);
    } finally {
      await bus.close();
    }
  }, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a member with no outage alert of its own whose reads fail is not read without the outage`, async () => {
    // Its write lost, it has no alert that could be observed UNKNOWN: it
    // counted as read (its body was listed) in one process, and as recovered
    // with fan-out. The site resolved while ams-b could not be read, and ams-b,
    // down all along, paged alone once read.
    const { w, bus, round, failReads, said, siteDown, sims, loseOwnAlerts } =
      await siteWorld(fanOut);
    const [a, b] = sims;
    try {
      await siteDown();
      for (const c of [a!, b!]) restoreBoth(c, PRIVATE);
      await round(2);
      await loseOwnAlerts(b!);
      carrierDownBoth(b!, PRIVATE);
      failReads("ams-b", { kind: "status", status: 500 });
      await round(3);
      await round(4);
      expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
      // ams-b read again, still down: the open fleet alert holds it (it names it).
      w.estate.clearFaults();
      for (let k = 5; k <= 6; k += 1) await round(k);
      // (Its blindness at 3 and 4 is not yet a monitoring-blind alert: that waits three sweeps.)
      expect(said()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
    } finally {
      await bus.close();
    }
  }, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a site back in the listing whose member's paths cannot be read is not resolved (hunt seed 908)`, async () => {
    // The carrier de-provisioned the site (a fleet Sev0 at the provider's
    // layer). ams-a's paths, up when last read, could not be read since; the
    // provider provisioned the site again while ams-a's links stayed down.
    // Its own provider alert read clean from the listing and it had no path
    // alert, so the site resolved, and ams-a paged alone once its paths could
    // be read: an all-clear for a place erwatch could not see, then a page.
    const { w, bus, round, failReads, pages, sims } = await siteWorld(fanOut);
    const [a, b] = sims;
    try {
      await round(0);
      for (const c of [a!, b!]) setProviderState(c, "NotProvisioned");
      await round(1);
      expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
      failReads("ams-a", { kind: "status", status: 500 });
      await round(2);
      for (const c of [a!, b!]) setProviderState(c, "Provisioned");
      carrierDownBoth(a!, PRIVATE);
      for (let k = 3; k <= 6; k += 1) await round(k);
      // ams-b read clean, ams-a's provider back and its paths unread: not known
      // over, and its holder told once that erwatch cannot see (three sweeps
      // unread, as monitoring-blind waits), in both modes.
      const told = ["open fleet Sev0 ams-a+ams-b@1", "repeat fleet Sev0 ams-a+ams-b@5"];
      expect(pages()).toEqual(told);
      const repeats = w.broker
        .accepted(ALERTS_QUEUE)
        .map((m) => m.body as AlertEvent)
        .filter((e) => e.action === "repeat");
      expect(repeats.map((e) => e.change)).toEqual([expect.stringMatching(/^Blind: /)]);
      // Readable again, still down: the same incident, neither resolved nor paged alone.
      w.estate.clearFaults();
      for (let k = 7; k <= 9; k += 1) await round(k);
      expect(pages().filter((p) => !p.startsWith("update"))).toEqual(told);
      restoreBoth(a!, PRIVATE);
      for (let k = 10; k <= 13; k += 1) await round(k);
      expect(pages().filter((p) => p.startsWith("resolve"))).toEqual([
        expect.stringMatching(/^resolve fleet Sev0 ams-a(\+ams-b)?@11$/),
      ]);
    } finally {
      await bus.close();
    }
  }, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a private-peering site outage resolves though a member's Microsoft peering route summary keeps failing`, async () => {
    const { w, bus, round, pages, siteDown, sims } = await siteWorld(fanOut, true);
    const [a, b] = sims;
    try {
      await siteDown();
      for (const c of [a!, b!]) restoreBoth(c, PRIVATE);
      // Unrelated to the outage: ams-a's Microsoft peering summary fails from now on.
      w.estate.addFault({
        match: { operation: "routeTablesSummary", circuit: "ams-a", peering: "MicrosoftPeering" },
        behaviour: { kind: "status", status: 500 },
      });
      for (let k = 2; k <= 10; k += 1) await round(k);
      expect(pages().filter((p) => p.startsWith("resolve fleet"))).toHaveLength(1);
    } finally {
      await bus.close();
    }
  }, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: a provider-layer site outage resolves in a subscription whose role lacks the ARP action (the ARP witness fails every sweep)`, async () => {
    const { w, bus, round, pages, sims } = await siteWorld(fanOut);
    const [a, b] = sims;
    try {
      await round(0);
      for (const c of [a!, b!]) setProviderState(c, "NotProvisioned");
      await round(1);
      expect(pages()).toEqual(["open fleet Sev0 ams-a+ams-b@1"]);
      for (const c of [a!, b!]) setProviderState(c, "Provisioned");
      w.estate.addFault({
        match: { operation: "arpTable" },
        behaviour: { kind: "status", status: 403 },
      });
      for (let k = 2; k <= 10; k += 1) await round(k);
      expect(pages().filter((p) => p.startsWith("resolve fleet"))).toHaveLength(1);
    } finally {
      await bus.close();
    }
  }, 120_000);

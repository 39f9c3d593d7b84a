// Fleet outages over the real wire, at the product's cadence (a timer sweep
// every 5 minutes on an injected clock). The provider drops three circuits it
// serves at one peering location (the listing shows it, so all three are read
// deep in the same sweep): one fleet-outage
// alert names them all and carries one carrier ticket with every service key,
// their own outage alerts are held by it, and PagerDuty holds one incident. A
// circuit elsewhere that goes down alone still pages by itself.

import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  restorePath,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

interface PdBody {
  event_action: string;
  dedup_key: string;
  payload?: { severity: string; summary: string };
}

const bothDown = (c: SimCircuit) => {
  carrierDown(c, PRIVATE, "primary");
  carrierDown(c, PRIVATE, "secondary");
};

const bothUp = (c: SimCircuit) => {
  restorePath(c, PRIVATE, "primary");
  restorePath(c, PRIVATE, "secondary");
};

it("pages one fleet outage for three circuits through one provider and location, and resolves it once", async () => {
  const bundles = [
    healthyCircuit({ name: "er-ams-a" }),
    healthyCircuit({ name: "er-ams-b" }),
    healthyCircuit({ name: "er-ams-c" }),
    healthyCircuit({ name: "er-lon", serviceProviderName: "Colt", peeringLocation: "London" }),
  ];
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  const [a, b, c, lon] = circuits as [SimCircuit, SimCircuit, SimCircuit, SimCircuit];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  const sent = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  const sweepUntil = async (from: number, to: number) => {
    for (let m = from; m <= to; m += 5) {
      now = new Date(T0 + m * MIN);
      const result = await w.timerSweep();
      expect(result.errors).toEqual([]);
    }
  };

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

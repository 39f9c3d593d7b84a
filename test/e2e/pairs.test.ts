// Circuit pairs over the real wire, at the product's cadence (a timer sweep
// every 5 minutes on an injected clock). Two circuits tagged
// erwatch:pair=site-ams serve one site: losing one whole while the other
// carries traffic is site redundancy lost (Sev1), both is the site cut off
// (Sev0), and a circuit outside any pair pages Sev0 as before. One circuit's
// private peering carrying nothing while Azure Monitor shows its partner
// carrying the site (an active/passive pair after a failback) is Sev2, both
// quiet is Sev1.

import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDown,
  healthyCircuit,
  setTraffic,
  type SimCircuit,
} from "../support/estate/index.js";
import { MIN, timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");

const worlds = worldPerTest();

const pathDown = (events: AlertEvent[], circuit: string) =>
  events.filter((e) => e.family === "path-down" && e.circuit.name === circuit);

it("grades a whole-circuit loss by its pair: Sev1 while the partner carries the site, Sev0 once both are down", async () => {
  const pair = { "erwatch:pair": "site-ams" };
  const bundles = [
    healthyCircuit({ name: "er-ams-1", tags: pair }),
    healthyCircuit({ name: "er-ams-2", tags: { "ERWATCH:PAIR": "site-ams" } }),
    // Elsewhere: an outage at the same time through the same provider and location would be one fleet outage.
    healthyCircuit({ name: "er-lon", peeringLocation: "London" }),
  ];
  const [ams1, ams2, lon] = bundles.map((b) => b.circuit as SimCircuit) as [
    SimCircuit,
    SimCircuit,
    SimCircuit,
  ];
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  await sweepUntil(0, 0);
  // One circuit of the pair loses both paths; so does the circuit with no pair.
  for (const c of [ams1, lon]) {
    carrierDown(c, PRIVATE, "primary");
    carrierDown(c, PRIVATE, "secondary");
  }
  await sweepUntil(5, 30);
  const [opened] = pathDown(sent(), "er-ams-1");
  expect(opened).toMatchObject({ action: "open", severity: "Sev1" });
  expect(opened!.title).toContain("site redundancy holding");
  expect(opened!.title).toContain("er-ams-2");
  expect(opened!.evidence).toMatchObject({
    pair: { name: "site-ams", partners: [{ name: "er-ams-2", status: "carrying" }] },
  });
  // Not paired: the usual Sev0.
  expect(pathDown(sent(), "er-lon")[0]).toMatchObject({ action: "open", severity: "Sev0" });
  expect(pathDown(sent(), "er-ams-2")).toEqual([]);

  // The partner goes down too: the site is cut off, and both say so at Sev0.
  carrierDown(ams2, PRIVATE, "primary");
  carrierDown(ams2, PRIVATE, "secondary");
  const before = sent().length;
  await sweepUntil(35, 65);
  const later = sent().slice(before);
  const [partner] = pathDown(later, "er-ams-2");
  expect(partner).toMatchObject({ action: "open", severity: "Sev0" });
  expect(partner!.title).toContain("both circuits of pair site-ams are down");
  expect(pathDown(later, "er-ams-1")).toEqual([
    expect.objectContaining({ action: "escalate", severity: "Sev0" }),
  ]);
  // Found within the rotation's age limit (15 min) of the fault, and the
  // first circuit's escalation in the same sweep as its partner's open.
  expect(Date.parse(partner!.occurredAt) - (T0 + 35 * MIN)).toBeLessThanOrEqual(15 * MIN);
  expect(pathDown(later, "er-ams-1")[0]!.occurredAt).toBe(partner!.occurredAt);
});

it("grades a stop by its pair's traffic: the passive circuit carrying nothing while its partner carries the site is Sev2; both quiet, Sev1", async () => {
  const pair = { "erwatch:pair": "site-ams" };
  const bundles = [
    healthyCircuit({ name: "er-ams-1", tags: pair }),
    healthyCircuit({ name: "er-ams-2", tags: pair }),
  ];
  const [ams1, ams2] = bundles.map((b) => b.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  const traffic = (c: SimCircuit, bps: number) => {
    for (const path of ["primary", "secondary"] as const)
      setTraffic(c, PRIVATE, path, { inBps: bps, outBps: bps });
  };
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  const heard = (from = 0) =>
    sent()
      .slice(from)
      .filter((e) => e.family === "traffic")
      .map((e) => `${e.circuit.name} ${e.action} ${e.severity}`);
  await sweepUntil(0, 10);
  // A failback: AS-path prepending moves the site's traffic onto er-ams-1; er-ams-2 idles.
  traffic(ams2, 0);
  await sweepUntil(15, 45);
  expect(heard()).toEqual(["er-ams-2 open Sev2"]);
  const [stop] = sent().filter((e) => e.family === "traffic");
  expect(stop!.title).toMatch(
    /carrying nothing on the primary and secondary paths of AzurePrivatePeering.* — site traffic holding on pair site-ams: er-ams-1 carrying$/,
  );
  expect(stop!.evidence).toMatchObject({
    pair: {
      name: "site-ams",
      partners: [{ name: "er-ams-1", status: "carrying", traffic: "carrying" }],
    },
  });

  // The partner goes quiet too: nothing carries the site, and both say so at Sev1.
  let before = sent().length;
  traffic(ams1, 0);
  await sweepUntil(50, 80);
  expect(heard(before)).toEqual(["er-ams-2 escalate Sev1", "er-ams-1 open Sev1"]);
  for (const e of sent()
    .slice(before)
    .filter((x) => x.family === "traffic"))
    expect(e.title).toMatch(
      / — both circuits of pair site-ams carry nothing: the site is cut off$/,
    );

  // The site's traffic back on er-ams-1: its stop is over, er-ams-2's steps down again.
  before = sent().length;
  traffic(ams1, 240e6);
  await sweepUntil(85, 100);
  expect(heard(before)).toEqual(["er-ams-2 deescalate Sev2", "er-ams-1 resolve Sev1"]);
});

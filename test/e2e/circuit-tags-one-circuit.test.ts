// Per-circuit settings live in each circuit's tags, written by its own team:
// a bad value on one circuit must cost that circuit its tag and nothing more.
// The sweep goes on, every other circuit is read and pages as before, and
// each problem is said on the circuit that has it, never on another.

import { Writable } from "node:stream";
import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { carrierDown, estateOf, healthyCircuit, type SimCircuit } from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const worlds = worldPerTest();

const BAD_TAGS = {
  "erwatch:criticality": "urgent",
  "erwatch:connectivity-model": "carrier",
  "erwatch:peerings": "Privat",
  "erwatch:expect-gateways": "false",
  "erwatch:standby-path": "both",
  "erwatch:ignore": "perhaps",
  "erwatch:pair": "yes",
};

it("bad erwatch:* tags on one circuit are named on it alone; the sweep and the other circuit's pages go on", async () => {
  const lines: Record<string, unknown>[] = [];
  const bundles = [
    healthyCircuit({ name: "er-lon", peeringLocation: "London", tags: BAD_TAGS }),
    healthyCircuit({
      name: "er-sin",
      peeringLocation: "Singapore",
      tags: { "erwatch:criticality": "High" },
    }),
  ];
  const [lon, sin] = bundles.map((b) => b.circuit as SimCircuit) as [SimCircuit, SimCircuit];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: { LOG_LEVEL: "info" },
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  });
  const sweep = async (m: number) => {
    now = new Date(T0 + m * MIN);
    const result = await w.timerSweep();
    expect(result.errors).toEqual([]);
  };
  await sweep(0);
  for (const circuit of [lon, sin]) {
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
  }
  for (let m = 5; m <= 20; m += 5) await sweep(m);

  const opened = (name: string) =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((x) => x.body as AlertEvent)
      .filter((e) => e.circuit.name === name && e.family === "path-down" && e.action === "open");
  // Both circuits watched and paged: the bad tags stopped neither the sweep nor the other circuit.
  expect(opened("er-sin")).toHaveLength(1);
  expect(opened("er-lon")).toHaveLength(1);

  const tagLines = lines.filter((l) => l.msg === "circuit tag ignored");
  expect(new Set(tagLines.map((l) => l.circuit))).toEqual(new Set(["er-lon"]));
  const said = new Set(tagLines.map((l) => String(l.problem)));
  for (const name of Object.keys(BAD_TAGS))
    expect([...said].some((p) => p.startsWith(`tag ${name}`))).toBe(true);
  expect(said).toContain(
    "tag erwatch:expect-gateways is not a tag erwatch reads, so it changes nothing; did you mean erwatch:expect-gateway?",
  );
});

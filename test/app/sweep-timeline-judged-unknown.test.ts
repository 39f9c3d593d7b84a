// A row judged before and read UNKNOWN at a deep read keeps its judged status
// in the snapshot, the UNKNOWN beside it: the planner read the status alone
// and left such a circuit to its turn. Here the gateway row: its connection
// judged Connected, then reporting "Unknown" (as ARM does while a gateway is
// updated), which is no failed read and opens no alert. Six circuits, two
// sweeps per rotation (each read deep every other sweep), the real timer
// every 5 minutes on an injected clock, the loopback estate serving ARM,
// state in Azurite.

import { describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { healthyCircuit, type CircuitBundle } from "../support/estate/index.js";
import { timerWorld, type TimerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const PROD = "er-circuit-prod";

const worlds = worldPerTest();

const gateway = (r: SweepResult) =>
  r.verdicts.find((v) => v.name === PROD)?.peerings.find((p) => p.name === PRIVATE)?.paths.primary
    .gateway;

const reasonOf = (r: SweepResult) => r.plan.deep.find((d) => d.name === PROD)?.reason ?? "quiet";

/**
 * Six healthy circuits read at minute 0, prod's gateway row up; its
 * connection "Unknown" from then on, until prod's turn reads the row UNKNOWN at `m`.
 */
async function judgedThenUnknown(): Promise<{ t: TimerWorld; prod: CircuitBundle; m: number }> {
  const prod = healthyCircuit();
  const others = Array.from({ length: 5 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );
  const t = await timerWorld(worlds, T0, [prod, ...others]);
  expect(gateway(await t.sweep(0))).toMatchObject({ status: "up", detail: "1 connected" });
  prod.connections[0]!.connectionStatus = "Unknown";
  let m = 5;
  for (; m <= 20; m += 5) if (gateway(await t.sweep(m))?.status === "unknown") break;
  expect(m).toBeLessThanOrEqual(20);
  return { t, prod, m };
}

describe('a gateway row judged up, then UNKNOWN while its connection reports "Unknown"', () => {
  it("is read deep at the next sweep, saying why, and judged again there once the connection reports Connected", async () => {
    const { t, prod, m } = await judgedThenUnknown();
    prod.connections[0]!.connectionStatus = "Connected";
    const next = await t.sweep(m + 5);
    // Before: quiet at the next sweep, read again by the rotation 10 minutes after.
    expect(next.plan.deep.find((d) => d.name === PROD)).toMatchObject({ reason: "trouble" });
    expect(next.plan.deep.find((d) => d.name === PROD)?.detail).toMatch(
      /^gateway unknown on AzurePrivatePeering\/primary \(up before\): connection status not known \(.+: Unknown\)$/,
    );
    expect(gateway(next)).toMatchObject({ status: "up", detail: "1 connected" });
    expect(t.sent()).toEqual([]);
  });

  it("still UNKNOWN at that read, it waits for its turn: no deep read every sweep", async () => {
    const { t, m } = await judgedThenUnknown();
    const reasons: string[] = [];
    const deepPerSweep: number[] = [];
    const rows: string[] = [];
    for (let at = m + 5; at <= m + 45; at += 5) {
      const swept = await t.sweep(at);
      reasons.push(reasonOf(swept));
      deepPerSweep.push(swept.plan.deep.length);
      const row = gateway(swept);
      if (row) rows.push(row.status);
    }
    // One deep read for the UNKNOWN, then every other sweep as its neighbours
    // (taken as trouble for as long as it stays UNKNOWN, it was read at all 9).
    expect(reasons).toEqual([
      "trouble",
      "quiet",
      "due",
      "quiet",
      "due",
      "quiet",
      "due",
      "quiet",
      "due",
    ]);
    expect(deepPerSweep).toEqual([4, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(rows.every((s) => s === "unknown")).toBe(true);
    expect(t.sent()).toEqual([]);
  });
});

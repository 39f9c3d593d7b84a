// A circuit whose ARM body lists its peerings as [peering, null], over the
// real wire: the simulated estate serves ARM and Azure Monitor, the real timer
// function reads them through @azure/arm-network and
// @azure/monitor-query-metrics, on an injected clock that moves five minutes
// per sweep. The peering read beside the null has its data plane read as any
// other's: its Global Reach throughput is asked for and shown in its row,
// while the null stays named once, as monitoring-blind, and nothing is missing.

import { describe, expect, it } from "vitest";
import { editWire, estateOf, healthyCircuit, peeringOf } from "../support/estate/index.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const worlds = worldPerTest();

describe("a Global Reach connection on the peering read beside a null entry", () => {
  it("has its throughput read from Azure Monitor and shown in its row, sweep after sweep, and the null is named once", async () => {
    const bundle = healthyCircuit();
    const dr = `/subscriptions/${bundle.circuit.subscriptionId}/resourceGroups/rg-hybrid-dr/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr`;
    peeringOf(bundle.circuit, PRIVATE).globalReach.push({
      name: "gr-to-er-circuit-dr",
      peerCircuitPeeringId: `${dr}/peerings/${PRIVATE}`,
      status: "Connected",
      traffic: { inBps: 12e6, outBps: 3e6 },
    });
    editWire(bundle.circuit, { read: "circuit", field: "properties.peerings[1]", value: null });
    let now = at(0);
    const w = await worlds.start({ estate: estateOf(bundle), now: () => now, env: {} });
    const reachAsked = () =>
      w.estate.requests.filter(
        (r) => r.operation === "metricsBatch" && r.query.filter === "PeeredCircuitSKey eq '*'",
      ).length;

    for (const minutes of [0, 5, 10]) {
      now = at(minutes);
      const asked = reachAsked();
      const result = await w.timerSweep();
      const verdict = result.verdicts.find((v) => v.name === bundle.circuit.name)!;
      // Each sweep asks for its Global Reach throughput.
      expect(reachAsked()).toBeGreaterThan(asked);
      const p = verdict.peerings.find((x) => x.name === PRIVATE)!;
      expect(p.paths.primary.globalReach).toEqual({
        status: "up",
        detail: "gr-to-er-circuit-dr Connected · 12 Mbps in / 3 Mbps out",
      });
      expect(verdict.findings.map((f) => `${f.code} ${f.peering}`)).toEqual([
        "monitoring-blind null",
      ]);
      expect(verdict.findings[0]!.title).toMatch(
        /peerings\[1\] is null: 1 of the 2 peerings listed cannot be read$/,
      );
    }
  });
});

// The pair gate and Global Reach peers: a circuit whose connection is down
// waits for the peer circuit read in the same run, and is told what that
// reading says; a peer outside the run is told by its stored snapshot while
// fresh (dated), else not at all.

import { describe, expect, it } from "vitest";
import { createPairGate } from "../../src/app/pair-gate.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { CircuitReading } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { reachPeerOfReading } from "../../src/core/reach-peers.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { circuitReading, peering, type CircuitSpec } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const MIN = 60_000;
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const P_ID =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-p";
const A_ID =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-a";

const named = (r: CircuitReading, id: string, name: string): CircuitReading => ({
  ...r,
  ref: { ...r.ref, id, name },
});
const reach = (to: string, status: string): CircuitSpec["peerings"] => [
  peering({
    globalReach: [
      {
        name: "gr",
        peerCircuitPeeringId: `${to}/peerings/AzurePrivatePeering`,
        status,
        direction: "outbound",
      },
    ],
  }),
];
const bothDown: CircuitSpec["paths"] = {
  AzurePrivatePeering: {
    primary: { arp: "empty", bgp: "Idle" },
    secondary: { arp: "empty", bgp: "Idle" },
  },
};
const a = () => named(circuitReading({ peerings: reach(P_ID, "Disconnected") }), A_ID, "er-a");
const pDown = () =>
  named(circuitReading({ peerings: reach(A_ID, "Disconnected"), paths: bothDown }), P_ID, "er-p");

function gate(inRun: string[], snapshots: Map<string, Snapshot> = new Map()) {
  return createPairGate({
    members: new Map(),
    inRun: new Set(inRun.map((id) => id.toLowerCase())),
    now: NOW,
    maxAgeMs: 20 * MIN,
    judge: () => "unknown",
    reachJudge: (r, id) =>
      reachPeerOfReading(r, evaluateCircuit(r, null, [], [], POLICY, NOW).verdict, id),
    reachSnapshots: snapshots,
  });
}

describe("Global Reach peers in the pair gate", () => {
  it("holds a circuit until its down connection's peer in the same run arrives, then tells it", () => {
    const g = gate([A_ID, P_ID]);
    expect(g.offer(a())).toEqual([]);
    const released = g.offer(pDown());
    const byName = Object.fromEntries(released.map((r) => [r.reading.ref.name, r]));
    expect(Object.keys(byName).sort()).toEqual(["er-a", "er-p"]);
    expect(byName["er-a"]!.reach).toEqual([
      expect.objectContaining({ name: "er-p", state: "down", thisSweep: true }),
    ]);
  });

  it("tells a peer outside the run by its fresh snapshot, and nothing by a stale one", () => {
    const p = pDown();
    const { snapshot } = evaluateCircuit(
      p,
      null,
      [],
      [],
      POLICY,
      new Date(NOW.getTime() - 5 * MIN),
    );
    const fresh = gate([A_ID], new Map([[P_ID.toLowerCase(), snapshot]])).offer(a());
    expect(fresh).toEqual([
      expect.objectContaining({
        reach: [expect.objectContaining({ state: "down", thisSweep: false })],
      }),
    ]);
    const old = { ...snapshot, takenAt: new Date(NOW.getTime() - 60 * MIN).toISOString() };
    const stale = gate([A_ID], new Map([[P_ID.toLowerCase(), old]])).offer(a());
    expect(stale).toEqual([{ reading: a(), pair: null }]);
  });

  it("does not hold a circuit whose connections are Connected", () => {
    const g = gate([A_ID, P_ID]);
    const up = named(circuitReading({ peerings: reach(P_ID, "Connected") }), A_ID, "er-a");
    expect(g.offer(up)).toEqual([{ reading: up, pair: null }]);
  });
});

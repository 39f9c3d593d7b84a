// The pair gate and Global Reach peers: a circuit whose connection is down
// is told what the peer circuit's reading earlier in the same run says, else
// its stored snapshot while fresh (dated), else nothing; it never waits.

import { describe, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import { createPairGate, reachPeerSnapshots } from "../../src/app/pair-gate.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { CircuitReading } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { reachPeerOfReading } from "../../src/core/reach-peers.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { circuitReading, peering, type CircuitSpec } from "../support/readings.js";
import { memoryLogger } from "../support/test-logger.js";

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
    judge: () => ({ status: "unknown", traffic: "unknown" }),
    reachJudge: (r, id) =>
      reachPeerOfReading(r, evaluateCircuit(r, null, [], [], POLICY, NOW).verdict, id),
    reachSnapshots: snapshots,
  });
}

describe("Global Reach peers in the pair gate", () => {
  it("tells a circuit what its down connection's peer read earlier in the run says, at once", () => {
    const g = gate([A_ID, P_ID]);
    const [p] = g.offer(pDown());
    expect(p?.reading.ref.name).toBe("er-p");
    expect(g.offer(a())).toEqual([
      expect.objectContaining({
        reach: [expect.objectContaining({ name: "er-p", state: "down", thisSweep: true })],
      }),
    ]);
  });

  it("never holds a circuit for its peer still to be read in the run: its own outage pages now", () => {
    // er-a's connections are down because er-a is: it must not wait for a
    // healthy peer read at the end of the run. Without a snapshot, nothing is said.
    const g = gate([A_ID, P_ID]);
    expect(g.offer(a())).toEqual([{ reading: a(), pair: null }]);
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

  // "read down at 02:00", the time of this sweep's read, for a peer its
  // snapshot had seen down since 01:40: since when is what that history says.
  it("tells since when a peer read in the run is down, by its snapshot from before the run", () => {
    const earlier = new Date(NOW.getTime() - 20 * MIN);
    const first = evaluateCircuit(pDown(), null, [], [], POLICY, earlier).snapshot;
    const { snapshot } = evaluateCircuit(
      pDown(),
      first,
      [],
      [],
      POLICY,
      new Date(NOW.getTime() - 10 * MIN),
    );
    const g = gate([A_ID, P_ID], new Map([[P_ID.toLowerCase(), snapshot]]));
    g.offer(pDown());
    expect(g.offer(a())).toEqual([
      expect.objectContaining({
        reach: [
          expect.objectContaining({
            state: "down",
            thisSweep: true,
            downSince: snapshot.peerings.AzurePrivatePeering!.paths.primary.path.since,
          }),
        ],
      }),
    ]);
    expect(snapshot.peerings.AzurePrivatePeering!.paths.primary.path).toMatchObject({
      status: "down",
      since: first.takenAt,
    });
  });

  it("tells nothing of a circuit whose connections are Connected", () => {
    const g = gate([A_ID, P_ID]);
    const up = named(circuitReading({ peerings: reach(P_ID, "Connected") }), A_ID, "er-a");
    expect(g.offer(up)).toEqual([{ reading: up, pair: null }]);
  });
});

describe("the Global Reach peers whose snapshots a run reads", () => {
  it("reads only peers of connections the listing shows down, never one whose status ARM left out, nor the circuit itself", async () => {
    const reads: string[] = [];
    let listings = 0;
    const store = {
      getSnapshot: async (id: string) => {
        reads.push(id);
        return null;
      },
      listSnapshots: async () => {
        listings += 1;
        return [];
      },
    };
    const connection = (name: string, to: string, status: string | null) => ({
      name,
      peerCircuitPeeringId: `${to}/peerings/AzurePrivatePeering`,
      status,
      direction: "outbound" as const,
    });
    const target = {
      id: A_ID,
      name: "er-a",
      listed: {
        facts: {
          peerings: [
            peering({
              globalReach: [
                connection("down", P_ID, "Disconnected"),
                connection("up", `${P_ID}-up`, "Connected"),
                connection("unsaid", `${P_ID}-unsaid`, null),
                connection("self", A_ID, "Disconnected"),
              ],
            }),
          ],
        },
      },
    };
    const found = await reachPeerSnapshots(store, [target] as never, memoryLogger().logger);
    expect(reads).toEqual([P_ID]);
    // Not found as spelt, it may be stored under another case of its name: one listing.
    expect(listings).toBe(1);
    expect(found.size).toBe(0);
  });
});

describe("a peer its connection spells in another case", () => {
  // ARM ids are case-insensitive: a connection may spell its peer's id in
  // another case than ARM lists the circuit, whose snapshot is kept under the
  // listing's spelling.
  const SPELT = [
    { case: "its resource group", id: P_ID.replace("/rg/", "/RG/") },
    { case: "its name", id: P_ID.replace(/er-p$/, "ER-P") },
    { case: "all of it", id: P_ID.toUpperCase() },
  ];
  const aTo = (peer: string) =>
    named(circuitReading({ peerings: reach(peer, "Disconnected") }), A_ID, "er-a");
  /** er-a as listed, its connection to `peer` down. */
  const listedTo = (peer: string) =>
    ({
      id: A_ID,
      name: "er-a",
      listed: { facts: { peerings: reach(peer, "Disconnected") } },
    }) as never;
  /** Keyed as the table store keys a snapshot: the partition keeps the name's case. */
  const storeOf = (snapshots: Snapshot[]) => {
    const rows = new Map(snapshots.map((s) => [circuitPartition(s.circuitId), s]));
    return {
      getSnapshot: async (id: string) => {
        const value = rows.get(circuitPartition(id));
        return value ? { value, etag: "e" } : null;
      },
      listSnapshots: async () => [...rows.values()],
    };
  };

  it.each(SPELT)("$case: told by the peer's reading in the run", ({ id }) => {
    const g = gate([A_ID, P_ID]);
    g.offer(pDown());
    expect(g.offer(aTo(id))).toEqual([
      expect.objectContaining({
        reach: [expect.objectContaining({ name: "er-p", state: "down", thisSweep: true })],
      }),
    ]);
  });

  it.each(SPELT)("$case: told by the peer's stored snapshot", async ({ id }) => {
    const { snapshot } = evaluateCircuit(
      pDown(),
      null,
      [],
      [],
      POLICY,
      new Date(NOW.getTime() - 5 * MIN),
    );
    const stored = await reachPeerSnapshots(
      storeOf([snapshot]),
      [listedTo(id)],
      memoryLogger().logger,
    );
    expect([...stored.keys()]).toEqual([P_ID.toLowerCase()]);
    expect(gate([A_ID], stored).offer(aTo(id))).toEqual([
      expect.objectContaining({
        reach: [expect.objectContaining({ name: "er-p", state: "down", thisSweep: false })],
      }),
    ]);
  });
});

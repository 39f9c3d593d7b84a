// A Global Reach connection that drops because the circuit at its far end is
// down, over the real wire at the product's cadence: the global-reach-down on
// the healthy circuit names the peer's outage and sends nobody to recreate the
// connection; a peer outside the estate leaves the wording as it always was.

import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import {
  carrierDownBoth,
  healthyCircuit,
  setGlobalReachStatus,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");

const worlds = worldPerTest();

const reachDown = (events: AlertEvent[], circuit: string) =>
  events.filter((e) => e.family === "global-reach" && e.circuit.name === circuit);

/** er-a reaches `peer`'s private peering by gr-to-p; `peer` sees it as an inbound connection. */
function linked(a: SimCircuit, peerId: string, peer?: SimCircuit): void {
  const connection = {
    name: "gr-to-p",
    peerCircuitPeeringId: `${peerId}/peerings/${PRIVATE}`,
    status: "Connected",
  };
  a.peerings[0]!.globalReach.push(connection);
  peer?.peerings[0]!.peerConnections.push({
    ...connection,
    peerCircuitPeeringId: `${circuitId(a)}/peerings/${PRIVATE}`,
  });
}

it("says the peer circuit is down, and that nothing needs recreating, when the peer's outage explains it; a peer outside the estate is worded as ever", async () => {
  // Another provider location for the peer: its outage is its own, not a fleet's.
  const bundles = [
    healthyCircuit({ name: "er-a" }),
    healthyCircuit({ name: "er-p", peeringLocation: "London" }),
    healthyCircuit({ name: "er-b", peeringLocation: "Paris" }),
  ];
  const [a, p, b] = bundles.map((x) => x.circuit) as [SimCircuit, SimCircuit, SimCircuit];
  linked(a, circuitId(p), p);
  // er-b reaches a circuit in a subscription erwatch does not watch.
  linked(
    b,
    "/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/rg-x/providers/Microsoft.Network/expressRouteCircuits/er-x",
  );
  const { sent, sweepUntil } = await timerWorld(worlds, T0, bundles);
  await sweepUntil(0, 0);
  expect(sent()).toEqual([]);

  // The peer's carrier loses both of its private paths; the connection drops on both ends.
  carrierDownBoth(p, PRIVATE);
  setGlobalReachStatus(a, PRIVATE, "gr-to-p", "Disconnected");
  setGlobalReachStatus(p, PRIVATE, "gr-to-p", "Disconnected");
  setGlobalReachStatus(b, PRIVATE, "gr-to-p", "Disconnected");
  await sweepUntil(5, 65);

  const [opened] = reachDown(sent(), "er-a");
  // The peer's carrier lost its layer 2: the owner is the carrier, not you.
  expect(opened).toMatchObject({ action: "open", severity: "Sev3", owner: "carrier" });
  // Read after er-a in its sweep, the peer is told by its reading of the sweep before (dated):
  // er-a never waits for it.
  expect(opened!.title).toMatch(
    /^Global Reach not connected: gr-to-p Disconnected — the peer circuit er-p is down \(both private paths down(, as last read at \d\d:\d\d UTC)?\)$/,
  );
  expect(opened!.nextAction).toMatch(/^Nothing needs recreating on this circuit/);
  expect(opened!.nextAction).toContain("follow er-p's own alert, which carries the carrier ticket");
  expect(opened!.nextAction).not.toContain("recreate it");
  expect(opened!.evidence).toMatchObject({
    peers: [{ connection: "gr-to-p", name: "er-p", state: "down", cause: "paths-down" }],
  });
  // The peer's own outage is the page that matters.
  expect(
    sent().filter((e) => e.circuit.name === "er-p" && e.family === "path-down")[0],
  ).toMatchObject({ action: "open", severity: "Sev0" });

  // Nothing read of er-x: no claim either way.
  const [unexplained] = reachDown(sent(), "er-b");
  expect(unexplained).toMatchObject({ action: "open", severity: "Sev3", owner: "you" });
  expect(unexplained!.title).toBe("Global Reach not connected: gr-to-p Disconnected");
  expect(unexplained!.nextAction).toBe(
    "Site-to-site traffic between the two on-premises networks is cut while each circuit looks healthy: check the Global Reach connection on both circuits (authorization, /29 address prefix) and recreate it if it was removed.",
  );
});

// IPv6 Global Reach cut while IPv4 stays Connected, over the real wire at the
// product's cadence: the timer sweep opens global-reach-down naming IPv6, and
// resolves it when IPv6 is Connected again. erwatch read IPv4 alone and paged
// nobody.

import { expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { editWire, healthyCircuit, type SimCircuit } from "../support/estate/index.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const PEER = `/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/rg-x/providers/Microsoft.Network/expressRouteCircuits/er-x/peerings/${PRIVATE}`;

const worlds = worldPerTest();

const ipv6 = (circuit: SimCircuit, status: string) => {
  circuit.wire = [];
  editWire(circuit, {
    read: "circuit",
    field:
      "properties.peerings[0].properties.connections[0].properties.ipv6CircuitConnectionConfig",
    value: { addressPrefix: "fd00:0:0:1::/125", circuitConnectionStatus: status },
  });
};

it("opens global-reach-down for IPv6 Global Reach cut beside IPv4 Connected, and resolves it when IPv6 is back", async () => {
  const bundle = healthyCircuit({ name: "er-a" });
  const a = bundle.circuit;
  a.peerings[0]!.globalReach.push({
    name: "gr-to-x",
    peerCircuitPeeringId: PEER,
    status: "Connected",
  });
  ipv6(a, "Connected");
  const { sent, sweepUntil } = await timerWorld(worlds, T0, [bundle]);
  await sweepUntil(0, 0);
  expect(sent()).toEqual([]);

  ipv6(a, "Disconnected");
  await sweepUntil(5, 10);
  const reach = (events: AlertEvent[]) => events.filter((e) => e.family === "global-reach");
  expect(reach(sent()).map((e) => [e.action, e.severity, e.title])).toEqual([
    ["open", "Sev3", "Global Reach not connected: gr-to-x IPv6 Disconnected (IPv4 Connected)"],
  ]);
  // Nothing else on the circuit is said to be broken.
  expect(sent().filter((e) => e.family !== "global-reach")).toEqual([]);

  ipv6(a, "Connected");
  await sweepUntil(15, 20);
  expect(reach(sent()).map((e) => e.action)).toEqual(["open", "resolve"]);
});

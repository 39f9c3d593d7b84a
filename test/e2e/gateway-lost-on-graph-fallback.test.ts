// Found by a review of the per-connection gateway memory: when the Resource
// Graph query fails, the wiring is read per resource group (the circuit's
// own, plus the erwatch:connection-resource-groups tag), a list that by design
// misses connections elsewhere. A remembered connection in another group (a
// DR hub) was then "gone from the list" and paged gateway-not-connected Sev1
// although nothing had changed but a Resource Graph 503/429. Such a list is
// now read as partial: what it cannot see is not known to be gone.

import { describe, expect, it } from "vitest";
import { estateOf, healthyCircuit, type EstateState } from "../support/estate/index.js";
import { virtualNetworkGatewayId } from "../support/estate/ids.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

async function timeline(estate: EstateState) {
  let now = new Date(T0);
  const w = await worlds.start({ estate, now: () => now, env: {} });
  return {
    world: w,
    async sweep(n: number) {
      now = new Date(T0 + n * 5 * 60_000);
      return w.timerSweep();
    },
    sent: () =>
      w.broker.accepted(ALERTS_QUEUE).map((m) => {
        const e = m.body as { action: string; code: string; severity: string };
        return `${e.action}:${e.code}:${e.severity}`;
      }),
  };
}

/** er-two wired to its own gateway and to a DR hub's gateway whose connection lives in the network team's group. */
function hubAndDr(): EstateState {
  const bundle = healthyCircuit({ name: "er-two" });
  const first = bundle.connections[0]!;
  bundle.connections.push({
    ...first,
    name: "conn-er-two-dr",
    resourceGroup: "rg-network-team",
    gatewayId: virtualNetworkGatewayId(first.subscriptionId, "rg-network-team", "ergw-dr"),
  });
  return estateOf(bundle);
}

describe("gateway memory vs the Resource Graph fallback", () => {
  it("a Resource Graph outage alone does not page VNet traffic stopped (Sev1)", async () => {
    const t = await timeline(hubAndDr());
    await t.sweep(0);
    await t.sweep(1);
    expect(t.sent()).toEqual([]);
    // Nothing changes in Azure; only the Resource Graph query fails (503).
    t.world.estate.addFault({
      match: { operation: "queryResourceGraph" },
      behaviour: { kind: "status", status: 503 },
    });
    for (let n = 2; n <= 7; n += 1) await t.sweep(n);
    // monitoring-blind for the failed query is fine; a Sev1 outage page is not.
    expect(t.sent().filter((s) => s.includes("gateway-not-connected"))).toEqual([]);
  });
});

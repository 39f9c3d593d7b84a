// The Resource Graph query fails (503) and the wiring is read per resource
// group: a list that by design misses connections in other groups. A circuit
// wired only through a connection in the network team's group then read its
// gateway row "DOWN: no connection" and paged gateway-not-connected Sev1
// "VNet traffic stopped: the circuit's gateway connection is gone"; one wired
// to its own group's gateway and a DR hub's elsewhere read green "1 connected",
// though the DR connection was not seen. What the list could not see is not
// known: the row is UNKNOWN, naming it, on the status page as in the sweep.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { StatusModel } from "../../src/app/status.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { estateOf, healthyCircuit, type EstateState } from "../support/estate/index.js";
import { virtualNetworkGatewayId } from "../support/estate/ids.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const PRIVATE = "AzurePrivatePeering";
const worlds = worldPerTest();

async function timeline(estate: EstateState) {
  let now = new Date(T0);
  const w = await worlds.start({ estate, now: () => now, env: {} });
  const status = httpStatusHandler(async () => w.statusDeps);
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
    async gatewayRow() {
      const answer = await status(
        new HttpRequest({
          method: "GET",
          url: "http://localhost/api/status",
          headers: { accept: "application/json" },
        }),
        new InvocationContext(),
      );
      const model = JSON.parse(String(answer.body)) as StatusModel;
      return model.circuits[0]!.peerings.find((p) => p.name === PRIVATE)!.paths.primary.gateway;
    },
  };
}

/** er-two's connections: in the network team's group only, or also one in its own. */
function wired(ownGroupToo: boolean): EstateState {
  const bundle = healthyCircuit({ name: "er-two" });
  const first = bundle.connections[0]!;
  const elsewhere = {
    ...first,
    name: "conn-er-two-dr",
    resourceGroup: "rg-network-team",
    gatewayId: virtualNetworkGatewayId(first.subscriptionId, "rg-network-team", "ergw-dr"),
  };
  bundle.connections = ownGroupToo ? [first, elsewhere] : [elsewhere];
  return estateOf(bundle);
}

const graphDown = (t: Awaited<ReturnType<typeof timeline>>) =>
  t.world.estate.addFault({
    match: { operation: "queryResourceGraph" },
    behaviour: { kind: "status", status: 503 },
  });

describe("the gateway row on a wiring list read in part", () => {
  it("wired only through another group: not 'no connection', and no Sev1", async () => {
    const t = await timeline(wired(false));
    await t.sweep(0);
    await t.sweep(1);
    expect((await t.gatewayRow()).status).toBe("up");
    graphDown(t);
    let swept;
    for (let n = 2; n <= 7; n += 1) swept = await t.sweep(n);
    const live = swept!.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
    // Observed: down "no connection", and gateway-not-connected Sev1 sent.
    expect(live.paths.primary.gateway.status).toBe("unknown");
    expect(live.paths.primary.gateway.detail).toMatch(
      /conn-er-two-dr not in the list read per resource group/,
    );
    expect(t.sent().filter((s) => s.includes("gateway-not-connected"))).toEqual([]);
    expect(await t.gatewayRow()).toMatchObject({ status: "unknown" });
  });

  it("wired through its own group and another: not green on the one it saw", async () => {
    const t = await timeline(wired(true));
    await t.sweep(0);
    graphDown(t);
    const swept = await t.sweep(1);
    const live = swept.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
    // Observed: up "1 connected".
    expect(live.paths.primary.gateway).toMatchObject({ status: "unknown" });
    expect(live.paths.primary.gateway.detail).toMatch(
      /^1 connected; conn-er-two-dr not in the list read per resource group/,
    );
    expect(await t.gatewayRow()).toMatchObject({ status: "unknown" });
    expect(t.sent().filter((s) => s.includes("gateway-not-connected"))).toEqual([]);
  });
});

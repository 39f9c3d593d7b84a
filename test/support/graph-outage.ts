// One circuit, er-two, whose gateway wiring Resource Graph finds, swept on an
// injected clock (T0 + 5 min a sweep), and the fault that takes the query
// down (503): the wiring is then read per resource group, a list that by
// design misses connections in other groups. For the gateway tests of a
// Resource Graph outage.

import { HttpRequest, InvocationContext } from "@azure/functions";
import type { StatusModel } from "../../src/app/status.js";
import type { HistoryEntry } from "../../src/core/history.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { estateOf, healthyCircuit, type EstateState } from "./estate/index.js";
import { virtualNetworkGatewayId } from "./estate/ids.js";
import { sentEvents } from "./sent.js";
import type { Worlds } from "./world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
export const PRIVATE = "AzurePrivatePeering";

/**
 * er-two's connections: its own group's (`own`), one in the network team's
 * group to a DR hub's gateway (`elsewhere`), either or neither.
 */
export function wiredThrough(
  wiring: { own: boolean; elsewhere: boolean },
  tags: Record<string, string> = {},
): EstateState {
  const bundle = healthyCircuit({ name: "er-two", tags });
  const first = bundle.connections[0]!;
  const dr = {
    ...first,
    name: "conn-er-two-dr",
    resourceGroup: "rg-network-team",
    gatewayId: virtualNetworkGatewayId(first.subscriptionId, "rg-network-team", "ergw-dr"),
  };
  bundle.connections = [...(wiring.own ? [first] : []), ...(wiring.elsewhere ? [dr] : [])];
  return estateOf(bundle);
}

export async function graphOutageTimeline(worlds: Worlds, estate: EstateState) {
  let now = new Date(T0);
  const w = await worlds.start({ estate, now: () => now, env: {} });
  const status = httpStatusHandler(async () => w.statusDeps);
  const page = async () => {
    const answer = await status(
      new HttpRequest({
        method: "GET",
        url: "http://localhost/api/status",
        headers: { accept: "application/json" },
      }),
      new InvocationContext(),
    );
    return JSON.parse(String(answer.body)) as StatusModel;
  };
  return {
    world: w,
    /** Sweep n, at T0 + 5n min. */
    async sweep(n: number) {
      now = new Date(T0 + n * 5 * 60_000);
      return w.timerSweep();
    },
    /** Events published, as "action:code:severity". */
    sent: () => sentEvents(w),
    /** The private peering's gateway row as the status page draws it. */
    async gatewayRow() {
      const model = await page();
      return model.circuits[0]!.peerings.find((p) => p.name === PRIVATE)!.paths.primary.gateway;
    },
    /** The gateway row's changes the status page lists under recent changes. */
    async gatewayChanges(): Promise<HistoryEntry[]> {
      return (await page()).recent.filter((e) => e.kind === "transition" && e.layer === "gateway");
    },
    graphDown: () =>
      w.estate.addFault({
        match: { operation: "queryResourceGraph" },
        behaviour: { kind: "status", status: 503 },
      }),
    graphBack: () => w.estate.clearFaults(),
  };
}

// Found by a review of the per-connection gateway memory: on the Resource
// Graph path a connection was taken from the query's row alone, without its
// gateway (the query projected none), so a connection recreated under a new
// name on the same gateway (an IaC redeploy, a move to another resource
// group) paged gateway-not-connected Sev1 "VNet traffic stopped" while VNet
// traffic flowed, and stayed open. The query now names each connection's
// gateway, and a replacement on the same gateway is not lost.

import { describe, expect, it } from "vitest";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { sentEvents } from "../support/sent.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

describe("gateway memory on the Resource Graph path (no gateway ids)", () => {
  it("a connection recreated under a new name on the same gateway, Connected, is not lost (status from the query)", async () => {
    const estate = estateOf(healthyCircuit({ name: "er-one" }));
    // Resource Graph carries connectionStatus, so erwatch takes the row as is (no GET, no gateway id).
    estate.graph = { connectionStatus: true };
    let now = new Date(T0);
    const w = await worlds.start({ estate, now: () => now, env: {} });
    const sweep = (n: number) => {
      now = new Date(T0 + n * 5 * 60_000);
      return w.timerSweep();
    };
    await sweep(0);
    await sweep(1);
    const state = w.estate.state;
    const old = state.connections[0]!;
    // Replaced: same gateway, same circuit, new name (deleted and recreated), Connected.
    state.connections = [{ ...old, name: "conn-er-one-v2" }];
    for (let n = 2; n <= 7; n += 1) await sweep(n);
    const sent = sentEvents(w);
    expect(sent.filter((s) => s.includes("gateway-not-connected"))).toEqual([]);
  });
});

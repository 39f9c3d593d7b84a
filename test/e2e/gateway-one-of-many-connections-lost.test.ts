// What users saw: a circuit wired to two VNet gateways (a hub and a DR hub)
// lost ONE connection (Connected → NotConnected); the VNets behind that
// gateway lost on-premises and nothing paged. The gateway row read "1
// connected" (up), or "unknown" beside a connection reporting the documented
// `Unknown`, because the wiring was judged as a whole (any one Connected =
// connected) and the snapshot remembered one "was Connected" per peering.
// Now each connection seen Connected is remembered (core/gateway-memory.ts),
// and one that is NotConnected or gone pages gateway-not-connected Sev1
// naming it and its gateway, whatever the others report (core/wiring.ts,
// core/gateway-findings.ts); it resolves when the connection is back.
// Through the REAL SDK against the simulated estate, in the stateful timer
// sweep at the 5-minute cadence (as test/e2e/resource-graph.test.ts does).

import { describe, expect, it } from "vitest";
import { estateOf, healthyCircuit, type EstateState } from "../support/estate/index.js";
import { virtualNetworkGatewayId } from "../support/estate/ids.js";
import { sentEvents } from "../support/sent.js";
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
    sent: () => sentEvents(w),
    titles: () =>
      w.broker.accepted(ALERTS_QUEUE).map((m) => (m.body as { title?: string }).title ?? ""),
  };
}

/** er-two wired to its own gateway (conn-er-two) and to a DR gateway (conn-er-two-dr). */
function twoGateways(): EstateState {
  const bundle = healthyCircuit({ name: "er-two" });
  const first = bundle.connections[0]!;
  bundle.connections.push({
    ...first,
    name: "conn-er-two-dr",
    gatewayId: virtualNetworkGatewayId(first.subscriptionId, first.resourceGroup, "ergw-dr"),
  });
  return estateOf(bundle);
}

describe("control: the harness pages a lost wiring", () => {
  it("both connections NotConnected after being Connected: Sev1 (passes on main)", async () => {
    const t = await timeline(twoGateways());
    await t.sweep(0);
    await t.sweep(1);
    for (const c of t.world.estate.state.connections) c.connectionStatus = "NotConnected";
    for (let n = 2; n <= 7; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual(["open:gateway-not-connected:Sev1"]);
  });
});

describe("one of a circuit's gateway connections that was Connected and is not any more", () => {
  it("deleted from the DR gateway beside a Connected hub: paged Sev1 naming it, as a lone connection's deletion is", async () => {
    const t = await timeline(twoGateways());
    await t.sweep(0);
    await t.sweep(1);
    const state = t.world.estate.state;
    state.connections = state.connections.filter((c) => c.name !== "conn-er-two-dr");
    for (let n = 2; n <= 7; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual(["open:gateway-not-connected:Sev1"]);
    expect(t.titles()[0]).toMatch(/conn-er-two-dr \(gateway ergw-dr\) is gone/);
  });

  it("back to Connected: the alert resolves", async () => {
    const t = await timeline(twoGateways());
    await t.sweep(0);
    await t.sweep(1);
    const dr = t.world.estate.state.connections[1]!;
    dr.connectionStatus = "NotConnected";
    for (let n = 2; n <= 7; n += 1) await t.sweep(n);
    dr.connectionStatus = "Connected";
    for (let n = 8; n <= 13; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual([
      "open:gateway-not-connected:Sev1",
      "resolve:gateway-not-connected:Sev1",
    ]);
  });

  it.each([
    ["beside another Connected connection", "Connected"],
    ["beside a connection that reports Unknown", "Unknown"],
  ])("%s is VNet traffic stopped for its gateway: paged", async (_how, otherStatus) => {
    const t = await timeline(twoGateways());
    await t.sweep(0);
    const state = t.world.estate.state;
    const [main, dr] = state.connections;
    expect(main!.connectionStatus).toBe("Connected");
    expect(dr!.connectionStatus).toBe("Connected");
    const first = await t.sweep(1);
    expect(first.verdicts[0]!.peerings[0]!.paths.primary.gateway.status).toBe("up");
    expect(t.sent()).toEqual([]);

    // The DR gateway's connection drops; the main one stays (or reads Unknown).
    dr!.connectionStatus = "NotConnected";
    main!.connectionStatus = otherStatus;
    let last;
    for (let n = 2; n <= 7; n += 1) last = await t.sweep(n);
    // Read this sweep: the row shows the wiring as a whole ("1 connected" / unknown).
    expect(last!.verdicts.map((v) => v.name)).toEqual(["er-two"]);
    expect(t.sent().filter((s) => s.includes("gateway-not-connected"))).toEqual([
      expect.stringMatching(/^open:gateway-not-connected:Sev1$/),
    ]);
  });
});

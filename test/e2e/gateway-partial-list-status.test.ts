// The Resource Graph query fails (503) and the wiring is read per resource
// group: a list that by design misses connections in other groups. A circuit
// wired only through a connection in the network team's group then read its
// gateway row "DOWN: no connection" and paged gateway-not-connected Sev1
// "VNet traffic stopped: the circuit's gateway connection is gone"; one wired
// to its own group's gateway and a DR hub's elsewhere read green "1 connected",
// though the DR connection was not seen. What the list could not see is not
// known: the row is UNKNOWN, naming it, on the status page as in the sweep.

import { describe, expect, it } from "vitest";
import { editWire } from "../support/estate/index.js";
import { graphOutageTimeline, PRIVATE, wiredThrough } from "../support/graph-outage.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

describe("the gateway row on a wiring list read in part", () => {
  it("wired only through another group: not 'no connection', and no Sev1", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: false, elsewhere: true }));
    await t.sweep(0);
    await t.sweep(1);
    expect((await t.gatewayRow()).status).toBe("up");
    t.graphDown();
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
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: true, elsewhere: true }));
    await t.sweep(0);
    t.graphDown();
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

  // Wired through one of its authorizations, by a connection erwatch does not
  // list. Read whole, it is in a subscription erwatch does not watch; read per
  // resource group it may as well be in a watched group that list missed, and
  // the row said "from a subscription erwatch does not watch" all the same.
  it("wired through an authorization InUse: not claimed to be an unwatched subscription's", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: false, elsewhere: false }));
    editWire(t.world.estate.state.circuits[0]!, {
      read: "circuit",
      field: "properties.authorizations",
      value: [{ name: "auth-spoke-app1", properties: { authorizationUseStatus: "InUse" } }],
    });
    await t.sweep(0);
    expect(await t.gatewayRow()).toMatchObject({
      status: "n/a",
      detail: expect.stringMatching(/from a subscription erwatch does not watch/),
    });
    t.graphDown();
    const swept = await t.sweep(1);
    const live = swept.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!.paths.primary;
    expect(live.gateway.status).toBe("unknown");
    expect(live.gateway.detail).not.toMatch(/from a subscription erwatch does not watch/);
    const said =
      /^connected through authorization auth-spoke-app1 \(InUse\) by a connection not in the list read per resource group \(Resource Graph failed\).*not confirmed/;
    expect(live.gateway.detail).toMatch(said);
    // The status page says so first, then the row's last known state.
    expect(await t.gatewayRow()).toMatchObject({
      status: "unknown",
      detail: expect.stringMatching(said),
    });
    expect(t.sent().filter((s) => s.includes("gateway-not-connected"))).toEqual([]);
  });
});

// A circuit wired to two gateways (its own group's, and a DR hub's in the
// network team's group) whose connections were Connected and are all gone.
// The gateway row read "conn-er-two gone, conn-er-two-dr gone (was
// Connected); 0 connected" on the status page and in the Teams card's layer
// table, and "0 connected; … not in the list read per resource group" during
// a Resource Graph outage: a count of nothing where the other rows say what
// is so. They now say "no connection connected".

import { describe, expect, it } from "vitest";
import { graphOutageTimeline, wiredThrough } from "../support/graph-outage.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

describe("a gateway row with no connection connected", () => {
  it("all lost: says so on the status page, in the Teams card and not as '0 connected' to PagerDuty", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: true, elsewhere: true }));
    await t.sweep(0);
    await t.sweep(1);
    t.world.estate.state.connections = [];
    for (let n = 2; n <= 4; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual(["open:gateway-not-connected:Sev1"]);
    const row = await t.gatewayRow();
    expect(row).toMatchObject({ status: "down" });
    expect(row.detail).toMatch(/\(was Connected\); no connection connected$/);

    await t.world.dispatchPending(20_000);
    const teams = t.world.teams.requests.map((r) => r.rawBody).join("\n");
    const pager = t.world.pagerduty.requests.map((r) => r.rawBody).join("\n");
    expect(teams).toMatch(/\(was Connected\); no connection connected/);
    for (const said of [teams, pager, row.detail]) expect(said).not.toMatch(/\b0 connected/);
  });

  it("none in a list read in part: 'no connection connected', naming what is not in it", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: true, elsewhere: true }));
    await t.sweep(0);
    t.world.estate.state.connections = t.world.estate.state.connections.filter(
      (c) => c.resourceGroup === "rg-network-team",
    );
    t.graphDown();
    const swept = await t.sweep(1);
    const live = swept.verdicts[0]!.peerings[0]!.paths.primary.gateway;
    expect(live.status).toBe("unknown");
    expect(live.detail).toMatch(
      /^no connection connected; conn-er-two, conn-er-two-dr not in the list read per resource group \(Resource Graph failed\)/,
    );
    expect(t.sent()).toEqual([]);
  });
});

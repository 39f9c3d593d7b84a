// A Global Reach connection stuck Connecting while both paths of its peering
// are down. With no path carrying, classify raises no global-reach-down (the
// path outage pages and explains it), by design; yet the status page drew
// the row red, "gr-to-p Connecting — stuck since 01:00 UTC", with no alert
// beside it, as if erwatch had missed it. The row now says what holds it.
// Stored by the real sweeper (FakeReader, Azurite) at the product's cadence.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { peering, type CircuitSpec } from "../support/readings.js";
import { statusAt } from "../support/status-at.js";
import { sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-peer/peerings/AzurePrivatePeering";
const down = { arp: "empty", bgp: "Idle" } as const;

const reach = (status: string): CircuitSpec["peerings"] => [
  peering({
    globalReach: [{ name: "gr-to-p", peerCircuitPeeringId: PEER, status, direction: "outbound" }],
  }),
];

describe("the status page's Global Reach row while the circuit's own outage holds it", () => {
  it("stuck Connecting while both paths are down: held beneath the outage, not a bare 'stuck'", async () => {
    const h = await sweepHarness(azurite.connectionString);
    h.reader.spec = { peerings: reach("Connecting") };
    await h.run(0);
    await h.run(5);
    h.reader.spec = {
      peerings: reach("Connecting"),
      paths: { [PRIVATE]: { primary: down, secondary: down } },
    };
    for (let m = 10; m <= 40; m += 5) await h.run(m);
    const held = "down gr-to-p Connecting — stuck since 01:00 UTC; held: both paths down";
    const seen = await statusAt(h, 41, "globalReach");
    // Observed: "down gr-to-p Connecting — stuck since 01:00 UTC", and no alert of its own.
    expect(seen.cells).toEqual([held, held]);
    expect(seen.alerts).toEqual(["path-down"]);
    expect(seen.html).toContain(
      "gr-to-p Connecting — stuck since 01:00 UTC; held: both paths down",
    );
    expect(h.sent()).not.toContainEqual(expect.stringMatching(/global-reach/));
  });

  it("dropped (Disconnected) while both paths are down: held too", async () => {
    const h = await sweepHarness(azurite.connectionString);
    h.reader.spec = { peerings: reach("Connected") };
    await h.run(0);
    h.reader.spec = {
      peerings: reach("Disconnected"),
      paths: { [PRIVATE]: { primary: down, secondary: down } },
    };
    for (let m = 5; m <= 15; m += 5) await h.run(m);
    const seen = await statusAt(h, 16, "globalReach");
    expect(seen.cells).toEqual([
      "down gr-to-p Disconnected; held: both paths down",
      "down gr-to-p Disconnected; held: both paths down",
    ]);
    expect(seen.alerts).toEqual(["path-down"]);
  });

  it("stuck while one path still carries: its own alert, and the row says no hold", async () => {
    const h = await sweepHarness(azurite.connectionString);
    h.reader.spec = { peerings: reach("Connecting") };
    await h.run(0);
    h.reader.spec = { peerings: reach("Connecting"), paths: { [PRIVATE]: { primary: down } } };
    for (let m = 5; m <= 40; m += 5) await h.run(m);
    const seen = await statusAt(h, 41, "globalReach");
    const stuck = "down gr-to-p Connecting — stuck since 01:00 UTC";
    expect(seen.cells).toEqual([stuck, stuck]);
    expect(seen.alerts).toEqual(["global-reach", "path-down"]);
  });
});

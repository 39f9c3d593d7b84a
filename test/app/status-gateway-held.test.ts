// A gateway connection lost while both paths of its peering are down. With
// no path carrying, classify raises no gateway-not-connected (the path
// outage pages and explains it), by design; yet the status page drew the
// row red, "conn-er-prod NotConnected (was Connected); no connection
// connected", with no alert beside it, as if erwatch had missed it. The row
// now says what holds it, in the Global Reach row's words. Stored by the
// real sweeper (FakeReader, Azurite) at the product's cadence.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConnectionFacts } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CONNECTED_GATEWAY, ok } from "../support/readings.js";
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
const down = { arp: "empty", bgp: "Idle" } as const;
const notConnected = ok<GatewayConnectionFacts[]>(
  CONNECTED_GATEWAY.map((c) => ({ ...c, status: "NotConnected" })),
);

describe("the status page's gateway row while the circuit's own outage holds it", () => {
  it("lost while both paths are down: held beneath the outage, not a bare red row", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0);
    h.reader.spec = {
      gateway: notConnected,
      paths: { [PRIVATE]: { primary: down, secondary: down } },
    };
    for (let m = 5; m <= 15; m += 5) await h.run(m);
    const held =
      "down conn-er-prod NotConnected (was Connected); no connection connected; held: both paths down";
    const seen = await statusAt(h, 16, "gateway");
    // Observed: "down conn-er-prod NotConnected (was Connected); no connection connected", and no alert of its own.
    expect(seen.cells).toEqual([held, held]);
    expect(seen.alerts).toEqual(["path-down"]);
    expect(seen.html).toContain(
      "conn-er-prod NotConnected (was Connected); no connection connected; held: both paths down",
    );
    expect(h.sent()).not.toContainEqual(expect.stringMatching(/gateway/));
  });

  it("never wired, with both paths down from the first sweep: held too", async () => {
    const h = await sweepHarness(azurite.connectionString);
    h.reader.spec = { gateway: ok([]), paths: { [PRIVATE]: { primary: down, secondary: down } } };
    for (let m = 0; m <= 10; m += 5) await h.run(m);
    const seen = await statusAt(h, 11, "gateway");
    expect(seen.cells).toEqual([
      "down no connection; held: both paths down",
      "down no connection; held: both paths down",
    ]);
    expect(seen.alerts).toEqual(["path-down"]);
  });

  it("lost while one path still carries: its own alert, and the row says no hold", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0);
    h.reader.spec = { gateway: notConnected, paths: { [PRIVATE]: { primary: down } } };
    for (let m = 5; m <= 15; m += 5) await h.run(m);
    const seen = await statusAt(h, 16, "gateway");
    const lost = "down conn-er-prod NotConnected (was Connected); no connection connected";
    expect(seen.cells).toEqual([lost, lost]);
    expect(seen.alerts).toEqual(["gateway", "path-down"]);
    expect(h.sent()).toContainEqual(expect.stringMatching(/^open:gateway:Sev1#/));
  });
});

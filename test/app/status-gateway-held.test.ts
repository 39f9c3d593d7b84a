// A gateway connection lost while both paths of its peering are down. With
// no path carrying, classify raises no gateway-not-connected (the path
// outage pages and explains it), by design; yet the status page drew the
// row red, "conn-er-prod NotConnected (was Connected); no connection
// connected", with no alert beside it, as if erwatch had missed it. The row
// now says what holds it, in the Global Reach row's words. Stored by the
// real sweeper (FakeReader, Azurite) at the product's cadence.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { GatewayConnectionFacts } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CONNECTED_GATEWAY, ok, peering, type CircuitSpec } from "../support/readings.js";
import { statusAt } from "../support/status-at.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

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

  // A Sev1 gateway-not-connected already open, then its peering Disabled
  // after carrying (Sev0) or its circuit de-provisioned after its carrier had
  // provisioned it (Sev0): the circuit-level cause holds the gateway alert's
  // resolve, and the row names it in the same words. Beneath a milder cause
  // it is held as well (status-gateway-held-milder.test.ts).
  it.each<{ name: string; spec: CircuitSpec; holder: string; why: string }>([
    {
      name: "the peering Disabled",
      spec: { gateway: notConnected, peerings: [peering({ state: "Disabled" })] },
      holder: "peering-config peering-disabled Sev0",
      why: "peering Disabled",
    },
    {
      name: "the circuit de-provisioned by its carrier",
      spec: { gateway: notConnected, providerState: "NotProvisioned" },
      holder: "provider provider-not-provisioned Sev0",
      why: "circuit not provisioned by its carrier",
    },
  ])(
    "an open Sev1, then $name: the row says what holds it and the Sev1 is held by it, not resolved",
    async ({ spec, holder, why }) => {
      const h = await sweepHarness(azurite.connectionString);
      await h.run(0);
      h.reader.spec = { gateway: notConnected };
      for (let m = 5; m <= 15; m += 5) await h.run(m);
      expect(h.sent()).toEqual(["open:gateway:Sev1#1"]);
      h.reader.spec = spec;
      for (let m = 20; m <= 40; m += 5) await h.run(m);
      const row = `conn-er-prod NotConnected (was Connected); no connection connected; held: ${why}`;
      const model = await loadStatus(h.store, minute(41), { recentHours: 1, recentLimit: 10 });
      const p = model.circuits[0]!.peerings.find((x) => x.name === PRIVATE)!;
      expect([p.paths.primary.gateway, p.paths.secondary.gateway].map((c) => c.detail)).toEqual([
        row,
        row,
      ]);
      const gateway = model.openAlerts.find((a) => a.family === "gateway")!;
      const source = model.openAlerts.find((a) => a.severity === "Sev0")!;
      expect(`${source.family} ${source.code} ${source.severity}`).toBe(holder);
      // Clearing (no finding above an outage) with its resolve held by the Sev0 beneath.
      expect(gateway.state).toBe("resolving");
      expect(gateway.heldBy).toMatchObject({ kind: "alert", key: source.key, severity: "Sev0" });
      const html = renderStatusHtml(model);
      expect(html).toContain(row);
      expect(html).toContain(`held by Sev0 ${source.code}`);
      expect(h.sent().filter((e) => e.startsWith("resolve:gateway"))).toEqual([]);
    },
  );
});

// A Sev1 gateway alert above a peering nobody expected, which never had BGP
// up: it opened because the path whose reads failed counted as carrying.
// Then the peering is Disabled: only a Sev3 beneath the Sev1, which no hold
// of everything reaches. The alert resolved ("recovered") at the next sweep
// while the gateway row said "…NotConnected…; held: peering Disabled" and the
// connection was still down. Its resolve is held now, named on the page, and
// goes out once the connection is back. Stored by the real sweeper
// (FakeReader, Azurite) every 5 minutes.

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { GatewayConnectionFacts } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CONNECTED_GATEWAY, failed, ok, peering } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const notConnected = ok<GatewayConnectionFacts[]>(
  CONNECTED_GATEWAY.map((c) => ({ ...c, status: "NotConnected" })),
);
const throttled = failed<never>({ kind: "throttled" });
const settings = { expectedPeerings: [] };
const oneDownOneUnread = {
  [PRIVATE]: {
    primary: { arp: "empty", bgp: "Idle" },
    secondary: { arp: throttled, bgp: throttled },
  },
} as const;

it("a Sev1 gateway alert is not resolved while a Sev3 Disabled peering holds its row", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = { settings, paths: oneDownOneUnread };
  await h.run(0);
  h.reader.spec = { settings, gateway: notConnected, paths: oneDownOneUnread };
  for (let m = 5; m <= 15; m += 5) await h.run(m);
  expect(h.sent()).toContain("open:gateway:Sev1#1");

  h.reader.spec = { settings, gateway: notConnected, peerings: [peering({ state: "Disabled" })] };
  for (let m = 20; m <= 40; m += 5) await h.run(m);
  expect(h.sent()).toContain("open:peering-config:Sev3#1");
  // Observed: "resolve:gateway:Sev1#2" at minute 25.
  expect(h.sent().filter((e) => e.startsWith("resolve:gateway"))).toEqual([]);

  const model = await loadStatus(h.store, minute(41), { recentHours: 1, recentLimit: 10 });
  const p = model.circuits[0]!.peerings.find((x) => x.name === PRIVATE)!;
  expect(p.paths.primary.gateway.detail).toBe(
    "conn-er-prod NotConnected (was Connected); no connection connected; held: peering Disabled",
  );
  const source = model.openAlerts.find((a) => a.code === "peering-disabled")!;
  expect(source.severity).toBe("Sev3");
  const gateway = model.openAlerts.find((a) => a.family === "gateway")!;
  expect(gateway).toMatchObject({ severity: "Sev1", state: "resolving" });
  expect(gateway.heldBy).toMatchObject({ kind: "alert", key: source.key, severity: "Sev3" });
  expect(renderStatusHtml(model)).toContain("held by Sev3 peering-disabled");

  // The peering back and the connection Connected: the resolve goes out.
  h.reader.spec = { settings };
  for (let m = 45; m <= 60; m += 5) await h.run(m);
  expect(h.sent().filter((e) => e.startsWith("resolve:gateway"))).toEqual([
    "resolve:gateway:Sev1#2",
  ]);
});

// A global-reach-down alert open on a peering whose paths then stop carrying
// without both being down: the primary lost, the secondary's public prefixes
// validating anew (or both validating). Its row reads "held: no path
// carrying" and no global-reach-down is raised, so the alert cleared; only
// both paths down held its resolve, and it resolved "recovered" two sweeps
// later beside that row, no path carrying and the connection still
// Disconnected. What holds the row holds the resolve now. Stored by the real
// sweeper (FakeReader, Azurite) every 5 minutes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { AlertFamily } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, microsoftPeering, type CircuitSpec } from "../support/readings.js";
import { statusAt } from "../support/status-at.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const MICROSOFT = "MicrosoftPeering";
const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P/peerings/AzurePrivatePeering";
const settings = { expectedPeerings: [MICROSOFT], expectGateway: false };
const down = { arp: "empty", bgp: "Idle" } as const;

// Not the private peering's case (a private path that does not carry is down),
// but the row is judged alike on any peering (held-beneath-reach.test.ts).
const reach = (validation: string, status: string) => [
  microsoftPeering(validation, {
    globalReach: [{ name: "gr-to-p", peerCircuitPeeringId: PEER, status, direction: "outbound" }],
  }),
];

describe("a Global Reach alert over a peering where no path carries, both paths not down", () => {
  it.each<{ name: string; spec: CircuitSpec; by: AlertFamily; code: string; rule: string }>([
    {
      name: "the primary down, the secondary's public prefixes validating",
      spec: {
        settings,
        peerings: reach("Configuring", "Disconnected"),
        paths: { [MICROSOFT]: { primary: down } },
      },
      by: "path-down",
      code: "arp-missing",
      rule: "a path down with no path carrying keeps the gateway and Global Reach alerts above it open",
    },
    {
      name: "both paths' public prefixes validating",
      spec: { settings, peerings: reach("Configuring", "Disconnected") },
      by: "peering-config",
      code: "public-prefixes-not-validated",
      rule: "public prefixes not validated, with no path carrying, keep the gateway and Global Reach alerts above them open",
    },
  ])("$name: resolving, held by what holds the row", async ({ spec, by, code, rule }) => {
    const h = await sweepHarness(azurite.connectionString);
    h.reader.spec = { settings, peerings: reach("Configured", "Connected") };
    await h.run(0);
    h.reader.spec = { settings, peerings: reach("Configured", "Disconnected") };
    for (let m = 5; m <= 15; m += 5) await h.run(m);
    expect(h.sent()).toEqual(["open:global-reach:Sev3#1"]);

    h.reader.spec = spec;
    for (let m = 20; m <= 40; m += 5) await h.run(m);
    const seen = await statusAt(h, 41, "globalReach", MICROSOFT);
    expect(seen.cells[0]).toBe("down gr-to-p Disconnected; held: no path carrying");
    // Observed: "resolve:global-reach:Sev3#2" at minute 25.
    expect(h.sent().filter((e) => e.startsWith("resolve:global-reach"))).toEqual([]);

    const model = await loadStatus(h.store, minute(41), { recentHours: 1, recentLimit: 10 });
    const alert = model.openAlerts.find((a) => a.family === "global-reach")!;
    expect(alert.state).toBe("resolving");
    expect(alert.heldBy).toMatchObject({
      kind: "alert",
      key: alertKey(CIRCUIT_ID, MICROSOFT, by),
      code,
      rule,
    });
    expect(renderStatusHtml(model)).toMatch(new RegExp(`resolving · held by Sev\\d ${code}`));

    // The paths carrying again and the connection back: the resolve goes out, once.
    h.reader.spec = { settings, peerings: reach("Configured", "Connected") };
    for (let m = 45; m <= 60; m += 5) await h.run(m);
    expect(h.sent().filter((e) => e.startsWith("resolve:global-reach"))).toEqual([
      "resolve:global-reach:Sev3#2",
    ]);
  });
});

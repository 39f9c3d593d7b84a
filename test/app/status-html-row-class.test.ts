// A circuit's row class is drawn from its worst cell's status, and a stored
// cell's status is any text to the row schema (a hand edit, another writer);
// a status the page does not know ranks worst. The page escaped it in the
// cell and in data-worst-status, but not in the row's class attribute, where
// it closed the attribute and the tag: a script in the on-call's browser,
// with the function key in the page.

import { describe, expect, it } from "vitest";
import type { StateStore } from "../../src/app/state-store.js";
import { loadStatus } from "../../src/app/status.js";
import { renderStatusHtml } from "../../src/app/status-html.js";
import type { Snapshot } from "../../src/core/snapshot.js";

const ODD = 'x"><img src=x onerror=alert(1)>';
const NOW = new Date("2026-11-22T02:00:00.000Z");

const stored = (peerings: Snapshot["peerings"]): Snapshot => ({
  circuitId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-a",
  circuitName: "er-a",
  takenAt: "2026-11-22T01:58:00.000Z",
  providerState: "Provisioned",
  providerWasProvisioned: true,
  peerings,
});

const pageOf = async (snapshot: Snapshot) => {
  const store = {
    listSnapshots: async () => [snapshot],
    listAlerts: async () => [],
    listRecentHistory: async () => [],
    lastSweep: async () => null,
    listOutbox: async () => [],
  } as unknown as StateStore;
  return renderStatusHtml(await loadStatus(store, NOW, { recentHours: 24, recentLimit: 50 }), {
    code: "k",
  });
};

describe("status page: a circuit's row class", () => {
  it("escapes the stored cell status it is drawn from", async () => {
    const page = await pageOf(
      stored({
        AzurePrivatePeering: {
          paths: {
            primary: { bgp: { status: ODD, detail: "d", since: "2026-11-22T01:00:00.000Z" } },
            secondary: {},
          },
          prefixes: {},
        } as unknown as Snapshot["peerings"][string],
      }),
    );
    expect(page).toContain('data-worst-status="x&quot;&gt;&lt;img');
    expect(page).not.toContain("<img");
  });
});

// The status page's ?circuit= filter takes a circuit's resource id too: the
// id POST /api/sweep's ?circuit= takes, as a script has it (another case, a
// trailing slash). Read only as a part of a name, an id matched no circuit,
// and the JSON's empty `circuits` read as "nothing in trouble".

import { describe, expect, it } from "vitest";
import type { StateStore } from "../../src/app/state-store.js";
import { loadStatus } from "../../src/app/status.js";
import type { Snapshot } from "../../src/core/snapshot.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const idOf = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-Core/providers/Microsoft.Network/expressRouteCircuits/${name}`;
const snapshot = (name: string): Snapshot => ({
  circuitId: idOf(name),
  circuitName: name,
  takenAt: "2026-11-22T01:58:00.000Z",
  providerState: "Provisioned",
  providerWasProvisioned: true,
  peerings: {},
});

const store = {
  listSnapshots: async () => [snapshot("er-ams-01"), snapshot("er-ams-010"), snapshot("er-lon")],
  listAlerts: async () => [],
  listRecentHistory: async () => [],
  lastSweep: async () => null,
  listOutbox: async () => [],
} as unknown as StateStore;

const shown = async (circuit: string) =>
  (
    await loadStatus(store, NOW, { recentHours: 24, recentLimit: 50, filters: { circuit } })
  ).circuits.map((c) => c.name);

describe("status filter by circuit", () => {
  it.each([
    ["as stored", idOf("er-ams-01")],
    ["in another case", idOf("er-ams-01").toUpperCase()],
    ["with a trailing slash", `${idOf("er-ams-01")}/`],
  ])("takes a resource id %s: that circuit, not those whose name holds its own", async (_w, id) => {
    expect(await shown(id)).toEqual(["er-ams-01"]);
  });

  it("still takes a name or a part of one, in any case", async () => {
    expect(await shown("AMS")).toEqual(["er-ams-01", "er-ams-010"]);
    expect(await shown("er-lon")).toEqual(["er-lon"]);
  });
});

// Snapshots stored before each gateway connection was remembered keep only
// `gatewayWasConnected` per peering, no `gatewayConnections`. Loaded by this
// erwatch, the first sweeps after the upgrade must show what the stored
// snapshot showed: no finding, no event, no change on the status page. Users
// of a circuit tagged erwatch:expect-gateway=false, wired through the network
// team's group, saw its row flip up → n/a when that first sweep fell in a
// Resource Graph outage (the list read per resource group showed nothing, and
// nothing was remembered by name to say a connection was missing from it),
// and back up after: two recent changes, for nothing that changed.

import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/core/snapshot.js";
import { graphOutageTimeline, PRIVATE, wiredThrough } from "../support/graph-outage.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();
type Timeline = Awaited<ReturnType<typeof graphOutageTimeline>>;

/** Rewrites the stored snapshot as an erwatch without per-connection memory wrote it. */
async function asStoredBeforeMemory(t: Timeline): Promise<void> {
  const store = t.world.runtime.store;
  const [id] = (await store.listSnapshots()).map((s) => s.circuitId);
  const stored = (await store.getSnapshot(id!))!;
  const old = structuredClone(stored.value) as Snapshot;
  for (const p of Object.values(old.peerings)) delete p.gatewayConnections;
  expect(old.peerings[PRIVATE]!.gatewayWasConnected).toBe(true);
  await store.putSnapshot(old, stored.etag);
}

/** Sweeps from..to, each as "n verdict-row/status-page-row". */
async function rows(t: Timeline, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let n = from; n <= to; n += 1) {
    const swept = await t.sweep(n);
    const live = swept.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
    out.push(`${n} ${live.paths.primary.gateway.status}/${(await t.gatewayRow()).status}`);
  }
  return out;
}

describe("the first sweeps after an upgrade from a snapshot without per-connection memory", () => {
  it("control: wiring read whole, as it was: no finding, no event, no change (passes on main)", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: true, elsewhere: true }));
    await t.sweep(0);
    await asStoredBeforeMemory(t);
    expect(await rows(t, 1, 3)).toEqual(["1 up/up", "2 up/up", "3 up/up"]);
    expect(await t.gatewayChanges()).toEqual([]);
    expect(t.sent()).toEqual([]);
  });

  it("no gateway expected, in a Resource Graph outage: the row stands up, no change listed", async () => {
    const t = await graphOutageTimeline(
      worlds,
      wiredThrough({ own: false, elsewhere: true }, { "erwatch:expect-gateway": "false" }),
    );
    await t.sweep(0);
    await asStoredBeforeMemory(t);
    t.graphDown();
    const during = await rows(t, 1, 3);
    const detail = (await t.gatewayRow()).detail;
    t.graphBack();
    const after = await rows(t, 4, 5);
    // Observed: "1 n/a/n/a" … "3 n/a/n/a", then "4 up/up".
    expect([...during, ...after]).toEqual([1, 2, 3, 4, 5].map((n) => `${n} up/up`));
    expect(detail).toMatch(/Resource Graph failed.*Connected when last read whole/);
    expect(await t.gatewayChanges()).toEqual([]);
    // The outage itself is monitoring-blind, as ever; the wiring raises nothing.
    expect(t.sent().filter((e) => !e.includes("monitoring-blind"))).toEqual([]);
  });
});

// A Global Reach connection whose peer circuit's private peering is deleted,
// at the product's 5-minute cadence on an injected clock (the real timer, ARM
// on loopback, state in Azurite). The connection's global-reach-down names
// the peer's missing peering, but its card said "read down at" the time of
// each read and its title (which the status page shows) no time at all: the
// peer's snapshot kept no time for a missing peering. It now keeps when it
// first saw it missing, and the alert and the status say "down since".

import { describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  healthyCircuit,
  removePeering,
  setGlobalReachStatus,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { timerWorld, MIN, type TimerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

/** er-a reaches er-p's private peering by gr-to-p; er-p sees it as an inbound connection. */
function linked(a: SimCircuit, p: SimCircuit): void {
  const connection = {
    name: "gr-to-p",
    peerCircuitPeeringId: `${circuitId(p)}/peerings/${PRIVATE}`,
    status: "Connected",
  };
  a.peerings[0]!.globalReach.push(connection);
  p.peerings[0]!.peerConnections.push({
    ...connection,
    peerCircuitPeeringId: `${circuitId(a)}/peerings/${PRIVATE}`,
  });
}

/** er-a and er-p healthy at minute 0; er-p's private peering deleted before minute 5, er-a's connection Disconnected. */
async function peeringDeleted(): Promise<{ t: TimerWorld; p: SimCircuit }> {
  const bundles = [
    healthyCircuit({ name: "er-a" }),
    healthyCircuit({ name: "er-p", peeringLocation: "London" }),
  ];
  const [a, p] = bundles.map((x) => x.circuit) as [SimCircuit, SimCircuit];
  linked(a, p);
  const t = await timerWorld(worlds, T0, bundles);
  await t.sweep(0);
  expect(t.sent()).toEqual([]);
  removePeering(p, PRIVATE);
  setGlobalReachStatus(a, PRIVATE, "gr-to-p", "Disconnected");
  return { t, p };
}

const reachOf = (sent: AlertEvent[]) =>
  sent.filter((e) => e.family === "global-reach" && e.circuit.name === "er-a");

/** er-a's global-reach-down on the status page: the title of its alert row. */
async function statusTitle(t: TimerWorld, m: number): Promise<string | undefined> {
  const model = await loadStatus(t.w.runtime.store, new Date(T0 + m * MIN), {
    recentHours: 1,
    recentLimit: 10,
  });
  const row = model.openAlerts.find(
    (x) => x.circuitName === "er-a" && x.code === "global-reach-down",
  );
  if (row) expect(renderStatusHtml(model)).toContain(row.title);
  return row?.title;
}

/** er-p's stored snapshot as an erwatch from before the time was kept wrote it. */
async function withoutMissingSince(t: TimerWorld): Promise<void> {
  const store = t.w.runtime.store;
  const id = (await store.listSnapshots()).find((s) => s.circuitName === "er-p")!.circuitId;
  const stored = (await store.getSnapshot(id))!;
  const older = structuredClone(stored.value) as Partial<Snapshot>;
  expect(older.peeringsMissingSince).toEqual({ [PRIVATE]: "2026-11-22T01:05:00.000Z" });
  delete older.peeringsMissingSince;
  await store.putSnapshot(older as Snapshot, stored.etag);
}

describe("a Global Reach connection whose peer circuit's peering is deleted", () => {
  it("pages once, naming the missing peering down since the sweep that first read it missing, on the card and the status page", async () => {
    const { t } = await peeringDeleted();
    const titles = new Map<number, string | undefined>();
    for (let m = 5; m <= 30; m += 5) {
      await t.sweep(m);
      titles.set(m, await statusTitle(t, m));
    }
    const reach = reachOf(t.sent());
    expect(reach.map((e) => e.action)).toEqual(["open"]);
    const [opened] = reach;
    expect(opened).toMatchObject({ severity: "Sev3", owner: "shared" });
    expect(opened!.title).toMatch(
      /^Global Reach not connected: gr-to-p Disconnected — the peer circuit er-p is down \(its private peering is missing; down since 01:05 UTC(, as last read at \d\d:\d\d UTC)?\)$/,
    );
    expect(opened!.evidence).toMatchObject({
      peers: [
        {
          connection: "gr-to-p",
          cause: "peering-missing",
          downSince: "2026-11-22T01:05:00.000Z",
        },
      ],
    });
    // Firing from the second sweep on: the status page's row says since when at every sweep.
    expect([...titles].filter(([, title]) => title !== undefined).map(([m]) => m)).toEqual([
      10, 15, 20, 25, 30,
    ]);
    for (const [m, title] of titles)
      if (title !== undefined)
        expect(title, `minute ${m}`).toMatch(
          /— the peer circuit er-p is down \(its private peering is missing; down since 01:05 UTC(, as last read at \d\d:\d\d UTC)?\)$/,
        );
  }, 120_000);

  it("a peer's row kept by an older erwatch reads fine, and takes its since from the next sweep", async () => {
    const { t } = await peeringDeleted();
    await t.sweep(5);
    await withoutMissingSince(t);
    // er-p's row without the time: the connection is still explained by the missing peering.
    for (let m = 10; m <= 30; m += 5) await t.sweep(m);
    const reach = reachOf(t.sent());
    expect(reach.map((e) => e.action)).toEqual(["open"]);
    expect(reach[0]!.evidence).toMatchObject({
      peers: [{ connection: "gr-to-p", cause: "peering-missing" }],
    });
    const stored = (await t.w.runtime.store.listSnapshots()).find((s) => s.circuitName === "er-p")!;
    expect(stored.peeringsMissingSince).toEqual({ [PRIVATE]: "2026-11-22T01:10:00.000Z" });
    expect(await statusTitle(t, 30)).toMatch(
      /its private peering is missing; down since 01:10 UTC/,
    );
  }, 120_000);
});

// The primary path goes down (layer 2 gone, BGP Idle): it receives nothing.
// The snapshot keeps its last count for the prefix drop and the trend, and
// the status page printed that as the peering's "prefixes 120 / 120" beside
// the red BGP cell, as if the path still received 120 routes. Stored by the
// real sweeper (FakeReader, Azurite). Now the page gives a path's count only
// while its BGP row carries.

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { failed } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";

it("a path down shows no count received, not the last one read", async () => {
  const h = await sweepHarness(azurite.connectionString);
  await h.run(0);
  h.reader.spec = { paths: { [PRIVATE]: { primary: { arp: "empty", bgp: "Idle" } } } };
  await h.run(5);
  const model = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  const peering = model.circuits[0]!.peerings.find((p) => p.name === PRIVATE)!;
  expect(peering.paths.primary.bgp.status).toBe("down");
  // Observed: { primary: 120, secondary: 120 }.
  expect(peering.prefixes).toEqual({ primary: null, secondary: 120 });
  expect(renderStatusHtml(model)).toMatch(/prefixes – \/ 120/);

  // Nor while its session cannot be read: its row names the last known state.
  h.reader.spec = {
    paths: { [PRIVATE]: { primary: { bgp: failed({ kind: "throttled" }) } } },
  };
  await h.run(10);
  await h.run(15);
  const unread = await loadStatus(h.store, minute(16), { recentHours: 1, recentLimit: 10 });
  expect(unread.circuits[0]!.peerings[0]!.prefixes).toEqual({ primary: null, secondary: 120 });
});

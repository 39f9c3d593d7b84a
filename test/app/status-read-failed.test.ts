// A path's route summary read fails (ARM 429) after it read Established: the
// sweep reads the BGP row UNKNOWN and the snapshot keeps "up" (an UNKNOWN is
// no change). The status page drew the kept row green "ok" with the circuit
// read a minute ago, so a session that went down during the failures looked
// fine until monitoring-blind opened three sweeps later. Stored by the real
// sweeper (FakeReader, Azurite).

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

it("a BGP row whose read failed reads unknown on the page, naming the last known state", async () => {
  const h = await sweepHarness(azurite.connectionString);
  await h.run(0);
  h.reader.spec = {
    paths: { [PRIVATE]: { secondary: { bgp: failed({ kind: "throttled" }) } } },
  };
  await h.run(5);
  const model = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  const circuit = model.circuits[0]!;
  const bgp = circuit.peerings.find((p) => p.name === PRIVATE)!.paths.secondary.bgp;
  // Observed: { status: "up", detail: "Established" }.
  expect(bgp).toEqual({
    status: "unknown",
    detail: `route summary read failed: throttled; last known ok since ${minute(0).toISOString()}: Established`,
    since: minute(5).toISOString(),
  });
  expect(circuit.worstStatus).toBe("unknown");
  expect(renderStatusHtml(model)).toMatch(
    /data-path="secondary" data-layer="bgp" data-status="unknown"[^>]*><span class="w">unknown<\/span><span class="d">route summary read failed: throttled; last known ok/,
  );
  // Read again: ok, and nothing is said of the failure.
  h.reader.spec = {};
  await h.run(10);
  const back = await loadStatus(h.store, minute(11), { recentHours: 1, recentLimit: 10 });
  expect(back.circuits[0]!.peerings[0]!.paths.secondary.bgp).toEqual({
    status: "up",
    detail: "Established",
    since: minute(0).toISOString(),
  });
});

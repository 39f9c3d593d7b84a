// The circuit's own read (its body: GET or the listing) fails at every sweep
// for half an hour (ARM throttling it). Each sweep still records the
// evaluation, so the status page said "read 1 min ago", every layer green as
// last read, and the circuit among the healthy ones: only a Sev3
// monitoring-blind said anything. Its read age is now the age of what erwatch
// knows of it, and past the limit it is marked stale. Stored by the real
// sweeper (FakeReader, Azurite) at the product's cadence.

import { afterAll, beforeAll, expect, it } from "vitest";
import { drawnAs, renderStatusHtml } from "../../src/app/status-html.js";
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

const options = { recentHours: 1, recentLimit: 10, sweepIntervalMinutes: 5 };

it("a circuit whose own read fails sweep after sweep is not shown as read a minute ago", async () => {
  const h = await sweepHarness(azurite.connectionString);
  await h.run(0);
  h.reader.spec = {
    circuit: failed({ kind: "throttled", call: "Microsoft.Network/expressRouteCircuits/read" }),
  };
  for (const m of [5, 10, 15, 20, 25, 30]) await h.run(m);
  const model = await loadStatus(h.store, minute(31), options);
  const circuit = model.circuits[0]!;
  // Observed: 1 (the last evaluation, which read nothing), not stale.
  expect(circuit.readAgeMinutes).toBe(30);
  expect(circuit.lastReadAt).toBe(new Date(minute(0).getTime() + 20_000).toISOString());
  expect(model.summary!.oldestReading).toMatchObject({ ageMinutes: 30 });
  expect(drawnAs(circuit, model.summary!.readStaleAfterMinutes)).not.toBe("healthy");
  expect(renderStatusHtml(model)).toMatch(/read 30 min ago \(stale\)/);

  // Read again: its age is that read's, as really read (20 s into the sweep).
  h.reader.spec = {};
  await h.run(35);
  const back = await loadStatus(h.store, minute(36), options);
  expect(back.circuits[0]!.readAgeMinutes).toBe(0);
  expect(back.circuits[0]!.lastReadAt).toBe(new Date(minute(35).getTime() + 20_000).toISOString());
});

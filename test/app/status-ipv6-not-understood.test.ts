// A path whose IPv6 neighbor reports a state erwatch does not understand
// ("NoNeg") beside IPv4 Established with prefixes: the live sweep's BGP row
// warns. The snapshot keeps IPv6's last known up for the flap history and the
// prefix drop (83450bf), and the status page drew that: the row read green
// ("ok") after an up row, though the sweep and `erwatch diagnose` said amber.
// The stored sweeps are the product's (FakeReader, Azurite, the real sweeper).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { neighbor } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const dual = (v6: string) => ({ bgp: [neighbor("120"), neighbor(v6, 6)] });

it("an IPv6 state not understood after an up row reads amber on the page, as the sweep does", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = { paths: { [PRIVATE]: { primary: dual("12"), secondary: dual("12") } } };
  await h.run(0);
  h.reader.spec = { paths: { [PRIVATE]: { primary: dual("12"), secondary: dual("NoNeg") } } };
  const swept = await h.run(5);
  const live = swept.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
  expect(live.paths.secondary.bgp.status).toBe("warn");

  const model = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  const circuit = model.circuits[0]!;
  const bgp = circuit.peerings.find((p) => p.name === PRIVATE)!.paths.secondary.bgp;
  // Observed: "up" with the words 'IPv6 state "NoNeg" not understood …'.
  expect(bgp.status).toBe("warn");
  expect(bgp.detail).toContain('"NoNeg" not understood');
  // Since when it reads so, not since the row was last up.
  expect(bgp.since).toBe(minute(5).toISOString());
  expect(circuit.worstStatus).toBe("warn");
  const html = renderStatusHtml(model);
  expect(html).toMatch(/data-path="secondary" data-layer="bgp" data-status="warn"/);

  // Still so a sweep later, since the first sweep that read it.
  await h.run(10);
  const later = await loadStatus(h.store, minute(11), { recentHours: 1, recentLimit: 10 });
  const kept = later.circuits[0]!.peerings.find((p) => p.name === PRIVATE)!.paths.secondary.bgp;
  expect(kept.status).toBe("warn");
  expect(kept.since).toBe(minute(5).toISOString());

  // Understood again: up, and the page says so.
  h.reader.spec = { paths: { [PRIVATE]: { primary: dual("12"), secondary: dual("12") } } };
  await h.run(15);
  const back = await loadStatus(h.store, minute(16), { recentHours: 1, recentLimit: 10 });
  expect(back.circuits[0]!.peerings[0]!.paths.secondary.bgp.status).toBe("up");
  expect(back.circuits[0]!.worstStatus).toBe("up");
});

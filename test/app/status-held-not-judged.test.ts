// A gateway connection lost (Sev1 paged), then the circuit's body leaves the
// private peering's state out. Nothing beneath the wiring is judged then, so
// classify raises no gateway-not-connected; the row read "conn-er-prod
// NotConnected (was Connected); no connection connected", red, like an outage
// with no alert of its own, and two sweeps later the Sev1 resolved, the
// connection still NotConnected. The row now says it was not judged and why,
// and the alert stays open until a sweep judges it (its receivers told it is
// blind meanwhile, as for any alert erwatch cannot judge). Stored by the real
// sweeper (FakeReader, Azurite) at the product's cadence.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { GatewayConnectionFacts } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CONNECTED_GATEWAY, ok, peering } from "../support/readings.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";

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

async function statusAt(h: Harness, m: number) {
  const model = await loadStatus(h.store, minute(m), { recentHours: 1, recentLimit: 10 });
  const p = model.circuits[0]!.peerings.find((x) => x.name === PRIVATE)!;
  return {
    cells: [p.paths.primary.gateway, p.paths.secondary.gateway].map(
      (c) => `${c.status} ${c.detail}`,
    ),
    alerts: model.openAlerts.map((a) => `${a.family} ${a.severity} ${a.state}`),
    html: renderStatusHtml(model),
  };
}

describe("the status page's gateway row while the peering beneath it was not read", () => {
  it("the peering's state left out: 'not judged', and the Sev1 stays open", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0);
    h.reader.spec = { gateway: notConnected };
    for (let m = 5; m <= 15; m += 5) await h.run(m);
    expect(h.sent()).toEqual(["open:gateway:Sev1#1"]);
    h.reader.spec = { gateway: notConnected, peerings: [peering({ state: null })] };
    for (let m = 20; m <= 40; m += 5) await h.run(m);
    const row =
      "conn-er-prod NotConnected (was Connected); no connection connected; not judged: peering state not reported";
    const seen = await statusAt(h, 41);
    // Observed: the row without "not judged", and "resolve:gateway:Sev1#2" at 01:25.
    expect(seen.cells).toEqual([`down ${row}`, `down ${row}`]);
    expect(seen.html).toContain(row);
    expect(seen.alerts).toEqual(["gateway Sev1 firing"]);
    // Not resolved: told instead, as for any alert erwatch cannot judge, that it is blind since its last reading.
    expect(h.sent()).toEqual(["open:gateway:Sev1#1", "repeat:gateway:Sev1#2"]);
    expect(h.sink.published[1]!.blindSince).toBe(minute(15).toISOString());

    // Judged again, and Connected: it resolves as ever.
    h.reader.spec = {};
    for (let m = 45; m <= 55; m += 5) await h.run(m);
    expect(h.sent().at(-1)).toBe("resolve:gateway:Sev1#3");
  });
});

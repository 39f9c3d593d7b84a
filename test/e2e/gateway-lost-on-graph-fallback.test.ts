// Found by a review of the per-connection gateway memory: when the Resource
// Graph query fails, the wiring is read per resource group (the circuit's
// own, plus the erwatch:connection-resource-groups tag), a list that by design
// misses connections elsewhere. A remembered connection in another group (a
// DR hub) was then "gone from the list" and paged gateway-not-connected Sev1
// although nothing had changed but a Resource Graph 503/429. Such a list is
// now read as partial: what it cannot see is not known to be gone.

import { describe, expect, it } from "vitest";
import { graphOutageTimeline, wiredThrough } from "../support/graph-outage.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

describe("gateway memory vs the Resource Graph fallback", () => {
  it("a Resource Graph outage alone does not page VNet traffic stopped (Sev1)", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: true, elsewhere: true }));
    await t.sweep(0);
    await t.sweep(1);
    expect(t.sent()).toEqual([]);
    // Nothing changes in Azure; only the Resource Graph query fails (503).
    t.graphDown();
    for (let n = 2; n <= 7; n += 1) await t.sweep(n);
    // monitoring-blind for the failed query is fine; a Sev1 outage page is not.
    expect(t.sent().filter((s) => s.includes("gateway-not-connected"))).toEqual([]);
  });
});

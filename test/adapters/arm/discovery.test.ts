// What a subscription's listing gives that erwatch cannot watch is said every
// sweep: skipped without a word, such a circuit was never watched and nobody knew.

import { describe, expect, it } from "vitest";
import { discoverTargets } from "../../../src/app/scan.js";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  editWire,
  estateOf,
  healthyCircuit,
} from "../../support/estate/index.js";
import { armReaderOn } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";
import { memoryLogger } from "../../support/test-logger.js";

const startEstate = estatePerTest();

describe("the listing", () => {
  it("names a circuit it cannot watch, and watches the others", async () => {
    const odd = healthyCircuit({ name: "er-odd" });
    const odder = healthyCircuit({ name: "er-odder" });
    const estate = await startEstate(estateOf(healthyCircuit({ name: "er-fine" }), odd, odder));
    editWire(odd.circuit, {
      read: "circuit",
      field: "id",
      value:
        "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-odd",
    });
    editWire(odder.circuit, { read: "circuit", field: "id", remove: true });
    const reader = armReaderOn(estate, { ERWATCH_SUBSCRIPTIONS: SUB });
    const { logger, records } = memoryLogger();
    const found = await discoverTargets(
      reader,
      { subscriptions: [SUB], circuitIds: [] },
      { abortSignal: AbortSignal.timeout(30_000), logger },
    );
    expect(found.targets.map((t) => t.name)).toEqual(["er-fine"]);
    expect(
      records()
        .filter((r) => r.msg === "a circuit the listing gave cannot be watched")
        .map((r) => [r.level, r.subscriptionId, r.listedId, r.why]),
    ).toEqual(
      expect.arrayContaining([
        [
          40,
          SUB,
          "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-odd",
          "its id is not an ExpressRoute circuit's resource id as erwatch reads one",
        ],
        [40, SUB, null, "it has no id"],
      ]),
    );
  });
});

// A circuit named in ERWATCH_CIRCUITS in another case than ARM spells it: its
// readings keep one spelling, read or failed, because storage partitions by it
// and a failed sweep's rows (and the monitoring-blind alert they open) must
// land where the successful sweeps' do.

import { describe, expect, it } from "vitest";
import { createReadSession } from "../../../src/app/ports.js";
import { asStored } from "../../../src/app/sweep-plan.js";
import type { PlanMemory } from "../../../src/core/sweep-plan.js";
import {
  DEFAULT_RESOURCE_GROUP,
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
} from "../../support/estate/index.js";
import { armReaderOn } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";

const idOf = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${DEFAULT_RESOURCE_GROUP}/providers/Microsoft.Network/expressRouteCircuits/${name}`;

const startEstate = estatePerTest();

describe("one circuit, one spelling", () => {
  it("a circuit configured in lower case keeps that spelling whether ARM's GET answers (as ER-Prod) or fails", async () => {
    const estate = await startEstate(estateOf(healthyCircuit({ name: "ER-Prod" })));
    const reader = armReaderOn(estate, { ERWATCH_CIRCUITS: idOf("er-prod") });
    const signal = new AbortController().signal;
    const read = async () => {
      const { targets } = await reader.discover(
        { subscriptions: [], circuitIds: [idOf("er-prod")] },
        { abortSignal: signal },
      );
      expect(targets.map((t) => t.id)).toEqual([idOf("er-prod")]);
      const result = await reader.read(targets[0]!, {
        abortSignal: signal,
        session: createReadSession(),
      });
      if (result.kind !== "read") throw new Error("not read");
      return result.reading;
    };
    const answered = await read();
    expect(answered.circuit.ok).toBe(true);
    expect(answered.ref.id).toBe(idOf("er-prod"));
    estate.addFault({
      match: { operation: "getCircuit", circuit: "ER-Prod" },
      behaviour: { kind: "status", status: 500 },
    });
    const failed = await read();
    expect(failed.circuit.ok).toBe(false);
    expect(failed.ref.id).toBe(idOf("er-prod"));
  });
});

describe("asStored", () => {
  const memory = (storedId: string): Map<string, PlanMemory> =>
    new Map([
      [storedId.toLowerCase(), { fingerprint: null, reads: undefined, trouble: null, storedId }],
    ]);
  const target = (id: string) => ({
    id,
    name: id.split("/").pop()!,
    subscriptionId: SUB,
    resourceGroup: DEFAULT_RESOURCE_GROUP,
  });

  it.each([
    [
      "storage spells it ER-Prod, the setting er-prod",
      idOf("er-prod"),
      idOf("ER-Prod"),
      idOf("ER-Prod"),
    ],
    ["the same spelling", idOf("ER-Prod"), idOf("ER-Prod"), idOf("ER-Prod")],
    ["another circuit", idOf("er-dr"), idOf("ER-Prod"), idOf("er-dr")],
  ])("%s", (_, given, stored, expected) => {
    expect(asStored(target(given), memory(stored)).id).toBe(expected);
  });

  it("a circuit storage has never seen keeps its spelling", () => {
    expect(asStored(target(idOf("er-new")), new Map()).id).toBe(idOf("er-new"));
  });
});

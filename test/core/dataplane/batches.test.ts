import { describe, expect, it } from "vitest";
import { planMetricBatches } from "../../../src/core/dataplane/batches.js";

const circuit = (sub: string, region: string, n: number) => ({
  id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/c${n}`,
  subscriptionId: sub,
  region,
});

describe("metrics batches: one call per (subscription, region) group of at most 50", () => {
  it.each([
    {
      name: "one group",
      circuits: [circuit("a", "westeurope", 1), circuit("a", "West Europe", 2)],
      sizes: [2],
    },
    {
      name: "two subscriptions, two regions",
      circuits: [
        circuit("a", "westeurope", 1),
        circuit("b", "westeurope", 2),
        circuit("a", "eastus", 3),
      ],
      sizes: [1, 1, 1],
    },
    {
      name: "120 circuits in one region: chunked 50 + 50 + 20",
      circuits: Array.from({ length: 120 }, (_, i) => circuit("a", "westeurope", i)),
      sizes: [50, 50, 20],
    },
    {
      name: "a circuit named twice is read once",
      circuits: [circuit("a", "westeurope", 1), circuit("a", "westeurope", 1)],
      sizes: [1],
    },
  ])("$name", ({ circuits, sizes }) => {
    const plan = planMetricBatches(circuits);
    expect(plan.map((b) => b.ids.length)).toEqual(sizes);
    for (const b of plan) expect(b.region).toMatch(/^[a-z0-9]+$/);
  });
});

// What the plan remembers when storage cannot list it: each circuit's snapshot
// and alerts from its own partition (sweep-plan.ts memoryByPartition), with a
// failure budget, so storage failing everywhere does not cost one deadline per
// circuit before the sweep starts reading.

import { describe, expect, it } from "vitest";
import type { CircuitTarget } from "../../src/app/ports.js";
import { memoryByPartition } from "../../src/app/sweep-plan.js";
import type { StateStore } from "../../src/app/state-store.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Snapshot } from "../../src/core/snapshot.js";

const target = (name: string): CircuitTarget => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
  subscriptionId: "s",
  resourceGroup: "rg",
  name,
});

const snapshotOf = (t: CircuitTarget): Snapshot => ({
  circuitId: t.id,
  circuitName: t.name,
  takenAt: "2026-11-22T01:00:00.000Z",
  providerState: "Provisioned",
  providerWasProvisioned: true,
  peerings: {},
});

const storageDown = () => Object.assign(new Error("503"), { name: "StateStoreError" });

/** Each circuit's partition: its snapshot, an open alert for `troubled`, and failing for `failing`. */
function partitions(options: {
  troubled?: string[];
  failing?: (name: string) => boolean;
  /** Reading the snapshot hits a bug, not storage. */
  buggy?: (name: string) => boolean;
}) {
  const calls: string[] = [];
  const nameOf = (id: string) => id.split("/").pop()!;
  const store = {
    getSnapshot: async (id: string) => {
      calls.push(`snapshot ${nameOf(id)}`);
      if (options.buggy?.(nameOf(id))) throw new TypeError("x is undefined");
      if (options.failing?.(nameOf(id))) throw storageDown();
      return { value: snapshotOf(target(nameOf(id))), etag: "e" };
    },
    listAlerts: async (id?: string) => {
      if (id === undefined) throw new Error("a listing across the table was asked for");
      calls.push(`alerts ${nameOf(id)}`);
      if (options.failing?.(nameOf(id))) throw storageDown();
      return (options.troubled ?? []).includes(nameOf(id))
        ? [
            {
              value: { circuitId: id, family: "path-down", phase: "firing" } as AlertState,
              etag: "e",
            },
          ]
        : [];
    },
  } as unknown as StateStore;
  return { store, calls };
}

describe("memoryByPartition", () => {
  it("reads each circuit's own rows: its age and its trouble are known, one that fails is unknown", async () => {
    const targets = ["er-a", "er-b", "er-c"].map(target);
    const { store } = partitions({ troubled: ["er-b"], failing: (n) => n === "er-c" });
    const { memory, unknown } = await memoryByPartition(store, targets);
    expect([...unknown]).toEqual([targets[2]!.id.toLowerCase()]);
    expect(memory.get(targets[0]!.id.toLowerCase())?.trouble).toBeNull();
    expect(memory.get(targets[1]!.id.toLowerCase())?.trouble).toBe("alert path-down is firing");
    expect(memory.has(targets[2]!.id.toLowerCase())).toBe(false);
  });

  it("a bug reading one circuit's rows: that circuit is unknown and named, not counted as storage failing, and the others are read", async () => {
    const targets = Array.from({ length: 40 }, (_, i) => target(`er-${i}`));
    const { store } = partitions({ buggy: (n) => n === "er-3", failing: (n) => n === "er-7" });
    const { memory, unknown, bugs } = await memoryByPartition(store, targets);
    expect([...unknown].sort()).toEqual(
      [targets[3]!.id, targets[7]!.id].map((id) => id.toLowerCase()).sort(),
    );
    expect(bugs.map((b) => [b.circuitId, String(b.error)])).toEqual([
      [targets[3]!.id, "TypeError: x is undefined"],
    ]);
    expect(memory.size).toBe(38);
  });

  it("bugs do not spend the storage failure budget: every circuit is still asked", async () => {
    const targets = Array.from({ length: 40 }, (_, i) => target(`er-${i}`));
    const { store, calls } = partitions({ buggy: () => true });
    const { unknown, bugs } = await memoryByPartition(store, targets);
    expect(unknown.size).toBe(40);
    expect(bugs).toHaveLength(40);
    expect(new Set(calls.map((c) => c.split(" ")[1])).size).toBe(40);
  });

  it("says where the snapshots it read were last read, each place once, whatever the case", async () => {
    const targets = ["er-a", "er-b", "er-c", "er-d"].map(target);
    const at: Record<string, Partial<Snapshot>> = {
      "er-a": { provider: "Equinix", peeringLocation: "Amsterdam" },
      "er-b": { provider: "equinix ", peeringLocation: "AMSTERDAM" },
      "er-c": { provider: "Colt", peeringLocation: "London" },
      // Never read to its place (its first reads failed): at none.
      "er-d": { provider: "Colt" },
    };
    const { store } = partitions({ failing: (n) => n === "er-c" });
    const placed = {
      ...store,
      getSnapshot: async (id: string) => {
        const name = id.split("/").pop()!;
        if (name === "er-c") throw storageDown();
        return { value: { ...snapshotOf(target(name)), ...at[name] }, etag: "e" };
      },
    } as StateStore;
    const { places } = await memoryByPartition(placed, targets);
    expect(places).toEqual([{ provider: "Equinix", location: "Amsterdam" }]);
  });

  it("storage failing everywhere: stops asking once as many circuits failed as are read at once", async () => {
    const targets = Array.from({ length: 100 }, (_, i) => target(`er-${i}`));
    const { store, calls } = partitions({ failing: () => true });
    const { memory, unknown } = await memoryByPartition(store, targets);
    expect(memory.size).toBe(0);
    expect(unknown.size).toBe(100);
    // 16 at once: the first 16 fail, and those started before a failure was counted; not all 100.
    const asked = new Set(calls.map((c) => c.split(" ")[1]));
    expect(asked.size).toBeGreaterThanOrEqual(16);
    expect(asked.size).toBeLessThan(32);
  });
});

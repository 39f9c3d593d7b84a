import { expect, it } from "vitest";
import { listingSnapshotsOnce, type StateStore } from "../../src/app/state-store.js";
import type { Snapshot } from "../../src/core/snapshot.js";

class CountingStore {
  listed = 0;
  private readonly rows = [{ circuitId: "a" }] as Snapshot[];
  listSnapshots(): Promise<Snapshot[]> {
    this.listed += 1;
    return Promise.resolve(this.rows);
  }
  // Reads its own state through `this`, as the Table store does.
  getSnapshot(id: string) {
    return Promise.resolve(this.rows.find((r) => r.circuitId === id) ?? null);
  }
}

it("lists the snapshots once for the whole run, and every other call reaches the store as itself", async () => {
  const store = new CountingStore();
  const once = listingSnapshotsOnce(store as unknown as StateStore);
  const [first, second] = await Promise.all([once.listSnapshots(), once.listSnapshots()]);
  expect(await once.listSnapshots()).toBe(first);
  expect(second).toBe(first);
  expect(store.listed).toBe(1);
  expect(await once.getSnapshot("a")).toEqual({ circuitId: "a" });
});

it("a listing that failed fails for each reader, and is not tried again in the run", async () => {
  let calls = 0;
  const store = {
    listSnapshots: () => {
      calls += 1;
      return Promise.reject(new Error("table hung"));
    },
  } as unknown as StateStore;
  const once = listingSnapshotsOnce(store);
  await expect(once.listSnapshots()).rejects.toThrow("table hung");
  await expect(once.listSnapshots()).rejects.toThrow("table hung");
  expect(calls).toBe(1);
});

it("the run's own snapshots are in its listing as written, whether it was listed before or after they were", async () => {
  const rows = [
    { circuitId: "A", takenAt: "01:00" },
    { circuitId: "b", takenAt: "01:00" },
  ];
  let calls = 0;
  const store = {
    listSnapshots: () => {
      calls += 1;
      return Promise.resolve(rows.map((r) => ({ ...r })));
    },
    putSnapshot: (snapshot: Snapshot) =>
      snapshot.circuitId === "refused" ? Promise.reject(new Error("busy")) : Promise.resolve(),
  } as unknown as StateStore;
  const once = listingSnapshotsOnce(store);
  const before = await once.listSnapshots();
  await once.putSnapshot({ circuitId: "a", takenAt: "01:05" } as Snapshot, "etag");
  await once.putSnapshot({ circuitId: "c", takenAt: "01:05" } as Snapshot, null);
  await expect(
    once.putSnapshot({ circuitId: "refused", takenAt: "01:05" } as Snapshot, null),
  ).rejects.toThrow("busy");
  const byId = (list: Snapshot[]) =>
    list.map((s) => [s.circuitId, s.takenAt]).sort(([x], [y]) => x!.localeCompare(y!));
  expect(byId(before)).toEqual([
    ["A", "01:00"],
    ["b", "01:00"],
  ]);
  // One circuit, whatever the case of its id; a write that failed is not the run's.
  expect(byId(await once.listSnapshots())).toEqual([
    ["a", "01:05"],
    ["b", "01:00"],
    ["c", "01:05"],
  ]);
  expect(calls).toBe(1);
});

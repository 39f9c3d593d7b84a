import { describe, expect, it } from "vitest";
import { SweepCoordinator } from "../../src/app/sweep-coordinator.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SweepCoordinator", () => {
  it("should let a request join a running full sweep and share its result", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    let starts = 0;
    const first = c.run({ circuitIds: null }, () => (starts++, d.promise));
    const second = c.run(
      { circuitIds: ["/subscriptions/x/a"] },
      () => (starts++, Promise.resolve("other")),
    );
    expect(second.joined).toBe(true);
    d.resolve("full");
    expect(await first.result).toBe("full");
    expect(await second.result).toBe("full");
    expect(starts).toBe(1);
  });

  it("should queue a request the running sweep does not cover, never running two at once", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    let active = 0;
    let maxActive = 0;
    const wrap = (p: Promise<string>) => () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      return p.finally(() => (active -= 1));
    };
    const one = c.run({ circuitIds: ["/a"] }, wrap(d.promise));
    const two = c.run({ circuitIds: null }, wrap(Promise.resolve("full")));
    expect(two.joined).toBe(false);
    d.resolve("a");
    expect([await one.result, await two.result]).toEqual(["a", "full"]);
    expect(maxActive).toBe(1);
    expect(c.running).toBe(false);
  });

  it("should share a failure with whoever joined and recover for the next sweep", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    const one = c.run({ circuitIds: null }, () => d.promise);
    const joined = c.run({ circuitIds: null }, () => Promise.resolve("never"));
    d.reject(new Error("ARM down"));
    await expect(one.result).rejects.toThrow("ARM down");
    await expect(joined.result).rejects.toThrow("ARM down");
    expect(await c.run({ circuitIds: null }, () => Promise.resolve("ok")).result).toBe("ok");
  });
});

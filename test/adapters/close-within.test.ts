// The bound every Service Bus close shares (the sweep's sender, the dispatcher's connection).

import { afterEach, describe, expect, it, vi } from "vitest";
import { closeWithin } from "../../src/adapters/servicebus/close-within.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("closeWithin", () => {
  it("a close that never settles is given up after its bound, not before", async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = closeWithin(new Promise<void>(() => {}), 5_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it("a close that ends in time ends it, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await closeWithin(Promise.resolve(), 5_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a close that fails in time fails it", async () => {
    await expect(closeWithin(Promise.reject(new Error("link detached")), 5_000)).rejects.toThrow(
      "link detached",
    );
  });

  it("a close that fails after the bound is no unhandled rejection", async () => {
    vi.useFakeTimers();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let fail = (_: Error) => {};
      const closing = new Promise<void>((_, reject) => (fail = reject));
      const waiting = closeWithin(closing, 1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      await waiting;
      fail(new Error("connection reset"));
      vi.useRealTimers();
      // Node reports an unhandled rejection after the microtask queue drains.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

// A Monitor call that Azure throttles with a Retry-After longer than the SDK
// waits (retry-after.ts) waits it out with its slot given back: the other
// Monitor calls go on meanwhile. On an injected clock: nothing really waits.

import { describe, expect, it } from "vitest";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import { createMonitorCall } from "../../src/adapters/monitor/call.js";
import { ASKED_HEADER } from "../../src/adapters/monitor/retry-after.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");

/** A 429 as the SDK throws it once the policy kept its Retry-After (`ms`) from the SDK's own wait. */
const throttled = (ms: number) =>
  Object.assign(new Error("Too Many Requests"), {
    name: "RestError",
    statusCode: 429,
    response: {
      headers: { get: (name: string) => (name === ASKED_HEADER ? String(ms) : undefined) },
    },
  });

/** A clock whose waits end when the test says. */
function heldTime() {
  let at = 0;
  const held: { ms: number; end: () => void }[] = [];
  const time: Timekeeper = {
    now: () => at,
    after(ms, fn) {
      held.push({
        ms,
        end: () => {
          at += ms;
          fn();
        },
      });
      return () => {};
    },
  };
  return { time, held };
}

const spec = <T>(target: string, run: () => Promise<T>) => ({
  action: "Microsoft.OperationalInsights/workspaces/query/read",
  target,
  signal: new AbortController().signal,
  run,
});

describe("a Monitor call asked to wait longer than the SDK waits", () => {
  it("waits within its deadline with its slot given back, then asks again", async () => {
    const { time, held } = heldTime();
    // One slot: a call holding it through the wait would stop the other.
    const call = createMonitorCall({ concurrency: 1, timeoutMs: 30_000 }, () => NOW, time);
    let asked = 0;
    const first = call(
      spec("Connection Monitor results", async () => {
        asked += 1;
        if (asked === 1) throw throttled(20_000);
        return "answered";
      }),
    );
    const second = call(spec("another workspace", async () => "also answered"));
    // Before: the first failed at once as throttled, unwaited.
    expect(await second).toMatchObject({ ok: true, value: "also answered" });
    expect(held.map((h) => h.ms)).toEqual([20_000]);
    expect(asked).toBe(1);
    held[0]!.end();
    expect(await first).toMatchObject({ ok: true, value: "answered" });
    expect(asked).toBe(2);
  });

  it("past what is left of its deadline, fails at once as throttled", async () => {
    const { time, held } = heldTime();
    const call = createMonitorCall({ concurrency: 1, timeoutMs: 30_000 }, () => NOW, time);
    let asked = 0;
    const got = await call(
      spec("Connection Monitor results", async () => {
        asked += 1;
        throw throttled(45_000);
      }),
    );
    expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    expect(held).toEqual([]);
    expect(asked).toBe(1);
  });

  it("asked again and throttled for longer than is left, fails then: the deadline runs from its first turn", async () => {
    const { time, held } = heldTime();
    const call = createMonitorCall({ concurrency: 1, timeoutMs: 30_000 }, () => NOW, time);
    let asked = 0;
    const got = call(
      spec("Connection Monitor results", async () => {
        asked += 1;
        throw throttled(20_000);
      }),
    );
    await expect.poll(() => held.length).toBe(1);
    held[0]!.end();
    expect(await got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    // 20 s waited of 30: the second 20 s would end past the deadline.
    expect(asked).toBe(2);
    expect(held).toHaveLength(1);
  });
});

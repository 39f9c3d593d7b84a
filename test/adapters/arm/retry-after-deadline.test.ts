// An ARM read answered 429 with a Retry-After longer than the read's
// ARM_TIMEOUT_MS fails at once as throttled, naming the wait. Before, the SDK's
// own throttling retry slept any Retry-After inside the read, uncapped
// (maxRetryDelayInMs is not applied to it), a date counted from the wall
// clock: a 429 asking 120 s held the read to its deadline and was told as
// "no answer within the deadline" (a timeout, not throttled). A date 120 s
// ahead of the sweep's clock on the demo's simulated time was waited as the
// wall clock's distance to it: none for a date behind the wall clock, nor for
// one months ahead (past 2^31 ms Node's timer fires at once), the read asked
// again at once and then held behind its own subscription's pause until the
// sweep gave up. A short one still is waited, and the read asked again.
// Through the REAL SDK against the loopback estate; the deadline is short
// (5 s), and the assertions are on kinds and on what the estate was asked.

import { describe, expect, it, vi } from "vitest";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
} from "../../support/estate/index.js";
import { armContextOn, readCircuitVia } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";
import { manualTime, type ManualTime } from "../../support/manual-time.js";

const startEstate = estatePerTest();

const TIMEOUT_MS = 5_000;
const WALL = Date.now();
/** The sweep's clock on simulated time, behind the wall clock and ahead of it. */
const BEHIND = WALL - 30 * 86_400_000;
const AHEAD = WALL + 90 * 86_400_000;

/**
 * `readTime`: the clock the read's deadline and the wait it takes run on;
 * the budget's too, so the subscription's pause ends with that wait.
 */
async function startReading(
  sweepAt: number,
  retryAfter: { seconds: number } | { date: number },
  budgetTime?: ManualTime,
  answer: { status: number; rawBody?: string } = { status: 429 },
  readTime?: ManualTime,
) {
  const estate = await startEstate(estateOf(healthyCircuit({ name: "er-0" })));
  const ctx = armContextOn(
    estate,
    { ERWATCH_SUBSCRIPTIONS: SUB, ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: String(TIMEOUT_MS) },
    {
      now: () => new Date(sweepAt),
      ...(budgetTime ? { budgetTime } : {}),
      ...(readTime ? { readTime, budgetTime: readTime } : {}),
    },
  );
  estate.addFault({
    match: { operation: "getCircuit", circuit: "er-0" },
    behaviour: {
      kind: "status",
      ...answer,
      ...("seconds" in retryAfter
        ? { retryAfterSeconds: retryAfter.seconds }
        : { retryAfter: new Date(retryAfter.date).toUTCString() }),
    },
    times: 1,
  });
  // Bounded: a read the old code slept for 120 s ends at its 5 s deadline.
  const reading = readCircuitVia(ctx, "er-0", AbortSignal.timeout(20_000));
  const asked = () => estate.requests.filter((r) => r.operation === "getCircuit");
  return { reading, asked, reads: ctx.pacer.budget(SUB).reads };
}

async function readCircuitOnce(...args: Parameters<typeof startReading>) {
  const { reading, asked, reads } = await startReading(...args);
  return { reading: await reading, asked: asked(), reads };
}

describe("an ARM 429 whose Retry-After ends past the read's deadline", () => {
  it.each([
    ["120 seconds", WALL, { seconds: 120 }],
    [
      "a date 120 s ahead of the sweep's clock, behind the wall clock",
      BEHIND,
      { date: BEHIND + 120_000 },
    ],
    [
      "a date 120 s ahead of the sweep's clock, ahead of the wall clock",
      AHEAD,
      { date: AHEAD + 120_000 },
    ],
  ] as const)(
    "(%s) fails the read at once as throttled, naming the wait",
    async (_what, sweepAt, retryAfter) => {
      // The budget's clock by hand: the pause is what ARM asked, not a second.
      const budgetTime = manualTime(WALL);
      const { reading, asked, reads } = await readCircuitOnce(sweepAt, retryAfter, budgetTime);
      expect(reading.ok).toBe(false);
      if (reading.ok) return;
      expect(reading.error.kind).toBe("throttled");
      expect(reading.error.statusCode).toBe(429);
      expect(reading.error.message).toMatch(/asked to wait 120 s, past the read's deadline/);
      // Not asked again: the wait would have outlasted the read.
      expect(asked.map((r) => r.status)).toEqual([429]);
      // The subscription's other reads still wait what ARM asked (a date to the second).
      budgetTime.advance(119_000);
      expect(reads.paused).toBe(true);
      budgetTime.advance(1_001);
      expect(reads.paused).toBe(false);
    },
  );
});

describe("an ARM 429 whose Retry-After ends within the read's deadline", () => {
  it("(2 seconds) is waited on the read's clock, and the read asked again reads the circuit", async () => {
    const readTime = manualTime(WALL);
    const started = await startReading(WALL, { seconds: 2 }, undefined, { status: 429 }, readTime);
    // The read's deadline and the wait it took, both on its clock. Before, the
    // SDK slept the wait on its own real timer, whatever clock the read ran on.
    await vi.waitFor(() => expect(readTime.pending()).toBe(2), { timeout: 5_000 });
    readTime.advance(1_999);
    expect(started.asked().map((r) => r.status)).toEqual([429]);
    // The wait, and a second's tokens after the subscription's pause.
    readTime.advance(1_001);
    const reading = await started.reading;
    expect(reading.ok).toBe(true);
    expect(started.asked().map((r) => r.status)).toEqual([429, 200]);
  });
});

describe("an ARM 503 whose Retry-After ends past the read's deadline", () => {
  // A 503 is Azure unavailable, not erwatch over its budget: told as the
  // server error it is, its next action "Azure failed; tried again next
  // sweep", not "lower ARM_CONCURRENCY". The blind opens on the same count either way.
  it.each([
    ["ARM's JSON error", undefined],
    ["a gateway's HTML page", "<html><body><h1>503 Service Unavailable</h1></body></html>"],
  ] as const)(
    "(%s) fails the read at once as a server error, naming the wait once",
    async (_what, rawBody) => {
      const answer = { status: 503, ...(rawBody !== undefined ? { rawBody } : {}) };
      const { reading, asked } = await readCircuitOnce(
        WALL,
        { seconds: 120 },
        manualTime(WALL),
        answer,
      );
      expect(reading.ok).toBe(false);
      if (reading.ok) return;
      expect(reading.error.kind).toBe("server-error");
      expect(reading.error.statusCode).toBe(503);
      // Before, a body not JSON named it twice: "… asked to retry after 120000 ms (asked to wait 120 s, …)".
      expect(reading.error.message.match(/120 ?s|120000/g)).toEqual(["120 s"]);
      expect(reading.error.message).toMatch(/asked to wait 120 s, past the read's deadline/);
      expect(asked.map((r) => r.status)).toEqual([503]);
    },
  );
});

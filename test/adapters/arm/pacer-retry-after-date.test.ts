// ARM's Retry-After given as an HTTP date is a wait from the sweep's clock,
// as the Azure Monitor and Log Analytics calls count theirs. The pacer
// counted it from its budget's clock (real time unless a bench compresses
// it): a sweep on an injected clock far from wall time (the demo's simulated
// time) was told the budget clock's distance to the date, none for a date
// behind it (the throttled subscription asked again at once) and the 5-minute
// cap for one ahead (every read of the subscription held for five minutes).
// The reader's ARM context as the runtime builds it, its pacing policy given
// ARM's answers directly.

import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { withReadContext, type ReadContext } from "../../../src/adapters/arm/pacer.js";
import { createArmContext } from "../../../src/adapters/arm/reader.js";
import { loadReadConfig } from "../../../src/runtime/config.js";
import { staticCredential } from "../../support/estate-access.js";
import { manualTime } from "../../support/manual-time.js";

const SUB = "00000000-0000-0000-0000-000000000001";
/** The budget's clock: the wall clock's, as in the demo. */
const WALL = Date.parse("2026-12-06T06:00:00.000Z");
const ASKED_MS = 20_000;

function contextOn(sweepAt: number) {
  const time = manualTime(WALL);
  const config = loadReadConfig(
    { ERWATCH_SUBSCRIPTIONS: SUB, ARM_ENDPOINT: "https://127.0.0.1:1" },
    { scope: true },
  );
  const ctx = createArmContext({
    credential: staticCredential,
    config: config.arm,
    now: () => new Date(sweepAt),
    budgetTime: time,
  });
  const policy = ctx.pacer.policy(SUB);
  const request = createPipelineRequest({
    url: `https://127.0.0.1:1/subscriptions/${SUB}/providers/Microsoft.Network/expressRouteCircuits`,
    method: "GET",
  });
  /** ARM's answer to one request, its Retry-After the date ASKED_MS after the sweep's instant. */
  const answer = (status: number) =>
    policy.sendRequest(request, async (): Promise<PipelineResponse> => ({
      request,
      status,
      headers: createHttpHeaders({ "retry-after": new Date(sweepAt + ASKED_MS).toUTCString() }),
    }));
  return { time, reads: ctx.pacer.budget(SUB).reads, answer };
}

// The sweep's clock behind the wall clock (the tests' and demo's dates), and ahead of it.
const SWEEPS = [
  ["behind", Date.parse("2026-11-22T01:00:00.000Z")],
  ["ahead", Date.parse("2027-03-01T09:00:00.000Z")],
] as const;

describe("an ARM Retry-After given as an HTTP date, the sweep's clock far from the budget's", () => {
  it.each(SWEEPS)(
    "(%s) a 429 pauses the subscription's reads for the wait asked from the sweep's instant",
    async (_where, sweepAt) => {
      const { time, reads, answer } = contextOn(sweepAt);
      await answer(429);
      expect(reads.paused).toBe(true);
      time.advance(ASKED_MS - 1);
      expect(reads.paused).toBe(true);
      time.advance(1);
      expect(reads.paused).toBe(false);
    },
  );

  it.each(SWEEPS)(
    "(%s) a long-running read's answer tells its poll the wait asked from the sweep's instant",
    async (_where, sweepAt) => {
      const { answer } = contextOn(sweepAt);
      const read: ReadContext = { queueing: () => {}, retryAfterMs: null, leftMs: () => 30_000 };
      await withReadContext(read, () => answer(202));
      expect(read.retryAfterMs).toBe(ASKED_MS);
    },
  );
});

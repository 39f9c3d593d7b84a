// A read queued behind its subscription's pause (a 429's Retry-After, up to 5
// minutes) runs its ARM_TIMEOUT_MS deadline while it waits: one the pause
// would outlast fails at once as throttled, saying until when, and is not
// sent. Before, the pause was waited as a turn in the budget with the deadline
// stopped: a read sat behind it for as long as it lasted, and the sweep with
// it. Through the REAL SDK against the loopback estate; the pause runs on the
// budget's clock driven by hand, and the sweep's clock moves with it.

import { describe, expect, it, vi } from "vitest";
import type { ArmContext } from "../../../src/adapters/arm/context.js";
import type { Reading } from "../../../src/core/model.js";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
  type SimulatedEstate,
} from "../../support/estate/index.js";
import { armContextOn, readCircuitVia } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";
import { manualTime } from "../../support/manual-time.js";

const OTHER_SUB = "00000000-0000-0000-0000-000000000002";
const WALL = Date.now();
/** The sweep's clock: 02:10 UTC when the test starts, moving as the budget's clock is moved. */
const SWEEP_AT = Date.parse("2026-12-06T02:10:00.000Z");
/** Past every wait here: a read the old code held behind the pause ends at the sweep's abort. */
const SWEEP_GIVES_UP_MS = 3_000;

const startEstate = estatePerTest();

async function world(env: Record<string, string> = {}) {
  const estate = await startEstate(
    estateOf(
      healthyCircuit({ name: "er-0" }),
      healthyCircuit({ name: "er-1" }),
      healthyCircuit({ name: "er-2", subscriptionId: OTHER_SUB }),
    ),
  );
  const budgetTime = manualTime(WALL);
  const ctx = armContextOn(
    estate,
    {
      ERWATCH_SUBSCRIPTIONS: `${SUB},${OTHER_SUB}`,
      ARM_MAX_RETRIES: "0",
      ARM_TIMEOUT_MS: "5000",
      ...env,
    },
    { now: () => new Date(SWEEP_AT + (budgetTime.now() - WALL)), budgetTime },
  );
  return { estate, ctx, budgetTime, reads: ctx.pacer.budget(SUB).reads };
}

function readCircuit(ctx: ArmContext, name: string, subscription = SUB): Promise<Reading<unknown>> {
  return readCircuitVia(ctx, name, AbortSignal.timeout(SWEEP_GIVES_UP_MS), subscription);
}

/** er-0 answered 429, its Retry-After pausing the subscription's reads. */
async function throttle(estate: SimulatedEstate, ctx: ArmContext, seconds: number) {
  estate.addFault({
    match: { operation: "getCircuit", circuit: "er-0" },
    behaviour: { kind: "status", status: 429, retryAfterSeconds: seconds },
    times: 1,
  });
  const got = await readCircuit(ctx, "er-0");
  expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
}

const askedFor = (estate: SimulatedEstate, name: string) =>
  estate.requests.filter((r) => r.operation === "getCircuit" && r.circuit === name);

const PAUSED_TO_0212 =
  "subscription paused by ARM's Retry-After until 02:12:00 UTC, past the read's deadline: not waited";

describe("a read behind its subscription's pause", () => {
  it("fails at once as throttled when the pause outlasts its deadline, naming until when, and is not sent; another subscription's read is not held", async () => {
    const { estate, ctx, budgetTime } = await world();
    await throttle(estate, ctx, 120);
    const started = Date.now();
    const behind = await readCircuit(ctx, "er-1");
    expect(behind).toMatchObject({
      ok: false,
      error: { kind: "throttled", message: PAUSED_TO_0212 },
    });
    // At once: not at its own deadline (5 s), nor the sweep's (3 s).
    expect(Date.now() - started).toBeLessThan(SWEEP_GIVES_UP_MS);
    expect(askedFor(estate, "er-1")).toEqual([]);
    expect(await readCircuit(ctx, "er-2", OTHER_SUB)).toMatchObject({ ok: true });
    // Once the pause has passed (and a second's tokens come back), the subscription is read again.
    budgetTime.advance(121_000);
    const after = await readCircuit(ctx, "er-1");
    expect(after, JSON.stringify(after)).toMatchObject({ ok: true });
  });

  it("waits a pause that ends within its deadline, and is sent when it ends", async () => {
    const { estate, ctx, budgetTime } = await world();
    await throttle(estate, ctx, 2);
    const behind = readCircuit(ctx, "er-1");
    await vi.waitFor(() => expect(budgetTime.pending()).toBe(1), { timeout: 2_000 });
    expect(askedFor(estate, "er-1")).toEqual([]);
    // The pause, and a second's tokens after it.
    budgetTime.advance(3_000);
    const got = await behind;
    expect(got, JSON.stringify(got)).toMatchObject({ ok: true });
    expect(askedFor(estate, "er-1")).toHaveLength(1);
  });

  it("lengthened past its deadline while it waits: fails when the pause it waited ends, not at the longer one's end", async () => {
    const { estate, ctx, budgetTime, reads } = await world();
    await throttle(estate, ctx, 2);
    const behind = readCircuit(ctx, "er-1");
    await vi.waitFor(() => expect(budgetTime.pending()).toBe(1), { timeout: 2_000 });
    // Another of the subscription's reads answered 429 meanwhile, asking two minutes.
    reads.pauseFor(120_000);
    budgetTime.advance(2_000);
    expect(await behind).toMatchObject({
      ok: false,
      error: { kind: "throttled", message: PAUSED_TO_0212 },
    });
    expect(askedFor(estate, "er-1")).toEqual([]);
  });

  it("paused while it waits for a token, past its deadline: fails at once instead of waiting the pause with its deadline stopped", async () => {
    // One token, refilled once a second on the budget's clock (held still).
    const { estate, ctx, budgetTime, reads } = await world({
      ARM_READ_BURST: "2",
      ARM_READS_PER_SECOND: "1",
    });
    expect(await readCircuit(ctx, "er-0")).toMatchObject({ ok: true });
    const behind = readCircuit(ctx, "er-1");
    await vi.waitFor(() => expect(reads.waiting).toBe(1), { timeout: 2_000 });
    reads.pauseFor(120_000);
    expect(await behind).toMatchObject({
      ok: false,
      error: { kind: "throttled", message: PAUSED_TO_0212 },
    });
    expect(askedFor(estate, "er-1")).toEqual([]);
    // The pause, then two seconds' refill for the one token held back in reserve.
    budgetTime.advance(122_000);
    const after = await readCircuit(ctx, "er-1");
    expect(after, JSON.stringify(after)).toMatchObject({ ok: true });
  });
});

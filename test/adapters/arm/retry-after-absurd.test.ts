// Found by a review: one 429 whose Retry-After is absurd (99,999,999 seconds,
// about three years; the same with an HTTP date in the year 9999) paused the
// subscription's client-side budget for that long. It is now obeyed for at
// most MAX_RETRY_AFTER_MS (5 minutes). Before, the pause lived in the
// process-wide Pacer (adapters/arm/pacer.ts observe → TokenBucket.pauseFor,
// no upper bound; retryAfterMs takes any number or date), so every later read
// of every circuit in that subscription, in that sweep and every later sweep
// of the warm Functions instance, waited for a token until its sweep aborted:
// all circuits of the subscription went blind until the process restarted. (And
// while paused, TokenBucket.schedule asked realTime.after for more than
// setTimeout's 2^31-1 ms, which Node turns into 1 ms: a busy wake-up loop.)
// Through the REAL SDK against the simulated estate; the budget's clock is
// injected (ArmReaderDeps.budgetTime) and moved on by an hour between the two
// passes, far beyond any Retry-After ARM's throttling actually asks for.

import { describe, expect, it } from "vitest";
import type { Timekeeper } from "../../../src/adapters/arm/token-bucket.js";
import { createReadSession, type CircuitReader } from "../../../src/app/ports.js";
import type { CircuitReading } from "../../../src/core/model.js";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
} from "../../support/estate/index.js";
import { armReaderOn } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";

const startEstate = estatePerTest();

/** Real time plus an offset the test moves; wake-ups are real and short (the bucket re-checks on each). */
function movableTime() {
  let offset = 0;
  const time: Timekeeper = {
    now: () => Date.now() + offset,
    after(ms, fn) {
      const timer = setTimeout(fn, Math.max(1, Math.min(ms, 50)));
      timer.unref?.();
      return () => clearTimeout(timer);
    },
  };
  return { time, advance: (ms: number) => (offset += ms) };
}

async function readAll(reader: CircuitReader, withinMs: number) {
  const signal = AbortSignal.timeout(withinMs);
  const { targets, failures } = await reader.discover(
    { subscriptions: [SUB], circuitIds: [] },
    { abortSignal: signal },
  );
  const session = createReadSession();
  const results = await Promise.all(
    targets.map((t) => reader.read(t, { abortSignal: signal, session })),
  );
  const readings = results
    .map((r) => (r.kind === "read" ? r.reading : null))
    .filter((r): r is CircuitReading => r !== null);
  return { targets, discoveryFailures: failures, readings };
}

const failedReads = (readings: CircuitReading[]) =>
  readings.flatMap((r) => [
    ...(r.circuit.ok ? [] : [r.circuit.error]),
    ...(r.gateway.ok ? [] : [r.gateway.error]),
    ...Object.values(r.paths).flatMap((p) =>
      Object.values(p).flatMap((path) =>
        [path.arp, path.summary].flatMap((x) => (x.ok ? [] : [x.error])),
      ),
    ),
  ]);

describe("a 429 whose Retry-After is absurd", () => {
  it.each([["99999999 seconds", { retryAfterSeconds: 99_999_999 }]])(
    "(%s) does not pause the subscription's reads for years: an hour later every circuit reads",
    async (_what, override) => {
      const estate = await startEstate(
        estateOf(healthyCircuit({ name: "er-0" }), healthyCircuit({ name: "er-1" })),
      );
      const clock = movableTime();
      const reader = armReaderOn(
        estate,
        { ERWATCH_SUBSCRIPTIONS: SUB },
        { budgetTime: clock.time },
      );
      // One GET of er-0's gateway connection is throttled with the absurd Retry-After.
      estate.addFault({
        match: { operation: "getConnection", circuit: "er-0" },
        behaviour: { kind: "status", status: 429, ...override },
        times: 1,
      });
      const first = await readAll(reader, 10_000);
      expect(first.targets).toHaveLength(2);
      expect(estate.requests.filter((r) => r.status === 429)).toHaveLength(1);

      // An hour on (by the budget's clock), the next sweep of the same process.
      clock.advance(3_600_000);
      const second = await readAll(reader, 8_000);
      expect(second.discoveryFailures).toEqual([]);
      expect(second.targets).toHaveLength(2);
      expect(failedReads(second.readings)).toEqual([]);
    },
  );
});

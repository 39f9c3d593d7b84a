// A read the sweep's deadline stops (its signal built with AbortSignal.timeout)
// fails as a timeout, not as a network fault. One stopped on the wire threw
// the SDK's AbortError and was told so; one stopped while it waited for its
// turn under the subscription's budget threw the signal's own reason, a
// TimeoutError, and was told "network: The operation was aborted due to
// timeout", sending the on-call after a network fault that was not there.
// Through the REAL SDK against the loopback estate: a budget of one read that
// never refills (its clock is the test's), both reads hung if sent, so one
// holds the token and the other waits for its turn, and a sweep window of 150 ms.

import { describe, expect, it } from "vitest";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
} from "../../support/estate/index.js";
import { armContextOn, readCircuitVia } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";
import { manualTime } from "../../support/manual-time.js";

const startEstate = estatePerTest();

const SWEEP_WINDOW_MS = 150;

describe("ARM reads stopped by the sweep's deadline", () => {
  it("are timeouts, the one hung on the wire and the one waiting for its turn", async () => {
    const estate = await startEstate(
      estateOf(healthyCircuit({ name: "er-0" }), healthyCircuit({ name: "er-1" })),
    );
    const ctx = armContextOn(
      estate,
      {
        ERWATCH_SUBSCRIPTIONS: SUB,
        // The read's own deadline is far off: only the sweep's can stop these reads.
        ARM_TIMEOUT_MS: "20000",
        ARM_READ_BURST: "1",
        ARM_READS_PER_SECOND: "1",
      },
      { budgetTime: manualTime(Date.now()) },
    );
    // Hung past the sweep's window; the estate's close ends it.
    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "slow", delayMs: 20_000 },
    });
    const sweep = AbortSignal.timeout(SWEEP_WINDOW_MS);
    const readings = await Promise.all([
      readCircuitVia(ctx, "er-0", sweep),
      readCircuitVia(ctx, "er-1", sweep),
    ]);

    // One token, never refilled: one read at most was sent, the other was
    // stopped waiting for its turn.
    const asked = estate.requests.filter((r) => r.operation === "getCircuit");
    expect(asked.length).toBeLessThanOrEqual(1);
    for (const reading of readings) {
      expect(reading.ok).toBe(false);
      if (reading.ok) continue;
      expect(reading.error.kind).toBe("timeout");
      // Not the read's own ARM_TIMEOUT_MS, nor the SDK's "The operation was
      // aborted due to timeout", which named no deadline.
      expect(reading.error.message).toBe("stopped at the sweep's deadline");
    }
  }, 10_000);
});

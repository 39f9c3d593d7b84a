// A read's own deadline (ARM_TIMEOUT_MS) and the sweep's stop it with the same
// reason, src/time.ts deadlineTimeout(): what rethrows the signal's reason (the
// pacer's wait for a turn, fetch) throws AbortSignal.timeout's TimeoutError
// either way. Which of them stopped it is said by which came first, in
// erwatch's words, never the reason's own. On a manual clock: moved, not waited for.

import { describe, expect, it } from "vitest";
import { isAbort } from "../../../src/adapters/aborted.js";
import { createArmCall, type CallSpec } from "../../../src/adapters/arm/call.js";
import { deadlineOn, deadlineTimeout } from "../../../src/time.js";
import { manualTime } from "../../support/manual-time.js";

const READ_TIMEOUT_MS = 1_000;
const NOW = () => new Date("2026-11-22T02:00:00.000Z");

/** A read that answers only its signal, rethrowing its reason as the pacer does. */
function hungRead(signal: AbortSignal, seen: { reason?: unknown }): CallSpec<never> {
  return {
    operation: "getCircuit",
    target: "circuit er-0",
    signal,
    run: (abortSignal) =>
      new Promise<never>((_, reject) =>
        abortSignal.addEventListener("abort", () => {
          seen.reason = abortSignal.reason;
          reject(abortSignal.reason as Error);
        }),
      ),
  };
}

describe("an ARM read's own deadline", () => {
  it("stops it with AbortSignal.timeout's reason, and is told as the read's deadline", async () => {
    const time = manualTime(0);
    const call = createArmCall({ timeoutMs: READ_TIMEOUT_MS }, NOW, time);
    const seen: { reason?: unknown } = {};
    const reading = call(hungRead(new AbortController().signal, seen));
    time.advance(READ_TIMEOUT_MS);
    const read = await reading;
    expect(seen.reason).toBeInstanceOf(DOMException);
    expect(seen.reason).toMatchObject({ name: "TimeoutError", message: deadlineTimeout().message });
    expect(isAbort(seen.reason)).toBe(true);
    expect(read).toMatchObject({
      ok: false,
      error: { kind: "timeout", message: "no answer within the deadline" },
    });
  });

  it("is still what stopped a read that a Ctrl-C reached after it, before the read was told", async () => {
    const time = manualTime(0);
    const call = createArmCall({ timeoutMs: READ_TIMEOUT_MS }, NOW, time);
    const stop = new AbortController();
    const reading = call(hungRead(stop.signal, {}));
    time.advance(READ_TIMEOUT_MS);
    stop.abort();
    // Was the bare reason's message ("deadline"), as if it named one.
    expect(await reading).toMatchObject({
      ok: false,
      error: { kind: "timeout", message: "no answer within the deadline" },
    });
  });

  it("leaves a read the sweep's deadline stopped first saying so", async () => {
    const time = manualTime(0);
    const call = createArmCall({ timeoutMs: READ_TIMEOUT_MS }, NOW, time);
    const sweep = deadlineOn(time, 100);
    const reading = call(hungRead(sweep.signal, {}));
    time.advance(READ_TIMEOUT_MS);
    expect(await reading).toMatchObject({
      ok: false,
      error: { kind: "timeout", message: "stopped at the sweep's deadline" },
    });
  });
});

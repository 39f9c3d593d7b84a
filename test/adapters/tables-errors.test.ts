// A Table Storage call stopped by its deadline says "no answer within", told
// by the shared abort test (src/adapters/aborted.ts) as the ARM and Monitor
// reads are: AbortSignal.timeout's TimeoutError, thrown as it is or as a
// cause, read before as "no response" and the SDK's words. A stop signal wired
// in that has not fired leaves it the deadline's, without "(or the sweep was
// stopped)": that hedge stood on every sweep's call whichever end fired. One
// that has fired says the call was stopped, which says nothing of storage.

import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { rethrowStorage } from "../../src/adapters/tables/errors.js";

const timeoutReason = () =>
  new DOMException("The operation was aborted due to timeout", "TimeoutError");

/** A stop wired in that never fires: only the deadline can have ended the call. */
const unfired = () => new AbortController().signal;

const told = (error: unknown, stops: (AbortSignal | undefined)[] = [unfired()]) => {
  try {
    rethrowStorage(error, "listing alerts", { timeoutMs: 300, stops });
  } catch (thrown) {
    return (thrown as Error).message;
  }
  throw new Error("rethrowStorage returned");
};

describe("rethrowStorage", () => {
  it.each<{ case: string; error: unknown }>([
    {
      case: "the SDK's AbortError",
      error: Object.assign(new Error("The operation was aborted."), { name: "AbortError" }),
    },
    { case: "AbortSignal.timeout's TimeoutError", error: timeoutReason() },
    {
      case: "a RestError REQUEST_SEND_ERROR caused by a TimeoutError",
      error: Object.assign(
        new RestError("The operation was aborted due to timeout", {
          code: RestError.REQUEST_SEND_ERROR,
        }),
        { cause: timeoutReason() },
      ),
    },
  ])("$case: no answer within the deadline", ({ error }) => {
    expect(told(error)).toBe("listing alerts failed: no answer within 300 ms");
  });

  it.each<{ case: string; stops: (AbortSignal | undefined)[] }>([
    { case: "the sweep's signal fired", stops: [AbortSignal.abort()] },
    {
      case: "the caller's signal fired beside the store's",
      stops: [undefined, unfired(), AbortSignal.abort()],
    },
  ])("$case: stopped, not the deadline", ({ stops }) => {
    expect(told(timeoutReason(), stops)).toBe(
      "listing alerts failed: stopped before storage answered",
    );
  });

  it("no stop wired in: the deadline", () => {
    expect(told(timeoutReason(), [])).toBe("listing alerts failed: no answer within 300 ms");
  });

  it("a reset connection is told in its own words", () => {
    const error = new RestError("read ECONNRESET", { code: RestError.REQUEST_SEND_ERROR });
    expect(told(error)).toBe(
      "listing alerts failed: no response REQUEST_SEND_ERROR read ECONNRESET",
    );
  });
});

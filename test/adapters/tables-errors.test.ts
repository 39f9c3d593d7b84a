// A Table Storage call stopped by its deadline or the sweep's signal says "no
// answer within", told by the shared abort test (src/adapters/aborted.ts) as
// the ARM and Monitor reads are: AbortSignal.timeout's TimeoutError, thrown as
// it is or as a cause, read before as "no response" and the SDK's words.

import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { rethrowStorage } from "../../src/adapters/tables/errors.js";

const timeoutReason = () =>
  new DOMException("The operation was aborted due to timeout", "TimeoutError");

const told = (error: unknown) => {
  try {
    rethrowStorage(error, "listing alerts", { timeoutMs: 300, stoppable: true });
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
    expect(told(error)).toBe(
      "listing alerts failed: no answer within 300 ms (or the sweep was stopped)",
    );
  });

  it("a reset connection is told in its own words", () => {
    const error = new RestError("read ECONNRESET", { code: RestError.REQUEST_SEND_ERROR });
    expect(told(error)).toBe(
      "listing alerts failed: no response REQUEST_SEND_ERROR read ECONNRESET",
    );
  });
});

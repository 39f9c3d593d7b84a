// Every way a read fails is classified once (src/adapters/arm/errors.ts), and
// a `monitoring-blind` title is built from the message: "erwatch cannot
// understand what Azure answered for <message>". So a message that is not
// already about its read (a parser's, the SDK's own TypeError, a 400's) is
// told with the read's target first.

import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { toReadFailure } from "../../../src/adapters/arm/errors.js";

const TARGET = "metrics of 1 circuit in westeurope";
const context = { call: "Microsoft.Insights/metrics/read", target: TARGET, timedOut: false };

const named = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name }, extra);

describe("toReadFailure", () => {
  it.each([
    {
      case: "the SDK tripping over an answer it did not expect",
      error: new TypeError("Cannot read properties of undefined (reading 'error')"),
      kind: "malformed",
      message: `${TARGET}: Cannot read properties of undefined (reading 'error')`,
    },
    {
      case: "a body that is not JSON",
      error: named("SyntaxError", "Unexpected token < in JSON at position 0"),
      kind: "malformed",
      message: `${TARGET}: Unexpected token < in JSON at position 0`,
    },
    {
      case: "a 400 in Azure's words",
      error: named("RestError", "No registered resource provider found for location 'x'", {
        statusCode: 400,
      }),
      kind: "malformed",
      message: `${TARGET}: No registered resource provider found for location 'x'`,
    },
    {
      case: "erwatch's own schema, already naming the read",
      error: named("MalformedResponseError", `${TARGET}: value[0].name is a number`),
      kind: "malformed",
      message: `${TARGET}: value[0].name is a number`,
    },
    {
      case: "erwatch's own schema, naming only the field",
      error: named("MalformedResponseError", "value[0].name is a number"),
      kind: "malformed",
      message: `${TARGET}: value[0].name is a number`,
    },
    {
      case: "a 403, whose title names the target itself",
      error: named("RestError", "does not have authorization to perform action 'x/read'", {
        statusCode: 403,
      }),
      kind: "forbidden",
      message: "does not have authorization to perform action 'x/read'",
    },
  ])("$case: $kind, told as “$message”", ({ error, kind, message }) => {
    expect(toReadFailure(error, context)).toMatchObject({ kind, message, target: TARGET });
  });

  it("a read that ran out of time says so, whatever was thrown", () => {
    const failure = toReadFailure(new TypeError("aborted"), { ...context, timedOut: true });
    expect(failure).toMatchObject({ kind: "timeout", message: "no answer within the deadline" });
  });

  // AbortSignal.timeout's reason is a TimeoutError, thrown as it is by whatever
  // rethrows the signal's reason (a read waiting for its turn in the pacer),
  // or wrapped as a cause: the sweep's deadline, told before as a network fault.
  const timeoutReason = () =>
    new DOMException("The operation was aborted due to timeout", "TimeoutError");
  it.each<{ case: string; error: unknown; kind: string }>([
    {
      case: "an AbortError",
      error: named("AbortError", "The operation was aborted."),
      kind: "timeout",
    },
    { case: "AbortSignal.timeout's TimeoutError", error: timeoutReason(), kind: "timeout" },
    {
      case: "an Error named TimeoutError",
      error: named("TimeoutError", "deadline"),
      kind: "timeout",
    },
    {
      case: "an Error caused by a TimeoutError",
      error: new Error("fetch failed", { cause: timeoutReason() }),
      kind: "timeout",
    },
    {
      case: "a TimeoutError two causes deep",
      error: new Error("read failed", {
        cause: new Error("fetch failed", { cause: timeoutReason() }),
      }),
      kind: "timeout",
    },
    {
      case: "a RestError REQUEST_SEND_ERROR caused by a TimeoutError",
      error: Object.assign(
        new RestError("The operation was aborted due to timeout", {
          code: RestError.REQUEST_SEND_ERROR,
        }),
        { cause: timeoutReason() },
      ),
      kind: "timeout",
    },
    {
      case: "a RestError REQUEST_SEND_ERROR from a reset connection",
      error: new RestError("read ECONNRESET", { code: RestError.REQUEST_SEND_ERROR }),
      kind: "network",
    },
    {
      case: "a reset connection, its cause a system error",
      error: new Error("fetch failed", {
        cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      }),
      kind: "network",
    },
    {
      case: "an error that is its own cause",
      error: (() => {
        const e = new Error("socket hang up");
        (e as { cause?: unknown }).cause = e;
        return e;
      })(),
      kind: "network",
    },
  ])("$case: $kind", ({ error, kind }) => {
    expect(toReadFailure(error, context).kind).toBe(kind);
  });

  it("a read the sweep's deadline stopped says so, not the SDK's words nor the read's own deadline's", () => {
    const failure = toReadFailure(timeoutReason(), { ...context, sweepDeadline: true });
    expect(failure).toMatchObject({
      kind: "timeout",
      message: "stopped at the sweep's deadline",
    });
  });

  it("a read stopped otherwise keeps the words it was stopped with", () => {
    const failure = toReadFailure(timeoutReason(), context);
    expect(failure).toMatchObject({
      kind: "timeout",
      message: "The operation was aborted due to timeout",
    });
  });

  // Anything thrown that is not an object is read by its text; a list is no
  // error object either (it has no name, status or message of its own).
  it.each<{ case: string; error: unknown; kind: string; message: string }>([
    {
      case: "a thrown text in core-lro's words",
      error: "The long-running operation has failed",
      kind: "server-error",
      message: "The long-running operation has failed",
    },
    {
      case: "a thrown list of the same words",
      error: ["The long-running operation has failed"],
      kind: "server-error",
      message: "The long-running operation has failed",
    },
    {
      case: "a thrown empty list",
      error: [],
      kind: "network",
      message: "",
    },
  ])("$case: $kind", ({ error, kind, message }) => {
    expect(toReadFailure(error, context)).toMatchObject({ kind, message });
  });
});

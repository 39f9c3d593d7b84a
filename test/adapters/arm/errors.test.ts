// Every way a read fails is classified once (src/adapters/arm/errors.ts), and
// a `monitoring-blind` title is built from the message: "erwatch cannot
// understand what Azure answered for <message>". So a message that is not
// already about its read (a parser's, the SDK's own TypeError, a 400's) is
// told with the read's target first.

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

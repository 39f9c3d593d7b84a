// The Service Bus trigger's enqueuedTimeUtc, which the dispatcher counts a
// published message's retry horizon from on its redeliveries. The Node worker
// passes it in UTC without a zone (azure-functions-nodejs-library#351): read
// as the host's local time, a host not on UTC would move it by hours.

import { describe, expect, it } from "vitest";
import { enqueuedAtOf } from "../../src/functions/dispatch.js";

describe("enqueuedAtOf", () => {
  it.each([
    { given: "2025-06-07T14:46:55.145", at: "2025-06-07T14:46:55.145Z" },
    { given: "2021-06-07T14:14:16.2230000Z", at: "2021-06-07T14:14:16.223Z" },
    { given: "2021-06-07T13:46:31.6680000+00:00", at: "2021-06-07T13:46:31.668Z" },
    { given: "2021-06-07T15:46:31+02:00", at: "2021-06-07T13:46:31.000Z" },
    { given: new Date("2026-11-22T02:00:00.000Z"), at: "2026-11-22T02:00:00.000Z" },
  ])("$given is $at", ({ given, at }) => {
    expect(enqueuedAtOf(given).enqueuedAt?.toISOString()).toBe(at);
  });

  it.each([["12/18/2020 20:57:23"], [""], ["soon"], [42], [null], [undefined], [new Date(NaN)]])(
    "%s says nothing",
    (given) => {
      expect(enqueuedAtOf(given)).toEqual({});
    },
  );
});

// Retry-After is delta-seconds or an HTTP-date in one of its three forms, all
// GMT (RFC 9110 §10.2.3, §5.6.7). Date.parse reads far more than that: "Retry
// 3" as 1 March 2001, "later 12" as December 2001, so a 429 with such a value
// read as "now" lost the minute a throttled receiver is given (dispatcher.ts
// UNSTATED_THROTTLE_MS) and was posted to again within seconds; and an
// asctime date, which names no zone, was read in the host's local time.

import { afterEach, describe, expect, it } from "vitest";
import { parseRetryAfter, toSendOutcome } from "../../../src/adapters/receivers/outcome.js";
import { withImpliedPause } from "../../../src/app/dispatch/dispatcher.js";

const NOW = new Date("2026-03-14T02:00:00Z");

describe("Retry-After in forms a server may send", () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it.each([
    ["Sat, 14 Mar 2026 02:00:30 GMT", 30_000], // IMF-fixdate
    ["Saturday, 14-Mar-26 02:00:30 GMT", 30_000], // RFC 850
    ["Sat Mar 14 02:00:30 2026", 30_000], // asctime
    ["Sat Mar  4 02:00:30 2026", 0], // asctime, a day padded with a space; in the past
  ] as const)("reads the HTTP-date %j", (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it("reads an asctime date as GMT whatever the host's zone", () => {
    process.env.TZ = "America/New_York";
    expect(parseRetryAfter("Sat Mar 14 02:00:30 2026", NOW)).toBe(30_000);
  });

  it.each(["Retry 3", "later 12", "May 5", "x 1", "in 2 min", "soon"])(
    "ignores %j, which is neither seconds nor an HTTP-date",
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    },
  );

  it("gives a 429 with an unreadable Retry-After the minute a bare 429 gets", () => {
    const outcome = toSendOutcome(
      "PagerDuty",
      { kind: "response", status: 429, retryAfter: "Retry 3" },
      NOW,
    );
    if (outcome.ok) throw new Error("a 429 is a failure");
    expect(withImpliedPause(outcome, 0, 0, { maxRescheduleMs: 15 * 60_000 }).retryAfterMs).toBe(
      60_000,
    );
  });
});

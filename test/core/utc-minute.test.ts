// Users read a new alert's change as "New since 2026-11-22T02:07:00.000Z",
// the stored ISO string, on a phone's lock screen and in the CLI's CHANGE
// column. Alert words now say the minute in UTC, the date always.

import { describe, expect, it } from "vitest";
import { utcMinute } from "../../src/core/utc-time.js";

describe("utcMinute: a stored instant as an alert's words say it", () => {
  it.each([
    ["2026-11-22T02:07:00.000Z", "2026-11-22 02:07 UTC"],
    // Seconds are not said: the minute is what a sweep is judged on.
    ["2026-11-22T02:07:59.999Z", "2026-11-22 02:07 UTC"],
    // An offset is said in UTC, as every other time erwatch shows.
    ["2026-11-22T03:07:00+01:00", "2026-11-22 02:07 UTC"],
  ])("%s → %s", (iso, words) => {
    expect(utcMinute(iso)).toBe(words);
  });

  it("a stored value that is no instant is said as stored, not thrown on", () => {
    expect(utcMinute("not a time")).toBe("not a time");
  });
});

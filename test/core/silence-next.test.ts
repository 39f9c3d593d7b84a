// When a silence is open next, as `erwatch silence list` shows it: found with
// the sweeps' own test of a window, so across daylight-saving changes it says
// what the sweeps will do (a window keeps to its zone's wall clock).

import { describe, expect, it } from "vitest";
import type { SilenceWindow } from "../../src/core/policy.js";
import { nextOpening } from "../../src/core/silence.js";

const weekly = (cron: string, durationMinutes: number, timezone: string): SilenceWindow => ({
  kind: "recurring",
  cron,
  durationMinutes,
  timezone,
});

describe("nextOpening", () => {
  it.each<{ case: string; window: SilenceWindow; now: string; next: [string, string] | null }>([
    {
      case: "Sunday 01:00–05:00 Amsterdam in winter: 00:00–04:00 UTC",
      window: weekly("0 1 * * 0", 240, "Europe/Amsterdam"),
      now: "2027-01-01T12:00:00Z",
      next: ["2027-01-03T00:00:00.000Z", "2027-01-03T04:00:00.000Z"],
    },
    {
      case: "spring-forward Sunday: still 01:00–05:00 local, 3 real hours",
      window: weekly("0 1 * * 0", 240, "Europe/Amsterdam"),
      now: "2027-03-27T12:00:00Z",
      next: ["2027-03-28T00:00:00.000Z", "2027-03-28T03:00:00.000Z"],
    },
    {
      case: "fall-back Sunday: still 01:00–05:00 local, 5 real hours",
      window: weekly("0 1 * * 0", 240, "Europe/Amsterdam"),
      now: "2027-10-30T12:00:00Z",
      next: ["2027-10-30T23:00:00.000Z", "2027-10-31T04:00:00.000Z"],
    },
    {
      case: "a start the clock skips (02:30) opens when it jumps past it, ends at 04:30 local",
      window: weekly("30 2 * * 0", 120, "Europe/Amsterdam"),
      now: "2027-03-27T12:00:00Z",
      next: ["2027-03-28T01:00:00.000Z", "2027-03-28T02:30:00.000Z"],
    },
    {
      case: "open now: since when, until when",
      window: weekly("0 1 * * 0", 240, "Europe/Amsterdam"),
      now: "2027-01-03T02:00:00Z",
      next: ["2027-01-03T00:00:00.000Z", "2027-01-03T04:00:00.000Z"],
    },
    {
      case: "hourly for 30 minutes, open now: this hour's, not an earlier one",
      window: weekly("0 * * * *", 30, "UTC"),
      now: "2027-01-03T02:10:00Z",
      next: ["2027-01-03T02:00:00.000Z", "2027-01-03T02:30:00.000Z"],
    },
    {
      // cron in the zone itself leaves out a start the clock skips: the list said a week later.
      case: "a window the half-hour jump skips whole (Lord Howe): at the jump, as the sweeps do",
      window: weekly("0 2 * * 0", 30, "Australia/Lord_Howe"),
      now: "2026-10-03T12:00:00Z",
      next: ["2026-10-03T15:30:00.000Z", "2026-10-03T16:00:00.000Z"],
    },
    {
      case: "a window the jump skips whole at 02:45 (Chatham)",
      window: weekly("45 2 * * 0", 30, "Pacific/Chatham"),
      now: "2026-09-26T06:00:00Z",
      next: ["2026-09-26T14:00:00.000Z", "2026-09-26T14:30:00.000Z"],
    },
    {
      // One after the other without a gap they are one span; said null and "2026-11-04T18:01Z" before, after 20 s of CPU each.
      case: "monthly for 30 days, open now: the span since the 1st until the gap after December's",
      window: weekly("0 23 1 * *", 43_200, "Europe/Amsterdam"),
      now: "2026-11-20T00:00:00Z",
      next: ["2026-11-01T22:00:00.000Z", "2026-12-31T22:00:00.000Z"],
    },
    {
      case: "a 20-day window each month, shut now: its next one",
      window: weekly("0 23 1 * *", 28_800, "Europe/Amsterdam"),
      now: "2026-11-25T00:00:00Z",
      next: ["2026-12-01T22:00:00.000Z", "2026-12-21T22:00:00.000Z"],
    },
    {
      case: "a one-off window ahead",
      window: { kind: "once", start: "2027-01-05T01:00:00Z", end: "2027-01-05T03:00:00Z" },
      now: "2027-01-01T00:00:00Z",
      next: ["2027-01-05T01:00:00.000Z", "2027-01-05T03:00:00.000Z"],
    },
    {
      case: "a one-off window written in its own time zone, as instants",
      window: {
        kind: "once",
        start: "2027-01-05T01:00",
        end: "2027-01-05T03:00",
        timezone: "Europe/Amsterdam",
      },
      now: "2027-01-01T00:00:00Z",
      next: ["2027-01-05T00:00:00.000Z", "2027-01-05T02:00:00.000Z"],
    },
    {
      case: "a one-off window that ended",
      window: { kind: "once", start: "2026-01-05T01:00:00Z", end: "2026-01-05T03:00:00Z" },
      now: "2027-01-01T00:00:00Z",
      next: null,
    },
  ])("$case", ({ window, now, next }) => {
    const got = nextOpening(window, new Date(now));
    expect(got ? [got.opensAt, got.closesAt] : null).toEqual(next);
  });
});

// Silence times as operators write them: one-off times with or without an
// offset (never read in the host's own zone), windows the spring-forward jump
// skips whole (opened at the jump, not never), and cron forms that cannot work.

import { describe, expect, it } from "vitest";
import type { SilenceWindow } from "../../src/core/policy.js";
import { instantOf, onceSpan, validateWindow, windowActive } from "../../src/core/silence.js";

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

describe("instantOf", () => {
  it.each<{ text: string; zone?: string; at: string | null }>([
    { text: "2026-03-29T01:00Z", at: "2026-03-29T01:00:00.000Z" },
    { text: "2026-03-29T01:00+01:00", zone: "Asia/Tokyo", at: "2026-03-29T00:00:00.000Z" },
    { text: "2026-03-29T01:00:30.5Z", at: "2026-03-29T01:00:30.500Z" },
    // Without an offset: the clock of the zone given, UTC when none.
    { text: "2026-03-29T01:00", at: "2026-03-29T01:00:00.000Z" },
    { text: "2026-03-29T01:00", zone: "Europe/Amsterdam", at: "2026-03-29T00:00:00.000Z" },
    { text: "2026-01-15T09:00", zone: "America/New_York", at: "2026-01-15T14:00:00.000Z" },
    // A time the clock skips is the jump; one it shows twice, its first showing.
    { text: "2026-03-29T02:30", zone: "Europe/Amsterdam", at: "2026-03-29T01:00:00.000Z" },
    { text: "2026-10-25T02:30", zone: "Europe/Amsterdam", at: "2026-10-25T00:30:00.000Z" },
    // Forms read differently in different places, and dates that are none.
    { text: "03/29/2026 01:00", at: null },
    // RFC 3339's space, a date alone (midnight), the basic offset forms.
    { text: "2026-03-29 01:00", at: "2026-03-29T01:00:00.000Z" },
    { text: "2026-03-29", zone: "Europe/Amsterdam", at: "2026-03-28T23:00:00.000Z" },
    { text: "2026-03-29T01:00+0100", at: "2026-03-29T00:00:00.000Z" },
    { text: "2026-03-29T01:00-05", at: "2026-03-29T06:00:00.000Z" },
    { text: "2026-03-29T01:00+25:00", at: null },
    // An offset belongs to a time: a date with one, or a dangling colon, is no time.
    { text: "2026-03-29-05", at: null },
    { text: "2026-03-29+01", at: null },
    { text: "2026-03-29T01:00+01:", at: null },
    { text: "2026-03-29T01:00-0530", at: "2026-03-29T06:30:00.000Z" },
    { text: "2026-02-30T01:00", at: null },
    { text: "2026-03-29T24:00", at: null },
    { text: "tomorrow", at: null },
  ])("$text in $zone is $at", ({ text, zone, at }) => {
    expect(iso(instantOf(text, zone))).toBe(at);
  });

  it("does not depend on the host's time zone", () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = "Asia/Tokyo";
      expect(iso(instantOf("2026-03-29T01:00"))).toBe("2026-03-29T01:00:00.000Z");
      const once: SilenceWindow = {
        kind: "once",
        start: "2026-03-29T01:00",
        end: "2026-03-29T03:00",
      };
      expect(windowActive(once, new Date("2026-03-29T00:30:00Z"))).toBe(false);
      expect(windowActive(once, new Date("2026-03-29T01:30:00Z"))).toBe(true);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it("reads a one-off window's times without an offset in its own time zone", () => {
    const once: SilenceWindow = {
      kind: "once",
      start: "2026-03-29T01:00",
      end: "2026-03-29T05:00",
      timezone: "Europe/Amsterdam",
    };
    // 01:00 CET is 00:00 UTC; 05:00 CEST (after the jump) is 03:00 UTC.
    expect(windowActive(once, new Date("2026-03-29T00:30:00Z"))).toBe(true);
    expect(windowActive(once, new Date("2026-03-29T02:59:00Z"))).toBe(true);
    expect(windowActive(once, new Date("2026-03-29T03:00:00Z"))).toBe(false);
  });
});

/** The spans a window is open between `from` and `to`, minute by minute. */
function openings(window: SilenceWindow, from: string, to: string): string[] {
  const out: string[] = [];
  let open = false;
  let since = 0;
  for (let t = Date.parse(from); t <= Date.parse(to); t += 60_000) {
    const now = windowActive(window, new Date(t));
    if (now && !open) since = t;
    if (!now && open) out.push(`${iso(since)}–${iso(t)}`);
    open = now;
  }
  return out;
}

describe("a one-off window stored by an earlier erwatch", () => {
  it("is read as that erwatch read it, though new ones in that form are refused", () => {
    // Its CLI stored --start as typed: refused now, the window would silence
    // nothing and never show as expired.
    const stored: SilenceWindow = {
      kind: "once",
      start: "March 29, 2026 01:00 UTC",
      end: "March 29, 2026 03:00 UTC",
    };
    expect(onceSpan(stored)).toEqual({
      start: Date.parse("2026-03-29T01:00:00Z"),
      end: Date.parse("2026-03-29T03:00:00Z"),
    });
    expect(windowActive(stored, new Date("2026-03-29T02:00:00Z"))).toBe(true);
    expect(() => validateWindow(stored)).toThrow(/ISO 8601 times such as/);
  });
});

describe("a window the spring-forward jump skips whole", () => {
  it.each<{
    case: string;
    cron: string;
    minutes: number;
    zone: string;
    day: string;
    open: string[];
  }>([
    {
      case: "Sunday 02:00 for 30 min, Amsterdam: from the jump (03:00 CEST), for 30 min",
      cron: "0 2 * * 0",
      minutes: 30,
      zone: "Europe/Amsterdam",
      day: "2026-03-29",
      open: ["2026-03-29T01:00:00.000Z–2026-03-29T01:30:00.000Z"],
    },
    {
      case: "daily 02:15 for 45 min, Amsterdam",
      cron: "15 2 * * *",
      minutes: 45,
      zone: "Europe/Amsterdam",
      day: "2026-03-29",
      open: ["2026-03-29T01:00:00.000Z–2026-03-29T01:45:00.000Z"],
    },
    {
      case: "Sunday 02:00 for 30 min, New York",
      cron: "0 2 * * 0",
      minutes: 30,
      zone: "America/New_York",
      day: "2026-03-08",
      open: ["2026-03-08T07:00:00.000Z–2026-03-08T07:30:00.000Z"],
    },
    {
      case: "only its start skipped (02:30 for 120 min): from the jump to its local end, as before",
      cron: "30 2 * * 0",
      minutes: 120,
      zone: "Europe/Amsterdam",
      day: "2026-03-29",
      open: ["2026-03-29T01:00:00.000Z–2026-03-29T02:30:00.000Z"],
    },
    {
      case: "an ordinary Sunday: 02:00–02:30 CET",
      cron: "0 2 * * 0",
      minutes: 30,
      zone: "Europe/Amsterdam",
      day: "2026-03-22",
      open: ["2026-03-22T01:00:00.000Z–2026-03-22T01:30:00.000Z"],
    },
  ])("$case", ({ cron, minutes, zone, day, open }) => {
    const window: SilenceWindow = {
      kind: "recurring",
      cron,
      durationMinutes: minutes,
      timezone: zone,
    };
    const from = new Date(Date.parse(`${day}T00:00:00Z`) - 6 * 3_600_000).toISOString();
    const to = new Date(Date.parse(`${day}T00:00:00Z`) + 14 * 3_600_000).toISOString();
    expect(openings(window, from, to)).toEqual(open);
  });
});

describe("cron forms", () => {
  const recurring = (cron: string): SilenceWindow => ({
    kind: "recurring",
    cron,
    durationMinutes: 30,
    timezone: "Europe/Amsterdam",
  });
  it.each(["0 1 * * 0", "0 0 1 * * 0", "0 1 * * THU", "0 1 * * SUN-TUE"])("takes %s", (cron) => {
    expect(() => validateWindow(recurring(cron))).not.toThrow();
  });
  it.each([
    ["H 1 * * 0", /H \(a random minute or hour\) is not supported/],
    ["0 H(0-3) * * 0", /H \(a random minute or hour\) is not supported/],
    ["0 1 * *", /needs five fields .*, or six with seconds first/],
    ["0 0 1 * * 0 2026", /needs five fields/],
  ])("refuses %s", (cron, why) => {
    expect(() => validateWindow(recurring(cron))).toThrow(why);
  });
});

// A recurring silence whose windows abut or overlap (duration at least the
// cron's period: a daily cron with 1440 minutes, a weekly one with 30 days) is
// open at every moment, for good: the circuit was muted for ever, accepted at
// start without a word (ERWATCH_SILENCES) and by `erwatch silence add` (found
// by a review). Both refuse it now; a window with a gap, however short, is taken.

import { expect, it } from "vitest";
import { SettingsReader } from "../../src/config/reader.js";
import { readStateConfig } from "../../src/config/state.js";
import { silenceProblems } from "../../src/app/silences.js";
import { windowActive } from "../../src/core/silence.js";

const env = (silences: unknown) => ({
  ERWATCH_STORAGE: "UseDevelopmentStorage=true",
  ERWATCH_SILENCES: JSON.stringify(silences),
});

it.each([
  ["daily for 1440 minutes", "0 2 * * *", 1440],
  ["weekly for 30 days", "0 1 * * 0", 43200],
  ["hourly for 60 minutes", "0 * * * *", 60],
])(
  "a recurring window %s (open at every moment) is not taken silently",
  (_, cron, durationMinutes) => {
    const silence = { id: "mw", circuit: "er-ams-a", cron, durationMinutes, timezone: "UTC" };
    const r = new SettingsReader(env([silence]));
    const state = readStateConfig(r, "AzureCloud");
    // What the sweeps will do with it: silenced at every instant sampled over a year.
    const window = state.silences[0]?.window;
    if (window) {
      const open = Array.from({ length: 2000 }, (_, i) =>
        windowActive(window, new Date(Date.parse("2026-01-01T00:00:00Z") + i * 4_391_000 * 3.7)),
      );
      expect(open.every(Boolean)).toBe(true);
    }
    // Said at start, with the entry (left out, or at least warned about).
    expect([...r.problems, ...r.ignored].join("\n")).toMatch(/ERWATCH_SILENCES\.0/);
    // And `erwatch silence add` refuses it.
    expect(
      silenceProblems(
        {
          circuit: "er-ams-a",
          window: { kind: "recurring", cron, durationMinutes, timezone: "UTC" },
          comment: "CHG-1",
          author: "me",
        },
        new Date("2026-01-01T00:00:00Z"),
      ),
    ).not.toEqual([]);
  },
);

it.each([
  ["daily for 1439 minutes (closed a minute a day)", "0 2 * * *", 1439],
  ["on weekdays for 1440 minutes (closed at weekends)", "0 2 * * 1-5", 1440],
  [
    "on the 1st and 15th for 14 days (a gap before the 1st of a long month)",
    "0 0 1,15 * *",
    14 * 1440,
  ],
  ["every 5 minutes for 5 minutes (too frequent to walk a year of: taken)", "*/5 * * * *", 5],
])("a recurring window %s is taken", (_, cron, durationMinutes) => {
  const silence = { id: "mw", circuit: "er-ams-a", cron, durationMinutes, timezone: "UTC" };
  const r = new SettingsReader(env([silence]));
  const state = readStateConfig(r, "AzureCloud");
  expect([...r.problems, ...r.ignored].join("\n")).not.toMatch(/ERWATCH_SILENCES/);
  expect(state.silences).toHaveLength(1);
});

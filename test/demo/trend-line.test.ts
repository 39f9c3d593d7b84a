// The demo's trend line under a prefix-limit alert: news while the count
// grows toward the limit, nothing under a resolve (it printed "reaches the
// limit about 09:18 UTC" at 09:45, as the alert resolved).

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { ALERT_ACTIONS } from "../../src/core/model.js";
import type { PrefixTrend } from "../../src/core/trend.js";
import { trendLine } from "../../demo/notifications.js";

const NOW = new Date("2026-11-22T09:15:00Z");
const growing: PrefixTrend = {
  samples: 4,
  perHour: 3233.44,
  reachesLimitAt: "2026-11-22T09:18:20Z",
  since: "2026-11-22T09:00:00Z",
};
const event = (action: AlertEvent["action"], trend: PrefixTrend = growing) => ({
  action,
  evidence: { trend: { primary: trend, secondary: trend } },
});

describe("trendLine", () => {
  it("says the growth and when it reaches the limit with an open, an escalation or a repeat", () => {
    for (const action of ["open", "escalate", "repeat"] as const)
      expect(trendLine(event(action), NOW), action).toBe(
        "trend: +3,233 prefixes/hour, reaches the limit about 09:18 UTC",
      );
  });

  it("says nothing with a resolve or a de-escalation", () => {
    for (const action of ALERT_ACTIONS.filter((a) => a === "resolve" || a === "deescalate"))
      expect(trendLine(event(action), NOW), action).toBeNull();
  });

  it("leaves out a time to the limit that is not after the sweep", () => {
    expect(trendLine(event("repeat"), new Date("2026-11-22T09:20:00Z"))).toBe(
      "trend: +3,233 prefixes/hour",
    );
  });

  it("says nothing without growth", () => {
    expect(trendLine(event("open", { ...growing, perHour: null }), NOW)).toBeNull();
    expect(trendLine(event("open", { ...growing, perHour: -40 }), NOW)).toBeNull();
    expect(trendLine({ action: "open", evidence: {} }, NOW)).toBeNull();
  });
});

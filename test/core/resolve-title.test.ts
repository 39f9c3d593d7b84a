// A resolve names the alert as its receivers were last told it. Titles go out
// only with a notification; the last firing sweep's may never have reached
// anyone: a route limit's count and forecast that moved between repeats, a
// Sev2 reading after a Sev1 whose de-escalation a silence held, or one read
// milder in the very sweep the alert began to recover. Carried on the
// resolve, the card said "RESOLVED" over a title nobody was paged with, beside
// a change that quoted the one they were.

import { describe, expect, it } from "vitest";
import { historyRecordOf } from "../../src/core/alert-step.js";
import { decide, type AlertCondition } from "../../src/core/lifecycle.js";
import type { Observation } from "../../src/core/observe.js";
import { retire } from "../../src/core/sight.js";
import { at, decideAt, reading, toldAlert } from "../support/told-alert.js";

const BOTH_DOWN = reading({
  code: "arp-missing",
  severity: "Sev0",
  layer: "provider",
  owner: "carrier",
  paths: ["primary", "secondary"],
  title: "Layer 2 down on the primary and secondary paths of AzurePrivatePeering — traffic stopped",
  nextAction: "Open a ticket with Equinix for both paths.",
});
const PRIMARY_DOWN = reading({
  ...BOTH_DOWN,
  severity: "Sev2",
  paths: ["primary"],
  title:
    "Layer 2 down on the primary path of AzurePrivatePeering: no ARP entry for the on-prem side",
});
const NEAR_LIMIT_TOLD = reading({
  code: "prefix-limit-near",
  severity: "Sev3",
  layer: "routes",
  owner: "you",
  paths: ["primary"],
  title:
    "Received prefixes at 91% of the route limit on AzurePrivatePeering: 3,650 of 4,000 — reaches 4,000 in about 40 min",
  nextAction: "Summarise what you advertise.",
});
const NEAR_LIMIT_LAST = reading({
  ...NEAR_LIMIT_TOLD,
  title:
    "Received prefixes at 95% of the route limit on AzurePrivatePeering: 3,820 of 4,000 — reaches 4,000 in about 3 min",
});

/** Cleared at minute 70 after an hour open, its receivers last told `told`, its last firing reading `last`. */
function cleared(last: AlertCondition, told: Pick<AlertCondition, "severity" | "title" | "paths">) {
  return toldAlert(
    last,
    last.code === "prefix-limit-near" ? "route-limit" : "path-down",
    // No owner: the notice that told it kept none.
    {
      severity: told.severity,
      title: told.title,
      paths: told.paths,
      peakSeverity: "Sev0",
      atMinute: 40,
      sequence: 2,
    },
    { phase: "clear", consecutiveFiring: 0, consecutiveClean: 3, evaluatedAtMinute: 70 },
  );
}

const ctx = decideAt(at(70));

const observation = {
  circuitId: "c1",
  key: "erw-k",
  family: "path-down",
  peering: "AzurePrivatePeering",
} as Observation;

describe("a resolve names the alert as its receivers were last told it", () => {
  it.each([
    [
      "a Sev0 whose de-escalation a silence held, its last firing reading the Sev2",
      PRIMARY_DOWN,
      BOTH_DOWN,
      "Sev0",
    ],
    [
      "a route limit whose count and forecast moved between repeats",
      NEAR_LIMIT_LAST,
      NEAR_LIMIT_TOLD,
      "Sev3",
    ],
    ["a de-escalation that was sent: the title it sent", PRIMARY_DOWN, PRIMARY_DOWN, "Sev2"],
  ] as const)("%s", (_name, last, told, severity) => {
    const d = decide(cleared(last, told), ctx);
    expect(d.action).toBe("resolve");
    if (d.action !== "resolve") return;
    expect(d.event).toMatchObject({
      severity,
      previousSeverity: severity,
      change: `Resolved after 1 h 10 min: ${told.title} has cleared.`,
      condition: { title: told.title, code: last.code, evidence: last.evidence },
    });
    // The History row says what the receivers heard resolve, as the event does.
    expect(historyRecordOf(d, observation, at(70))).toMatchObject({
      outcome: "resolve",
      severity,
      title: told.title,
    });
    // What was last read firing stays the alert's own (the status page shows it).
    expect(d.next.condition).toBe(last);
    // ... and when it resolved, after how long: the status page says it of an alert that held another.
    expect(d.next.resolved).toEqual({ at: at(70).toISOString(), firstSeen: at(0).toISOString() });
  });

  it.each([
    ["empty", ""],
    ["not text (a hand edit)", 42],
  ] as const)("told a title kept %s: the last firing one", (_name, title) => {
    const state = cleared(PRIMARY_DOWN, BOTH_DOWN);
    const d = decide({ ...state, notified: { ...state.notified!, title: title as string } }, ctx);
    expect(d.action === "resolve" && d.event.condition.title).toBe(PRIMARY_DOWN.title);
  });

  it("a circuit erwatch stops watching resolves under the title it was last told", () => {
    const d = retire({ ...cleared(PRIMARY_DOWN, BOTH_DOWN), phase: "firing" }, "gone", at(70));
    expect(d.action === "resolve" && d.event.condition.title).toBe(BOTH_DOWN.title);
    expect(d.action === "resolve" && d.event.change).toBe(
      `Resolved: circuit no longer exists. ${BOTH_DOWN.title} is no longer watched.`,
    );
  });
});

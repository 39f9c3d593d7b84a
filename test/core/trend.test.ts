// The time to the route limit, with the demo's own night (demo/timeline.ts):
// 120 prefixes, the 02:00 route-map outage (0), 120 again at 02:20, then a new
// site at 09:00 (3,000), 3,250 at 09:05, 3,400 at 09:10, 3,820 at 09:15: the
// count passes 95 % (3,800) at 09:15. The old 24-hour least-squares fit said
// 10:40 at 09:10; the fit over the current growth run, recent samples weighted,
// must say something close to what happened.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { HistoryEntry } from "../../src/core/history.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { inAbout, prefixTrend, reachesAt } from "../../src/core/trend.js";
import { circuitReading, CIRCUIT_ID } from "../support/readings.js";

const at = (hhmm: string) => `2026-11-22T${hhmm}:00.000Z`;
const LIMIT = 4000;
const CRITICAL = 3800;
/** The demo's counts on each path, at the sweeps where they changed. */
const DEMO: [string, number][] = [
  ["00:00", 120],
  ["02:00", 0],
  ["02:20", 120],
  ["09:00", 3000],
  ["09:05", 3250],
  ["09:10", 3400],
  ["09:15", 3820],
];
const samplesBefore = (hhmm: string) =>
  DEMO.filter(([t]) => t < hhmm).map(([t, after]) => ({ at: at(t), after }));
const countAt = (hhmm: string) => [...DEMO].reverse().find(([t]) => t <= hhmm)![1];
/** The 02:00 outage: the path went down with its routes. */
const OUTAGES = [at("02:00")];

/** What erwatch did before: unweighted least squares over every sample of the last 24 h. */
function oldEta(hhmm: string): string {
  const pts = [...samplesBefore(hhmm), { at: at(hhmm), after: countAt(hhmm) }].map((p) => ({
    x: Date.parse(p.at) / 3_600_000,
    y: p.after,
  }));
  const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
  const slope =
    pts.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) /
    pts.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return new Date(
    Date.parse(at(hhmm)) + ((LIMIT - countAt(hhmm)) / slope) * 3_600_000,
  ).toISOString();
}

const minutesBetween = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / 60_000;

describe("prefixTrend with the demo's numbers", () => {
  it("reproduces the old estimate the issue reported (10:40 at 09:10)", () => {
    expect(oldEta("09:10").slice(11, 16)).toBe("10:40");
  });

  it.each([
    // at, count, the new time to 95 % and to the limit (HH:MM UTC), and how far each is from 09:15
    { now: "09:05", crit: "09:16", limit: "09:20" },
    { now: "09:10", crit: "09:20", limit: "09:25" },
  ])("at $now: 95 % about $crit, the limit about $limit", ({ now, crit, limit }) => {
    const current = { at: new Date(at(now)), count: countAt(now) };
    const trend = prefixTrend(samplesBefore(now), current, LIMIT, { outages: OUTAGES });
    // The run starts after the outage: the flat 120 at 02:20, weighed next to nothing.
    expect(trend.since).toBe(at("02:20"));
    const toCritical = reachesAt(trend, current, CRITICAL)!;
    expect(toCritical.slice(11, 16)).toBe(crit);
    expect(trend.reachesLimitAt!.slice(11, 16)).toBe(limit);
    // The count passed 95 % at 09:15: the new estimate is within one sweep or two of it,
    // where the old one was more than an hour late.
    expect(minutesBetween(toCritical, at("09:15"))).toBeLessThanOrEqual(10);
    expect(minutesBetween(oldEta(now), at("09:15"))).toBeGreaterThan(60);
  });

  it("at 09:15 (3,820, past 95 %) the limit is minutes away", () => {
    const current = { at: new Date(at("09:15")), count: 3820 };
    const trend = prefixTrend(samplesBefore("09:15"), current, LIMIT, { outages: OUTAGES });
    expect(minutesBetween(trend.reachesLimitAt!, at("09:15"))).toBeLessThan(5);
  });

  it.each([
    {
      name: "a steady day of growth is fitted over the whole run",
      samples: [
        ["00:00", 2000],
        ["04:00", 2400],
        ["08:00", 2800],
      ],
      now: "09:00",
      count: 2900,
      outages: [],
      perHour: 100,
      since: "00:00",
    },
    {
      name: "a drop ends the run: only the growth after it counts",
      samples: [
        ["06:00", 3500],
        ["07:00", 1000],
        ["08:00", 1500],
      ],
      now: "09:00",
      count: 2000,
      outages: [],
      perHour: 500,
      since: "07:00",
    },
    {
      name: "a reset or outage ends the run even without a lower sample",
      samples: [
        ["06:00", 3000],
        ["08:00", 3000],
        ["08:30", 3100],
      ],
      now: "09:00",
      count: 3200,
      outages: ["08:10"],
      perHour: 200,
      since: "08:30",
    },
    {
      name: "small wiggles do not break the run",
      samples: [
        ["07:00", 3000],
        ["08:00", 3095],
        ["08:30", 3090],
      ],
      now: "09:00",
      count: 3200,
      outages: [],
      since: "07:00",
    },
  ])("$name", ({ samples, now, count, outages, perHour, since }) => {
    const trend = prefixTrend(
      samples.map(([t, after]) => ({ at: at(t as string), after: after as number })),
      { at: new Date(at(now)), count },
      LIMIT,
      { outages: outages.map(at) },
    );
    if (perHour !== undefined) expect(trend.perHour).toBeCloseTo(perHour, 0);
    expect(trend.since).toBe(at(since));
  });

  it.each([
    [0.5, "under a minute"],
    [15.3, "about 15 min"],
    [59, "about 59 min"],
    [90, "about 2 h"],
    [47 * 60, "about 47 h"],
    [72 * 60, "about 3 days"],
  ])("inAbout(%d) is %j", (minutes, words) => {
    expect(inAbout(minutes)).toBe(words);
  });
});

describe("the near-limit headline carries the time to the limit", () => {
  it("at 09:10 in the demo: reaches 4,000 in about 15 min", () => {
    const history: HistoryEntry[] = DEMO.filter(([t]) => t < "09:10").flatMap(([t, after], i) =>
      (["primary", "secondary"] as const).map((path) => ({
        kind: "prefixes" as const,
        at: at(t),
        circuitId: CIRCUIT_ID,
        peering: "AzurePrivatePeering",
        path,
        before: i === 0 ? null : DEMO[i - 1]![1],
        after,
        limit: LIMIT,
      })),
    );
    const { verdict } = evaluateCircuit(
      circuitReading({
        paths: { AzurePrivatePeering: { primary: { bgp: "3400" }, secondary: { bgp: "3400" } } },
      }),
      null,
      history,
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      new Date(at("09:10")),
    );
    const near = verdict.findings.find((f) => f.code === "prefix-limit-near")!;
    expect(near.title).toMatch(/reaches 4,000 in about 15 min$/);
  });

  it("says nothing about a time when the count is not growing", () => {
    const { verdict } = evaluateCircuit(
      circuitReading({ paths: { AzurePrivatePeering: { primary: { bgp: "3400" } } } }),
      null,
      [
        {
          kind: "prefixes",
          at: at("08:00"),
          circuitId: CIRCUIT_ID,
          peering: "AzurePrivatePeering",
          path: "primary",
          before: null,
          after: 3400,
          limit: LIMIT,
        },
      ],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      new Date(at("09:10")),
    );
    expect(verdict.findings.find((f) => f.code === "prefix-limit-near")!.title).not.toMatch(
      /reaches/,
    );
  });
});

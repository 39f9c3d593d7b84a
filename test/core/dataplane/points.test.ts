import { describe, expect, it } from "vitest";
import { withoutImpossibleThroughput } from "../../../src/core/dataplane/plausible.js";
import { forEachMinute, PackedPoints } from "../../../src/core/dataplane/points.js";
import { minutesOfSeries, seriesOf } from "../../../src/core/dataplane/series.js";

const at = (iso: string) => Date.parse(iso);

describe("packed metric points", () => {
  it.each([
    { name: "none", given: [], want: [] },
    {
      name: "values and gaps, in order",
      given: [
        { atMs: at("2026-11-22T01:57:00Z"), value: 100 },
        { atMs: at("2026-11-22T01:58:00Z"), value: null },
        { atMs: at("2026-11-22T01:59:00Z"), value: 37.5 },
      ],
      want: [
        { at: "2026-11-22T01:57:00.000Z", value: 100 },
        { at: "2026-11-22T01:58:00.000Z", value: null },
        { at: "2026-11-22T01:59:00.000Z", value: 37.5 },
      ],
    },
    {
      name: "a NaN from the wire is a gap",
      given: [{ atMs: at("2026-11-22T02:00:00Z"), value: Number.NaN }],
      want: [{ at: "2026-11-22T02:00:00.000Z", value: null }],
    },
    {
      name: "zero and huge values survive",
      given: [
        { atMs: at("2026-11-22T02:00:00Z"), value: 0 },
        { atMs: at("2026-11-22T02:01:00Z"), value: 9.5e15 },
      ],
      want: [
        { at: "2026-11-22T02:00:00.000Z", value: 0 },
        { at: "2026-11-22T02:01:00.000Z", value: 9.5e15 },
      ],
    },
  ])("$name", ({ given, want }) => {
    const packed = new PackedPoints(given);
    expect(packed.length).toBe(want.length);
    expect([...packed]).toEqual(want);
    // Iterating twice gives the same minutes: nothing is consumed.
    expect([...packed]).toEqual(want);
    expect(JSON.parse(JSON.stringify({ points: packed }))).toEqual({ points: want });
  });

  it("judges exactly as the same minutes given as objects", () => {
    const minutes = [
      { atMs: at("2026-11-22T01:57:00Z"), value: 100 },
      { atMs: at("2026-11-22T01:58:00Z"), value: null },
      { atMs: at("2026-11-22T01:59:00Z"), value: 50 },
    ];
    const asObjects = minutes.map((m) => ({ at: new Date(m.atMs).toISOString(), value: m.value }));
    const metrics = (points: Iterable<{ at: string; value: number | null }>) => ({
      from: "2026-11-22T01:30:00.000Z",
      to: "2026-11-22T02:00:00.000Z",
      series: [
        {
          metric: "BgpAvailability" as const,
          peering: "AzurePrivatePeering",
          path: "primary" as const,
          points,
        },
      ],
    });
    const packed = seriesOf(
      metrics(new PackedPoints(minutes)),
      "BgpAvailability",
      "AzurePrivatePeering",
      "primary",
    );
    expect(packed).toEqual(
      seriesOf(metrics(asObjects), "BgpAvailability", "AzurePrivatePeering", "primary"),
    );
    expect([...packed.values()]).toEqual([100, 50]);
  });

  it("hands over each minute as epoch milliseconds, packed or not, exactly as the iterator has it", () => {
    const minutes = [
      { atMs: at("2026-11-22T01:57:00Z"), value: 100 },
      { atMs: at("2026-11-22T01:58:00Z"), value: null },
      { atMs: at("2026-11-22T01:58:30Z"), value: Number.NaN },
      { atMs: at("2026-11-22T01:59:00Z"), value: 0 },
    ];
    const packed = new PackedPoints(minutes);
    const seen = (points: Iterable<{ at: string; value: number | null }>) => {
      const out: [number, number | null][] = [];
      forEachMinute(points, (atMs, value) => out.push([atMs, value]));
      return out;
    };
    const iterated = [...packed];
    expect(seen(packed)).toEqual(iterated.map((p) => [Date.parse(p.at), p.value]));
    expect(seen(iterated)).toEqual(seen(packed));
  });

  it("a minute split below the minute is its mean, packed or not", () => {
    const minutes = [
      { atMs: at("2026-11-22T01:57:00Z"), value: 10 },
      { atMs: at("2026-11-22T01:57:30Z"), value: 20 },
      { atMs: at("2026-11-22T01:57:45Z"), value: null },
      { atMs: at("2026-11-22T01:58:00Z"), value: 7 },
    ];
    const asObjects = minutes.map((m) => ({ at: new Date(m.atMs).toISOString(), value: m.value }));
    const want = new Map([
      [at("2026-11-22T01:57:00Z"), 15],
      [at("2026-11-22T01:58:00Z"), 7],
    ]);
    expect(minutesOfSeries(new PackedPoints(minutes))).toEqual(want);
    expect(minutesOfSeries(asObjects)).toEqual(want);
  });

  it("throughput within twice the bandwidth is passed on as it came, packing and all", () => {
    const metrics = {
      from: "2026-11-22T01:30:00.000Z",
      to: "2026-11-22T02:00:00.000Z",
      series: [
        {
          metric: "BitsInPerSecond" as const,
          peering: "AzurePrivatePeering",
          path: "primary" as const,
          points: new PackedPoints([
            { atMs: at("2026-11-22T01:57:00Z"), value: 2e9 },
            { atMs: at("2026-11-22T01:58:00Z"), value: null },
          ]),
        },
      ],
    };
    expect(withoutImpossibleThroughput(metrics, 1000)).toBe(metrics);
    // An odd value given as an object (tests may pass arrays) is still a named gap.
    const odd = withoutImpossibleThroughput(
      {
        ...metrics,
        series: [
          {
            ...metrics.series[0]!,
            points: [{ at: "2026-11-22T01:57:00.000Z", value: Number.NaN }],
          },
        ],
      },
      1000,
    );
    expect(odd.series[0]!.points).toEqual([{ at: "2026-11-22T01:57:00.000Z", value: null }]);
    expect(odd.odd).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import { PackedPoints } from "../../../src/core/dataplane/points.js";
import { seriesOf } from "../../../src/core/dataplane/series.js";

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
});

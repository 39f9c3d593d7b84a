import { describe, expect, it } from "vitest";
import type { CircuitMetrics, MetricSeries } from "../../../src/core/dataplane/facts.js";
import { metricsSignal } from "../../../src/core/dataplane/signal.js";

const NOW = new Date("2026-12-01T03:00:00.000Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

function metrics(...series: Partial<MetricSeries>[]): CircuitMetrics {
  return {
    from: at(30),
    to: NOW.toISOString(),
    series: series.map((s) => ({
      metric: "BgpAvailability",
      peering: "AzurePrivatePeering",
      path: "primary",
      points: [],
      ...s,
    })),
  };
}

describe("metricsSignal: which circuits Azure Monitor sends to a deep read", () => {
  it.each([
    { case: "all sessions at 100 %", points: [{ at: at(2), value: 100 }], want: null },
    { case: "no data (a gap is not a dip)", points: [{ at: at(2), value: null }], want: null },
    { case: "a dip before the window", points: [{ at: at(20), value: 0 }], want: null },
    { case: "NaN from the wire", points: [{ at: at(2), value: Number.NaN }], want: null },
    {
      case: "BGP down a minute ago",
      points: [{ at: at(1), value: 0 }],
      want: /BgpAvailability 0 % on AzurePrivatePeering primary/,
    },
    {
      case: "a partial dip inside the window",
      points: [
        { at: at(3), value: 100 },
        { at: at(2), value: 83.33 },
      ],
      want: /83\.3 %/,
    },
  ])("$case", ({ points, want }) => {
    const got = metricsSignal(metrics({ points }), NOW, 8);
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatch(want);
  });

  it("names the worst of several sessions, ARP included, and ignores traffic", () => {
    const got = metricsSignal(
      metrics(
        { points: [{ at: at(1), value: 50 }] },
        { metric: "ArpAvailability", path: "secondary", points: [{ at: at(1), value: 0 }] },
        { metric: "BitsInPerSecond", points: [{ at: at(1), value: 0 }] },
      ),
      NOW,
      8,
    );
    expect(got).toMatch(/ArpAvailability 0 % on AzurePrivatePeering secondary/);
  });
});

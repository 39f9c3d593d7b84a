// Data-plane facts built directly (no wire) for the pure judgement tests: a
// minute series per metric, peering and path ending a couple of minutes before
// "now" (Azure Monitor is late), healthy unless a shape says otherwise.

import type {
  CircuitMetrics,
  EndToEndFacts,
  EndToEndTest,
  MetricName,
  MetricSeries,
  MonitorRef,
} from "../../../src/core/dataplane/facts.js";
import type { PathName } from "../../../src/core/model.js";
import { ok } from "../../support/readings.js";

export const NOW = new Date("2026-11-22T02:00:00.000Z");
const MINUTE = 60_000;

/** Minutes back from now: 0 is the newest point Azure has delivered (now − lag). */
export type Shape = (
  metric: MetricName,
  peering: string,
  path: PathName,
  ago: number,
) => number | null;

export const HEALTHY: Record<MetricName, number> = {
  BgpAvailability: 100,
  ArpAvailability: 100,
  BitsInPerSecond: 300e6,
  BitsOutPerSecond: 100e6,
};

export function metrics(
  shape: Shape = () => undefined as unknown as null,
  options: { minutes?: number; lag?: number; peerings?: string[] } = {},
): CircuitMetrics {
  const minutes = options.minutes ?? 60;
  const lag = options.lag ?? 2;
  const end = NOW.getTime() - lag * MINUTE;
  const series: MetricSeries[] = [];
  for (const peering of options.peerings ?? ["AzurePrivatePeering"])
    for (const path of ["primary", "secondary"] as const)
      for (const metric of Object.keys(HEALTHY) as MetricName[])
        series.push({
          metric,
          peering,
          path,
          points: Array.from({ length: minutes }, (_, i) => {
            const ago = minutes - 1 - i;
            const given = shape(metric, peering, path, ago);
            return {
              at: new Date(end - ago * MINUTE).toISOString(),
              value: given === undefined ? HEALTHY[metric] : given,
            };
          }),
        });
  return {
    from: new Date(NOW.getTime() - minutes * MINUTE).toISOString(),
    to: NOW.toISOString(),
    series,
  };
}

/** Bits both ways at `bps` on `paths` for the last `minutes` minutes. */
export const quiet =
  (paths: PathName[], minutes: number, bps = 0): Shape =>
  (metric, _peering, path, ago) =>
    metric.startsWith("Bits") && paths.includes(path) && ago < minutes
      ? bps
      : (undefined as unknown as null);

export const combine =
  (...shapes: Shape[]): Shape =>
  (...args) => {
    for (const s of shapes) {
      const v = s(...args);
      if (v !== undefined) return v;
    }
    return undefined as unknown as null;
  };

export function test(result: string, overrides: Partial<EndToEndTest> = {}): EndToEndTest {
  return {
    monitor: "cm-er-circuit-prod",
    testGroup: "onprem-to-vnet",
    test: "tcp-443",
    result,
    checksFailedPercent: result === "Pass" ? 0 : 100,
    checksFailedPercentThreshold: 10,
    roundTripMs: result === "Pass" ? 12 : null,
    roundTripThresholdMs: 60,
    source: "onprem-app-01",
    destination: "vnet-prod",
    at: new Date(NOW.getTime() - 4 * MINUTE).toISOString(),
    reason: null,
    ...overrides,
  };
}

export type TestGroup = NonNullable<MonitorRef["testGroups"]>[number];

/**
 * A test group as read from its monitor's definition: by default the group
 * and ends that test() rows name, so a row of it is a defined test.
 */
export function testGroup(
  name = "onprem-to-vnet",
  testConfigurations = ["tcp-443"],
  ends: { sources?: string[]; destinations?: string[] } = {},
): TestGroup {
  return {
    name,
    testConfigurations,
    sources: ends.sources ?? ["onprem-app-01"],
    destinations: ends.destinations ?? ["vnet-prod"],
  };
}

export function e2e(tests: EndToEndTest[], monitors = 1): EndToEndFacts {
  return {
    monitors: Array.from({ length: monitors }, () => ({
      id: "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus/connectionMonitors/cm-er-circuit-prod",
      name: "cm-er-circuit-prod",
      workspace: "5b5a8a1e-0000-4000-8000-00000000000a",
      how: "discovered" as const,
    })),
    from: new Date(NOW.getTime() - 30 * MINUTE).toISOString(),
    to: NOW.toISOString(),
    tests,
  };
}

export const dp = {
  metrics: (m: CircuitMetrics) => ({ metrics: ok(m) }),
  e2e: (f: EndToEndFacts) => ({ endToEnd: ok(f) }),
};

// A Retry-After given as an HTTP-date, from Azure Monitor or Log Analytics,
// through the real clients against the loopback estate, the readers on an
// injected clock weeks from the wall clock (as the demo's and the tests'
// are). The wait is the date's distance from the sweep's clock: counted from
// the wall clock, a date in the sweep's future read as already past, and the
// throttled call was asked again at once, or a workspace's keep (counted
// from the sweep's clock) ended before it began.

import { describe, expect, it } from "vitest";
import { circuitId } from "../support/estate/ids.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";
import { skippingTime } from "../support/skipping-time.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf, metricsOf } = readersPerTest(NOW);

/** The HTTP-date `ms` after the injected clock's now. */
const dateAfter = (ms: number) => new Date(NOW.getTime() + ms).toUTCString();

describe("a Retry-After given as a date, on an injected clock", () => {
  it.each([429, 503])(
    "Azure Monitor's %i asking until 5 s from now is waited 5 s by the Monitor call, then asked again",
    async (status) => {
      const bundle = healthyCircuit();
      const { time, waits } = skippingTime((ms) => ms === 5_000);
      const { estate, dataPlane } = await readersOn(
        estateOf(bundle),
        { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
        { monitorTime: time },
      );
      estate.addFault({
        match: { operation: "metricsBatch", metric: "BgpAvailability" },
        behaviour: { kind: "status", status, retryAfter: dateAfter(5_000) },
        times: 1,
      });
      const got = await metricsOf(dataPlane, bundle.circuit);
      expect(got.ok).toBe(true);
      expect(waits).toEqual([5_000]);
      const asked = estate.requests.filter(
        (r) => r.operation === "metricsBatch" && /BgpAvailability/i.test(JSON.stringify(r.query)),
      );
      expect(asked.map((r) => r.status)).toEqual([status, 200]);
    },
  );

  it("Log Analytics' 429 asking until 20 s from now is waited 20 s, then asked again", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { time, waits } = skippingTime((ms) => ms === 20_000);
    const { estate, reader, dataPlane } = await readersOn(
      estateOf(bundle),
      { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 429, retryAfter: dateAfter(20_000) },
      times: 1,
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got?.ok).toBe(true);
    expect(waits).toEqual([20_000]);
  });

  it("Log Analytics' 503 asking until 12 minutes from now is kept until then: the next sweep does not ask, and says until when", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle), {
      ARM_MAX_RETRIES: "0",
    });
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 503, retryAfter: dateAfter(12 * 60_000) },
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const until = "not asked again before 02:12 UTC";
    for (let sweep = 0; sweep < 2; sweep += 1) {
      const got = await dataPlane.readEndToEnd(reading, options());
      expect(got).toMatchObject({
        ok: false,
        error: {
          kind: "server-error",
          statusCode: 503,
          message: expect.stringContaining(until),
          notAskedBefore: "2026-11-22T02:12:00.000Z",
        },
      });
    }
    expect(estate.requests.filter((r) => r.operation === "queryLogs")).toHaveLength(1);
  });
});

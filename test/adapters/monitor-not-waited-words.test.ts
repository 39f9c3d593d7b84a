// A Monitor call that fails on a Retry-After it does not wait names the wait
// once, as an ARM read does. Azure Monitor's 503 from a gateway's page that is
// not JSON said only "Service Unavailable (503)": the on-call could not tell
// why the call failed at once. A Log Analytics workspace keeps the wait and
// says until when in its own words; the call does not say it a second time.
// Through the real clients against the loopback estate, on a clock whose
// timers are held: nothing waits.

import { describe, expect, it } from "vitest";
import { circuitId } from "../support/estate/ids.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";
import { skippingTime } from "../support/skipping-time.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, options, readingOf, metricsOf } = readersPerTest(NOW);

const HTML = "<html><body><h1>503 Service Unavailable</h1></body></html>";

describe("Azure Monitor's metrics call asked to wait and not waiting", () => {
  it.each([
    { what: "a 503 from a gateway's page", status: 503, rawBody: HTML, kind: "server-error" },
    { what: "a 503 with Azure Monitor's JSON", status: 503, kind: "server-error" },
    { what: "a 429", status: 429, kind: "throttled" },
  ])("($what) past the call's deadline names the wait once", async ({ status, rawBody, kind }) => {
    const bundle = healthyCircuit();
    const { time, waits } = skippingTime(() => false);
    const { estate, dataPlane } = await readersOn(
      estateOf(bundle),
      { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    estate.addFault({
      match: { operation: "metricsBatch", metric: "BgpAvailability" },
      behaviour: {
        kind: "status",
        status,
        retryAfterSeconds: 120,
        ...(rawBody !== undefined ? { rawBody } : {}),
      },
      times: 1,
    });
    const got = await metricsOf(dataPlane, bundle.circuit);
    expect(got).toMatchObject({ ok: false, error: { kind, statusCode: status } });
    if (got.ok) return;
    // Before, a page not JSON: "Service Unavailable (503)", the wait nowhere.
    expect(got.error.message).toMatch(
      /\(asked to wait 120 s, past the read's deadline: not waited\)$/,
    );
    expect(got.error.message.match(/asked to wait|120000/g)).toEqual(["asked to wait"]);
    // Failed at once: nothing waited, and no deadline left held.
    expect(waits).toEqual([]);
  });

  it("its retries spent on a wait that fits the deadline, says so", async () => {
    const bundle = healthyCircuit();
    const { time } = skippingTime(() => false);
    const { estate, dataPlane } = await readersOn(
      estateOf(bundle),
      { ARM_MAX_RETRIES: "0", ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    estate.addFault({
      match: { operation: "metricsBatch", metric: "BgpAvailability" },
      behaviour: { kind: "status", status: 503, retryAfterSeconds: 5, rawBody: HTML },
      times: 1,
    });
    const got = await metricsOf(dataPlane, bundle.circuit);
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "server-error",
        message:
          "Service Unavailable (503) (asked to wait 5 s, its ARM_MAX_RETRIES (0) retries spent: not waited)",
      },
    });
  });
});

describe("Log Analytics' 503 from a gateway's page, past the call's deadline", () => {
  it("says until when, once, in the workspace's words", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle);
    const { time } = skippingTime(() => false);
    const { estate, reader, dataPlane } = await readersOn(
      estateOf(bundle),
      { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
      { monitorTime: time },
    );
    estate.addFault({
      match: { operation: "queryLogs" },
      behaviour: { kind: "status", status: 503, retryAfterSeconds: 720, rawBody: HTML },
    });
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "server-error",
        statusCode: 503,
        message:
          "Service Unavailable (503) (Log Analytics was unavailable, not throttling erwatch: not asked again before 02:12 UTC, as its Retry-After asked)",
      },
    });
  });
});

// A Log Analytics workspace whose query fails, with fan-out on: the timer
// plans each sweep, the work goes out one circuit per batch, and the workers
// of this process read the batches (fanOutDriver), at the product's cadence
// on an injected clock.
//
// - Asked once a sweep, not once a batch: the memo of a workspace's failed
//   query was each batch's read session, so three batches of one sweep asked
//   a refusing workspace three times.
// - A 429 asking for longer than the sweep interval is not asked again
//   before it has passed: the call forgot the Retry-After it could not wait
//   out, and the next sweep asked the throttled workspace again. Meanwhile the
//   circuits read it as the sweep that got it did: end to end UNKNOWN, the
//   workspace said failing (throttled, 429) on each circuit's log line.
// - A 503 asking as long, Log Analytics shedding load, is kept the same way
//   (the call forgot it, as not a throttle), its circuits told the service
//   was unavailable, not throttling erwatch.

import { Writable } from "node:stream";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { QUERY_FAILING_MESSAGE } from "../../src/app/query-failing.js";
import { WORKSPACE_ID } from "../support/estate/builders.js";
import {
  estateOf,
  healthyCircuit,
  withConnectionMonitor,
  type FaultBehaviour,
} from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const NAMES = ["er-a", "er-b", "er-c"];

const worlds = worldPerTest();

async function fannedOut() {
  // Each at its own site: a site's circuits travel in one message whatever
  // SWEEP_WORK_BATCH, and these must be three batches of one sweep.
  const bundles = NAMES.map((name) => healthyCircuit({ name, peeringLocation: `Site ${name}` }));
  for (const b of bundles) withConnectionMonitor(b);
  const lines: Record<string, unknown>[] = [];
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "1",
      // One query is one request at the fake.
      ARM_MAX_RETRIES: "0",
    },
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** The sweep at minute `m`: the timer, then the workers until the queue is empty; its batches. */
  const sweep = async (m: number) => {
    now = new Date(T0 + m * MIN);
    lines.length = 0;
    await fan.timer(m);
    const batches = w.broker.active(QUEUE).length;
    expect(await fan.drain()).toBe(true);
    expect(fan.errors).toEqual([]);
    return batches;
  };
  const queries = () => w.estate.requests.filter((r) => r.operation === "queryLogs");
  /** Each circuit read this sweep whose line says the workspace failing: its name and what it got. */
  const failing = () =>
    lines
      .filter((l) => l.msg === QUERY_FAILING_MESSAGE)
      .map((l) => ({ circuit: l.circuit, kind: l.kind, statusCode: l.statusCode }))
      .sort((a, b) => String(a.circuit).localeCompare(String(b.circuit)));
  const messages = () =>
    lines.filter((l) => l.msg === QUERY_FAILING_MESSAGE).map((l) => String(l.message));
  const nextActions = () =>
    lines.filter((l) => l.msg === QUERY_FAILING_MESSAGE).map((l) => String(l.nextAction));
  /** Until when each line says the workspace is not asked again (null: asked next sweep). */
  const notAskedBefore = () =>
    lines.filter((l) => l.msg === QUERY_FAILING_MESSAGE).map((l) => l.notAskedBefore);
  const addFault = (behaviour: FaultBehaviour) =>
    w.estate.addFault({ match: { operation: "queryLogs", workspace: WORKSPACE_ID }, behaviour });
  return {
    w,
    sweep,
    queries,
    failing,
    messages,
    nextActions,
    notAskedBefore,
    addFault,
    close: () => bus.close(),
  };
}

it("a workspace refusing erwatch (403) is asked once a sweep across the sweep's batches, and again the next sweep", async () => {
  const { w, sweep, queries, failing, addFault, close } = await fannedOut();
  try {
    addFault({
      kind: "status",
      status: 403,
      code: "InsufficientAccessError",
      message:
        "The provided credentials have insufficient access to perform the requested operation",
    });
    // The first sweep reads every circuit deep, one batch each.
    expect(await sweep(0)).toBe(NAMES.length);
    expect(queries().map((r) => r.status)).toEqual([403]);
    expect(failing()).toEqual(
      NAMES.map((circuit) => ({ circuit, kind: "forbidden", statusCode: 403 })),
    );
    const before = queries().length;
    w.estate.clearFaults();
    const batches = await sweep(5);
    // Granted since: asked again, by each circuit the sweep read.
    expect(
      queries()
        .slice(before)
        .map((r) => r.status),
    ).toEqual(Array.from({ length: batches }, () => 200));
    expect(failing()).toEqual([]);
  } finally {
    await close();
  }
}, 120_000);

it("a 429 asking for 12 minutes is not asked again by the sweeps 5 and 10 minutes later; the circuits read it throttled meanwhile, and the sweep after it has passed asks", async () => {
  const { w, sweep, queries, failing, messages, addFault, close } = await fannedOut();
  try {
    addFault({ kind: "status", status: 429, retryAfterSeconds: 12 * 60 });
    await sweep(0);
    expect(queries().map((r) => r.status)).toEqual([429]);
    expect(failing()).toEqual(
      NAMES.map((circuit) => ({ circuit, kind: "throttled", statusCode: 429 })),
    );
    // Said from the sweep that got it: before, until when only from the next sweep.
    expect(messages()).toEqual(
      NAMES.map(() => expect.stringContaining("not asked again before 01:12 UTC")),
    );
    // Log Analytics would answer now; erwatch was asked to wait until 01:12.
    w.estate.clearFaults();
    for (const m of [5, 10]) {
      const read = await sweep(m);
      expect(read).toBeGreaterThan(0);
      expect(queries()).toHaveLength(1);
      // Each circuit read these sweeps is UNKNOWN end to end for the throttle, as at 01:00.
      expect(failing()).toHaveLength(read);
      expect(failing()).toEqual(
        failing().map((f) => ({ circuit: f.circuit, kind: "throttled", statusCode: 429 })),
      );
      expect(messages()).toEqual(
        messages().map(() => expect.stringContaining("not asked again before 01:12 UTC")),
      );
    }
    const read = await sweep(15);
    expect(read).toBeGreaterThan(0);
    expect(
      queries()
        .slice(1)
        .map((r) => r.status),
    ).toEqual(Array.from({ length: read }, () => 200));
    expect(failing()).toEqual([]);
  } finally {
    await close();
  }
}, 120_000);

it("a 503 asking for 12 minutes is kept as a 429 is: not asked by the sweeps 5 and 10 minutes later, the circuits told Log Analytics was unavailable, not throttling erwatch", async () => {
  const { w, sweep, queries, failing, messages, nextActions, notAskedBefore, addFault, close } =
    await fannedOut();
  try {
    addFault({ kind: "status", status: 503, retryAfterSeconds: 12 * 60 });
    await sweep(0);
    expect(queries().map((r) => r.status)).toEqual([503]);
    expect(failing()).toEqual(
      NAMES.map((circuit) => ({ circuit, kind: "server-error", statusCode: 503 })),
    );
    // Kept: the line says until when as a field, beside the kind a 5xx has.
    expect(notAskedBefore()).toEqual(NAMES.map(() => "2026-11-22T01:12:00.000Z"));
    w.estate.clearFaults();
    for (const m of [5, 10]) {
      const read = await sweep(m);
      expect(read).toBeGreaterThan(0);
      // Before: the call forgot the wait, and the sweep 5 minutes later asked again.
      expect(queries()).toHaveLength(1);
      expect(failing()).toHaveLength(read);
      expect(messages()).toEqual(
        messages().map(() =>
          expect.stringContaining(
            "Log Analytics was unavailable, not throttling erwatch: not asked again before 01:12 UTC",
          ),
        ),
      );
      expect(nextActions()).toEqual(
        nextActions().map(() =>
          expect.stringMatching(/^Log Analytics answered 503: .*not throttling erwatch/),
        ),
      );
    }
    const read = await sweep(15);
    expect(
      queries()
        .slice(1)
        .map((r) => r.status),
    ).toEqual(Array.from({ length: read }, () => 200));
    expect(failing()).toEqual([]);
  } finally {
    await close();
  }
}, 120_000);

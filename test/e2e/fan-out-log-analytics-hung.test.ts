// A Log Analytics workspace whose first query of a sweep hangs, with fan-out
// on: the timer plans each sweep at the product's 5-minute cadence on an
// injected clock, the work goes out one circuit per batch, each circuit in a
// subscription and at a place of its own (a session each), and the workers of this process read
// the batches at once (fanOutDriver), sharing the sweep's turns at the
// workspace. The Monitor timer is a manual one: the hung query, and the
// batches waiting on it, are let go of by moving it, not by waiting out
// ARM_TIMEOUT_MS.
//
// - The batches waiting on another batch's first query of the workspace
//   wait no longer than ARM_TIMEOUT_MS from when it went, and all at that
//   one deadline, the query's own: every circuit reads end to end UNKNOWN,
//   the workspace named not answering in time on each circuit's log line,
//   nothing paged.
// - The sweeps after it ask the workspace again and read every circuit as
//   ever, each at its turn.

import { Writable } from "node:stream";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import { QUERY_FAILING_MESSAGE } from "../../src/app/query-failing.js";
import type { WorkMessage } from "../../src/app/work.js";
import { WORKSPACE_ID } from "../support/estate/builders.js";
import { circuitId } from "../support/estate/ids.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { manualTime } from "../support/manual-time.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const TIMEOUT_MS = 30_000;
const SUBS = ["a1", "b2", "c3"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const NAMES = SUBS.map((s) => `er-${s.slice(-2)}`);
/** A site's circuits share a session: each circuit at a place of its own. */
const PLACES = ["Amsterdam", "London", "Frankfurt"];
/** One worker per session, so every batch of the sweep reads at once. */
const WORKERS = SUBS.length;
/** A circuit's metrics read alone: availability by peer, throughput by device role. */
const METRICS_CALLS_PER_CIRCUIT = 2;

const worlds = worldPerTest();

it("a first query that hangs holds the batches waiting on it no longer than ARM_TIMEOUT_MS, all at once with the query's own deadline: every circuit reads end to end UNKNOWN naming the workspace, nothing pages, and the sweeps after it ask again and read every circuit as ever", async () => {
  const bundles = SUBS.map((subscriptionId, i) =>
    healthyCircuit({ subscriptionId, name: NAMES[i]!, peeringLocation: PLACES[i]! }),
  );
  for (const b of bundles) withConnectionMonitor(b);
  const ids = new Map(bundles.map((b) => [b.circuit.name, circuitId(b.circuit)]));
  const lines: Record<string, unknown>[] = [];
  let now = new Date(T0);
  const time = manualTime();
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    monitorTime: time,
    env: {
      ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
      SWEEP_SCHEDULE: "0 */5 * * * *",
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "1",
      // One query is one request at the fake.
      ARM_MAX_RETRIES: "0",
      ARM_TIMEOUT_MS: String(TIMEOUT_MS),
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
  // A session not taken in time is left for the next round (ServiceTimeout):
  // on a loaded machine, one of the three batches would not read beside the
  // hung one. No free session is said at once, however long this is.
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 30_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const queries = () => w.estate.requests.filter((r) => r.operation === "queryLogs");
  const metricsCalls = () => w.estate.requests.filter((r) => r.operation === "metricsBatch");
  /** Each circuit read this sweep whose line says the workspace failing. */
  const failing = () =>
    lines
      .filter((l) => l.msg === QUERY_FAILING_MESSAGE)
      .map((l) => ({
        circuit: l.circuit,
        workspace: l.workspace,
        kind: l.kind,
        message: l.message,
      }))
      .sort((a, b) => String(a.circuit).localeCompare(String(b.circuit)));
  const endToEnd = async (name: string) =>
    (await w.runtime.store.getSnapshot(ids.get(name)!))!.value.peerings.AzurePrivatePeering!.paths
      .primary.endToEnd;
  const paged = () => [...w.pagerduty.requests, ...w.teams.requests, ...w.webhook.requests];
  try {
    // The workspace's first query of the sweep hangs (the fake holds it until released).
    w.estate.addFault({
      match: { operation: "queryLogs", workspace: WORKSPACE_ID },
      behaviour: { kind: "slow", delayMs: TIMEOUT_MS },
      times: 1,
    });
    await fan.timer(0);
    expect(w.broker.active(QUEUE)).toHaveLength(NAMES.length);
    const metricsBefore = metricsCalls().length;
    const draining = fan.drain(120_000, { workers: WORKERS });
    // One batch's query under way on its deadline, the other two batches
    // waiting on it, all on the Monitor timer; each batch's metrics read (their
    // deadlines let go of with them), so moving the timer lets go of no other call.
    await expect
      .poll(
        () => {
          const metrics = metricsCalls().slice(metricsBefore);
          return (
            time.pending() === WORKERS &&
            metrics.length === METRICS_CALLS_PER_CIRCUIT * NAMES.length &&
            metrics.every((r) => r.status === 200)
          );
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    expect(queries()).toHaveLength(1);
    time.advance(TIMEOUT_MS);
    // All let go of at that one deadline: the two waiting, and the query itself.
    await expect.poll(() => failing().length, { timeout: 60_000 }).toBe(WORKERS);
    expect(await draining).toBe(true);
    expect(fan.errors).toEqual([]);
    const hung = failing().filter((f) => f.message === "no answer within the deadline");
    expect(hung).toEqual([
      {
        circuit: hung[0]?.circuit,
        workspace: WORKSPACE_ID,
        kind: "timeout",
        message: "no answer within the deadline",
      },
    ]);
    const waited = failing().filter((f) => f.circuit !== hung[0]!.circuit);
    expect(waited).toEqual(
      waited.map((f) => ({
        circuit: f.circuit,
        workspace: WORKSPACE_ID,
        kind: "timeout",
        message: `no answer within ${TIMEOUT_MS} ms to the sweep's first query of the workspace (another circuit's): not waited on longer`,
      })),
    );
    // Unasked: the hung query is the sweep's only one, still unanswered.
    expect(queries().map((r) => r.status)).toEqual([0]);
    w.estate.releaseSlow();
    // The row names the monitor and the workspace it was asked in; the log line above, its id.
    for (const name of NAMES)
      expect(await endToEnd(name)).toMatchObject({
        status: "unknown",
        detail: `Connection Monitor cm-${name} read failed in workspace law-network: timeout`,
      });
    await w.dispatchPending();
    expect(paged()).toEqual([]);

    // The sweeps after it ask the workspace again, by each circuit they read
    // (one read end to end UNKNOWN for Log Analytics is not read sooner for
    // it: the rotation's turn), and read each as ever.
    const unread = new Set(NAMES);
    for (const m of [5, 10, 15]) {
      if (unread.size === 0) break;
      lines.length = 0;
      now = new Date(T0 + m * MIN);
      const before = queries().length;
      await fan.timer(m);
      const read = w.broker
        .active(QUEUE)
        .flatMap((message) => (message.body as WorkMessage).items.map((i) => i.target.name));
      expect(await fan.drain(120_000, { workers: WORKERS })).toBe(true);
      expect(fan.errors).toEqual([]);
      expect(
        queries()
          .slice(before)
          .map((r) => r.status),
      ).toEqual(read.map(() => 200));
      expect(failing()).toEqual([]);
      for (const name of read) {
        expect((await endToEnd(name)).status).toBe("up");
        unread.delete(name);
      }
      await w.dispatchPending();
      expect(paged()).toEqual([]);
    }
    expect([...unread]).toEqual([]);
  } finally {
    await bus.close();
  }
}, 300_000);

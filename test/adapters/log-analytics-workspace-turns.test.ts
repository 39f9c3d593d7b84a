// A Log Analytics workspace whose query fails is asked once a sweep, not once
// a circuit (and a 429 not before its Retry-After has passed): the circuits of one sweep read at once (as scan.ts reads them)
// against the loopback estate, counting the queries each workspace got.
// Before, only a query that timed out was remembered: a workspace refusing
// erwatch (403), throttling it (429) or failing (500) was asked by every
// circuit writing there, a throttled one with more queries the more circuits
// it served.

import { describe, expect, it } from "vitest";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import { createReadSession } from "../../src/app/ports.js";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  withConnectionMonitor,
  type CircuitBundle,
} from "../support/estate/index.js";
import { WORKSPACE_ID } from "../support/estate/builders.js";
import { MAX_DELAY_MS } from "../support/estate/index.js";
import type { FaultBehaviour, SimMonitor } from "../support/estate/model.js";
import { readersPerTest } from "../support/data-plane-readers.js";
import { manualTime } from "../support/manual-time.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { readersOn, readingOf } = readersPerTest(NOW);

const OTHER_WORKSPACE = WORKSPACE_ID.replace(/law-network$/, "law-other");
const N = 8;

/** N circuits writing to law-network and one to law-other, read (ARM) before any fault. */
async function twoWorkspaces(env: Record<string, string>, time?: Timekeeper, monitor?: SimMonitor) {
  const failing: CircuitBundle[] = Array.from({ length: N }, (_, i) =>
    healthyCircuit({ name: `er-failing-${i}` }),
  );
  for (const b of failing) withConnectionMonitor(b);
  const other = healthyCircuit({ name: "er-other" });
  withConnectionMonitor(other).workspaceResourceId = OTHER_WORKSPACE;
  const state = estateOf(...failing, other);
  if (monitor) state.monitor = monitor;
  const { estate, reader, dataPlane } = await readersOn(
    state,
    env,
    time ? { monitorTime: time } : {},
  );
  const readings = await Promise.all(
    [...failing, other].map((b) => readingOf(reader, circuitId(b.circuit))),
  );
  const queries = (workspace: string) =>
    estate.requests.filter(
      (r) => r.operation === "queryLogs" && decodeURIComponent(r.path).includes(workspace),
    );
  /** One sweep: every circuit's end to end read at once, in one session; each circuit's read. */
  const reads = (abortSignal = AbortSignal.timeout(20_000)) => {
    const options = {
      abortSignal,
      now: NOW,
      session: createReadSession(),
    };
    return readings.map((r) => dataPlane.readEndToEnd(r, options));
  };
  const sweep = (abortSignal?: AbortSignal) => Promise.all(reads(abortSignal));
  return { estate, sweep, reads, queries };
}

const FAILURES: { status: number; kind: string; behaviour: FaultBehaviour }[] = [
  {
    status: 403,
    kind: "forbidden",
    behaviour: {
      kind: "status",
      status: 403,
      code: "InsufficientAccessError",
      message:
        "The provided credentials have insufficient access to perform the requested operation",
    },
  },
  // Asking longer than the call's deadline: failed at once as throttled, unwaited.
  {
    status: 429,
    kind: "throttled",
    behaviour: { kind: "status", status: 429, retryAfterSeconds: 120 },
  },
  { status: 500, kind: "server-error", behaviour: { kind: "status", status: 500 } },
];

describe("a workspace whose Log Analytics query fails, eight circuits writing there and one elsewhere", () => {
  for (const { status, kind, behaviour } of FAILURES)
    it(`${status}: asked once a sweep, every circuit there given its failure as got; the other workspace asked as ever; the next sweep asks again${status === 429 ? " once the Retry-After has passed" : ""}`, async () => {
      // No retry inside the call: one query is one request at the fake.
      const { estate, sweep, queries } = await twoWorkspaces({ ARM_MAX_RETRIES: "0" });
      estate.addFault({ match: { operation: "queryLogs", workspace: WORKSPACE_ID }, behaviour });
      const got = await sweep();
      expect(queries("/law-network/").map((r) => r.status)).toEqual([status]);
      const failures = got.slice(0, N).map((r) => {
        if (r?.ok !== false) throw new Error(`expected a failed read, got ${JSON.stringify(r)}`);
        return r.error;
      });
      expect(failures[0]).toMatchObject({
        kind,
        statusCode: status,
        call: "Microsoft.OperationalInsights/workspaces/query/read",
        target: "Connection Monitor results in workspace law-network",
        workspace: WORKSPACE_ID,
        requestId: expect.stringMatching(/./),
      });
      // The same failure for each (its request id the one query's): the rows and the log line as if asked;
      // each names its own circuit's monitor, which its row says beside the workspace.
      const { monitors: _first, ...asGot } = failures[0]!;
      expect(failures.map(({ monitors, ...f }) => ({ f, monitors }))).toEqual(
        failures.map((_, i) => ({ f: asGot, monitors: [`cm-er-failing-${i}`] })),
      );
      const other = got[N];
      if (!other?.ok) throw new Error(`expected law-other's tests, got ${JSON.stringify(other)}`);
      expect(other.value.tests.map((t) => t.result)).toEqual(["Pass"]);
      expect(queries("/law-other/").map((r) => r.status)).toEqual([200]);
      // A new sweep, a new session: the workspace is asked again, once; a
      // 429's Retry-After (120 s) not yet passed, not at all, and its
      // circuits get the 429 as got.
      const again = await sweep();
      expect(queries("/law-network/").map((r) => r.status)).toEqual(
        status === 429 ? [status] : [status, status],
      );
      expect(again.slice(0, N).map((r) => r?.ok === false && r.error.statusCode)).toEqual(
        Array.from({ length: N }, () => status),
      );
      expect(queries("/law-other/")).toHaveLength(2);
    });

  it("a workspace that answers is asked by every circuit, at once after its first query", async () => {
    const { sweep, queries } = await twoWorkspaces({});
    const got = await sweep();
    expect(got.every((r) => r?.ok)).toBe(true);
    expect(queries("/law-network/")).toHaveLength(N);
    expect(queries("/law-other/")).toHaveLength(1);
  });

  it("while the first query waits out a 429's Retry-After, no other circuit asks the throttled workspace", async () => {
    // Waits end as the clock is moved: the first query's 20 s, and the others' on it.
    const time = manualTime();
    const { estate, sweep, queries } = await twoWorkspaces(
      { ARM_MAX_RETRIES: "2", ARM_TIMEOUT_MS: "30000" },
      time,
    );
    estate.addFault({
      match: { operation: "queryLogs", workspace: WORKSPACE_ID },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 20 },
    });
    const sweeping = sweep();
    // The first query waiting out its 20 s (its deadline let go of with the
    // 429), the other circuits writing there waiting on it.
    await expect
      .poll(() => time.dueIn(), { timeout: 15_000 })
      .toEqual([20_000, ...Array.from({ length: N - 1 }, () => 30_000)]);
    // Log Analytics throttles the workspace until the 20 s it asked for have passed.
    estate.clearFaults();
    time.advance(20_000);
    const got = await sweeping;
    expect(got.every((r) => r?.ok)).toBe(true);
    // Before: each circuit's query that went meanwhile got its own 429 and waited it out.
    expect(queries("/law-network/").map((r) => r.status)).toEqual([
      429,
      ...Array.from({ length: N }, () => 200),
    ]);
  });

  it("a first query that hangs holds the other circuits writing there no longer than ARM_TIMEOUT_MS: they read the workspace unanswered in time, naming it, unasked, as the query is let go of at its own deadline", async () => {
    const time = manualTime();
    const { estate, reads } = await twoWorkspaces(
      { ARM_MAX_RETRIES: "0", ARM_TIMEOUT_MS: "30000" },
      time,
    );
    estate.addFault({
      match: { operation: "queryLogs", workspace: WORKSPACE_ID },
      // Longer than the test lasts: only the deadlines let go of it.
      behaviour: { kind: "slow", delayMs: MAX_DELAY_MS },
    });
    const each = reads();
    // law-other's query answers meanwhile.
    await each[N];
    // The others wait on the first query, each on the clock (before: on the
    // query alone), and the query's own deadline runs on it too.
    await expect.poll(() => time.pending(), { timeout: 15_000 }).toBe(N);
    time.advance(30_000);
    const read = await Promise.all(each);
    // Each its failure unasked (the query still under way is recorded once answered).
    const waited = read.slice(1, N).map((r) => (r?.ok === false ? r.error : r));
    expect(waited).toEqual(
      waited.map((_, i) => ({
        kind: "timeout",
        call: "Microsoft.OperationalInsights/workspaces/query/read",
        target: "Connection Monitor results in workspace law-network",
        message:
          "no answer within 30000 ms to the sweep's first query of the workspace (another circuit's): not waited on longer",
        workspace: WORKSPACE_ID,
        monitors: [`cm-er-failing-${i + 1}`],
      })),
    );
    // The first query's own circuit, let go of at the same deadline: before, it held on to the query until the sweep stopped.
    expect(read[0]).toMatchObject({
      ok: false,
      error: {
        kind: "timeout",
        message: "no answer within the deadline",
        workspace: WORKSPACE_ID,
      },
    });
    expect(read[N]).toMatchObject({ ok: true });
    expect(time.pending()).toBe(0);
  });

  it("an answer Log Analytics gives only in part is that query's, not the workspace's: each circuit still asks", async () => {
    const { sweep, queries } = await twoWorkspaces({ ARM_MAX_RETRIES: "0" }, undefined, {
      logsPartialError: { code: "LimitsExceeded", message: "Query exceeded resource limits." },
    });
    const got = await sweep();
    expect(got.map((r) => r?.ok === false && r.error.message)).toEqual(
      got.map(() => "partial result: There were some errors when processing your query."),
    );
    expect(queries("/law-network/")).toHaveLength(N);
  });
});

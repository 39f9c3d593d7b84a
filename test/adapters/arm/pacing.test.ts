// The reader's pacing, over the real SDK against the simulated estate with
// ARM's costs modelled: a slot is held for each request, not for the wait of a
// long-running read; the subscription's budget is spent at ARM's rate, so no
// 429; a 429 pauses the subscription for its Retry-After; the read deadline
// does not run while a read waits its turn; and the sweep's abort signal
// reaches reads that are still queued.

import { describe, expect, it } from "vitest";
import { createReadSession, type CircuitReader } from "../../../src/app/ports.js";
import type { CircuitReading } from "../../../src/core/model.js";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
  type EstateOptions,
  type RecordedRequest,
} from "../../support/estate/index.js";
import { armReaderOn } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";

const startEstate = estatePerTest();

async function setup(circuits: number, env: Record<string, string>, options: EstateOptions = {}) {
  const bundles = Array.from({ length: circuits }, (_, i) =>
    healthyCircuit({ name: `er-${i}`, microsoftPeering: true }),
  );
  const estate = await startEstate(estateOf(...bundles), { pageSize: 50, ...options });
  const reader = armReaderOn(estate, { ERWATCH_SUBSCRIPTIONS: SUB, ...env });
  return { estate, reader };
}

async function readAll(reader: CircuitReader, signal = new AbortController().signal) {
  const { targets } = await reader.discover(
    { subscriptions: [SUB], circuitIds: [] },
    { abortSignal: signal },
  );
  const session = createReadSession();
  const results = await Promise.all(
    targets.map((t) => reader.read(t, { abortSignal: signal, session })),
  );
  return results
    .map((r) => (r.kind === "read" ? r.reading : null))
    .filter((r): r is CircuitReading => r !== null);
}

const failures = (readings: CircuitReading[]) =>
  readings.flatMap((r) =>
    Object.values(r.paths).flatMap((p) =>
      Object.values(p).flatMap((path) => [path.arp, path.summary].filter((x) => !x.ok)),
    ),
  );
/** The long-running reads' POSTs (a Resource Graph query is a POST too, but not one of them). */
const isPost = (r: RecordedRequest) => r.method === "POST" && r.operation !== "queryResourceGraph";

describe("pacing the reader against ARM's budget", () => {
  it("holds a slot for the POST and each poll, not for the wait between them", async () => {
    // One request on the wire at a time, and the routers take a while: the
    // four route summaries and the witness peering's two ARP tables (a healthy
    // circuit's sessions prove layer 2 on the other) still overlap, because
    // none holds the slot while it waits.
    const { estate, reader } = await setup(1, {
      ARM_CONCURRENCY: "1",
      ARM_LRO_POLL_INTERVAL_MS: "300",
    });
    const readings = await readAll(reader);
    expect(failures(readings)).toEqual([]);
    const lro = estate.requests.filter((r) => isPost(r) || r.operation.startsWith("poll"));
    const firstPoll = lro.findIndex((r) => !isPost(r));
    expect(lro.filter(isPost)).toHaveLength(6);
    expect(firstPoll).toBe(6);
    // The old reader held its slot through each read: POST, poll, POST, poll…
  });

  it("spends a subscription's budget at ARM's rate: every read done, not one 429", async () => {
    // ARM's buckets hold two tokens more than erwatch is told: the rates are the
    // same, so unpaced reads would still draw 429s, but a burst the event loop
    // sent late, its tokens taken while ARM's bucket was still full, lands.
    const budget = { capacity: 6, perSecond: 20 };
    const { estate, reader } = await setup(
      4,
      {
        ARM_WRITE_BURST: "4",
        ARM_WRITES_PER_SECOND: "20",
        ARM_READ_BURST: "10",
        ARM_READS_PER_SECOND: "40",
        ARM_LRO_POLL_INTERVAL_MS: "100",
      },
      {
        costModel: {
          writes: budget,
          reads: { capacity: 12, perSecond: 40 },
          lroLatencyMs: 100,
          lroSpreadMs: 50,
        },
      },
    );
    const readings = await readAll(reader);
    expect(readings).toHaveLength(4);
    expect(failures(readings)).toEqual([]);
    expect(estate.cost!.totals()).toMatchObject({ writes: 18, throttled: 0 });
    expect(estate.requests.filter((r) => r.status === 429)).toEqual([]);
  });

  it("on a 429 sends nothing more to that bucket until Retry-After, and the reads still finish", async () => {
    // erwatch believes in a far bigger budget than ARM grants: ARM's 429s teach it.
    const { estate, reader } = await setup(
      2,
      {
        ARM_CONCURRENCY: "1",
        ARM_MAX_RETRIES: "6",
        ARM_WRITE_BURST: "200",
        ARM_WRITES_PER_SECOND: "100",
      },
      { costModel: { writes: { capacity: 3, perSecond: 8 }, lroLatencyMs: 0, lroSpreadMs: 0 } },
    );
    const readings = await readAll(reader);
    expect(failures(readings)).toEqual([]);
    const posts = estate.requests.filter(isPost);
    const throttled = posts.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const t of throttled) {
      const soon = posts.filter((r) => r.at > t.at && r.at < t.at + 1_000);
      expect(soon, `POSTs within the Retry-After of the 429 at ${t.at}`).toEqual([]);
    }
  });

  it("does not count the time a read waits for its turn against its deadline", async () => {
    // A 400 ms deadline, and reads that queue for up to 3 s behind a bucket of 1 refilling 1/s.
    const { reader } = await setup(
      1,
      { ARM_TIMEOUT_MS: "400", ARM_WRITE_BURST: "1", ARM_WRITES_PER_SECOND: "2" },
      { costModel: { writes: { capacity: 1, perSecond: 2 }, lroLatencyMs: 0, lroSpreadMs: 0 } },
    );
    const readings = await readAll(reader);
    expect(failures(readings)).toEqual([]);
  });

  it("lets the sweep's abort reach reads still waiting for a token: they end at once and nothing more is sent", async () => {
    const { estate, reader } = await setup(1, {
      ARM_WRITE_BURST: "1",
      ARM_WRITES_PER_SECOND: "1",
    });
    const controller = new AbortController();
    const reading = readAll(reader, controller.signal);
    await estate.waitForRequest(isPost);
    controller.abort();
    const readings = await reading;
    const failed = failures(readings);
    expect(failed.length).toBeGreaterThanOrEqual(7);
    for (const f of failed) expect(f.ok ? null : f.error.kind).toBe("timeout");
    const posts = estate.requests.filter(isPost).length;
    expect(posts).toBe(1);
    // A token would have come back within a second: no read was left waiting for it.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(estate.requests.filter(isPost)).toHaveLength(posts);
  });
});

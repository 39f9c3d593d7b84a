// The bench's quick variant, as a correctness smoke check (no timing
// assertions): the same harness `npm run bench` runs, on a tiny estate with
// fast reads. erwatch runs in its own processes against the cost-modelled
// ARM; the rows must say every circuit was read deep once, the steady state
// read only part of it, ARM hardly ever had to say 429, both injected faults paged,
// and nothing read was older than the limit.

import { describe, expect, it } from "vitest";
import { deployedNodeArguments, formatTable, runBench } from "../../bench/harness.js";

describe("npm run bench, quick", () => {
  it("runs every scenario end to end and reports sane rows", async () => {
    const lines: string[] = [];
    const report = await runBench({
      sizes: [6],
      steadySweeps: 3,
      naiveSample: 1,
      memoryCircuits: 8,
      cost: {
        reads: { capacity: 40, perSecond: 25 },
        writes: { capacity: 20, perSecond: 10 },
        lroLatencyMs: 120,
        lroSpreadMs: 60,
        metricDelayMs: 0,
      },
      log: (line) => lines.push(line),
    });
    const [full, steady, memory] = report.rows;
    expect(full).toMatchObject({ scenario: "full deep sweep", circuits: 6 });
    // Paced to ARM's buckets: hardly ever a 429 (the target is under 1 % on real sizes).
    for (const row of report.rows) expect(row.throttled).toBeLessThanOrEqual(row.calls * 0.05);
    expect(full!.note).toMatch(/^6 read, 0 with a failed read; calls: /);
    // Where the calls went: two peerings × two paths of route summary per
    // circuit, each polled at Location (the status document would be a call more);
    // ARP tables only on the subscription's witness (the first peering the sweep
    // reads), since a healthy estate's sessions prove layer 2.
    // A POST ARM answered 429 is sent again (a loaded machine can draw one): never more.
    const posts = (op: string) => Number(new RegExp(`\\b${op} (\\d+)`).exec(full!.note)?.[1]);
    for (const [op, count] of [
      ["routeTablesSummary", 24],
      ["arpTable", 2],
    ] as const) {
      expect(posts(op)).toBeGreaterThanOrEqual(count);
      expect(posts(op)).toBeLessThanOrEqual(count + full!.throttled);
    }
    expect(full!.note).toMatch(/pollOperation \d+/);
    expect(full!.note).not.toContain("pollAsyncOperation");
    expect(full!.ratioToBound).toBeGreaterThan(0);
    expect(full!.speedupOverNaive).toBeGreaterThan(0);
    expect(steady).toMatchObject({ scenario: "steady state (tiered)" });
    // Part of the estate each sweep, never all of it every time.
    expect(steady!.callsPerCircuit).toBeLessThan(full!.callsPerCircuit);
    expect(steady!.oldestReadingMin).toBeLessThanOrEqual(15);
    expect(steady!.faultToPageS!.visible).not.toBeNull();
    expect(steady!.faultToPageS!.deepOnly).not.toBeNull();
    expect(memory).toMatchObject({
      circuits: 8,
      note: expect.stringMatching(/^8 read, [\d.]+ s CPU$/),
    });
    // Peak RSS is erwatch's own process, run with the Function App's node arguments.
    for (const row of report.rows) expect(row.peakRssMb).toBeGreaterThan(0);
    expect(deployedNodeArguments()).toMatch(/--max-old-space-size=\d+/);
    expect(formatTable(report).split("\n")).toHaveLength(2 + report.rows.length);
  }, 240_000);
});

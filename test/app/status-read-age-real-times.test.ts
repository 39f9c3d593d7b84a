// A circuit's read age on the status page was the earlier of its listing and
// its snapshot's instant, both the sweep's start, though each path reading
// keeps when it was really read (core/read-age.ts), which is what the planner
// ages it by. A circuit read late in a long sweep showed older than it was, by
// up to a sweep window, and was marked stale while the rotation had it in
// time. Its age is now the planner's oldest reading: as really read, and a
// read that failed keeps the last that worked, so a circuit whose reads
// failed is still shown as not read. Stored by the real sweeper (FakeReader,
// Azurite); the reads are stamped `readLagSeconds` into each sweep.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawnAs, renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus, type StatusModel } from "../../src/app/status.js";
import { oldestReadAgeMs } from "../../src/core/read-age.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { failed } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

// Stale past 20 min: SWEEP_MAX_READ_AGE_MINUTES (15) and a timer interval (5).
const options = {
  recentHours: 1,
  recentLimit: 10,
  sweepIntervalMinutes: 5,
  maxReadAgeMinutes: 15,
};
const at = (m: number, seconds: number) => new Date(minute(m).getTime() + seconds * 1000);

/** The planner's age of the circuit's oldest reading, in whole minutes (null: never read, or not a time). */
function plannerMinutes(model: StatusModel, now: Date): number | null {
  const ms = oldestReadAgeMs(model.circuits[0]!.reads ?? undefined, now);
  return ms === null ? null : Math.floor(ms / 60_000);
}

describe("a circuit's read age on the status page", () => {
  it("read 4.5 min into a long sweep: as old as its readings, not the sweep's start, and not stale", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0, 270);
    const now = minute(21);
    const model = await loadStatus(h.store, now, options);
    const circuit = model.circuits[0]!;
    // Observed: 21 (from the sweep's start), past the 20-min mark: "(stale)".
    expect(circuit.readAgeMinutes).toBe(16);
    expect(circuit.readAgeMinutes).toBe(plannerMinutes(model, now));
    expect(circuit.lastReadAt).toBe(at(0, 270).toISOString());
    expect(model.summary!.oldestReading).toEqual({
      circuit: circuit.name,
      readAt: at(0, 270).toISOString(),
      ageMinutes: 16,
    });
    expect(drawnAs(circuit, model.summary!.readStaleAfterMinutes)).toBe("healthy");
    const html = renderStatusHtml(model);
    expect(html).toMatch(/data-read-age="16">read 16 min ago<\/span>/);
    expect(html).not.toMatch(/\(stale\)/);
    // The read age is the oldest path reading: said once, not again as the paths' age.
    expect(circuit.pathAgeMinutes).toBe(16);
    expect(html).not.toMatch(/paths read ≤|, paths \d/);
  });

  it("its own read failing since: as old as the last good read, stale past the mark", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0, 240);
    h.reader.spec = {
      circuit: failed({ kind: "throttled", call: "Microsoft.Network/expressRouteCircuits/read" }),
    };
    for (const m of [5, 10, 15, 20]) await h.run(m, 240);
    const now = minute(25);
    const model = await loadStatus(h.store, now, options);
    const circuit = model.circuits[0]!;
    expect(circuit.readAgeMinutes).toBe(21);
    expect(circuit.readAgeMinutes).toBe(plannerMinutes(model, now));
    expect(circuit.lastReadAt).toBe(at(0, 240).toISOString());
    expect(drawnAs(circuit, model.summary!.readStaleAfterMinutes)).not.toBe("healthy");
    expect(renderStatusHtml(model)).toMatch(/read 21 min ago \(stale\)/);
  });

  it("a route summary failing since: as old as its last good reading, as the planner counts it", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await h.run(0, 240);
    h.reader.spec = {
      paths: { AzurePrivatePeering: { secondary: { bgp: failed({ kind: "throttled" }) } } },
    };
    for (const m of [5, 10, 15, 20]) await h.run(m, 30);
    const now = minute(25);
    const model = await loadStatus(h.store, now, options);
    const circuit = model.circuits[0]!;
    // Observed: 5 (the last sweep's start), as if every reading were that fresh.
    expect(circuit.readAgeMinutes).toBe(21);
    expect(circuit.readAgeMinutes).toBe(plannerMinutes(model, now));
    expect(circuit.lastReadAt).toBe(at(0, 240).toISOString());
    expect(drawnAs(circuit, model.summary!.readStaleAfterMinutes)).not.toBe("healthy");
    expect(renderStatusHtml(model)).toMatch(/read 21 min ago \(stale\)/);

    // Read whole again: its age is that read's, as really read.
    h.reader.spec = {};
    await h.run(25, 90);
    const back = await loadStatus(h.store, minute(27), options);
    expect(back.circuits[0]!.readAgeMinutes).toBe(0);
    expect(back.circuits[0]!.lastReadAt).toBe(at(25, 90).toISOString());
  });

  it("an ARP table never read: not read, its age not known and marked stale", async () => {
    const h = await sweepHarness(azurite.connectionString);
    h.reader.spec = {
      paths: { AzurePrivatePeering: { primary: { arp: failed({ kind: "throttled" }) } } },
    };
    await h.run(0, 30);
    const now = minute(2);
    const model = await loadStatus(h.store, now, options);
    const circuit = model.circuits[0]!;
    // Observed: 2 ("read 2 min ago"), as if read whole.
    expect(circuit.readAgeMinutes).toBeNull();
    expect(plannerMinutes(model, now)).toBeNull();
    expect(circuit.lastReadAt).toBeNull();
    expect(drawnAs(circuit, model.summary!.readStaleAfterMinutes)).not.toBe("healthy");
    expect(renderStatusHtml(model)).toMatch(/read \? ago \(stale\)/);
  });
});

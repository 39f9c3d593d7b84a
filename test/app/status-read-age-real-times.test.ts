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

  it("an ARP table never read: as old as what was read, and which reading never was, and why", async () => {
    const h = await sweepHarness(azurite.connectionString);
    // The role lacks the ARP action: every sweep's ARP read of the primary fails.
    const action = "Microsoft.Network/expressRouteCircuits/peerings/arpTables/action";
    h.reader.spec = {
      paths: {
        AzurePrivatePeering: {
          primary: { arp: failed({ kind: "forbidden", call: action, missingPermission: action }) },
        },
      },
    };
    for (const m of [0, 5, 10]) await h.run(m, 30);
    const now = minute(12);
    const model = await loadStatus(h.store, now, options);
    const circuit = model.circuits[0]!;
    // Observed: null, "read ? ago (stale)" for good, though all else was read at 10:30.
    expect(circuit.readAgeMinutes).toBe(1);
    expect(circuit.lastReadAt).toBe(at(10, 30).toISOString());
    expect(circuit.neverRead).toEqual([
      {
        peering: "AzurePrivatePeering",
        path: "primary",
        reading: "ARP table",
        why: `permission missing: ${action}`,
      },
    ]);
    // Refused for good: the planner ages it from its last try (the sweep at
    // 10), so it is tried again in its turn, not read as never read every sweep.
    expect(plannerMinutes(model, now)).toBe(2);
    // Drawn in full, with the reading never had; not stale.
    expect(drawnAs(circuit, model.summary!.readStaleAfterMinutes)).toBe("full");
    const html = renderStatusHtml(model);
    expect(html).toMatch(/data-read-age="1">read 1 min ago<\/span>/);
    expect(html).not.toMatch(/\(stale\)/);
    expect(html).toContain(
      `ARP table never read (AzurePrivatePeering primary): permission missing: ${action}</span>`,
    );
    expect(model.summary!.oldestReading).toEqual({
      circuit: circuit.name,
      readAt: at(10, 30).toISOString(),
      ageMinutes: 1,
    });

    // Read at last: nothing is never read any more.
    h.reader.spec = {};
    await h.run(15, 30);
    const back = await loadStatus(h.store, minute(16), options);
    expect(back.circuits[0]!.neverRead).toEqual([]);
    expect(renderStatusHtml(back)).not.toContain("never read");
  });
});

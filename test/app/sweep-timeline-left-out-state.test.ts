// The circuit listing leaves a peering's state out (ARM sends the peering
// without `properties.state`) from the first sweep: its rows are UNKNOWN,
// never judged, and monitoring-blind names the field. The real timer every
// 5 minutes on an injected clock, six healthy circuits (each read deep every
// other sweep in its turn), ARM on loopback, state in Azurite.
//
// The deep read judges the body the cheap tier listed, so no deep read mends
// a field the listing left out: those rows, and the monitoring-blind once it
// has said which field, were trouble, and the circuit was read deep every
// sweep while the listing left it out. Now it is read in its turn, and deep
// at once when the listing tells the state again (its body changed).

import { describe, expect, it } from "vitest";
import { clearWire, editWire, healthyCircuit } from "../support/estate/index.js";
import { countedSweep } from "../support/counted-sweep.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const A = "er-circuit-a";
const worlds = worldPerTest();

describe("a peering state the circuit listing leaves out", () => {
  it("is read in its turn once monitoring-blind has named the field, and deep at once when the listing tells it again", async () => {
    const bundles = Array.from({ length: 6 }, (_, i) =>
      healthyCircuit({
        name: `er-circuit-${String.fromCharCode(97 + i)}`,
        microsoftPeering: i === 0,
      }),
    );
    editWire(bundles[0]!.circuit, {
      read: "circuit",
      field: "properties.peerings[1].properties.state",
      remove: true,
    });
    const t = await timerWorld(worlds, T0, bundles);
    const reasons: string[] = [];
    const deepPerSweep: number[] = [];
    const postsPerSweep: number[] = [];
    for (let m = 0; m <= 40; m += 5) {
      const swept = await countedSweep(t, m);
      reasons.push(swept.reasonOf(A));
      deepPerSweep.push(swept.deep.length);
      postsPerSweep.push(swept.posts);
      const microsoft = swept.result.verdicts
        .find((v) => v.name === A)
        ?.peerings.find((p) => p.name === "MicrosoftPeering");
      if (microsoft)
        expect(microsoft.paths.primary.bgp).toMatchObject({
          status: "unknown",
          detail: "peering state not reported",
        });
    }
    // monitoring-blind pending is no trouble either (no read sooner mends the
    // field): read in its turn from the first sweep on, and it opens on time
    // (refused-blind-open.ts). Before: "trouble" at every sweep, four deep
    // reads a sweep where the rotation reads three; then "trouble" until it
    // opened, two sweeps of four.
    expect(reasons[0]).toBe("new");
    // In its turn: read for its age alone, and at least every other sweep.
    for (const r of reasons.slice(1)) expect(["rotation", "due", "quiet"]).toContain(r);
    for (let i = 1; i + 1 < reasons.length; i += 1)
      expect([reasons[i], reasons[i + 1]], `sweeps ${i}, ${i + 1}`).not.toEqual(["quiet", "quiet"]);
    expect(deepPerSweep).toEqual([6, 3, 3, 3, 3, 3, 3, 3, 3]);
    // Two route summaries a circuit, and the subscription's ARP witness (two tables). Before: 10.
    expect(postsPerSweep.slice(1)).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
    clearWire(bundles[0]!.circuit);
    const back = await countedSweep(t, 45);
    expect(back.reasonOf(A)).toBe("changed");
    await t.sweepUntil(50, 55);
    expect(t.sent().map((e) => `${e.action} ${e.family} ${e.circuit.name}`)).toEqual([
      `open monitoring-blind ${A}`,
      `resolve monitoring-blind ${A}`,
    ]);
    expect(t.sent()[0]!.title).toMatch(/peerings\[1\]\.state is missing/);
  }, 120_000);
});

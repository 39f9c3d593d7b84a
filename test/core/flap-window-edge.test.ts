// The flap window's far edge at the product's cadence: a change recorded by
// the tick exactly one window before this one is in the window or not by the
// same rule whether this tick ran a moment early or late, so a flap does not
// open or end a sweep apart on a second of timer jitter.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import { flappingFindings } from "../../src/core/flapping.js";
import type { LayerTransition } from "../../src/core/history.js";
import { tickSlackMs } from "../../src/core/policy.js";
import { chainTimeline } from "../support/chain-timeline.js";
import { circuitReading, CIRCUIT_ID, type CircuitSpec } from "../support/readings.js";

const TICK = Date.parse("2026-11-22T11:00:00.000Z");
const policy = { transitions: 3, windowMinutes: 60 };

/** The primary path down and up at these ticks (minutes after 10:00), each stamped a moment off. */
const changes = (minutes: number[], offsetMs = 0): LayerTransition[] =>
  minutes.map((m, i) => ({
    kind: "transition",
    circuitId: CIRCUIT_ID,
    peering: "AzurePrivatePeering",
    at: new Date(Date.parse("2026-11-22T10:00:00.000Z") + m * 60_000 + offsetMs).toISOString(),
    path: "primary",
    layer: "path",
    before: i % 2 === 0 ? "up" : "down",
    after: i % 2 === 0 ? "down" : "up",
    beforeDetail: "",
    afterDetail: "",
  }));

const flaps = (history: LayerTransition[], nowMs: number) =>
  flappingFindings(
    classifyCircuit(circuitReading({})),
    history,
    policy,
    80,
    new Date(nowMs),
    tickSlackMs(5),
  ).map((f) => f.title.replace(/:.*/, ""));

describe("a change one window before the tick", () => {
  // Four changes, the first at 10:00 and the last at 11:00: more than three in the hour.
  const FLAP = ["BGP session flapping on the primary path of AzurePrivatePeering"];
  it.each([
    { name: "the 11:00 tick on time", history: changes([0, 20, 40, 60]), now: TICK },
    { name: "the 11:00 tick 0.3 s early", history: changes([0, 20, 40, 60]), now: TICK - 300 },
    { name: "the 11:00 tick 0.9 s late", history: changes([0, 20, 40, 60]), now: TICK + 900 },
    {
      name: "the 10:00 tick 0.9 s late and the 11:00 tick on time",
      history: changes([0, 20, 40, 60], 900),
      now: TICK,
    },
    {
      name: "the 10:00 tick on time and the 11:00 tick 40 s late (a cold start)",
      history: changes([0, 20, 40, 60]),
      now: TICK + 40_000,
    },
  ])("is counted: $name", ({ history, now }) => {
    expect(flaps(history, now)).toEqual(FLAP);
  });

  it("a change a whole tick before the window is not", () => {
    expect(flaps(changes([-5, 20, 40, 60]), TICK - 300)).toEqual([]);
  });
});

describe("through the sweep's evaluation", () => {
  // Down at 02:05 and 02:45, up at 02:25 and 03:05: the fourth change, at the
  // 03:05 tick, is more than three in the hour however late that tick runs.
  const down: CircuitSpec = {
    paths: { AzurePrivatePeering: { primary: { arp: "empty", bgp: "Idle" } } },
  };
  const at = (m: number): CircuitSpec => ((m >= 5 && m < 25) || (m >= 45 && m < 65) ? down : {});
  it.each([
    { name: "on time", last: 65 },
    { name: "0.9 s late", last: 65 + 0.9 / 60 },
  ])("the 03:05 tick $name opens the flap", ({ last }) => {
    const sweeps = Array.from({ length: 14 }, (_, i) => i * 5).map((m) => ({
      minute: m === 65 ? last : m,
      spec: at(m),
    }));
    const { sent } = chainTimeline(sweeps);
    expect(sent.at(-1)).toContain("session-flapping:open:Sev2");
  });
});

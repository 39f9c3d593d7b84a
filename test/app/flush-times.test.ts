// When a run decides the outages still waiting to group (deep-read.ts
// flushTimes): at its deadline, and at the last call before its hard stop,
// with room to commit and publish before the stop cuts everything.

import { describe, expect, it } from "vitest";
import { flushTimes } from "../../src/app/deep-read.js";

const NOW = new Date("2026-11-22T03:00:00.000Z");
const S = 1_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe("flushTimes", () => {
  it.each<[string, { deadline?: Date; stopAt?: Date }, { inMs: number; last: boolean }[]]>([
    ["the CLI: neither", {}, []],
    [
      "a deadline, no stop known: the deadline is the last call",
      { deadline: at(270 * S) },
      [{ inMs: 270 * S, last: true }],
    ],
    [
      "the 5-minute timer (deadline 270 s, stop 285 s): the deadline, then half-way to the stop",
      { deadline: at(270 * S), stopAt: at(285 * S) },
      [
        { inMs: 270 * S, last: false },
        { inMs: 277.5 * S, last: true },
      ],
    ],
    [
      "a long tail after the deadline: 10 s before the stop",
      { deadline: at(60 * S), stopAt: at(120 * S) },
      [
        { inMs: 60 * S, last: false },
        { inMs: 110 * S, last: true },
      ],
    ],
    [
      "a fan-out worker's cap before the deadline: 10 s before the cap only",
      { deadline: at(270 * S), stopAt: at(240 * S) },
      [{ inMs: 230 * S, last: true }],
    ],
    [
      "a cap in 4 s: half of it",
      { deadline: at(240 * S), stopAt: at(4 * S) },
      [{ inMs: 2 * S, last: true }],
    ],
    ["past both: at once", { deadline: at(-5 * S), stopAt: at(-1 * S) }, [{ inMs: 0, last: true }]],
  ])("%s", (_name, run, expected) => {
    expect(flushTimes(run, NOW, NOW)).toEqual(expected);
  });
});

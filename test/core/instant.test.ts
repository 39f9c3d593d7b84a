// What a time read back from storage is: only a date and a time with its
// zone. Anything else (a hand edit, a cut-off write, a number) is null, an
// unknown age, never Date.parse's NaN or its guess.

import { describe, expect, it } from "vitest";
import { storedInstant } from "../../src/core/instant.js";

describe("storedInstant", () => {
  it.each<{ at: unknown; ms: number | null }>([
    { at: "2026-11-22T02:00:00.000Z", ms: Date.UTC(2026, 10, 22, 2) },
    { at: "2026-11-22T02:00Z", ms: Date.UTC(2026, 10, 22, 2) },
    { at: "2026-11-22T03:00:00+01:00", ms: Date.UTC(2026, 10, 22, 2) },
    { at: null, ms: null },
    { at: undefined, ms: null },
    { at: "", ms: null },
    { at: "yesterday", ms: null },
    { at: "42", ms: null },
    { at: 42, ms: null },
    { at: "1795312800000", ms: null },
    { at: "2026-11-22", ms: null },
    { at: "2026-11-22T02:00:00", ms: null },
    { at: "2026-11-22T02:00:00.000Z trailing", ms: null },
    { at: "2026-13-01T00:00:00Z", ms: null },
  ])("$at → $ms", ({ at, ms }) => {
    expect(storedInstant(at)).toBe(ms);
  });
});

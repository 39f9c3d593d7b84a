// BENCH_ENV lays erwatch settings over the bench's own, so a trade-off (a
// longer read age, a smaller batch) is measured with the same harness; a
// malformed value stops the bench before it starts rather than being ignored.

import { describe, expect, it } from "vitest";
import { benchSettings } from "../../bench/harness.js";

describe("BENCH_ENV", () => {
  it.each([
    [undefined, {}],
    ["", {}],
    ['{"SWEEP_MAX_READ_AGE_MINUTES":"20"}', { SWEEP_MAX_READ_AGE_MINUTES: "20" }],
  ])("%j → %j", (raw, expected) => {
    expect(benchSettings(raw)).toEqual(expected);
  });

  it.each([
    ["{nope", /not JSON/],
    ["[1]", /JSON object/],
    ['{"SWEEP_MAX_READ_AGE_MINUTES":20}', /must be strings: SWEEP_MAX_READ_AGE_MINUTES/],
  ])("%s is refused", (raw, message) => {
    expect(() => benchSettings(raw)).toThrow(message);
  });
});

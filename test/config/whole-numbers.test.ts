// A number setting is a whole number written in decimal digits, as the README
// settings table gives each one's range. Anything else stops the start naming
// the setting, the range and the value; every problem is told at once.

import { describe, expect, it } from "vitest";
import { ConfigError, SettingsReader } from "../../src/config/reader.js";
import { loadSweepConfig } from "../../src/runtime/config.js";

const read = (text: string) => {
  const r = new SettingsReader({ ARM_CONCURRENCY: text });
  return { value: r.int("ARM_CONCURRENCY", 16, { min: 1, max: 64 }), problems: r.problems };
};

describe("whole-number settings", () => {
  it.each([
    ["8", 8],
    [" 8 ", 8],
    ["+8", 8],
    ["08", 8],
    ["64", 64],
  ])("reads %j as %d", (text, value) => {
    expect(read(text)).toEqual({ value, problems: [] });
  });

  it.each(["", "   "])("takes the default for %j (unset)", (text) => {
    expect(read(text)).toEqual({ value: 16, problems: [] });
  });

  it.each([
    "0x10", // Number() reads 16
    "1e1", // 10
    "0b11", // 3
    "0o10", // 8
    "8.0",
    "8.5",
    "5m",
    "8 requests",
    "1_0",
    "Infinity",
    "-1",
    "0",
    "65",
    "99999999999999999999",
  ])("refuses %j, naming the setting, the range and the value", (text) => {
    const { value, problems } = read(text);
    expect(value).toBe(16);
    expect(problems).toEqual([
      `ARM_CONCURRENCY: expected a whole number in digits from 1 to 64, got "${text}"`,
    ]);
  });

  it("reports every odd number at once, each naming its setting", () => {
    let problems: string[] = [];
    try {
      loadSweepConfig(
        {
          ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
          ERWATCH_STORAGE: "UseDevelopmentStorage=true",
          ARM_TIMEOUT_MS: "3e4",
          ARM_CONCURRENCY: "0x10",
          STORAGE_TIMEOUT_MS: "10s",
          SWEEP_WORK_BATCH: "-5",
        },
        { publish: "optional" },
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "ARM_CONCURRENCY",
      "ARM_TIMEOUT_MS",
      "STORAGE_TIMEOUT_MS",
      "SWEEP_WORK_BATCH",
    ]);
  });
});

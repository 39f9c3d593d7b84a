// A number setting is a whole number written in decimal digits, as the README
// settings table gives each one's range. Anything else is named with the
// setting, the range and the value; each is left out, its default in its
// place, and every one is told at once.

import { describe, expect, it } from "vitest";
import { SettingsReader } from "../../src/config/reader.js";
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

  it("names every odd number at once, each with the default the sweep runs on instead", () => {
    const config = loadSweepConfig(
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
    expect(config.ignoredSettings).toEqual([
      'ARM_CONCURRENCY: expected a whole number in digits from 1 to 64, got "0x10" (left out: the default 16 applies)',
      'ARM_TIMEOUT_MS: expected a whole number in digits from 100 to 600000, got "3e4" (left out: the default 30000 applies)',
      'STORAGE_TIMEOUT_MS: expected a whole number in digits from 100 to 120000, got "10s" (left out: the default 10000 applies)',
      'SWEEP_WORK_BATCH: expected a whole number in digits from 1 to 100, got "-5" (left out: the default 20 applies)',
    ]);
    expect([
      config.arm.concurrency,
      config.arm.timeoutMs,
      config.state.timeoutMs,
      config.sweep.batchSize,
    ]).toEqual([16, 30_000, 10_000, 20]);
  });
});

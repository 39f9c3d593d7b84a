// A file that replaces a module, the timers or a global runs in a process of
// its own; shared with the files after it, the replacement would leak into them.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { OWN_PROCESS, REPLACES } from "./own-process.js";

const ROOT = join(import.meta.dirname, "../..");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(ROOT, path).replaceAll("\\", "/")] : [];
  });
}

describe("the files that run in a process of their own", () => {
  // This file names the calls in its own cases below.
  const files = testFiles(join(ROOT, "test")).filter(
    (f) => f !== "test/support/own-process.test.ts",
  );

  it("include every file that replaces a module, the timers or a global", () => {
    const replacing = files.filter((f) => REPLACES.test(readFileSync(join(ROOT, f), "utf8")));
    expect(replacing.length).toBeGreaterThan(0);
    expect(replacing.filter((f) => !OWN_PROCESS.includes(f))).toEqual([]);
  });

  it("name files that exist", () => {
    expect(OWN_PROCESS.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it("tells a replacing file from one that only reads", () => {
    expect(REPLACES.test('vi.mock("../../src/x.js")')).toBe(true);
    expect(REPLACES.test("vi.useFakeTimers({ now: 0 })")).toBe(true);
    expect(REPLACES.test('vi.stubEnv("TZ", "UTC")')).toBe(true);
    expect(REPLACES.test("vi.fn()")).toBe(false);
  });
});

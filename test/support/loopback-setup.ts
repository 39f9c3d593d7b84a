// Loaded before every test file (vitest setupFiles). Tests talk only to
// loopback: the guard refuses anything else, and every refusal, in this file's
// tests or in a process they spawned, is written down and fails the file at
// its end, even when the test that made it swallowed the error.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import "./loopback-only.mjs";

const dir = mkdtempSync(join(tmpdir(), "erwatch-loopback-"));
const file = join(dir, "refusals.txt");
writeFileSync(file, "");
process.env.LOOPBACK_REFUSALS = file;

afterAll(() => {
  const refused = readFileSync(file, "utf8").split("\n").filter(Boolean);
  rmSync(dir, { recursive: true, force: true });
  if (refused.length > 0)
    throw new Error(`a test tried to reach beyond loopback: ${[...new Set(refused)].join(", ")}`);
});

import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./test/support/slow-first.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Vitest's default (a core fewer than the machine has) is one worker on
    // the 2-core build machine; much of a file's time is spent waiting on its
    // own fakes (Azurite, the loopback ARM, the broker), so take two at least;
    // a third is slower there (measured at c1275b9: the suite is CPU-bound).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
    globalSetup: ["test/support/global-setup.ts"],
    // Tests talk only to loopback: any other connection fails loudly.
    setupFiles: ["test/support/loopback-setup.ts"],
    // Every wait inside a test is bounded by its own deadline; these are backstops.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});

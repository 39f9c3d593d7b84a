import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { OWN_PROCESS } from "./test/support/own-process.js";
import SlowFirstSequencer from "./test/support/slow-first.js";

// Files that replace nothing share their worker with the files before it, so
// the Azure SDKs are imported once per worker rather than once per file (most
// of a small file's time on the 2-core CI machine was that import); the rest
// run each in a fresh process (test/support/own-process.ts).
export default defineConfig({
  test: {
    pool: "forks",
    // Twice the cores: most of a file's time is spent waiting on its own fakes
    // (Azurite, the loopback ARM, the broker) and on its real deadlines, so two
    // workers on the 2-core CI machine left the CPU idle half the run
    // (measured at 971b67e, with the shared project: 2 workers 608 s, 4
    // workers 376 s).
    maxWorkers: Math.max(2, availableParallelism() * 2),
    sequence: { sequencer: SlowFirstSequencer },
    globalSetup: ["test/support/global-setup.ts"],
    // Tests talk only to loopback: any other connection fails loudly.
    setupFiles: ["test/support/loopback-setup.ts"],
    // Every wait inside a test is bounded by its own deadline; these are backstops.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: OWN_PROCESS,
          isolate: false,
        },
      },
      { extends: true, test: { name: "own-process", include: OWN_PROCESS } },
    ],
  },
});

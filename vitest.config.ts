import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["test/support/global-setup.ts"],
    // Tests talk only to loopback: any other connection fails loudly.
    setupFiles: ["test/support/loopback-setup.ts"],
    // Every wait inside a test is bounded by its own deadline; these are backstops.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});

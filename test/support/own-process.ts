// Test files that run each in a fresh process. Every other file shares its
// worker with the files before it (vitest.config.ts, `isolate: false`), so a
// file that replaces a module (vi.mock), the timers or a global, or spies
// without putting things back, must be listed here: test/support/own-process.test.ts
// fails the build for one that replaces and is not.
export const OWN_PROCESS = [
  "test/runtime/telemetry-start.test.ts",
  "test/config/settings-drift.test.ts",
  "test/app/circuit-recorder-places.test.ts",
  "test/app/sweep-runs.test.ts",
  "test/app/circuit-recorder-flush.test.ts",
  "test/functions/registration.test.ts",
  "test/infra/health-alerts.test.ts",
  "test/adapters/close-within.test.ts",
  "test/functions/sweep-start-settings.test.ts",
];

/** What a file shared with others must not do: its effect outlives the file. */
export const REPLACES = /\bvi\.(mock|doMock|useFakeTimers|stubGlobal|stubEnv)\(/;

// The sweep functions' start as the host runs it (functions/deps.ts
// sweepDeps, from the process's app settings): a tuning number that cannot be
// used refused it, so the timer, the fan-out worker and POST /api/sweep each
// failed on every invocation. They now start on its default, and the setting
// is among those every sweep names, with what the dispatcher beside them
// leaves out. Own process: it sets app settings in process.env.

import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startAzurite, type Azurite } from "../support/azurite.js";

const SETTINGS = {
  ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
  ERWATCH_TABLE_PREFIX: `start${process.pid}`,
  ServiceBusConnection: "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x",
  PAGERDUTY_ROUTING_KEY: "0123456789abcdef0123456789abcdef",
  LOG_LEVEL: "silent",
  ARM_CONCURRENCY: "0x10",
  DISPATCH_ATTEMPTS: "three",
};

let azurite: Azurite;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  azurite = await startAzurite();
  const env = { ...SETTINGS, ERWATCH_STORAGE: azurite.connectionString };
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await azurite?.stop();
});

it("starts the sweep on ARM_CONCURRENCY's default, naming it and the dispatcher's DISPATCH_ATTEMPTS", async () => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.resetModules();
  const { sweepDeps } = await import("../../src/functions/deps.js");
  const deps = await sweepDeps();
  expect(deps.runtime.config.arm.concurrency).toBe(16);
  expect(deps.runtime.config.ignoredSettings).toEqual([
    'ARM_CONCURRENCY: expected a whole number in digits from 1 to 64, got "0x10" (left out: the default 16 applies)',
    'dispatcher: DISPATCH_ATTEMPTS: expected a whole number in digits from 1 to 10, got "three" (left out: the default 3 applies)',
  ]);
  vi.restoreAllMocks();
});

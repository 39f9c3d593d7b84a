// One setting must never silence the others: a setting an entry does not use
// cannot stop it, and an optional setting that cannot be read is left out and
// named (every sweep, the health alert) while the entries run without it.
// Only what an entry cannot run without (storage, Service Bus, what to watch)
// stops its start, with every problem listed.

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/reader.js";
import {
  dispatchSettingsProblems,
  loadDispatchConfig,
  loadStatusConfig,
  loadSweepConfig,
} from "../../src/runtime/config.js";

const STORAGE = "UseDevelopmentStorage=true";
const BROKER = "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x";
const PD = "0123456789abcdef0123456789abcdef";

/** What the Functions app runs with: every entry's settings, valid. */
const APP = {
  ERWATCH_STORAGE: STORAGE,
  ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
  ServiceBusConnection: BROKER,
  PAGERDUTY_ROUTING_KEY: PD,
};

/** The problems that stop the start, or [] when it starts. */
function stops(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const entries = {
  "timer and HTTP sweep": (env: Record<string, string>) =>
    loadSweepConfig(env, { publish: "required", functions: true }),
  "status page": (env: Record<string, string>) => loadStatusConfig(env),
  dispatcher: (env: Record<string, string>) => loadDispatchConfig(env),
};

describe("the dispatcher reads only what delivery needs", () => {
  // A silence added at 2 a.m. with a trailing comma; a hold time of 0; a
  // retention shorter than the trend window: none of them changes who is
  // paged or how, and each stopped every page.
  it.each([
    [
      "ERWATCH_SILENCES",
      '[{"circuit":"er-1","start":"2026-01-01T00:00Z","end":"2026-01-01T02:00Z"},]',
    ],
    ["ERWATCH_ALERT_POLICY", '{"blindAfterSweeps": 0}'],
    ["HISTORY_RETENTION_DAYS", "0"],
  ])("starts and pages with %s = %j, which only the sweep reads", (setting, value) => {
    const env = { ...APP, [setting]: value };
    expect(stops(() => entries.dispatcher(env))).toEqual([]);
    expect(dispatchSettingsProblems(env).join("\n")).not.toContain(setting);
  });
});

// Loads exactly the configuration an entry point needs, validating it all at
// once so a misconfigured deployment hears every problem in one message.

import { readArmConfig, requireScope, type ArmConfig } from "../config/arm.js";
import { readPublishConfig, type PublishConfig } from "../config/publish.js";
import { SettingsReader } from "../config/reader.js";
import type { Env } from "../config/settings.js";
import { readStateConfig, type StateConfig } from "../config/state.js";
import { readSweepSchedule } from "../config/functions.js";
import { readDispatchConfig, type DispatchConfig } from "../config/dispatch.js";

export interface RuntimeConfig {
  logLevel: string;
  arm: ArmConfig;
  state: StateConfig | null;
  publish: PublishConfig | null;
  dispatch: DispatchConfig | null;
  /** Where the Functions dispatcher parks events it gives up on. */
  deadLetterQueue: string;
}

export interface Needs {
  /** Sweeps need something to watch; diagnose does not. */
  scope?: boolean;
  state?: boolean;
  publish?: "required" | "optional";
  /** Running under the Functions host: check the timer schedule too. */
  functions?: boolean;
  dispatch?: boolean;
}

export function loadRuntimeConfig(env: Env, needs: Needs): RuntimeConfig {
  const r = new SettingsReader(env);
  const logLevel = r.oneOf(
    "LOG_LEVEL",
    ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
    "info",
  );
  const arm = readArmConfig(r);
  if (needs.scope) requireScope(r, arm);
  const state = needs.state ? readStateConfig(r, arm.cloud) : null;
  const publish = needs.publish ? readPublishConfig(r, needs.publish === "required") : null;
  if (needs.functions) readSweepSchedule(r);
  const dispatch = needs.dispatch ? readDispatchConfig(r) : null;
  const deadLetterQueue =
    r.raw("SERVICEBUS_DEADLETTER_QUEUE") ?? `${publish?.entity ?? "erwatch-alerts"}-deadletter`;
  r.throwIfProblems();
  return { logLevel, arm, state, publish, dispatch, deadLetterQueue };
}

/**
 * Values that must never reach a log line, as configured. The forms they take
 * in text (encoded, a URL's signature, a connection string's key) are derived
 * by the logger's scrubber from core/text.ts secretForms, not here.
 */
export function secretsOf(config: RuntimeConfig): string[] {
  const out: string[] = [];
  if (config.state?.connection.kind === "connection-string")
    out.push(config.state.connection.value);
  if (config.publish?.connection.kind === "connection-string")
    out.push(config.publish.connection.value);
  // Receiver URLs, routing keys and header values.
  out.push(...(config.dispatch?.secrets ?? []));
  return out;
}

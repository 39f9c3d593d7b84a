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

/** Values that must never reach a log line. */
export function secretsOf(config: RuntimeConfig): string[] {
  const out: string[] = [];
  if (config.state?.connection.kind === "connection-string")
    out.push(config.state.connection.value);
  if (config.publish?.connection.kind === "connection-string")
    out.push(config.publish.connection.value);
  // Receiver URLs and routing keys: a Teams or Logic Apps URL carries its
  // signature in the query, which also leaks on its own.
  for (const secret of config.dispatch?.secrets ?? []) {
    out.push(secret);
    for (const m of secret.matchAll(/[?&](?:sig|code|token|key)=([^&]+)/gi))
      if (m[1]) out.push(decodeURIComponent(m[1]));
  }
  // Parts of connection strings also leak on their own (an AccountKey in an error message).
  for (const cs of [...out]) {
    for (const m of cs.matchAll(/(?:AccountKey|SharedAccessKey|SharedAccessSignature)=([^;]+)/gi))
      if (m[1]) out.push(m[1]);
  }
  return out;
}

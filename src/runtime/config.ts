// Loads exactly the configuration an entry point needs, validating it all at
// once so a misconfigured deployment hears every problem in one message. Each
// entry gets a type without nulls for what it cannot run without.

import {
  readArmConfig,
  readCloud,
  requireScope,
  type ArmConfig,
  type CloudName,
} from "../config/arm.js";
import { receiverConfigProblem } from "../adapters/receivers/config.js";
import {
  deliveryBudgetProblem,
  readDispatchConfig,
  readRouting,
  settingsNamedBy,
  type DispatchConfig,
  type ResolvedReceiver,
} from "../config/dispatch.js";
import { FUNCTIONS_DELIVERY_BUDGET_MS, readSweepSchedule } from "../config/functions.js";
import { misspeltSettings } from "../config/misspelt.js";
import type { Routing } from "../core/routing.js";
import {
  readEntityName,
  readPublishConfig,
  refuseSharedEntities,
  type PublishConfig,
} from "../config/publish.js";
import { ConfigError, SettingsReader } from "../config/reader.js";
import { SETTINGS, type Env } from "../config/settings.js";
import {
  hasStateConnection,
  readStateConfig,
  readStorageConfig,
  type StateConfig,
  type StorageConfig,
} from "../config/state.js";
import {
  readAgeCadenceProblem,
  readMaxReadAgeMinutes,
  readSweepSettings,
  type SweepSettings,
} from "../config/sweep.js";
import { sweepWindow } from "../app/sweep-window.js";
import { readTelemetryConfig, type TelemetryConfig } from "../config/telemetry.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/**
 * The level to log at before the settings are validated (the CLI's logger
 * exists before any command loads them): LOG_LEVEL read as validation reads
 * it (trimmed, any case), else `fallback`. A value that is no level is
 * reported with the other problems by the command that loads its settings;
 * pino given it raw would throw before any of that.
 */
export function logLevelOf(env: Env, fallback: string): string {
  const text = env.LOG_LEVEL?.trim().toLowerCase() ?? "";
  return (LOG_LEVELS as readonly string[]).includes(text) ? text : fallback;
}

export interface Base {
  logLevel: string;
  /** Picks the login host for identities and storage suffixes. */
  cloud: CloudName;
  /** Application Insights for erwatch's own metrics; the CLI never exports. */
  telemetry: TelemetryConfig;
  /**
   * Entries of settings left out as invalid (one circuit's, one silence's),
   * each naming where and why; and names set close to a setting erwatch reads.
   */
  ignoredSettings: string[];
}

/** `erwatch diagnose` and the stateless `erwatch sweep`: ARM only. */
export interface ReadConfig extends Base {
  arm: ArmConfig;
}

/** The stateful sweep (timer, HTTP, `erwatch sweep --state`). */
export interface SweepConfig extends ReadConfig {
  state: StateConfig;
  /** Null only for the CLI without Service Bus: events then wait in the outbox. */
  publish: PublishConfig | null;
  sweep: SweepSettings;
  /** The dispatcher's routes (who hears what); null when they cannot be read. */
  routing: Routing | null;
}

/** The status page: stored state only. */
export interface StatusConfig extends Base {
  state: StateConfig;
  /** The rotation's age limit: a circuit read longer ago than it allows is marked stale. */
  sweep: Pick<SweepSettings, "maxReadAgeMinutes">;
}

/** The dispatcher: no ARM at all, and of state only the tables. */
export interface DispatchRuntimeConfig extends Base {
  state: StorageConfig;
  publish: PublishConfig;
  dispatch: DispatchConfig;
  /** Where the Functions dispatcher parks events it gives up on. */
  deadLetterQueue: string;
}

function load<T>(env: Env, read: (r: SettingsReader, cloud: CloudName) => T): T & Base {
  const r = new SettingsReader(env);
  // Logs and metrics are erwatch's own: a typo there stops no sweep and no page.
  const logLevel = r.optional(
    () => r.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    "info",
    "info applies",
  );
  const cloud = readCloud(r);
  const telemetry = readTelemetryConfig(r);
  const value = read(r, cloud);
  r.ignored.push(...misspelt(env));
  r.throwIfProblems();
  return { ...value, logLevel, cloud, telemetry, ignoredSettings: [...r.ignored] };
}

/** What every entry leaves out of the settings all of them read (load's own). */
function sharedIgnored(env: Env): string[] {
  try {
    return load(env, () => ({})).ignoredSettings;
  } catch (error) {
    if (error instanceof ConfigError) return [];
    throw error;
  }
}

/** Set names close to one erwatch reads (config/misspelt.ts); never their values. */
function misspelt(env: Env): string[] {
  return misspeltSettings(env, Object.keys(SETTINGS), () =>
    settingsNamedBy(env.ERWATCH_ACTION_GROUPS?.trim()),
  );
}

export function loadReadConfig(env: Env, options: { scope: boolean }): ReadConfig {
  return load(env, (r, cloud) => {
    const arm = readArmConfig(r, cloud);
    if (options.scope) requireScope(r, arm);
    return { arm };
  });
}

export function loadSweepConfig(
  env: Env,
  options: {
    publish: "required" | "optional";
    functions?: boolean;
    scope?: boolean;
    /**
     * The Functions sweep: what the dispatcher beside it runs without (a
     * receiver it cannot use, an entry it leaves out, a setting that stops
     * it) is among the settings left out, said every sweep and on the status
     * page, since the dispatcher itself says it only when events arrive.
     */
    dispatcher?: boolean;
  },
): SweepConfig {
  const config = loadSweep(env, options);
  if (options.dispatcher) {
    // A setting both read (STORAGE_TIMEOUT_MS, SERVICEBUS_TIMEOUT_MS) is left out by both alike: said once.
    const said = new Set(config.ignoredSettings);
    config.ignoredSettings.push(
      ...dispatchSettingsProblems(env)
        .filter((p) => !said.has(p))
        .map((p) => `dispatcher: ${p}`),
    );
  }
  return config;
}

function loadSweep(
  env: Env,
  options: { publish: "required" | "optional"; functions?: boolean; scope?: boolean },
): SweepConfig {
  return load(env, (r, cloud) => {
    const arm = readArmConfig(r, cloud);
    if (options.scope ?? true) requireScope(r, arm);
    const state = readStateConfig(r, cloud);
    const publish = readPublishConfig(r, options.publish === "required");
    if (options.functions) readSweepSchedule(r);
    const sweep = readSweepSettings(r);
    // A schedule that leaves the rotation no sweep to wait for reads every circuit deep
    // every sweep, which nothing else tells the operator: said with the settings left out.
    const interval = state.policy.sweepIntervalMinutes;
    const cadence = options.functions
      ? readAgeCadenceProblem(sweep.maxReadAgeMinutes, interval, sweepWindow(interval).budgetMs)
      : null;
    if (cadence) r.ignored.push(cadence);
    if (publish)
      refuseSharedEntities(r, [
        ["SERVICEBUS_ENTITY", publish.entity],
        ["SWEEP_WORK_QUEUE", sweep.workQueue],
      ]);
    return { arm, state, publish, sweep, routing: readRouting(env) };
  });
}

/** `erwatch diagnose --routes`: ARM, and Table Storage when a connection is configured. */
export function loadDiagnoseConfig(env: Env): ReadConfig & { state: StateConfig | null } {
  return load(env, (r, cloud) => ({
    arm: readArmConfig(r, cloud),
    state: hasStateConnection(r) ? readStateConfig(r, cloud) : null,
  }));
}

export function loadStatusConfig(env: Env): StatusConfig {
  return load(env, (r, cloud) => ({
    state: readStateConfig(r, cloud),
    sweep: { maxReadAgeMinutes: readMaxReadAgeMinutes(r) },
  }));
}

export function loadDispatchConfig(env: Env): DispatchRuntimeConfig {
  return load(env, (r, cloud) => {
    const state = readStorageConfig(r, cloud);
    // Required, so never null once the problems are thrown.
    const publish = readPublishConfig(r, true) as PublishConfig;
    const dispatch = readDispatchConfig(r);
    const deadLetterQueue =
      readEntityName(r, "SERVICEBUS_DEADLETTER_QUEUE") ??
      `${publish?.entity ?? "erwatch-alerts"}-deadletter`;
    // Parked events must land where neither the dispatcher nor the sweep's workers read.
    refuseSharedEntities(
      r,
      [
        ["SERVICEBUS_ENTITY", publish?.entity ?? null],
        // The sweep's to validate: only compared here.
        ["SWEEP_WORK_QUEUE", r.raw("SWEEP_WORK_QUEUE") ?? null],
        ["SERVICEBUS_DEADLETTER_QUEUE", deadLetterQueue],
      ],
      "SERVICEBUS_DEADLETTER_QUEUE",
    );
    return { state, publish, dispatch, deadLetterQueue };
  });
}

/**
 * Why the dispatcher could not post to this receiver: its secrets, or what
 * the receiver itself refuses (createReceiver asks the same rule), which it
 * would otherwise first say at the first alert event.
 */
function receiverProblem(receiver: ResolvedReceiver): string | null {
  const { unusable, ...settings } = receiver;
  return unusable ?? receiverConfigProblem(settings);
}

/**
 * The Functions dispatcher's settings checked where the sweep function
 * starts: the dispatcher reads them only when the first alert event arrives,
 * so a broken route or receiver would first be told in the middle of the
 * first incident. The sweep still runs (its events wait in Service Bus); it
 * says so at once. The delivery budget is the Functions host's; `erwatch
 * dispatch` keeps its messages locked as long as a delivery takes.
 */
export function dispatchSettingsProblems(env: Env): string[] {
  // The sweep warns of these itself, every sweep; they are not the dispatcher's to report.
  const said = new Set([...misspelt(env), ...sharedIgnored(env)]);
  try {
    const config = loadDispatchConfig(env);
    const budget = deliveryBudgetProblem(config.dispatch, FUNCTIONS_DELIVERY_BUDGET_MS);
    // What the dispatcher will run without: entries left out, receivers it cannot use.
    return [
      ...config.ignoredSettings.filter((x) => !said.has(x)),
      ...config.dispatch.receivers.flatMap((x) => {
        const problem = receiverProblem(x);
        return problem ? [`receiver ${x.name} cannot be used: ${problem}`] : [];
      }),
      ...(budget ? [budget] : []),
    ];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.filter((x) => !said.has(x));
    // A check, not the sweep: whatever went wrong here must not stop it.
    return [`could not be checked: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * Values that must never reach a log line, as configured. The forms they take
 * in text (encoded, a URL's signature, a connection string's key) are derived
 * by the logger's scrubber from core/text.ts secretForms, not here.
 */
export function secretsOf(config: {
  state?: StorageConfig;
  publish?: PublishConfig | null;
  dispatch?: DispatchConfig;
}): string[] {
  const out: string[] = [];
  if (config.state?.connection.kind === "connection-string")
    out.push(config.state.connection.value);
  if (config.publish?.connection.kind === "connection-string")
    out.push(config.publish.connection.value);
  // Receiver URLs, routing keys and header values.
  out.push(...(config.dispatch?.secrets ?? []));
  return out;
}

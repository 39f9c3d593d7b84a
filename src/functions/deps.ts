// What the Functions need, built once per process from app settings, on first
// use: the host loads every function file at start, so each builds (and
// imports the SDKs of) only its own runtime, and only when invoked. A
// configuration problem is remembered and reported on every invocation (all
// problems at once); a transient failure (storage not reachable yet) is retried
// by the next invocation.

import { SweepCoordinator } from "../app/sweep-coordinator.js";
import { SweepRuns } from "../app/sweep-runs.js";
import type { SweepResult } from "../app/sweep.js";
import { processEnv } from "../config/env.js";
import type { StatusRuntime } from "../runtime/status.js";
import type { SweepRuntime } from "../runtime/sweep.js";
import { startTelemetry, TELEMETRY_FAILED } from "../runtime/telemetry.js";

export interface SweepFunctionDeps {
  runtime: SweepRuntime;
  coordinator: SweepCoordinator<SweepResult>;
  /** Sweeps started or joined here, for GET /api/sweep/{id}. */
  runs: SweepRuns;
  now: () => Date;
  /** How long POST /api/sweep waits before answering 202 (default: well inside Azure's 230 s). */
  answerWithinMs?: number;
}

export interface StatusFunctionDeps {
  runtime: StatusRuntime;
  now: () => Date;
}

export function cachedFactory<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= build().catch((error: unknown) => {
      // By name: config/reader.js (and zod) load with the runtime, not with the entry.
      if ((error as Error | null)?.name !== "ConfigError") pending = null;
      throw error;
    });
    return pending;
  };
}

/** Settings, logging and the runtime load on first use: the host imports every entry at start. */
const common = () => Promise.all([import("../runtime/config.js"), import("../logging.js")]);

export const DISPATCH_SETTINGS_INVALID =
  "the dispatcher's settings are invalid, or leave entries or receivers out: sweeps go on and publish their alert events; an invalid set makes the dispatcher refuse each, and Service Bus dead-letters it past its delivery count";

export const sweepDeps = cachedFactory<SweepFunctionDeps>(async () => {
  const [{ loadSweepConfig }, { consoleDestination }] = await common();
  const config = loadSweepConfig(processEnv(), {
    publish: "required",
    functions: true,
    dispatcher: true,
  });
  const { buildSweepRuntime } = await import("../runtime/sweep.js");
  const { telemetry, failure } = await startTelemetry(config);
  const runtime = buildSweepRuntime(config, {
    logDestination: consoleDestination(),
    healthLines: true,
    telemetry,
  });
  if (failure) runtime.logger.error({ err: failure }, TELEMETRY_FAILED);
  // Said every sweep too, among the settings left out (and on the status page).
  const dispatchProblems = config.ignoredSettings.filter((x) => x.startsWith("dispatcher: "));
  if (dispatchProblems.length > 0)
    runtime.logger.error({ problems: dispatchProblems }, DISPATCH_SETTINGS_INVALID);
  await Promise.all([
    runtime.store.ensureTables(),
    runtime.silences.ensureTable(),
    runtime.work?.claims.ensureTable(),
  ]);
  return {
    runtime,
    coordinator: new SweepCoordinator<SweepResult>(),
    runs: new SweepRuns(undefined, undefined, { store: runtime.store, log: runtime.logger }),
    now: () => new Date(),
  };
});

export const statusDeps = cachedFactory<StatusFunctionDeps>(async () => {
  const [{ loadStatusConfig }, { consoleDestination }] = await common();
  const config = loadStatusConfig(processEnv());
  const { buildStatusRuntime } = await import("../runtime/status.js");
  const runtime = buildStatusRuntime(config, {
    logDestination: consoleDestination(),
    healthLines: true,
  });
  await Promise.all([runtime.store.ensureTables(), runtime.silences.ensureTable()]);
  return { runtime, now: () => new Date() };
});

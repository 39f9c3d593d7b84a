// `erwatch diagnose` and the stateless sweep: an ARM reader and the data-plane
// reader (Azure Monitor, Connection Monitor) sharing its ARM clients and pacing.

import type { ArmClientOptions } from "../adapters/arm/clients.js";
import { createArmContext, createArmReader } from "../adapters/arm/reader.js";
import type { Timekeeper } from "../adapters/arm/token-bucket.js";
import { createDataPlaneReader } from "../adapters/monitor/data-plane-reader.js";
import { armRequestCounter } from "../adapters/telemetry/arm-policy.js";
import type { CircuitReader, DataPlaneReader } from "../app/ports.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger, type CommonOverrides } from "./common.js";
import { secretsOf, type ReadConfig } from "./config.js";
import type { StorageConfig } from "../config/state.js";

export interface ReadOverrides extends CommonOverrides {
  /** Pipeline options (a private CA) for every Azure client the readers build. */
  armClientOptions?: ArmClientOptions;
  /** The clock reads are stamped with (the demo runs on simulated time). */
  now?: () => Date;
  /** The time ARM's budget refills by; real time unless a bench compresses it. */
  armBudgetTime?: Timekeeper;
  /** The time Azure Monitor and Log Analytics calls count their deadline and throttled waits by; real time unless a test injects one. */
  monitorTime?: Timekeeper;
  /** The time ARM reads count their ARM_TIMEOUT_MS and throttled waits by; real time unless a test injects one. */
  armTime?: Timekeeper;
}

export interface ReadRuntime {
  config: ReadConfig;
  logger: Logger;
  reader: CircuitReader;
  /** Absent when ERWATCH_DATA_PLANE is none. */
  dataPlane?: DataPlaneReader;
}

export interface Readers {
  reader: CircuitReader;
  dataPlane?: DataPlaneReader;
}

export function buildReaders(config: ReadConfig, overrides: ReadOverrides): Readers {
  const credential = credentials(config.cloud, overrides)();
  // Every ARM request is counted for erwatch's own metrics.
  const pipeline = {
    ...overrides.armClientOptions?.pipeline,
    ...(overrides.telemetry
      ? { additionalPolicies: [armRequestCounter(overrides.telemetry)] }
      : {}),
  };
  const clientOptions = { ...overrides.armClientOptions, pipeline };
  const deps = {
    credential,
    config: config.arm,
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.armBudgetTime ? { budgetTime: overrides.armBudgetTime } : {}),
    ...(overrides.armTime ? { readTime: overrides.armTime } : {}),
    clientOptions,
  };
  const ctx = createArmContext(deps);
  const reader = createArmReader(deps, ctx);
  if (config.arm.dataPlane.reads.length === 0) return { reader };
  const dataPlane = createDataPlaneReader({
    credential,
    config: config.arm.dataPlane,
    arm: ctx,
    ...(overrides.armClientOptions ? { clientOptions: overrides.armClientOptions } : {}),
    ...(overrides.monitorTime ? { time: overrides.monitorTime } : {}),
  });
  return { reader, dataPlane };
}

export function buildReadRuntime(
  config: ReadConfig & { state?: StorageConfig | null },
  overrides: ReadOverrides = {},
): ReadRuntime {
  // `diagnose --routes` reads stored route tables with this runtime: its
  // storage connection string is scrubbed like every other command's.
  const state = config.state ?? undefined;
  return {
    config,
    logger: runtimeLogger(config.logLevel, secretsOf(state ? { state } : {}), overrides),
    ...buildReaders(config, overrides),
  };
}

// `erwatch diagnose` and the stateless sweep: an ARM reader and nothing else.

import type { ArmClientOptions } from "../adapters/arm/clients.js";
import { createArmReader } from "../adapters/arm/reader.js";
import { armRequestCounter } from "../adapters/telemetry/arm-policy.js";
import type { CircuitReader } from "../app/ports.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger, type CommonOverrides } from "./common.js";
import type { ReadConfig } from "./config.js";

export interface ReadOverrides extends CommonOverrides {
  armClientOptions?: ArmClientOptions;
  /** The clock reads are stamped with (the demo runs on simulated time). */
  now?: () => Date;
}

export interface ReadRuntime {
  config: ReadConfig;
  logger: Logger;
  reader: CircuitReader;
}

export function buildReader(config: ReadConfig, overrides: ReadOverrides): CircuitReader {
  const pipeline = {
    ...overrides.armClientOptions?.pipeline,
    ...(overrides.telemetry
      ? { additionalPolicies: [armRequestCounter(overrides.telemetry)] }
      : {}),
  };
  return createArmReader({
    credential: credentials(config.cloud, overrides)(),
    config: config.arm,
    ...(overrides.now ? { now: overrides.now } : {}),
    clientOptions: { ...overrides.armClientOptions, pipeline },
  });
}

export function buildReadRuntime(config: ReadConfig, overrides: ReadOverrides = {}): ReadRuntime {
  return {
    config,
    logger: runtimeLogger(config.logLevel, [], overrides),
    reader: buildReader(config, overrides),
  };
}

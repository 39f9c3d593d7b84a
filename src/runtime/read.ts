// `erwatch diagnose` and the stateless sweep: an ARM reader and nothing else.

import type { ArmClientOptions } from "../adapters/arm/clients.js";
import type { Timekeeper } from "../adapters/arm/token-bucket.js";
import { createArmReader } from "../adapters/arm/reader.js";
import type { CircuitReader } from "../app/ports.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger, type CommonOverrides } from "./common.js";
import type { ReadConfig } from "./config.js";

export interface ReadOverrides extends CommonOverrides {
  armClientOptions?: ArmClientOptions;
  /** The clock reads are stamped with (the demo runs on simulated time). */
  now?: () => Date;
  /** The time ARM's budget refills by; real time unless a bench compresses it. */
  armBudgetTime?: Timekeeper;
}

export interface ReadRuntime {
  config: ReadConfig;
  logger: Logger;
  reader: CircuitReader;
}

export function buildReader(config: ReadConfig, overrides: ReadOverrides): CircuitReader {
  return createArmReader({
    credential: credentials(config.cloud, overrides)(),
    config: config.arm,
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.armBudgetTime ? { budgetTime: overrides.armBudgetTime } : {}),
    ...(overrides.armClientOptions ? { clientOptions: overrides.armClientOptions } : {}),
  });
}

export function buildReadRuntime(config: ReadConfig, overrides: ReadOverrides = {}): ReadRuntime {
  return {
    config,
    logger: runtimeLogger(config.logLevel, [], overrides),
    reader: buildReader(config, overrides),
  };
}

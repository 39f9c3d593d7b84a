// The status page: stored state only, so it needs neither ARM nor Service Bus.

import type { StateStore } from "../app/state-store.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger, type CommonOverrides } from "./common.js";
import { secretsOf, type StatusConfig } from "./config.js";
import { buildStateStore } from "./state.js";

export interface StatusRuntime {
  config: StatusConfig;
  logger: Logger;
  store: StateStore;
}

export function buildStatusRuntime(
  config: StatusConfig,
  overrides: CommonOverrides = {},
): StatusRuntime {
  return {
    config,
    logger: runtimeLogger(config.logLevel, secretsOf(config), overrides),
    store: buildStateStore(config.state, credentials(config.cloud, overrides)),
  };
}

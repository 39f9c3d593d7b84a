// The status page: stored state only, so it needs neither ARM nor Service Bus.

import type { SilenceStore } from "../app/silences.js";
import type { StateStore } from "../app/state-store.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger, type CommonOverrides } from "./common.js";
import { secretsOf, type StatusConfig } from "./config.js";
import { buildSilenceStore, buildStateStore, buildWorkClaims } from "./state.js";
import type { TableWorkClaims } from "../adapters/tables/work-claims.js";

export interface StatusRuntime {
  config: StatusConfig;
  logger: Logger;
  store: StateStore;
  /** Run-time silences: the status page shows them, `erwatch silence` edits them. */
  silences: SilenceStore;
  /** The fan-out workers' claims: how far a fanned-out last sweep got (absent: not said). */
  claims?: TableWorkClaims;
}

export function buildStatusRuntime(
  config: StatusConfig,
  overrides: CommonOverrides = {},
): StatusRuntime {
  const credentialFor = credentials(config.cloud, overrides);
  const logger = runtimeLogger(config.logLevel, secretsOf(config), overrides);
  return {
    config,
    logger,
    store: buildStateStore(config.state, credentialFor, logger),
    silences: buildSilenceStore(config.state, credentialFor, logger),
    claims: buildWorkClaims(config.state, credentialFor),
  };
}
